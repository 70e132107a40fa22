package openapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
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

// accountsOperations are the operations TestAccountsMatchDocument covers:
// the Accounts API, POST /api/auth/password and the Teams routes.
var accountsOperations = covers("TestAccountsMatchDocument",
	"POST /users", "GET /users", "GET /users/{id}", "PATCH /users/{id}", "DELETE /users/{id}",
	"POST /api/auth/password",
	"GET /api/v1/teams", "POST /api/v1/teams", "GET /api/v1/teams/{id}", "PATCH /api/v1/teams/{id}", "DELETE /api/v1/teams/{id}",
)

// seed002Create is seed 002's example request (kept byte for byte by the
// Accounts API's tests) with its placeholder replaced by email.
func seed002Create(t *testing.T, email string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "accountsapi", "testdata", "seed002_create.json"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Replace(string(b), `"string"`, fmt.Sprintf("%q", email), 1)
}

// TestAccountsSeedExampleIsTheRequestExample: POST /users's first example
// is seed 002's example request, with a real address for its placeholder.
func TestAccountsSeedExampleIsTheRequestExample(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapi.Document(), &doc); err != nil {
		t.Fatal(err)
	}
	var post struct {
		RequestBody struct {
			Content map[string]struct {
				Examples map[string]struct {
					Value any `json:"value"`
				} `json:"examples"`
			} `json:"content"`
		} `json:"requestBody"`
	}
	if err := json.Unmarshal(doc.Paths["/users"]["post"], &post); err != nil {
		t.Fatal(err)
	}
	got := post.RequestBody.Content["application/json"].Examples["seed002"].Value
	var want any
	if err := json.Unmarshal([]byte(seed002Create(t, "jane.roe@example.com")), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the POST /users example is %v, want seed 002's example request %v", got, want)
	}
}

// TestAccountsMatchDocument drives the Accounts API, the password route and
// the Teams routes through the document as TestServerMatchesDocument does
// for the rest: every request and answer is validated, requests the server
// refuses for breaking the contract must be refused by the document too,
// and every operation of accountsOperations is called.
func TestAccountsMatchDocument(t *testing.T) {
	c := newContract(t)
	env, _ := newServer(t, core.HashPoolConfig{})
	acme := env.NewTenant(t, "Acme")
	other := env.NewTenant(t, "Other")
	ctx := context.Background()
	_, readOnlyKey, err := env.Service.CreateAPIKey(ctx, core.OperatorFor(acme.Tenant),
		core.CreateAPIKey{Name: "read only", Scopes: []string{core.ScopeUsersRead}})
	if err != nil {
		t.Fatal(err)
	}
	_, usersOnlyKey, err := env.Service.CreateAPIKey(ctx, core.OperatorFor(acme.Tenant),
		core.CreateAPIKey{Name: "users only", Scopes: []string{core.ScopeUsersRead, core.ScopeUsersWrite}})
	if err != nil {
		t.Fatal(err)
	}
	account := acme.Tenant.AccountID()
	bearer := apitest.Bearer(acme.APIKey)
	auth := append(slices.Clone(bearer), "x-account-id", account)
	with := func(pairs ...string) []string { return append(slices.Clone(auth), pairs...) }
	otherAuth := append(apitest.Bearer(other.APIKey), "x-account-id", other.Tenant.AccountID())
	do := func(ex exchange) result { t.Helper(); return c.do(t, env.URL, ex) }
	object := func(r result) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatalf("not JSON: %s", r.Body)
		}
		return m
	}

	// Teams first: users can then be put in one.
	do(exchange{name: "teams: list, none yet", method: "GET", path: "/api/v1/teams", headers: bearer, status: 200})
	sales := object(do(exchange{name: "teams: create", method: "POST", path: "/api/v1/teams", body: `{"name":"Sales"}`,
		headers: append(slices.Clone(bearer), "Idempotency-Key", "team-sales-1"), status: 201}))
	do(exchange{name: "teams: create replayed", method: "POST", path: "/api/v1/teams", body: `{"name":"Sales"}`,
		headers: append(slices.Clone(bearer), "Idempotency-Key", "team-sales-1"), status: 201})
	support := object(do(exchange{name: "teams: create another", method: "POST", path: "/api/v1/teams", body: `{"name":"Support"}`, headers: bearer, status: 201}))
	salesPath := fmt.Sprintf("/api/v1/teams/%v", sales["id"])
	supportPath := fmt.Sprintf("/api/v1/teams/%v", support["id"])
	for _, ex := range []exchange{
		{name: "teams: list", method: "GET", path: "/api/v1/teams", headers: bearer, status: 200},
		{name: "teams: create, name taken", method: "POST", path: "/api/v1/teams", body: `{"name":"SALES"}`,
			headers: append(slices.Clone(bearer), "Idempotency-Key", "team-dup-1"), status: 409},
		{name: "teams: create, name taken, replayed", method: "POST", path: "/api/v1/teams", body: `{"name":"SALES"}`,
			headers: append(slices.Clone(bearer), "Idempotency-Key", "team-dup-1"), status: 409},
		{name: "teams: create, Idempotency-Key reused", method: "POST", path: "/api/v1/teams", body: `{"name":"Other"}`,
			headers: append(slices.Clone(bearer), "Idempotency-Key", "team-sales-1"), status: 422},
		{name: "teams: create, blank name (a rule the schema cannot say)", method: "POST", path: "/api/v1/teams", body: `{"name":"   "}`, headers: bearer, status: 422},
		{name: "teams: create, empty name", method: "POST", path: "/api/v1/teams", body: `{"name":""}`, headers: bearer, status: 422, invalid: true},
		{name: "teams: create, no name", method: "POST", path: "/api/v1/teams", body: `{}`, headers: bearer, status: 422, invalid: true},
		{name: "teams: create, unknown field", method: "POST", path: "/api/v1/teams", body: `{"name":"X","active":true}`, headers: bearer, status: 400, invalid: true},
		{name: "teams: create, not JSON", method: "POST", path: "/api/v1/teams", body: `name=X`, headers: bearer, status: 400, invalid: true},
		{name: "teams: create, not application/json", method: "POST", path: "/api/v1/teams", body: `{"name":"X"}`,
			headers: append(slices.Clone(bearer), "Content-Type", "text/plain"), status: 415, invalid: true},
		{name: "teams: create, body over 1 MiB", method: "POST", path: "/api/v1/teams", body: `{"name":"` + strings.Repeat("x", 1<<20) + `"}`,
			headers: bearer, status: 413, invalid: true},
		{name: "teams: create, no credential", method: "POST", path: "/api/v1/teams", body: `{"name":"X"}`, status: 401, invalid: true},
		{name: "teams: create, key without admin", method: "POST", path: "/api/v1/teams", body: `{"name":"X"}`, headers: apitest.Bearer(usersOnlyKey), status: 403},
		{name: "teams: list, key without admin", method: "GET", path: "/api/v1/teams", headers: apitest.Bearer(usersOnlyKey), status: 403},
		{name: "teams: get", method: "GET", path: salesPath, headers: bearer, status: 200},
		{name: "teams: get, another tenant's", method: "GET", path: salesPath, headers: apitest.Bearer(other.APIKey), status: 404},
		{name: "teams: get, not an id", method: "GET", path: "/api/v1/teams/abc", headers: bearer, status: 404, invalid: true},
		{name: "teams: get, no credential", method: "GET", path: salesPath, status: 401, invalid: true},
		{name: "teams: rename", method: "PATCH", path: supportPath, body: `{"name":"Customer Support"}`, headers: bearer, status: 200},
		{name: "teams: rename, nothing", method: "PATCH", path: supportPath, body: `{}`, headers: bearer, status: 200},
		{name: "teams: rename, name taken", method: "PATCH", path: supportPath, body: `{"name":"sales"}`, headers: bearer, status: 409},
		{name: "teams: rename, unknown field", method: "PATCH", path: supportPath, body: `{"title":"X"}`, headers: bearer, status: 400, invalid: true},
		{name: "teams: rename, another tenant's", method: "PATCH", path: supportPath, body: `{"name":"Mine"}`, headers: apitest.Bearer(other.APIKey), status: 404},
		{name: "teams: rename, not application/json", method: "PATCH", path: supportPath, body: `{}`,
			headers: append(slices.Clone(bearer), "Content-Type", "text/plain"), status: 415, invalid: true},
	} {
		do(ex)
	}

	// Create, with seed 002's own example.
	seed := seed002Create(t, "jane.roe@example.com")
	created := do(exchange{name: "create (seed example)", method: "POST", path: "/users", body: seed,
		headers: with("Idempotency-Key", "seed002-1"), status: 201})
	jane := object(created)
	token, _ := jane["token"].(string)
	if token == "" || created.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("the seed example's answer lacks the set-password token or Cache-Control: no-store: %v %s", created.Header, created.Body)
	}
	janePath := fmt.Sprintf("/users/%v", jane["id"])
	replay := do(exchange{name: "create replayed", method: "POST", path: "/users", body: seed,
		headers: with("Idempotency-Key", "seed002-1"), status: 201})
	if replay.Header.Get("Idempotent-Replayed") != "true" || strings.Contains(string(replay.Body), token) {
		t.Errorf("replay: header %q body %s, want Idempotent-Replayed: true and no token", replay.Header.Get("Idempotent-Replayed"), replay.Body)
	}
	full := object(do(exchange{name: "create (every member)", method: "POST", path: "/users", headers: auth, status: 201, body: fmt.Sprintf(`{
		"email": "full@example.com", "name": "Full Name", "phone": "+14155550123", "imgSrc": "https://cdn.example.com/u/full.png",
		"teamId": %v, "active": true,
		"notificationPreferences": [{"event": "user_created", "accountId": %q, "deliveryPref": ["email", "sms"]}, {"event": "team_created"}]}`,
		sales["id"], account)}))
	fullPath := fmt.Sprintf("/users/%v", full["id"])
	prefs := func(list string) string { return `{"email":"p@example.com","notificationPreferences":` + list + `}` }
	for _, ex := range []exchange{
		{name: "create: no x-account-id", method: "POST", path: "/users", body: seed, headers: bearer, status: 400, invalid: true},
		{name: "create: x-account-id not an account id", method: "POST", path: "/users", body: seed,
			headers: append(slices.Clone(bearer), "x-account-id", "acme"), status: 400, invalid: true},
		{name: "create: another organization's x-account-id", method: "POST", path: "/users", body: seed,
			headers: append(slices.Clone(bearer), "x-account-id", other.Tenant.AccountID()), status: 403},
		{name: "create: no credential", method: "POST", path: "/users", body: seed, headers: []string{"x-account-id", account}, status: 401, invalid: true},
		{name: "create: key without users:write", method: "POST", path: "/users", body: `{"email":"a@example.com"}`,
			headers: []string{"Authorization", "Bearer " + readOnlyKey, "x-account-id", account}, status: 403},
		{name: "create: unknown field", method: "POST", path: "/users", body: `{"email":"a@example.com","displayName":"A"}`, headers: auth, status: 400, invalid: true},
		{name: "create: a password", method: "POST", path: "/users", body: `{"email":"a@example.com","password":"securepassword123"}`, headers: auth, status: 400, invalid: true},
		{name: "create: phone not E.164", method: "POST", path: "/users", body: `{"email":"a@example.com","phone":"0412 345 678"}`, headers: auth, status: 400, invalid: true},
		{name: "create: imgSrc not http", method: "POST", path: "/users", body: `{"email":"a@example.com","imgSrc":"javascript:alert(1)"}`, headers: auth, status: 400, invalid: true},
		{name: "create: unknown team", method: "POST", path: "/users", body: `{"email":"a@example.com","teamId":987654321}`, headers: auth, status: 400},
		{name: "create: preferences as an object", method: "POST", path: "/users", body: prefs(`{}`), headers: auth, status: 400, invalid: true},
		{name: "create: a preference's event outside the catalogue", method: "POST", path: "/users",
			body: prefs(`[{"event":"user_created"},{"event":"user_updated"},{"event":"lunch_served"}]`), headers: auth, status: 400, invalid: true},
		{name: "create: a preference's delivery method unknown", method: "POST", path: "/users",
			body: prefs(`[{"event":"user_created","deliveryPref":["fax"]}]`), headers: auth, status: 400, invalid: true},
		{name: "create: two preferences for one event (a rule the schema cannot say)", method: "POST", path: "/users",
			body: prefs(`[{"event":"user_created"},{"event":"user_created"}]`), headers: auth, status: 400},
		{name: "create: a preference for another account", method: "POST", path: "/users",
			body: prefs(`[{"event":"user_created","accountId":"` + other.Tenant.AccountID() + `"}]`), headers: auth, status: 403},
		{name: "create: email taken (other case)", method: "POST", path: "/users", body: `{"email":"JANE.ROE@example.com"}`, headers: auth, status: 409},
		{name: "create: Idempotency-Key reused with another body", method: "POST", path: "/users", body: `{"email":"someone.else@example.com"}`,
			headers: with("Idempotency-Key", "seed002-1"), status: 422},
		{name: "create: not JSON", method: "POST", path: "/users", body: `email=a@example.com`, headers: auth, status: 400, invalid: true},
		{name: "create: not application/json", method: "POST", path: "/users", body: seed, headers: with("Content-Type", "text/plain"), status: 415, invalid: true},
		{name: "create: body over 1 MiB", method: "POST", path: "/users",
			body: `{"email":"big@example.com","name":"` + strings.Repeat("x", 1<<20) + `"}`, headers: auth, status: 413, invalid: true},
	} {
		do(ex)
	}

	// List, page by page.
	page := do(exchange{name: "list, first page", method: "GET", path: "/users?limit=2", headers: auth, status: 200})
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
		page = do(exchange{name: "list, next page", method: "GET", path: "/users?limit=2&cursor=" + url.QueryEscape(*p.NextCursor), headers: auth, status: 200})
		p.NextCursor = nil
		if err := json.Unmarshal(page.Body, &p); err != nil {
			t.Fatal(err)
		}
	}
	for _, ex := range []exchange{
		{name: "list by email", method: "GET", path: "/users?email=Jane.Roe@example.com", headers: []string{"Authorization", "Bearer " + readOnlyKey, "x-account-id", account}, status: 200},
		{name: "list: limit 0", method: "GET", path: "/users?limit=0", headers: auth, status: 400, invalid: true},
		{name: "list: a cursor the API never returned", method: "GET", path: "/users?cursor=nope", headers: auth, status: 400},
		{name: "list: no x-account-id", method: "GET", path: "/users", headers: bearer, status: 400, invalid: true},
		{name: "list: another organization's x-account-id", method: "GET", path: "/users", headers: append(slices.Clone(bearer), "x-account-id", other.Tenant.AccountID()), status: 403},
		{name: "list: no credential", method: "GET", path: "/users", headers: []string{"x-account-id", account}, status: 401, invalid: true},

		{name: "get", method: "GET", path: janePath, headers: auth, status: 200},
		{name: "get: another tenant's user", method: "GET", path: janePath, headers: otherAuth, status: 404},
		{name: "get: not an id", method: "GET", path: "/users/abc", headers: auth, status: 404, invalid: true},
		{name: "get: no x-account-id", method: "GET", path: janePath, headers: bearer, status: 400, invalid: true},

		{name: "patch", method: "PATCH", path: fullPath, headers: auth, status: 200,
			body: fmt.Sprintf(`{"name":"Full N. Name","teamId":%v,"active":false,"notificationPreferences":[{"event":"user_deleted","deliveryPref":["sms"]}]}`, support["id"])},
		{name: "patch: clear with null", method: "PATCH", path: fullPath, headers: auth, status: 200,
			body: `{"phone":null,"imgSrc":null,"teamId":null,"notificationPreferences":null}`},
		{name: "patch: unknown field", method: "PATCH", path: fullPath, body: `{"Name":"typo"}`, headers: auth, status: 400, invalid: true},
		{name: "patch: email null", method: "PATCH", path: fullPath, body: `{"email":null}`, headers: auth, status: 400, invalid: true},
		{name: "patch: email taken", method: "PATCH", path: fullPath, body: `{"email":"jane.roe@example.com"}`, headers: auth, status: 409},
		{name: "patch: another tenant's user", method: "PATCH", path: fullPath, body: `{"name":"X"}`, headers: otherAuth, status: 404},
		{name: "patch: not application/json", method: "PATCH", path: fullPath, body: `{}`, headers: with("Content-Type", "text/plain"), status: 415, invalid: true},
		{name: "patch: body over 1 MiB", method: "PATCH", path: fullPath, body: `{"name":"` + strings.Repeat("x", 1<<20) + `"}`, headers: auth, status: 413, invalid: true},
	} {
		do(ex)
	}

	// The set-password token, and a change with the current password.
	for _, ex := range []exchange{
		{name: "password: set with the token", method: "POST", path: "/api/auth/password",
			body: fmt.Sprintf(`{"token":%q,"password":"jane-password-1"}`, token), status: 204},
		{name: "password: the token again", method: "POST", path: "/api/auth/password",
			body: fmt.Sprintf(`{"token":%q,"password":"jane-password-2"}`, token), status: 401},
		{name: "login with the password set", method: "POST", path: "/api/auth/login",
			body: `{"email":"jane.roe@example.com","password":"jane-password-1"}`, status: 200},
		{name: "password: change with the current one", method: "POST", path: "/api/auth/password",
			body: `{"email":"jane.roe@example.com","currentPassword":"jane-password-1","password":"jane-password-2"}`, status: 204},
		{name: "password: change with a wrong current one", method: "POST", path: "/api/auth/password",
			body: `{"email":"jane.roe@example.com","currentPassword":"jane-password-1","password":"jane-password-3"}`, status: 401},
		{name: "password: new password too short", method: "POST", path: "/api/auth/password",
			body: `{"email":"jane.roe@example.com","currentPassword":"jane-password-2","password":"short"}`, status: 400, invalid: true},
		{name: "password: new password is the email (a rule the schema cannot say)", method: "POST", path: "/api/auth/password",
			body: `{"email":"jane.roe@example.com","currentPassword":"jane-password-2","password":"jane.roe@example.com"}`, status: 400},
		{name: "password: both forms", method: "POST", path: "/api/auth/password",
			body: fmt.Sprintf(`{"token":%q,"email":"jane.roe@example.com","password":"jane-password-3"}`, token), status: 400, invalid: true},
		{name: "password: no password", method: "POST", path: "/api/auth/password", body: fmt.Sprintf(`{"token":%q}`, token), status: 400, invalid: true},
		{name: "password: not application/json", method: "POST", path: "/api/auth/password", body: `token=x&password=y`,
			headers: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 415, invalid: true},
		{name: "password: body over 64 KiB", method: "POST", path: "/api/auth/password",
			body: `{"token":"x","password":"` + strings.Repeat("p", 70<<10) + `"}`, status: 413, invalid: true},
	} {
		do(ex)
	}

	// Removal.
	for _, ex := range []exchange{
		{name: "delete: another tenant's user", method: "DELETE", path: fullPath, headers: otherAuth, status: 404},
		{name: "delete: no x-account-id", method: "DELETE", path: fullPath, headers: bearer, status: 400, invalid: true},
		{name: "delete", method: "DELETE", path: fullPath, headers: auth, status: 204},
		{name: "delete again", method: "DELETE", path: fullPath, headers: auth, status: 404},
		{name: "teams: delete, another tenant's", method: "DELETE", path: salesPath, headers: apitest.Bearer(other.APIKey), status: 404},
		{name: "teams: delete, key without admin", method: "DELETE", path: salesPath, headers: apitest.Bearer(usersOnlyKey), status: 403},
		{name: "teams: delete", method: "DELETE", path: salesPath, headers: bearer, status: 204},
		{name: "teams: delete again", method: "DELETE", path: salesPath, headers: bearer, status: 404},
	} {
		do(ex)
	}

	// Rate limits on: the answers after authentication carry RateLimit-*,
	// and past the budget comes 429 in each face's shape.
	limited, _ := newServer(t, core.HashPoolConfig{}, func(d *api.Deps) {
		d.Limiter = ratelimit.NewMemory(ratelimit.MemoryOptions{})
		d.Limits = api.Limits{Credential: ratelimit.Rule{Limit: 2, Period: time.Hour}, LoginMaxFailures: 1, LoginLockout: time.Hour}
	})
	busy := limited.NewTenant(t, "Busy")
	_, secondKey, err := limited.Service.CreateAPIKey(ctx, core.OperatorFor(busy.Tenant), core.CreateAPIKey{Name: "second"})
	if err != nil {
		t.Fatal(err)
	}
	busyAuth := []string{"Authorization", "Bearer " + busy.APIKey, "x-account-id", busy.Tenant.AccountID()}
	for _, ex := range []exchange{
		{name: "rate limited: create", method: "POST", path: "/users", body: `{"email":"rl@example.com"}`, headers: busyAuth, status: 201},
		{name: "rate limited: list", method: "GET", path: "/users", headers: busyAuth, status: 200},
		{name: "rate limited: over the budget", method: "POST", path: "/users", body: `{"email":"rl2@example.com"}`, headers: busyAuth, status: 429},
		{name: "rate limited: teams, create", method: "POST", path: "/api/v1/teams", body: `{"name":"Busy"}`, headers: apitest.Bearer(secondKey), status: 201},
		{name: "rate limited: teams, list", method: "GET", path: "/api/v1/teams", headers: apitest.Bearer(secondKey), status: 200},
		{name: "rate limited: teams, over the budget", method: "GET", path: "/api/v1/teams", headers: apitest.Bearer(secondKey), status: 429},
	} {
		if res := c.do(t, limited.URL, ex); res.Header.Get("RateLimit-Limit") == "" {
			t.Errorf("%s: no RateLimit-Limit header", ex.name)
		}
	}
	for _, ex := range []exchange{
		{name: "rate limited: password change, wrong current password", method: "POST", path: "/api/auth/password",
			body: fmt.Sprintf(`{"email":%q,"currentPassword":"not-the-password","password":"a-new-password"}`, busy.Admin.Email), status: 401},
		{name: "rate limited: password change after too many failures", method: "POST", path: "/api/auth/password",
			body: fmt.Sprintf(`{"email":%q,"currentPassword":%q,"password":"a-new-password"}`, busy.Admin.Email, busy.AdminPassword), status: 429},
	} {
		c.do(t, limited.URL, ex)
	}

	c.wantExercised(t, accountsOperations)
	env.AssertNoSecrets(t, acme.APIKey, other.APIKey, readOnlyKey, usersOnlyKey, token, "jane-password-1", "jane-password-2")
	limited.AssertNoSecrets(t, busy.APIKey, secondKey, busy.AdminPassword)
}
