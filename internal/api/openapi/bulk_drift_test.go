package openapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api"
	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/ratelimit"
)

// bulkOperations are the operations TestBulkMatchesDocument covers.
var bulkOperations = covers("TestBulkMatchesDocument", "POST /api/users/add")

// TestBulkMatchesDocument drives the Bulk face through the document, with
// seed 003's own example body.
func TestBulkMatchesDocument(t *testing.T) {
	ctx := context.Background()
	c := newContract(t)
	env, _ := newServer(t, core.HashPoolConfig{})
	acme := env.NewTenant(t, "Acme")
	op := core.OperatorFor(acme.Tenant)
	if _, err := env.Service.CreateWorkspace(ctx, op, core.CreateWorkspace{ID: "6567745179549784d96513ae", Name: "internal employees"}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Service.CreateGroup(ctx, op, core.CreateGroup{ID: "756676a679549784d96514a2", WorkspaceID: "6567745179549784d96513ae", Name: "basic users"}); err != nil {
		t.Fatal(err)
	}
	pw := "plain-user-pw-1"
	if _, err := env.Service.CreateUser(ctx, op, core.CreateUser{Email: "plain@example.com", Password: &pw}); err != nil {
		t.Fatal(err)
	}
	do := func(ex exchange) result { t.Helper(); return c.do(t, env.URL, ex) }
	token := func(email, password string) string {
		t.Helper()
		res := do(exchange{name: "login " + email, method: "POST", path: "/api/auth/login",
			body: fmt.Sprintf(`{"email":%q,"password":%q}`, email, password), status: 200})
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.Unmarshal(res.Body, &tok); err != nil {
			t.Fatal(err)
		}
		return tok.AccessToken
	}
	jwt := token(acme.Admin.Email, acme.AdminPassword)
	userJWT := token("plain@example.com", pw)
	raw, err := os.ReadFile(filepath.Join("..", "bulkapi", "testdata", "seed003_add.json"))
	if err != nil {
		t.Fatal(err)
	}
	seed := string(raw)
	auth := apitest.Bearer(acme.APIKey)
	with := func(pairs ...string) []string { return append(append([]string{}, auth...), pairs...) }
	users := func(n int, bad int) string {
		var b strings.Builder
		b.WriteString(`{"users":[`)
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			confirm := ""
			if i == bad {
				confirm = "typo"
			}
			fmt.Fprintf(&b, `{"email":"bulk%05d@example.com","password":"","confirm_password":%q}`, i, confirm)
		}
		b.WriteString(`]}`)
		return b.String()
	}

	for _, ex := range []exchange{
		{name: "seed 003's example, the clientAdmin's token in header and body", method: "POST", path: "/api/users/add",
			body: strings.Replace(seed, "eyjhbgcioijiuzi1niisinr5cci6ikpxvcj9 ", jwt, 1), headers: apitest.Bearer(jwt), status: 200},
		{name: "seed 003's example again: unchanged", method: "POST", path: "/api/users/add",
			body: strings.Replace(seed, "eyjhbgcioijiuzi1niisinr5cci6ikpxvcj9 ", acme.APIKey, 1), headers: auth, status: 200},
		{name: "seed 003's placeholder token", method: "POST", path: "/api/users/add", body: seed, headers: auth, status: 401},
		{name: "atomic, one user fails", method: "POST", path: "/api/users/add", body: users(3, 1), headers: auth, status: 400},
		{name: "not atomic, one user fails", method: "POST", path: "/api/users/add?atomic=false", body: users(3, 1),
			headers: with("Idempotency-Key", "bulk-1"), status: 200},
		{name: "not atomic, replayed", method: "POST", path: "/api/users/add?atomic=false", body: users(3, 1),
			headers: with("Idempotency-Key", "bulk-1"), status: 200},
		{name: "Idempotency-Key reused with another ?atomic", method: "POST", path: "/api/users/add", body: users(3, 1),
			headers: with("Idempotency-Key", "bulk-1"), status: 422},
		{name: "over 10,000 users", method: "POST", path: "/api/users/add", body: users(core.MaxBulkUsers+1, -1), headers: auth, status: 400, invalid: true},
		{name: "unknown member", method: "POST", path: "/api/users/add", body: `{"users":[{"email":"a@example.com","displayname":"A"}]}`, headers: auth, status: 400, invalid: true},
		{name: "atomic neither true nor false", method: "POST", path: "/api/users/add?atomic=maybe", body: users(1, -1), headers: auth, status: 400, invalid: true},
		{name: "over 32 MiB", method: "POST", path: "/api/users/add",
			body: `{"users":[{"email":"big@example.com","name":"` + strings.Repeat("x", 32<<20) + `"}]}`, headers: auth, status: 413, invalid: true},
		{name: "not application/json", method: "POST", path: "/api/users/add", body: users(1, -1), headers: with("Content-Type", "text/plain"), status: 415, invalid: true},
		{name: "no credential", method: "POST", path: "/api/users/add", body: users(1, -1), status: 401, invalid: true},
		{name: "a clientUser's token", method: "POST", path: "/api/users/add", body: users(1, -1), headers: apitest.Bearer(userJWT), status: 403},
	} {
		do(ex)
	}

	limited, _ := newServer(t, core.HashPoolConfig{}, func(d *api.Deps) {
		d.Limiter = ratelimit.NewMemory(ratelimit.MemoryOptions{})
		d.Limits = api.Limits{Credential: ratelimit.Rule{Limit: 1, Period: time.Hour}}
	})
	busy := limited.NewTenant(t, "Busy")
	for _, ex := range []exchange{
		{name: "rate limited: bulk", method: "POST", path: "/api/users/add", body: users(1, -1), headers: apitest.Bearer(busy.APIKey), status: 200},
		{name: "rate limited: bulk, over the budget", method: "POST", path: "/api/users/add", body: users(1, -1), headers: apitest.Bearer(busy.APIKey), status: 429},
	} {
		c.do(t, limited.URL, ex)
	}
	c.wantExercised(t, bulkOperations)
	env.AssertNoSecrets(t, acme.APIKey, jwt, userJWT, pw)
}
