package accountsapi_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

// fixture reads testdata/name, substituting old/new pairs.
func fixture(t *testing.T, name string, replacements ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReplacer(replacements...).Replace(string(b))
}

// seedCreate is seed 002's example request with its placeholder replaced by
// email.
func seedCreate(t *testing.T, email string) string {
	t.Helper()
	return fixture(t, "seed002_create.json", `"string"`, fmt.Sprintf("%q", email))
}

// as returns the headers of a request made with credential for the
// account accountID (no x-account-id when it is "").
func as(credential, accountID string, more ...string) []string {
	h := apitest.Bearer(credential)
	if accountID != "" {
		h = append(h, "x-account-id", accountID)
	}
	return append(h, more...)
}

// key returns the headers of a request with tenant's API key for its own
// account.
func key(tenant core.TenantCreated, more ...string) []string {
	return as(tenant.APIKey, tenant.Tenant.AccountID(), more...)
}

// errorBody is seed 002's Error.
type errorBody struct {
	Error   string `json:"error"`
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// wantError asserts the status and seed 002's error shape (exactly error,
// status and message), and that the message mentions want.
func wantError(t *testing.T, res apitest.Response, status int, want string) errorBody {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status: got %d, want %d; body %s", res.Status, status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type: got %q, want application/json", ct)
	}
	var keys map[string]any
	res.JSON(t, &keys)
	if len(keys) != 3 {
		t.Fatalf("error body keys: got %v, want exactly error, status, message", keys)
	}
	var e errorBody
	res.JSON(t, &e)
	if e.Error == "" || e.Status != status || !strings.Contains(e.Message, want) {
		t.Fatalf("error body: got %+v, want status %d and a message containing %q", e, status, want)
	}
	return e
}

// problemBody is an RFC 9457 problem.
type problemBody struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail"`
	Errors []problemError `json:"errors"`
}

type problemError struct {
	Pointer string `json:"pointer"`
	Code    string `json:"code"`
	Detail  string `json:"detail"`
}

// wantProblem asserts the status, the problem+json shape and that the
// detail mentions want; pointer, when set, must be among errors[].pointer.
func wantProblem(t *testing.T, res apitest.Response, status int, want, pointer string) problemBody {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status: got %d, want %d; body %s", res.Status, status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type: got %q, want application/problem+json", ct)
	}
	var p problemBody
	res.JSON(t, &p)
	if p.Type == "" || p.Title == "" || p.Status != status || !strings.Contains(p.Detail, want) {
		t.Fatalf("problem: got %+v, want status %d and a detail containing %q", p, status, want)
	}
	if pointer != "" && !slices.ContainsFunc(p.Errors, func(e problemError) bool { return e.Pointer == pointer }) {
		t.Fatalf("problem errors %+v: want one with pointer %q", p.Errors, pointer)
	}
	return p
}

// counts returns how many users and events a tenant has.
func counts(t *testing.T, env *apitest.Env, tenant core.TenantCreated) (users, events int) {
	t.Helper()
	ctx := context.Background()
	actor := core.OperatorFor(tenant.Tenant)
	for after := int64(0); ; {
		page, err := env.Service.ListUsers(ctx, actor, core.UserFilter{AfterID: after, Limit: core.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		users += len(page.Users)
		if page.Next == 0 {
			break
		}
		after = page.Next
	}
	evs, err := env.Store.ListEvents(ctx, tenant.Tenant.ID, core.EventFilter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	return users, len(evs)
}

// unchanged runs fn and fails t when it changed the users or events of any
// of tenants.
func unchanged(t *testing.T, env *apitest.Env, fn func(), tenants ...core.TenantCreated) {
	t.Helper()
	type state struct{ users, events int }
	before := make([]state, len(tenants))
	for i, tn := range tenants {
		before[i].users, before[i].events = counts(t, env, tn)
	}
	fn()
	for i, tn := range tenants {
		u, e := counts(t, env, tn)
		if u != before[i].users || e != before[i].events {
			t.Fatalf("tenant %s changed: users %d->%d, events %d->%d", tn.Tenant.Name, before[i].users, u, before[i].events, e)
		}
	}
}

// createUser makes a user through the face and returns its body as a map.
func createUser(t *testing.T, env *apitest.Env, tenant core.TenantCreated, body string) map[string]any {
	t.Helper()
	res := env.Do(t, http.MethodPost, "/users", body, key(tenant)...)
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	var u map[string]any
	res.JSON(t, &u)
	return u
}

// userPath is the path of a user rendered as a map.
func userPath(u map[string]any) string { return fmt.Sprintf("/users/%v", u["id"]) }

// login logs email in and returns the access token.
func login(t *testing.T, env *apitest.Env, email, password string) string {
	t.Helper()
	res := env.Do(t, http.MethodPost, "/api/auth/login", fmt.Sprintf(`{"email":%q,"password":%q}`, email, password))
	if res.Status != http.StatusOK {
		t.Fatalf("login %s: %d %s", email, res.Status, res.Body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	res.JSON(t, &tok)
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

// newTeam makes a team of tenant through the core.
func newTeam(t *testing.T, env *apitest.Env, tenant core.TenantCreated, name string) core.Team {
	t.Helper()
	team, err := env.Service.CreateTeam(context.Background(), core.OperatorFor(tenant.Tenant), name)
	if err != nil {
		t.Fatalf("CreateTeam(%q): %v", name, err)
	}
	return team
}
