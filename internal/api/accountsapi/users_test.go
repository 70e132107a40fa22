package accountsapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

func TestListUsers(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		other := env.NewTenant(t, "Other")
		for i := range 4 {
			createUser(t, env, tenant, fmt.Sprintf(`{"email":"user%d@example.com"}`, i))
		}
		createUser(t, env, other, `{"email":"theirs@example.com"}`)

		var emails []string
		path := "/users?limit=2"
		for pages := 0; path != ""; pages++ {
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			res := env.Do(t, http.MethodGet, path, "", key(tenant)...)
			if res.Status != http.StatusOK {
				t.Fatalf("list %s: %d %s", path, res.Status, res.Body)
			}
			var page struct {
				Users      []map[string]any `json:"users"`
				NextCursor *string          `json:"nextCursor"`
			}
			res.JSON(t, &page)
			if len(page.Users) > 2 {
				t.Fatalf("page of %d users, want at most 2", len(page.Users))
			}
			for _, u := range page.Users {
				wantUserTypes(t, u, false)
				emails = append(emails, u["email"].(string))
			}
			path = ""
			if page.NextCursor != nil {
				path = "/users?limit=2&cursor=" + url.QueryEscape(*page.NextCursor)
			}
		}
		// The tenant's admin and the four users, in creation order; never
		// the other tenant's.
		want := []string{tenant.Admin.Email, "user0@example.com", "user1@example.com", "user2@example.com", "user3@example.com"}
		if fmt.Sprint(emails) != fmt.Sprint(want) {
			t.Fatalf("listed %v, want %v", emails, want)
		}

		res := env.Do(t, http.MethodGet, "/users?email=USER2@example.com", "", key(tenant)...)
		if res.Status != http.StatusOK || !strings.Contains(string(res.Body), "user2@example.com") || strings.Contains(string(res.Body), "user1@") {
			t.Fatalf("filter by email: %d %s", res.Status, res.Body)
		}
		res = env.Do(t, http.MethodGet, "/users?email=theirs@example.com", "", key(tenant)...)
		if res.Status != http.StatusOK || strings.Contains(string(res.Body), "theirs@") {
			t.Fatalf("filter by another tenant's email: %d %s", res.Status, res.Body)
		}
		wantError(t, env.Do(t, http.MethodGet, "/users?limit=0", "", key(tenant)...), 400, "limit:")
		wantError(t, env.Do(t, http.MethodGet, "/users?limit=201", "", key(tenant)...), 400, "limit:")
		wantError(t, env.Do(t, http.MethodGet, "/users?cursor=nope", "", key(tenant)...), 400, "cursor:")
		wantError(t, env.Do(t, http.MethodGet, "/users", "", as(tenant.APIKey, "")...), 400, "x-account-id")
		wantError(t, env.Do(t, http.MethodGet, "/users", "", as(tenant.APIKey, other.Tenant.AccountID())...), 403, "x-account-id")
		wantError(t, env.Do(t, http.MethodGet, "/users", "", as(scopedKey(t, env, tenant, core.ScopeUsersWrite), tenant.Tenant.AccountID())...), 403, "users:read")
	})
}

func TestGetUpdateDelete(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		sales, support := newTeam(t, env, tenant, "Sales"), newTeam(t, env, tenant, "Support")
		u := createUser(t, env, tenant, fmt.Sprintf(`{"email":"john@example.com","name":"John","teamId":%d,"phone":"+14155550123"}`, sales.ID))
		path := userPath(u)

		res := env.Do(t, http.MethodGet, path, "", key(tenant)...)
		var got map[string]any
		res.JSON(t, &got)
		if res.Status != http.StatusOK || got["email"] != "john@example.com" || got["teamId"] != float64(sales.ID) {
			t.Fatalf("get: %d %s", res.Status, res.Body)
		}
		wantUserTypes(t, got, false)

		// A change by a clientAdmin's token is recorded by its email.
		admin := login(t, env, tenant.Admin.Email, tenant.AdminPassword)
		patch := fmt.Sprintf(`{"name":"Johnny","phone":"+442071838750","imgSrc":"http://img.example.com/j.png","teamId":%d,"active":false,
			"notificationPreferences":[{"event":"user_deleted","deliveryPref":["sms"]}]}`, support.ID)
		res = env.Do(t, http.MethodPatch, path, patch, as(admin, tenant.Tenant.AccountID())...)
		if res.Status != http.StatusOK {
			t.Fatalf("patch: %d %s", res.Status, res.Body)
		}
		res.JSON(t, &got)
		wantUserTypes(t, got, false)
		for k, want := range map[string]any{
			"name": "Johnny", "phone": "+442071838750", "imgSrc": "http://img.example.com/j.png", "teamId": float64(support.ID),
			"active": false, "createdBy": "api-key:" + tenant.Key.Prefix, "updatedBy": tenant.Admin.Email, "email": "john@example.com",
		} {
			if got[k] != want {
				t.Errorf("after patch, %s: got %#v, want %#v", k, got[k], want)
			}
		}
		if prefs := fmt.Sprint(got["notificationPreferences"]); prefs != "[map[deliveryPref:[sms] event:user_deleted]]" {
			t.Errorf("after patch, notificationPreferences: %s", prefs)
		}
		created, _ := time.Parse(time.RFC3339, got["createdAt"].(string))
		updated, _ := time.Parse(time.RFC3339, got["updatedAt"].(string))
		if updated.Before(created) {
			t.Errorf("updatedAt %v before createdAt %v", got["updatedAt"], got["createdAt"])
		}

		// Members absent change nothing; null clears what can be cleared.
		res = env.Do(t, http.MethodPatch, path, `{}`, key(tenant)...)
		var same map[string]any
		res.JSON(t, &same)
		if res.Status != http.StatusOK || same["name"] != "Johnny" || same["teamId"] != float64(support.ID) {
			t.Fatalf("empty patch: %d %s", res.Status, res.Body)
		}
		res = env.Do(t, http.MethodPatch, path, `{"phone":null,"imgSrc":null,"teamId":null,"notificationPreferences":null,"active":true}`, key(tenant)...)
		res.JSON(t, &got)
		if res.Status != http.StatusOK || got["phone"] != "" || got["imgSrc"] != "" || got["teamId"] != nil ||
			len(got["notificationPreferences"].([]any)) != 0 || got["active"] != true || got["name"] != "Johnny" {
			t.Fatalf("clearing patch: %d %s", res.Status, res.Body)
		}
		res = env.Do(t, http.MethodPatch, path, fmt.Sprintf(`{"teamId":%d,"notificationPreferences":[{"event":"user_created"}]}`, sales.ID), key(tenant)...)
		if res.Status != http.StatusOK {
			t.Fatalf("patch: %d %s", res.Status, res.Body)
		}
		res = env.Do(t, http.MethodPatch, path, `{"notificationPreferences":[]}`, key(tenant)...)
		res.JSON(t, &got)
		if res.Status != http.StatusOK || len(got["notificationPreferences"].([]any)) != 0 || got["teamId"] != float64(sales.ID) {
			t.Fatalf("patch with an empty list: %d %s", res.Status, res.Body)
		}

		for _, tt := range []struct {
			name, body string
			status     int
			want       string
		}{
			{"UnknownField", `{"Name":"x"}`, 400, "Name: is not a known field"},
			{"Token", `{"token":"spt_x"}`, 400, "token: is not a known field"},
			{"NullEmail", `{"email":null}`, 400, "email: cannot be null"},
			{"NullActive", `{"active":null}`, 400, "active: cannot be null"},
			{"BadEmail", `{"email":"nope"}`, 400, "email:"},
			{"BadPhone", `{"phone":"12345"}`, 400, "phone:"},
			{"BadImgSrc", `{"imgSrc":"javascript:alert(1)"}`, 400, "imgSrc:"},
			{"UnknownTeam", `{"teamId":987654321}`, 400, "teamId:"},
			{"TeamIDNotNumber", `{"teamId":"1"}`, 400, "teamId: must be a whole number"},
			{"PreferencesObject", `{"notificationPreferences":{}}`, 400, "notificationPreferences: must be a list"},
			{"BadPreference", `{"notificationPreferences":[{"event":"user_created"},{"event":"bogus"}]}`, 400, "notificationPreferences[1].event"},
			{"EmailTaken", fmt.Sprintf(`{"email":%q}`, strings.ToUpper(tenant.Admin.Email)), 409, "email:"},
		} {
			t.Run("Patch"+tt.name, func(t *testing.T) {
				unchanged(t, env, func() {
					wantError(t, env.Do(t, http.MethodPatch, path, tt.body, key(tenant)...), tt.status, tt.want)
				}, tenant)
			})
		}

		if res := env.Do(t, http.MethodDelete, path, "", key(tenant)...); res.Status != http.StatusNoContent || len(res.Body) != 0 {
			t.Fatalf("delete: %d %s", res.Status, res.Body)
		}
		wantError(t, env.Do(t, http.MethodGet, path, "", key(tenant)...), 404, "no such user")
		wantError(t, env.Do(t, http.MethodPatch, path, `{"name":"x"}`, key(tenant)...), 404, "no such user")
		wantError(t, env.Do(t, http.MethodDelete, path, "", key(tenant)...), 404, "no such user")
		for _, bad := range []string{"/users/abc", "/users/0", "/users/-1", "/users/99999999999999999999"} {
			wantError(t, env.Do(t, http.MethodGet, bad, "", key(tenant)...), 404, "no such user")
		}
		env.AssertNoSecrets(t, tenant.APIKey, tenant.AdminPassword, admin)
	})
}

// TestAccountHeader: every Accounts route requires x-account-id (400
// without it or when it is not an account id) and refuses another
// account's (403), before anything is read or changed.
func TestAccountHeader(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		other := env.NewTenant(t, "Other")
		u := createUser(t, env, tenant, `{"email":"john@example.com"}`)
		routes := []struct{ method, path, body string }{
			{http.MethodPost, "/users", `{"email":"new@example.com"}`},
			{http.MethodGet, "/users", ""},
			{http.MethodGet, userPath(u), ""},
			{http.MethodPatch, userPath(u), `{"name":"Changed"}`},
			{http.MethodDelete, userPath(u), ""},
		}
		for _, r := range routes {
			t.Run(r.method+" "+r.path, func(t *testing.T) {
				unchanged(t, env, func() {
					wantError(t, env.Do(t, r.method, r.path, r.body, as(tenant.APIKey, "")...), 400, "x-account-id: the header is required")
					wantError(t, env.Do(t, r.method, r.path, r.body, as(tenant.APIKey, "2311x")...), 400, "x-account-id: must be an account id")
					wantError(t, env.Do(t, r.method, r.path, r.body, as(tenant.APIKey, other.Tenant.AccountID())...), 403, "x-account-id")
					wantError(t, env.Do(t, r.method, r.path, r.body, as(other.APIKey, tenant.Tenant.AccountID())...), 403, "x-account-id")
					wantError(t, env.Do(t, r.method, r.path, r.body, "x-account-id", tenant.Tenant.AccountID()), 401, "Authorization")
				}, tenant, other)
			})
		}
		// The header is case-insensitive, as HTTP header names are.
		if res := env.Do(t, http.MethodGet, userPath(u), "", append(apitest.Bearer(tenant.APIKey), "X-Account-Id", tenant.Tenant.AccountID())...); res.Status != http.StatusOK {
			t.Fatalf("X-Account-Id: %d %s", res.Status, res.Body)
		}
	})
}

// TestCrossTenant: tenant B's credential, for its own account, on tenant
// A's user ids answers 404 on every verb, exactly like an unknown id, and
// changes nothing.
func TestCrossTenant(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		a := env.NewTenant(t, "A")
		b := env.NewTenant(t, "B")
		u := createUser(t, env, a, `{"email":"a.user@example.com","name":"A User"}`)
		unknown := env.Do(t, http.MethodGet, "/users/987654321", "", key(b)...)
		wantError(t, unknown, 404, "no such user")
		unchanged(t, env, func() {
			for _, r := range []struct{ method, body string }{
				{http.MethodGet, ""}, {http.MethodPatch, `{"name":"Hijacked"}`}, {http.MethodDelete, ""},
			} {
				res := env.Do(t, r.method, userPath(u), r.body, key(b)...)
				wantError(t, res, 404, "no such user")
				if string(res.Body) != string(unknown.Body) {
					t.Errorf("%s: got %s, want the unknown id's answer %s", r.method, res.Body, unknown.Body)
				}
			}
		}, a, b)
		got, err := env.Service.GetUser(context.Background(), core.OperatorFor(a.Tenant), int64(u["id"].(float64)))
		if err != nil || got.Name != "A User" {
			t.Fatalf("A's user after B's attempts: %+v, %v", got, err)
		}
	})
}
