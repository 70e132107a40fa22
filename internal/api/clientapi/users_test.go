package clientapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
)

// create makes a user through the face and returns it.
func create(t *testing.T, env *apitest.Env, key, body string) userView {
	t.Helper()
	res := env.Do(t, http.MethodPost, "/api/users", body, apitest.Bearer(key)...)
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	var u userView
	res.JSON(t, &u)
	return u
}

func TestGetUpdateDelete(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		key := apitest.Bearer(tenant.APIKey)
		u := create(t, env, tenant.APIKey, fixture(t, "seed000_create.json"))
		path := fmt.Sprintf("/api/users/%d", u.ID)

		res := env.Do(t, http.MethodGet, path, "", key...)
		var got userView
		res.JSON(t, &got)
		if res.Status != http.StatusOK || got != u {
			t.Fatalf("get: %d %+v, want %+v", res.Status, got, u)
		}

		res = env.Do(t, http.MethodPatch, path, `{"displayName":"Johnny","role":"clientAdmin","emailFilteringEnabled":false}`, key...)
		res.JSON(t, &got)
		if res.Status != http.StatusOK || got.DisplayName != "Johnny" || got.Role != "clientAdmin" || got.EmailFilteringEnabled {
			t.Fatalf("patch: %d %s", res.Status, res.Body)
		}
		wantError(t, env.Do(t, http.MethodPatch, path, `{"displayname":"typo"}`, key...), 400, "displayname")
		wantError(t, env.Do(t, http.MethodPatch, path, `{"role":"editor"}`, key...), 403, "role")
		wantError(t, env.Do(t, http.MethodPatch, path, `{"password":"short"}`, key...), 400, "password")
		wantError(t, env.Do(t, http.MethodPatch, path, `{"email":"bad"}`, key...), 400, "email")

		// The new password works at once; the old one no longer does.
		res = env.Do(t, http.MethodPatch, path, `{"password":"a-new-password"}`, key...)
		if res.Status != http.StatusOK {
			t.Fatalf("password change: %d %s", res.Status, res.Body)
		}
		if login := env.Do(t, http.MethodPost, "/api/auth/login", `{"email":"john.doe@example.com","password":"a-new-password"}`); login.Status != http.StatusOK {
			t.Fatalf("login with the new password: %d %s", login.Status, login.Body)
		}
		if login := env.Do(t, http.MethodPost, "/api/auth/login", `{"email":"john.doe@example.com","password":"securepassword123"}`); login.Status != http.StatusUnauthorized {
			t.Fatalf("login with the old password: %d", login.Status)
		}

		if res := env.Do(t, http.MethodDelete, path, "", key...); res.Status != http.StatusNoContent {
			t.Fatalf("delete: %d %s", res.Status, res.Body)
		}
		wantError(t, env.Do(t, http.MethodGet, path, "", key...), 404, "no such user")
		wantError(t, env.Do(t, http.MethodDelete, path, "", key...), 404, "no such user")
		for _, bad := range []string{"/api/users/abc", "/api/users/0", "/api/users/-1", "/api/users/99999999999999999999"} {
			wantError(t, env.Do(t, http.MethodGet, bad, "", key...), 404, "no such user")
		}
		env.AssertNoSecrets(t, tenant.APIKey, "securepassword123", "a-new-password")
	})
}

// TestCrossTenant: tenant B's key on tenant A's user ids answers 404 on
// every verb, exactly like an unknown id, and changes nothing.
func TestCrossTenant(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		a := env.NewTenant(t, "A")
		b := env.NewTenant(t, "B")
		u := create(t, env, a.APIKey, fixture(t, "seed000_create.json"))
		path := fmt.Sprintf("/api/users/%d", u.ID)
		unknown := env.Do(t, http.MethodGet, "/api/users/987654321", "", apitest.Bearer(b.APIKey)...)
		usersBefore, eventsBefore := counts(t, env, a)

		for _, req := range []struct{ method, body string }{
			{http.MethodGet, ""},
			{http.MethodPatch, `{"displayName":"Hijacked","role":"clientAdmin"}`},
			{http.MethodDelete, ""},
		} {
			res := env.Do(t, req.method, path, req.body, apitest.Bearer(b.APIKey)...)
			wantError(t, res, http.StatusNotFound, "no such user")
			if string(res.Body) != string(unknown.Body) {
				t.Errorf("%s of another tenant's user: body %s differs from an unknown id's %s", req.method, res.Body, unknown.Body)
			}
		}
		list := env.Do(t, http.MethodGet, "/api/users?email=john.doe@example.com", "", apitest.Bearer(b.APIKey)...)
		var page struct {
			Users []userView `json:"users"`
		}
		list.JSON(t, &page)
		if len(page.Users) != 0 {
			t.Fatalf("tenant B lists tenant A's user: %s", list.Body)
		}
		res := env.Do(t, http.MethodGet, path, "", apitest.Bearer(a.APIKey)...)
		var got userView
		res.JSON(t, &got)
		if got != u {
			t.Fatalf("user changed through another tenant: %+v, want %+v", got, u)
		}
		if users, events := counts(t, env, a); users != usersBefore || events != eventsBefore {
			t.Fatalf("state changed: users %d->%d, events %d->%d", usersBefore, users, eventsBefore, events)
		}
	})
}

func TestListUsers(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme") // has its admin already
		key := apitest.Bearer(tenant.APIKey)
		for i := range 6 {
			create(t, env, tenant.APIKey, fmt.Sprintf(`{"email":"user%d@example.com","displayName":"U%d"}`, i, i))
		}
		seen := map[int64]bool{}
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
			path := "/api/users?limit=3"
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			res := env.Do(t, http.MethodGet, path, "", key...)
			var page struct {
				Users      []userView `json:"users"`
				NextCursor *string    `json:"nextCursor"`
			}
			res.JSON(t, &page)
			if res.Status != http.StatusOK || len(page.Users) > 3 {
				t.Fatalf("page: %d %s", res.Status, res.Body)
			}
			for _, u := range page.Users {
				if seen[u.ID] {
					t.Fatalf("user %d listed twice", u.ID)
				}
				seen[u.ID] = true
			}
			if page.NextCursor == nil {
				break
			}
			cursor = *page.NextCursor
		}
		if len(seen) != 7 {
			t.Fatalf("listed %d users, want 7 (6 + the admin)", len(seen))
		}
		res := env.Do(t, http.MethodGet, "/api/users?email=USER3@example.com", "", key...)
		var one struct {
			Users []userView `json:"users"`
		}
		res.JSON(t, &one)
		if len(one.Users) != 1 || one.Users[0].Email != "user3@example.com" {
			t.Fatalf("email filter: %s", res.Body)
		}
		wantError(t, env.Do(t, http.MethodGet, "/api/users?limit=201", "", key...), 400, "limit")
		wantError(t, env.Do(t, http.MethodGet, "/api/users?limit=0", "", key...), 400, "limit")
		wantError(t, env.Do(t, http.MethodGet, "/api/users?limit=x", "", key...), 400, "limit")
		wantError(t, env.Do(t, http.MethodGet, "/api/users?cursor=!!", "", key...), 400, "cursor")
		wantError(t, env.Do(t, http.MethodGet, "/api/users", ""), 401, "Authorization")
	})
}
