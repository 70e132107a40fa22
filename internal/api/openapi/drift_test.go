package openapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api"
	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/api/openapi"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/ratelimit"
)

// seedFixture is seed 000's example request body, kept byte for byte by the
// Client API's tests.
func seedFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "clientapi", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestServerMatchesDocument drives the real server through every documented
// operation and most documented answers, and validates every request and
// response against the document. Requests the server refuses for breaking
// the contract must be refused by the document too.
func TestServerMatchesDocument(t *testing.T) {
	c := newContract(t)
	env, _ := newServer(t, core.HashPoolConfig{})
	acme := env.NewTenant(t, "Acme")
	other := env.NewTenant(t, "Other")
	_, readOnlyKey, err := env.Service.CreateAPIKey(context.Background(), core.OperatorFor(acme.Tenant),
		core.CreateAPIKey{Name: "read only", Scopes: []string{core.ScopeUsersRead}})
	if err != nil {
		t.Fatal(err)
	}
	auth := apitest.Bearer(acme.APIKey)
	with := func(pairs ...string) []string { return append(slices.Clone(auth), pairs...) }
	do := func(ex exchange) result { t.Helper(); return c.do(t, env.URL, ex) }
	user := func(r result) map[string]any {
		t.Helper()
		var u map[string]any
		if err := json.Unmarshal(r.Body, &u); err != nil {
			t.Fatalf("not JSON: %s", r.Body)
		}
		return u
	}

	// Create, with seed 000's own example, on the seed's path.
	seed := seedFixture(t, "seed000_create.json")
	created := do(exchange{name: "create (seed example)", method: "POST", path: "/_api/client/users", body: seed,
		headers: with("Idempotency-Key", "seed-example-1"), status: 201})
	john := user(created)
	johnPath := fmt.Sprintf("/api/users/%v", john["id"])

	replay := do(exchange{name: "create replayed", method: "POST", path: "/_api/client/users", body: seed,
		headers: with("Idempotency-Key", "seed-example-1"), status: 201})
	if replay.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(replay.Body, created.Body) {
		t.Errorf("replay: header %q body %s, want Idempotent-Replayed: true and the first body %s",
			replay.Header.Get("Idempotent-Replayed"), replay.Body, created.Body)
	}

	zapier := strings.NewReplacer("clt_SNHRbI6ttrOckf925lbaX", acme.Tenant.ClientID,
		"{{user_email}}", "jane.roe@example.com", "{{user_name}}", "Jane Roe",
		"{{user_password}}", "another-secure-pw").Replace(seedFixture(t, "seed000_zapier.json"))
	jane := user(do(exchange{name: "create (Zapier payload with clientId)", method: "POST", path: "/api/users",
		body: zapier, headers: auth, status: 201}))
	do(exchange{name: "create, email only", method: "POST", path: "/api/users",
		body: `{"email":"min@example.com"}`, headers: auth, status: 201})

	for _, ex := range []exchange{
		{name: "create: Idempotency-Key reused with another body", method: "POST", path: "/api/users",
			body: `{"email":"someone.else@example.com"}`, headers: with("Idempotency-Key", "seed-example-1"), status: 422},
		{name: "create: malformed Idempotency-Key", method: "POST", path: "/api/users",
			body: `{"email":"someone.else@example.com"}`, headers: with("Idempotency-Key", "has space"), status: 400, invalid: true},
		{name: "create: unknown field", method: "POST", path: "/api/users",
			body: `{"email":"a@example.com","displayname":"typo"}`, headers: auth, status: 400, invalid: true},
		{name: "create: short password", method: "POST", path: "/api/users",
			body: `{"email":"a@example.com","password":"1234567"}`, headers: auth, status: 400, invalid: true},
		{name: "create: password is the email (a rule the schema cannot say)", method: "POST", path: "/api/users",
			body: `{"email":"a.long.address@example.com","password":"a.long.address@example.com"}`, headers: auth, status: 400},
		{name: "create: not JSON", method: "POST", path: "/api/users",
			body: `email=a@example.com`, headers: auth, status: 400, invalid: true},
		{name: "create: no credential", method: "POST", path: "/api/users",
			body: seed, status: 401, invalid: true},
		{name: "create: Zapier's header labelled Bearer", method: "POST", path: "/_api/client/users",
			body: seed, headers: []string{"Bearer", acme.APIKey}, status: 401, invalid: true},
		{name: "create: unknown key", method: "POST", path: "/api/users",
			body: seed, headers: apitest.Bearer("bdk_" + strings.Repeat("x", 40)), status: 401},
		{name: "create: key without users:write", method: "POST", path: "/api/users",
			body: `{"email":"a@example.com"}`, headers: apitest.Bearer(readOnlyKey), status: 403},
		{name: "create: another tenant's clientId", method: "POST", path: "/api/users",
			body: `{"clientId":"` + other.Tenant.ClientID + `","email":"a@example.com"}`, headers: auth, status: 403},
		{name: "create: a role the API may not grant", method: "POST", path: "/api/users",
			body: `{"email":"a@example.com","role":"editor"}`, headers: auth, status: 403, invalid: true},
		{name: "create: email taken (other case)", method: "POST", path: "/api/users",
			body: `{"email":"JOHN.DOE@example.com"}`, headers: auth, status: 409},
		{name: "create: email taken in another tenant", method: "POST", path: "/_api/client/users",
			body: `{"email":"jane.roe@EXAMPLE.com"}`, headers: apitest.Bearer(other.APIKey), status: 409},
		{name: "create: body over 1 MiB", method: "POST", path: "/api/users",
			body: `{"email":"big@example.com","displayName":"` + strings.Repeat("x", 1<<20) + `"}`, headers: auth, status: 413, invalid: true},
		{name: "create: not application/json", method: "POST", path: "/api/users",
			body: seed, headers: with("Content-Type", "text/plain"), status: 415, invalid: true},
	} {
		do(ex)
	}

	// List, page by page.
	page := do(exchange{name: "list, first page", method: "GET", path: "/api/users?limit=2", headers: auth, status: 200})
	var p struct {
		Users      []map[string]any `json:"users"`
		NextCursor *string          `json:"nextCursor"`
	}
	if err := json.Unmarshal(page.Body, &p); err != nil || len(p.Users) != 2 || p.NextCursor == nil {
		t.Fatalf("first page: %s (%v)", page.Body, err)
	}
	for pages := 1; p.NextCursor != nil; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		page = do(exchange{name: "list, next page", method: "GET", path: "/api/users?limit=2&cursor=" + url.QueryEscape(*p.NextCursor), headers: auth, status: 200})
		p.NextCursor = nil
		if err := json.Unmarshal(page.Body, &p); err != nil {
			t.Fatal(err)
		}
	}
	do(exchange{name: "list by email", method: "GET", path: "/api/users?email=John.Doe@example.com", headers: apitest.Bearer(readOnlyKey), status: 200})
	do(exchange{name: "list: limit 0", method: "GET", path: "/api/users?limit=0", headers: auth, status: 400, invalid: true})
	do(exchange{name: "list: limit 201", method: "GET", path: "/api/users?limit=201", headers: auth, status: 400, invalid: true})
	do(exchange{name: "list: a cursor the API never returned", method: "GET", path: "/api/users?cursor=nope", headers: auth, status: 400})
	do(exchange{name: "list: no credential", method: "GET", path: "/api/users", status: 401, invalid: true})

	// One user: read, change, remove.
	do(exchange{name: "get", method: "GET", path: johnPath, headers: auth, status: 200})
	do(exchange{name: "get: another tenant's user", method: "GET", path: johnPath, headers: apitest.Bearer(other.APIKey), status: 404})
	do(exchange{name: "get: not an id", method: "GET", path: "/api/users/abc", headers: auth, status: 404, invalid: true})
	do(exchange{name: "get: unknown id", method: "GET", path: "/api/users/987654321", headers: auth, status: 404})
	do(exchange{name: "patch", method: "PATCH", path: johnPath,
		body: `{"displayName":"Johnny Doe","role":"clientAdmin","emailFilteringEnabled":false}`, headers: auth, status: 200})
	do(exchange{name: "patch: unknown field", method: "PATCH", path: johnPath, body: `{"displayname":"typo"}`, headers: auth, status: 400, invalid: true})
	do(exchange{name: "patch: email taken", method: "PATCH", path: johnPath,
		body: fmt.Sprintf(`{"email":%q}`, jane["email"]), headers: auth, status: 409})
	do(exchange{name: "patch: a role the API may not grant", method: "PATCH", path: johnPath, body: `{"role":"editor"}`, headers: auth, status: 403, invalid: true})
	do(exchange{name: "patch: key without users:write", method: "PATCH", path: johnPath, body: `{"displayName":"X"}`, headers: apitest.Bearer(readOnlyKey), status: 403})
	do(exchange{name: "patch: not application/json", method: "PATCH", path: johnPath, body: `{}`, headers: with("Content-Type", "text/plain"), status: 415, invalid: true})
	do(exchange{name: "patch: body over 1 MiB", method: "PATCH", path: johnPath,
		body: `{"displayName":"` + strings.Repeat("x", 1<<20) + `"}`, headers: auth, status: 413, invalid: true})

	// Login, and the token in place of an API key.
	login := do(exchange{name: "login (clientAdmin)", method: "POST", path: "/api/auth/login",
		body: fmt.Sprintf(`{"email":%q,"password":%q}`, acme.Admin.Email, acme.AdminPassword), status: 200})
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(login.Body, &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("login: %s", login.Body)
	}
	do(exchange{name: "list with a clientAdmin's token", method: "GET", path: "/api/users", headers: apitest.Bearer(tok.AccessToken), status: 200})
	userLogin := do(exchange{name: "login (clientUser, seed Zapier user)", method: "POST", path: "/api/auth/login",
		body: `{"email":"jane.roe@example.com","password":"another-secure-pw"}`, status: 200})
	if err := json.Unmarshal(userLogin.Body, &tok); err != nil {
		t.Fatal(err)
	}
	do(exchange{name: "get with a clientUser's token", method: "GET", path: johnPath, headers: apitest.Bearer(tok.AccessToken), status: 403})
	for _, ex := range []exchange{
		{name: "login: wrong password", method: "POST", path: "/api/auth/login",
			body: `{"email":"jane.roe@example.com","password":"not-the-password"}`, status: 401},
		{name: "login: unknown email", method: "POST", path: "/api/auth/login",
			body: `{"email":"nobody@example.com","password":"not-the-password"}`, status: 401},
		{name: "login: unknown field", method: "POST", path: "/api/auth/login",
			body: `{"email":"jane.roe@example.com","password":"x","remember":true}`, status: 400, invalid: true},
		{name: "login: no password", method: "POST", path: "/api/auth/login",
			body: `{"email":"jane.roe@example.com"}`, status: 400, invalid: true},
		{name: "login: not application/json", method: "POST", path: "/api/auth/login",
			body: `email=a&password=b`, headers: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 415, invalid: true},
		// The schema sets no length on the password; the 64 KiB limit is in words.
		{name: "login: body over 64 KiB", method: "POST", path: "/api/auth/login",
			body: `{"email":"jane.roe@example.com","password":"` + strings.Repeat("p", 70<<10) + `"}`, status: 413},
	} {
		do(ex)
	}

	// OAuth 2.0 client credentials: an API key traded for a token.
	form := "application/x-www-form-urlencoded"
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(acme.Tenant.ClientID)+":"+url.QueryEscape(acme.APIKey)))
	issued := do(exchange{name: "token (client_secret_basic)", method: "POST", path: "/oauth/token",
		body: "grant_type=client_credentials", headers: []string{"Content-Type", form, "Authorization", basic}, status: 200})
	var clientToken struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(issued.Body, &clientToken); err != nil || clientToken.AccessToken == "" {
		t.Fatalf("token: %s", issued.Body)
	}
	do(exchange{name: "list with a client credentials token", method: "GET", path: "/api/users?limit=1", headers: apitest.Bearer(clientToken.AccessToken), status: 200})
	for _, ex := range []exchange{
		{name: "token (client_secret_post, one scope)", method: "POST", path: "/oauth/token",
			body:    url.Values{"grant_type": {"client_credentials"}, "scope": {"users:read"}, "client_id": {acme.Tenant.ClientID}, "client_secret": {acme.APIKey}}.Encode(),
			headers: []string{"Content-Type", form}, status: 200},
		{name: "token: a scope the key lacks", method: "POST", path: "/oauth/token",
			body:    url.Values{"grant_type": {"client_credentials"}, "scope": {"users:write"}, "client_id": {acme.Tenant.ClientID}, "client_secret": {readOnlyKey}}.Encode(),
			headers: []string{"Content-Type", form}, status: 400},
		{name: "token: another grant type", method: "POST", path: "/oauth/token",
			body: "grant_type=password", headers: []string{"Content-Type", form, "Authorization", basic}, status: 400, invalid: true},
		{name: "token: no client authentication", method: "POST", path: "/oauth/token",
			body: "grant_type=client_credentials", headers: []string{"Content-Type", form}, status: 401},
		{name: "token: another tenant's key", method: "POST", path: "/oauth/token",
			body:    url.Values{"grant_type": {"client_credentials"}, "client_id": {acme.Tenant.ClientID}, "client_secret": {other.APIKey}}.Encode(),
			headers: []string{"Content-Type", form}, status: 401},
		{name: "token: JSON body", method: "POST", path: "/oauth/token",
			body: `{"grant_type":"client_credentials"}`, headers: []string{"Authorization", basic}, status: 400, invalid: true},
		{name: "token: body over 16 KiB", method: "POST", path: "/oauth/token",
			body: "grant_type=client_credentials&scope=" + strings.Repeat("s", 17<<10), headers: []string{"Content-Type", form, "Authorization", basic}, status: 413},
		{name: "oauth metadata", method: "GET", path: "/.well-known/oauth-authorization-server", status: 200},
	} {
		do(ex)
	}

	do(exchange{name: "delete", method: "DELETE", path: johnPath, headers: auth, status: 204})
	do(exchange{name: "delete again", method: "DELETE", path: johnPath, headers: auth, status: 404})
	do(exchange{name: "delete: no credential", method: "DELETE", path: johnPath, status: 401, invalid: true})

	// Public routes.
	do(exchange{name: "jwks", method: "GET", path: "/.well-known/jwks.json", status: 200})
	do(exchange{name: "healthz", method: "GET", path: "/healthz", status: 200})
	do(exchange{name: "readyz", method: "GET", path: "/readyz", status: 200})
	doc := do(exchange{name: "openapi.json", method: "GET", path: "/openapi.json", status: 200})
	if !bytes.Equal(doc.Body, openapi.Document()) {
		t.Error("GET /openapi.json does not serve the embedded document")
	}

	// Not ready: the store is gone.
	down, st := newServer(t, core.HashPoolConfig{})
	st.Close()
	c.do(t, down.URL, exchange{name: "readyz, store closed", method: "GET", path: "/readyz", status: 503})

	// Rate limits on: every answer after authentication says where the
	// credential stands, and a request past the budget gets 429.
	limited, _ := newServer(t, core.HashPoolConfig{}, func(d *api.Deps) {
		d.Limiter = ratelimit.NewMemory(ratelimit.MemoryOptions{})
		d.Limits = api.Limits{
			Credential:       ratelimit.Rule{Limit: 2, Period: time.Hour},
			LoginMaxFailures: 1, LoginLockout: time.Hour,
			LoginAttempts: ratelimit.Rule{Limit: 5, Period: time.Hour},
		}
	})
	busy := limited.NewTenant(t, "Busy")
	for _, ex := range []exchange{
		{name: "rate limited: create", method: "POST", path: "/api/users", body: `{"email":"rl@example.com"}`, headers: apitest.Bearer(busy.APIKey), status: 201},
		{name: "rate limited: list", method: "GET", path: "/api/users", headers: apitest.Bearer(busy.APIKey), status: 200},
		{name: "rate limited: over the budget", method: "POST", path: "/api/users", body: `{"email":"rl2@example.com"}`, headers: apitest.Bearer(busy.APIKey), status: 429},
		{name: "rate limited: login, wrong password", method: "POST", path: "/api/auth/login",
			body: fmt.Sprintf(`{"email":%q,"password":"not-the-password"}`, busy.Admin.Email), status: 401},
		{name: "rate limited: login after too many failures", method: "POST", path: "/api/auth/login",
			body: fmt.Sprintf(`{"email":%q,"password":%q}`, busy.Admin.Email, busy.AdminPassword), status: 429},
	} {
		res := c.do(t, limited.URL, ex)
		if res.Header.Get("RateLimit-Limit") == "" {
			t.Errorf("%s: no RateLimit-Limit header", ex.name)
		}
	}

	// Every documented operation was called, here or by the test that
	// covers it (coveredElsewhere).
	var missed []string
	for _, op := range operations(c.model) {
		if !c.exercised[op] && coveredElsewhere[op] == "" {
			missed = append(missed, op)
		}
	}
	if len(missed) > 0 {
		t.Errorf("documented operations this test never called (add an exchange for each): %v", missed)
	}
	env.AssertNoSecrets(t, acme.APIKey, other.APIKey, readOnlyKey, acme.AdminPassword, "securepassword123", "another-secure-pw", clientToken.AccessToken)
}
