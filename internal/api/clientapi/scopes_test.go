package clientapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

// oauthToken trades key, one of tenant's API keys, for a client access
// token carrying scope ("" for all of the key's) at POST /oauth/token.
func oauthToken(t *testing.T, env *apitest.Env, tenant core.TenantCreated, key, scope string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {tenant.Tenant.ClientID}, "client_secret": {key}}
	if scope != "" {
		form.Set("scope", scope)
	}
	res := env.Do(t, http.MethodPost, "/oauth/token", form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
	if res.Status != http.StatusOK {
		t.Fatalf("POST /oauth/token (scope %q): %d %s", scope, res.Status, res.Body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		Scope       string `json:"scope"`
	}
	res.JSON(t, &tok)
	if tok.AccessToken == "" || (scope != "" && tok.Scope != scope) {
		t.Fatalf("POST /oauth/token (scope %q): %s", scope, res.Body)
	}
	return tok.AccessToken
}

// scopedKey makes an API key of tenant carrying scopes.
func scopedKey(t *testing.T, env *apitest.Env, tenant core.TenantCreated, scopes ...string) string {
	t.Helper()
	_, plaintext, err := env.Service.CreateAPIKey(context.Background(), core.OperatorFor(tenant.Tenant),
		core.CreateAPIKey{Name: strings.Join(scopes, "+"), Scopes: scopes})
	if err != nil {
		t.Fatalf("CreateAPIKey(%v): %v", scopes, err)
	}
	return plaintext
}

// TestScopes: each route needs its scope — users:write to create, change
// and remove, users:read to list and read. A credential with every other
// scope but that one gets a 403 naming it and changes nothing; one with that
// scope alone succeeds. API keys and the client tokens issued for them
// answer alike, and a token's scope binds even when its key has more.
func TestScopes(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		all := acme.APIKey
		n := 0
		newUser := func(t *testing.T) string {
			t.Helper()
			n++
			u := create(t, env, all, fmt.Sprintf(`{"email":"target%d@example.com"}`, n))
			return fmt.Sprintf("/api/users/%d", u.ID)
		}
		newEmail := func() string { n++; return fmt.Sprintf(`{"email":"new%d@example.com"}`, n) }

		noBody := func() string { return "" }
		rename := func() string { return `{"displayName":"Renamed"}` }
		routes := []struct {
			method, path string // {id}: a fresh user of the tenant each time
			body         func() string
			scope        string
			status       int // on success
		}{
			{http.MethodPost, "/api/users", newEmail, core.ScopeUsersWrite, http.StatusCreated},
			{http.MethodPost, "/_api/client/users", newEmail, core.ScopeUsersWrite, http.StatusCreated},
			{http.MethodPatch, "/api/users/{id}", rename, core.ScopeUsersWrite, http.StatusOK},
			{http.MethodDelete, "/api/users/{id}", noBody, core.ScopeUsersWrite, http.StatusNoContent},
			{http.MethodGet, "/api/users", noBody, core.ScopeUsersRead, http.StatusOK},
			{http.MethodGet, "/api/users/{id}", noBody, core.ScopeUsersRead, http.StatusOK},
		}
		target := func(t *testing.T, path string) string {
			if path == "/api/users/{id}" {
				return newUser(t)
			}
			return path
		}

		// every scope but one, and that one alone
		allBut := map[string][]string{
			core.ScopeUsersRead:  {core.ScopeUsersWrite, core.ScopeAdmin},
			core.ScopeUsersWrite: {core.ScopeUsersRead, core.ScopeAdmin},
		}
		type credentials struct{ lacking, with string }
		byKey := map[string]credentials{}
		byToken := map[string]credentials{}
		for _, scope := range []string{core.ScopeUsersRead, core.ScopeUsersWrite} {
			byKey[scope] = credentials{lacking: scopedKey(t, env, acme, allBut[scope]...), with: scopedKey(t, env, acme, scope)}
			// Tokens from the all-scopes key: what binds is the token's scope.
			byToken[scope] = credentials{
				lacking: oauthToken(t, env, acme, all, strings.Join(allBut[scope], " ")),
				with:    oauthToken(t, env, acme, all, scope),
			}
		}

		for _, rt := range routes {
			for _, kind := range []struct {
				name  string
				creds map[string]credentials
			}{{"Key", byKey}, {"Token", byToken}} {
				creds := kind.creds[rt.scope]
				t.Run(rt.method+" "+rt.path+"/"+kind.name, func(t *testing.T) {
					path := target(t, rt.path)
					users, events := counts(t, env, acme)
					res := env.Do(t, rt.method, path, rt.body(), apitest.Bearer(creds.lacking)...)
					if e := wantError(t, res, http.StatusForbidden, "lacks scope "+rt.scope); e.Error != "forbidden" {
						t.Errorf("error: got %q, want forbidden", e.Error)
					}
					if u, ev := counts(t, env, acme); u != users || ev != events {
						t.Errorf("a refused request changed the tenant: users %d -> %d, events %d -> %d", users, u, events, ev)
					}

					res = env.Do(t, rt.method, target(t, rt.path), rt.body(), apitest.Bearer(creds.with)...)
					if res.Status != rt.status {
						t.Errorf("with scope %s alone: got %d %s, want %d", rt.scope, res.Status, res.Body, rt.status)
					}
				})
			}
		}

		// A key with no users scope at all, and its token, are refused both
		// ways.
		adminOnly := scopedKey(t, env, acme, core.ScopeAdmin)
		for _, cred := range []string{adminOnly, oauthToken(t, env, acme, adminOnly, "")} {
			wantError(t, env.Do(t, http.MethodGet, "/api/users", "", apitest.Bearer(cred)...), http.StatusForbidden, "lacks scope users:read")
			wantError(t, env.Do(t, http.MethodPost, "/api/users", newEmail(), apitest.Bearer(cred)...), http.StatusForbidden, "lacks scope users:write")
		}
		env.AssertNoSecrets(t, all, adminOnly)
	})
}
