package accountsapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

// setPassword posts a token and a password to POST /api/auth/password.
func setPassword(t *testing.T, env *apitest.Env, token, password string) apitest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, "/api/auth/password", fmt.Sprintf(`{"token":%q,"password":%q}`, token, password))
}

// TestSetPasswordToken: a user created with only an email gets a
// set-password token in the 201 and never again; the token sets a password
// once, after which the user logs in; it expires; it never reaches a log.
func TestSetPasswordToken(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		u := createUser(t, env, tenant, seedCreate(t, "jane.roe@example.com"))
		token := u["token"].(string)

		// Before: no password, so no login.
		if res := env.Do(t, http.MethodPost, "/api/auth/login", `{"email":"jane.roe@example.com","password":"jane-password-1"}`); res.Status != http.StatusUnauthorized {
			t.Fatalf("login before a password is set: %d %s", res.Status, res.Body)
		}
		// Neither a read nor a list shows the token again.
		for _, path := range []string{userPath(u), "/users", "/users?email=jane.roe@example.com"} {
			res := env.Do(t, http.MethodGet, path, "", key(tenant)...)
			if res.Status != http.StatusOK || strings.Contains(string(res.Body), token) || strings.Contains(string(res.Body), `"token"`) {
				t.Fatalf("GET %s shows the token: %d %s", path, res.Status, res.Body)
			}
		}
		// A rule-breaking password does not spend the token.
		if res := setPassword(t, env, token, "short"); res.Status != http.StatusBadRequest {
			t.Fatalf("short password: %d %s", res.Status, res.Body)
		}
		if res := setPassword(t, env, token, "jane-password-1"); res.Status != http.StatusNoContent || len(res.Body) != 0 {
			t.Fatalf("set password: %d %s", res.Status, res.Body)
		}
		login(t, env, "jane.roe@example.com", "jane-password-1")

		// Once only.
		res := setPassword(t, env, token, "another-password-2")
		if res.Status != http.StatusUnauthorized || !strings.Contains(string(res.Body), "invalid or expired") {
			t.Fatalf("second use: %d %s", res.Status, res.Body)
		}
		login(t, env, "jane.roe@example.com", "jane-password-1")

		events, err := env.Store.ListEvents(context.Background(), tenant.Tenant.ID, core.EventFilter{Type: core.EventUserPasswordChanged, Limit: 10})
		if err != nil || len(events) != 1 || events[0].SubjectID != fmt.Sprint(u["id"]) {
			t.Fatalf("user_password_changed events: %+v, %v", events, err)
		}
		for _, e := range events {
			if strings.Contains(string(e.Payload), token) || strings.Contains(string(e.Payload), "jane-password-1") {
				t.Fatalf("event payload holds a secret: %s", e.Payload)
			}
		}

		// Expiry: a token unused for 72 hours no longer works.
		late := createUser(t, env, tenant, `{"email":"late@example.com"}`)
		lateToken := late["token"].(string)
		env.Service.SetClock(func() time.Time { return time.Now().Add(core.DefaultPasswordTokenTTL + time.Minute) })
		res = setPassword(t, env, lateToken, "late-password-1")
		env.Service.SetClock(time.Now)
		if res.Status != http.StatusUnauthorized || !strings.Contains(string(res.Body), "invalid or expired") {
			t.Fatalf("expired token: %d %s", res.Status, res.Body)
		}
		if res := env.Do(t, http.MethodPost, "/api/auth/login", `{"email":"late@example.com","password":"late-password-1"}`); res.Status != http.StatusUnauthorized {
			t.Fatalf("login with the expired token's password: %d %s", res.Status, res.Body)
		}
		// Just inside the window it still works.
		fresh := createUser(t, env, tenant, `{"email":"fresh@example.com"}`)
		env.Service.SetClock(func() time.Time { return time.Now().Add(core.DefaultPasswordTokenTTL - time.Minute) })
		res = setPassword(t, env, fresh["token"].(string), "fresh-password-1")
		env.Service.SetClock(time.Now)
		if res.Status != http.StatusNoContent {
			t.Fatalf("token within its lifetime: %d %s", res.Status, res.Body)
		}

		// A token made for one user cannot be confused with another's, and
		// a deleted user's token is dead.
		gone := createUser(t, env, tenant, `{"email":"gone@example.com"}`)
		if res := env.Do(t, http.MethodDelete, userPath(gone), "", key(tenant)...); res.Status != http.StatusNoContent {
			t.Fatalf("delete: %d", res.Status)
		}
		if res := setPassword(t, env, gone["token"].(string), "gone-password-1"); res.Status != http.StatusUnauthorized {
			t.Fatalf("deleted user's token: %d %s", res.Status, res.Body)
		}
		env.AssertNoSecrets(t, tenant.APIKey, token, lateToken, fresh["token"].(string), gone["token"].(string),
			"jane-password-1", "late-password-1", "fresh-password-1", "gone-password-1")
	})
}
