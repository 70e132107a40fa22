package adminapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

type role struct {
	ID          int64    `json:"id"`
	Key         string   `json:"key"`
	Name        string   `json:"name"`
	Permissions []string `json:"permissions"`
	BuiltIn     bool     `json:"builtIn"`
}

type problemBody struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Pointer string `json:"pointer"`
		Code    string `json:"code"`
		Detail  string `json:"detail"`
	} `json:"errors"`
}

// wantProblem asserts an RFC 9457 problem with status, and the pointers of
// its errors.
func wantProblem(t *testing.T, res apitest.Response, status int, pointers ...string) problemBody {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status: got %d, want %d; body %s", res.Status, status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type: got %q, want application/problem+json", ct)
	}
	var p problemBody
	res.JSON(t, &p)
	if p.Type == "" || p.Title == "" || p.Status != status || p.Detail == "" {
		t.Errorf("problem: got %+v, want type, title, status %d and detail", p, status)
	}
	var got []string
	for _, e := range p.Errors {
		got = append(got, e.Pointer)
		if e.Code == "" || e.Detail == "" {
			t.Errorf("error %+v lacks code or detail", e)
		}
	}
	if strings.Join(got, " ") != strings.Join(pointers, " ") {
		t.Errorf("pointers: got %q, want %q", got, pointers)
	}
	return p
}

func TestRoles(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		other := env.NewTenant(t, "Other")
		auth := apitest.Bearer(acme.APIKey)
		_, usersOnly, err := env.Service.CreateAPIKey(context.Background(), core.OperatorFor(acme.Tenant),
			core.CreateAPIKey{Name: "users", Scopes: []string{core.ScopeUsersRead, core.ScopeUsersWrite}})
		if err != nil {
			t.Fatal(err)
		}

		res := env.Do(t, "GET", "/api/v1/roles", "", auth...)
		var list struct{ Roles []role }
		res.JSON(t, &list)
		if res.Status != 200 || len(list.Roles) != 3 {
			t.Fatalf("list: %d %s, want the 3 built-in roles", res.Status, res.Body)
		}
		for i, want := range []string{core.RoleClientUser, core.RoleEditor, core.RoleClientAdmin} {
			if r := list.Roles[i]; r.ID != int64(i+1) || r.Key != want || !r.BuiltIn || len(r.Permissions) == 0 {
				t.Errorf("built-in role %d: got %+v, want id %d key %s", i, r, i+1, want)
			}
		}

		body := `{"key":"support","name":"Support","permissions":["users:read"]}`
		res = env.Do(t, "POST", "/api/v1/roles", body, append(auth, "Idempotency-Key", "role-1")...)
		if res.Status != 201 {
			t.Fatalf("create: %d %s", res.Status, res.Body)
		}
		var support role
		res.JSON(t, &support)
		self := fmt.Sprintf("/api/v1/roles/%d", support.ID)
		if support.Key != "support" || support.BuiltIn || support.ID < 4 || res.Header.Get("Location") != self {
			t.Errorf("created: %+v, Location %q", support, res.Header.Get("Location"))
		}
		replay := env.Do(t, "POST", "/api/v1/roles", body, append(auth, "Idempotency-Key", "role-1")...)
		if replay.Status != 201 || string(replay.Body) != string(res.Body) || replay.Header.Get("Idempotent-Replayed") != "true" ||
			replay.Header.Get("Location") != self {
			t.Errorf("replay: %d %s, Location %q (want %q)", replay.Status, replay.Body, replay.Header.Get("Location"), self)
		}
		wantProblem(t, env.Do(t, "POST", "/api/v1/roles", `{"key":"other"}`, append(auth, "Idempotency-Key", "role-1")...), 422)

		res = env.Do(t, "GET", self, "", auth...)
		var got role
		res.JSON(t, &got)
		if res.Status != 200 || got.ID != support.ID || strings.Join(got.Permissions, ",") != "users:read" {
			t.Errorf("get: %d %s", res.Status, res.Body)
		}

		// The role can be given to a user through JSON:API's role_id.
		user := env.Do(t, "POST", "/api/users", fmt.Sprintf(`{"data":{"type":"users","attributes":{"email":"s@example.com","name":"S","role_id":%d}}}`, support.ID),
			append(auth, "X-Clarus-Subdomain", acme.Tenant.Subdomain)...)
		if user.Status != 201 {
			t.Fatalf("user with the custom role: %d %s", user.Status, user.Body)
		}

		wantProblem(t, env.Do(t, "POST", "/api/v1/roles", `{"key":"support","name":"Again"}`, auth...), 409, "/key")
		wantProblem(t, env.Do(t, "POST", "/api/v1/roles", `{"key":"admin"}`, auth...), 409, "/key")
		wantProblem(t, env.Do(t, "POST", "/api/v1/roles", `{"key":"x","permision":[]}`, auth...), 400, "/permision")
		wantProblem(t, env.Do(t, "POST", "/api/v1/roles", `{"key":""}`, auth...), 422, "/key")
		wantProblem(t, env.Do(t, "POST", "/api/v1/roles", `{"key":"x"}`, append(auth, "Content-Type", "text/plain")...), 415)
		wantProblem(t, env.Do(t, "POST", "/api/v1/roles", `{"key":"x"}`, apitest.Bearer(usersOnly)...), 403)
		wantProblem(t, env.Do(t, "GET", "/api/v1/roles", ""), 401)
		wantProblem(t, env.Do(t, "GET", self, "", apitest.Bearer(other.APIKey)...), 404)
		wantProblem(t, env.Do(t, "GET", "/api/v1/roles/abc", "", auth...), 404)
		wantProblem(t, env.Do(t, "DELETE", self, "", apitest.Bearer(other.APIKey)...), 404)
		wantProblem(t, env.Do(t, "DELETE", "/api/v1/roles/1", "", auth...), 403)
		wantProblem(t, env.Do(t, "DELETE", self, "", auth...), 409)

		// Once nobody has it, the role can go.
		var created struct {
			Data struct{ ID int64 } `json:"data"`
		}
		user.JSON(t, &created)
		if err := env.Service.DeleteUser(context.Background(), core.OperatorFor(acme.Tenant), created.Data.ID); err != nil {
			t.Fatal(err)
		}
		if res := env.Do(t, "DELETE", self, "", auth...); res.Status != 204 {
			t.Fatalf("delete: %d %s", res.Status, res.Body)
		}
		wantProblem(t, env.Do(t, "GET", self, "", auth...), 404)
		env.AssertNoSecrets(t, acme.APIKey, other.APIKey, usersOnly)
	})
}
