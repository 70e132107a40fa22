package jsonapi_test

import (
	"fmt"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

func TestReadUpdateDeleteUser(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		other := env.NewTenant(t, "Other")
		john := create(t, env, acme, `"email":"john@example.com","name":"John","language":"fr","string2":"two"`)
		create(t, env, acme, `"email":"jane@example.com","name":"Jane"`)
		self := john.Data.Links.Self
		id := john.Data.ID.String()

		res := env.Do(t, "GET", self, "", headers(acme)...)
		if res.Status != 200 {
			t.Fatalf("get: %d %s", res.Status, res.Body)
		}
		checkDocument(t, res)

		patch := fmt.Sprintf(`{"data":{"type":"users","id":%q,"attributes":{"name":"Johnny","is_active":false,"role_id":%d,"language":null,"timezone":"America/New_York","string2":""}}}`,
			id, core.RoleIDClientAdmin)
		res = env.Do(t, "PATCH", self, patch, headers(acme, vnd...)...)
		if res.Status != 200 {
			t.Fatalf("patch: %d %s", res.Status, res.Body)
		}
		checkDocument(t, res)
		var doc userDoc
		res.JSON(t, &doc)
		a := doc.Data.Attributes
		if a["name"] != "Johnny" || a["is_active"] != false || a["role_id"] != float64(core.RoleIDClientAdmin) ||
			a["language"] != "" || a["timezone"] != "America/New_York" || a["string2"] != "" || a["email"] != "john@example.com" {
			t.Errorf("patched attributes: got %v", a)
		}
		// The id as a number, as it is rendered, is accepted too.
		res = env.Do(t, "PATCH", self, `{"data":{"type":"users","id":`+id+`,"attributes":{"string1":"one"}}}`, headers(acme)...)
		if res.Status != 200 {
			t.Fatalf("patch with a numeric id: %d %s", res.Status, res.Body)
		}

		for _, tt := range []struct {
			name, path, body string
			creds            []string
			status           int
			sources          []string
		}{
			{"IDMismatch", self, `{"data":{"type":"users","id":"999999","attributes":{"name":"X"}}}`, nil, 409, []string{"/data/id"}},
			{"NoID", self, `{"data":{"type":"users","attributes":{"name":"X"}}}`, nil, 400, []string{"/data"}},
			{"TypeMismatch", self, `{"data":{"type":"people","id":"` + id + `","attributes":{"name":"X"}}}`, nil, 409, []string{"/data/type"}},
			{"EmailTaken", self, `{"data":{"type":"users","id":"` + id + `","attributes":{"email":"JANE@example.com"}}}`, nil, 409, []string{"/data/attributes/email"}},
			{"NullRole", self, `{"data":{"type":"users","id":"` + id + `","attributes":{"role_id":null}}}`, nil, 422, []string{"/data/attributes/role_id"}},
			{"EmptyEmail", self, `{"data":{"type":"users","id":"` + id + `","attributes":{"email":""}}}`, nil, 422, []string{"/data/attributes/email"}},
			{"UnknownAttribute", self, `{"data":{"type":"users","id":"` + id + `","attributes":{"password":"secret-password"}}}`, nil, 422,
				[]string{"/data/attributes/password"}},
			{"AnotherTenant", self, `{"data":{"type":"users","id":"` + id + `","attributes":{"name":"X"}}}`, headers(other), 404, []string{""}},
			{"NotAnID", "/api/users/abc", `{"data":{"type":"users","id":"1","attributes":{}}}`, nil, 404, []string{""}},
			{"UnknownID", "/api/users/987654", `{"data":{"type":"users","id":"987654","attributes":{"name":"X"}}}`, nil, 404, []string{""}},
		} {
			t.Run("Patch"+tt.name, func(t *testing.T) {
				creds := tt.creds
				if creds == nil {
					creds = headers(acme)
				}
				wantErrors(t, env.Do(t, "PATCH", tt.path, tt.body, creds...), tt.status, tt.sources...)
			})
		}

		// Another tenant's ids answer exactly like unknown ones.
		wantErrors(t, env.Do(t, "GET", self, "", headers(other)...), 404, "")
		wantErrors(t, env.Do(t, "GET", "/api/users/987654", "", headers(acme)...), 404, "")
		wantErrors(t, env.Do(t, "GET", self+"?fields[users]=email", "", headers(acme)...), 400, "?fields[users]")
		wantErrors(t, env.Do(t, "DELETE", self, "", headers(other)...), 404, "")

		res = env.Do(t, "DELETE", self, "", headers(acme)...)
		if res.Status != 204 || len(res.Body) != 0 {
			t.Fatalf("delete: got %d %q, want 204 and no body", res.Status, res.Body)
		}
		wantErrors(t, env.Do(t, "GET", self, "", headers(acme)...), 404, "")
		wantErrors(t, env.Do(t, "DELETE", self, "", headers(acme)...), 404, "")
		env.AssertNoSecrets(t, acme.APIKey, other.APIKey, "secret-password")
	})
}

// TestInactiveUserCannotLogIn: is_active set through JSON:API decides
// whether the user can log in.
func TestInactiveUserCannotLogIn(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		// A user with a password, made with the Client API (JSON:API has no
		// password attribute).
		res := env.Do(t, "POST", "/api/users", `{"email":"pat@example.com","displayName":"Pat","password":"pat-password-1"}`,
			apitest.Bearer(acme.APIKey)...)
		var u struct{ ID int64 }
		res.JSON(t, &u)
		if res.Status != 201 {
			t.Fatalf("create: %d %s", res.Status, res.Body)
		}
		self := fmt.Sprintf("/api/users/%d", u.ID)
		login := func() int {
			return env.Do(t, "POST", "/api/auth/login", `{"email":"pat@example.com","password":"pat-password-1"}`).Status
		}
		if got := login(); got != 200 {
			t.Fatalf("login while active: got %d, want 200", got)
		}
		for _, tt := range []struct {
			active bool
			want   int
		}{{false, 401}, {true, 200}} {
			body := fmt.Sprintf(`{"data":{"type":"users","id":"%d","attributes":{"is_active":%v}}}`, u.ID, tt.active)
			if res := env.Do(t, "PATCH", self, body, headers(acme)...); res.Status != 200 {
				t.Fatalf("patch is_active %v: %d %s", tt.active, res.Status, res.Body)
			}
			if got := login(); got != tt.want {
				t.Errorf("login with is_active %v: got %d, want %d", tt.active, got, tt.want)
			}
		}
		env.AssertNoSecrets(t, acme.APIKey, "pat-password-1")
	})
}
