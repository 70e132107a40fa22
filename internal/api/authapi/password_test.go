package authapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api"
	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/ratelimit"
)

// wantOAuthError asserts status and the OAuth error shape (exactly error
// and error_description), no caching, and that the description mentions
// want; it returns the code.
func wantOAuthError(t *testing.T, res apitest.Response, status int, code, want string) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status: got %d, want %d; body %s", res.Status, status, res.Body)
	}
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	dec := json.NewDecoder(bytes.NewReader(res.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		t.Fatalf("decode error body %s: %v", res.Body, err)
	}
	if body.Error != code || !strings.Contains(body.Description, want) {
		t.Fatalf("error: got %+v, want %s with a description containing %q", body, code, want)
	}
	if got := res.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control: got %q, want no-store", got)
	}
}

// newUserWithoutPassword creates a user through the core and returns its
// set-password token.
func newUserWithoutPassword(t *testing.T, env *apitest.Env, tenant core.TenantCreated, email string) (core.User, string) {
	t.Helper()
	out, err := env.Service.CreateUser(context.Background(), core.OperatorFor(tenant.Tenant), core.CreateUser{Email: email})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	if out.PasswordToken == "" {
		t.Fatalf("CreateUser(%s) without a password made no set-password token", email)
	}
	return out.User, out.PasswordToken
}

func loginStatus(t *testing.T, env *apitest.Env, email, password string) int {
	t.Helper()
	return env.Do(t, http.MethodPost, "/api/auth/login", fmt.Sprintf(`{"email":%q,"password":%q}`, email, password)).Status
}

func postPassword(t *testing.T, env *apitest.Env, body string, headers ...string) apitest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, "/api/auth/password", body, headers...)
}

func TestSetPasswordWithToken(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		_, token := newUserWithoutPassword(t, env, tenant, "new.user@example.com")

		res := postPassword(t, env, fmt.Sprintf(`{"token":%q,"password":"first-password-1"}`, token))
		if res.Status != http.StatusNoContent || len(res.Body) != 0 || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("set: %d %v %s", res.Status, res.Header, res.Body)
		}
		if got := loginStatus(t, env, "NEW.user@example.com", "first-password-1"); got != http.StatusOK {
			t.Fatalf("login with the password set: %d", got)
		}

		// Spent, unknown and malformed tokens get one and the same answer.
		spent := postPassword(t, env, fmt.Sprintf(`{"token":%q,"password":"second-password-2"}`, token))
		wantOAuthError(t, spent, http.StatusUnauthorized, "invalid_grant", "the token is invalid or expired")
		for _, other := range []string{"spt_" + strings.Repeat("A", 40), "spt_short", "not-a-token", token + "x"} {
			res := postPassword(t, env, fmt.Sprintf(`{"token":%q,"password":"second-password-2"}`, other))
			if res.Status != spent.Status || string(res.Body) != string(spent.Body) {
				t.Errorf("token %q: got %d %s, want the spent token's answer %s", other, res.Status, res.Body, spent.Body)
			}
		}
		if got := loginStatus(t, env, "new.user@example.com", "second-password-2"); got != http.StatusUnauthorized {
			t.Fatalf("a spent token changed the password: login %d", got)
		}

		// A refused new password leaves the token usable.
		_, token2 := newUserWithoutPassword(t, env, tenant, "second@example.com")
		wantOAuthError(t, postPassword(t, env, fmt.Sprintf(`{"token":%q,"password":"short"}`, token2)), 400, "invalid_request", "password")
		wantOAuthError(t, postPassword(t, env, fmt.Sprintf(`{"token":%q,"password":"second@example.com"}`, token2)), 400, "invalid_request", "password")
		if res := postPassword(t, env, fmt.Sprintf(`{"token":%q,"password":"second-password-2"}`, token2)); res.Status != http.StatusNoContent {
			t.Fatalf("after refusals: %d %s", res.Status, res.Body)
		}

		// Expired.
		_, token3 := newUserWithoutPassword(t, env, tenant, "third@example.com")
		env.Service.SetClock(func() time.Time { return time.Now().Add(core.DefaultPasswordTokenTTL + time.Second) })
		res = postPassword(t, env, fmt.Sprintf(`{"token":%q,"password":"third-password-3"}`, token3))
		env.Service.SetClock(time.Now)
		wantOAuthError(t, res, http.StatusUnauthorized, "invalid_grant", "the token is invalid or expired")

		env.AssertNoSecrets(t, tenant.APIKey, token, token2, token3, "first-password-1", "second-password-2", "third-password-3")
	})
}

func TestChangePassword(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		change := func(email, current, next string) apitest.Response {
			return postPassword(t, env, fmt.Sprintf(`{"email":%q,"currentPassword":%q,"password":%q}`, email, current, next))
		}

		res := change(strings.ToUpper(tenant.Admin.Email), tenant.AdminPassword, "brand-new-password")
		if res.Status != http.StatusNoContent || len(res.Body) != 0 {
			t.Fatalf("change: %d %s", res.Status, res.Body)
		}
		if got := loginStatus(t, env, tenant.Admin.Email, "brand-new-password"); got != http.StatusOK {
			t.Fatalf("login with the new password: %d", got)
		}
		if got := loginStatus(t, env, tenant.Admin.Email, tenant.AdminPassword); got != http.StatusUnauthorized {
			t.Fatalf("login with the old password: %d", got)
		}

		// Wrong password, unknown email, a user without a password: one
		// answer, as for logins.
		_, token := newUserWithoutPassword(t, env, tenant, "nopassword@example.com")
		wrong := change(tenant.Admin.Email, tenant.AdminPassword, "another-password-1")
		wantOAuthError(t, wrong, http.StatusUnauthorized, "invalid_grant", "invalid email or password")
		for _, tt := range []struct{ email, current string }{
			{"nobody@example.com", "whatever-password"},
			{"nopassword@example.com", "whatever-password"},
			{"not an email", "whatever-password"},
		} {
			res := change(tt.email, tt.current, "another-password-1")
			if res.Status != wrong.Status || string(res.Body) != string(wrong.Body) {
				t.Errorf("%s: got %d %s, want the wrong password's answer %s", tt.email, res.Status, res.Body, wrong.Body)
			}
		}
		wantOAuthError(t, change(tenant.Admin.Email, "brand-new-password", "short"), 400, "invalid_request", "password")
		if got := loginStatus(t, env, tenant.Admin.Email, "brand-new-password"); got != http.StatusOK {
			t.Fatalf("a refused change altered the password: login %d", got)
		}
		env.AssertNoSecrets(t, tenant.APIKey, tenant.AdminPassword, token, "brand-new-password", "another-password-1", "whatever-password")
	})
}

func TestPasswordRequestRefusals(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		_, token := newUserWithoutPassword(t, env, tenant, "new.user@example.com")
		tok := fmt.Sprintf("%q", token)
		for _, tt := range []struct {
			name, body string
			headers    []string
			status     int
			want       string
		}{
			{"Empty", `{}`, nil, 400, `send either {"token", "password"}`},
			{"BothForms", `{"token":` + tok + `,"email":"a@example.com","password":"new-password-1"}`, nil, 400, "send either"},
			{"TokenWithCurrent", `{"token":` + tok + `,"currentPassword":"x","password":"new-password-1"}`, nil, 400, "send either"},
			{"OnlyPassword", `{"password":"new-password-1"}`, nil, 400, "send either"},
			{"TokenWithoutPassword", `{"token":` + tok + `}`, nil, 400, "password: is required"},
			{"EmptyToken", `{"token":"","password":"new-password-1"}`, nil, 400, "token: is required"},
			{"ChangeWithoutCurrent", `{"email":"a@example.com","password":"new-password-1"}`, nil, 400, "currentPassword: is required"},
			{"ChangeWithoutEmail", `{"currentPassword":"x","password":"new-password-1"}`, nil, 400, "email: is required"},
			{"ChangeWithoutPassword", `{"email":"a@example.com","currentPassword":"x"}`, nil, 400, "password: is required"},
			{"UnknownField", `{"token":` + tok + `,"password":"new-password-1","confirm":"new-password-1"}`, nil, 400, "confirm: is not a known field"},
			{"WrongType", `{"token":` + tok + `,"password":12345678}`, nil, 400, "password: must be a string"},
			{"NotJSON", `token=x&password=y`, nil, 400, "not valid JSON"},
			{"FormEncoded", `token=x&password=y`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "Content-Type"},
			{"TooLarge", `{"token":` + tok + `,"password":"` + strings.Repeat("p", 70<<10) + `"}`, nil, 413, "larger than the limit"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				wantOAuthError(t, postPassword(t, env, tt.body, tt.headers...), tt.status, "invalid_request", tt.want)
			})
		}
		// None of that spent the token.
		if res := postPassword(t, env, `{"token":`+tok+`,"password":"new-password-1"}`); res.Status != http.StatusNoContent {
			t.Fatalf("token after refusals: %d %s", res.Status, res.Body)
		}
		env.AssertNoSecrets(t, tenant.APIKey, token, "new-password-1")
	})
}

// TestChangePasswordLockout: a change with the current password is limited
// like a login (it is as good a password oracle): past the failures
// allowed, even the right password is refused with 429.
func TestChangePasswordLockout(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		change := func(current string) apitest.Response {
			return postPassword(t, env, fmt.Sprintf(`{"email":%q,"currentPassword":%q,"password":"locked-new-password"}`, tenant.Admin.Email, current))
		}
		wantOAuthError(t, change("wrong-password-1"), http.StatusUnauthorized, "invalid_grant", "invalid email or password")
		wantOAuthError(t, change("wrong-password-2"), http.StatusUnauthorized, "invalid_grant", "invalid email or password")
		res := change(tenant.AdminPassword)
		wantOAuthError(t, res, http.StatusTooManyRequests, "temporarily_unavailable", "too many failed logins")
		if res.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		if got := loginStatus(t, env, tenant.Admin.Email, "locked-new-password"); got == http.StatusOK {
			t.Fatal("a locked-out change went through")
		}
		env.AssertNoSecrets(t, tenant.AdminPassword, "wrong-password-1", "locked-new-password")
	}, func(d *api.Deps) {
		d.Limiter = ratelimit.NewMemory(ratelimit.MemoryOptions{})
		d.Limits = api.Limits{LoginMaxFailures: 2, LoginLockout: time.Hour}
	})
}
