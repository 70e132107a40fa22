package bulkapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

// answer is the face's body.
type answer struct {
	Message string   `json:"message"`
	Status  string   `json:"status"`
	Results []result `json:"results"`
}

type result struct {
	Index  int    `json:"index"`
	Email  string `json:"email"`
	Status string `json:"status"`
	ID     int64  `json:"id"`
	Token  string `json:"token"`
	Error  string `json:"error"`
	Field  string `json:"field"`
}

// user is one user of a request body, in seed 003's names.
type user struct {
	Name            string  `json:"name,omitempty"`
	Email           string  `json:"email"`
	Password        string  `json:"password"`
	ConfirmPassword string  `json:"confirm_password"`
	Image           string  `json:"image,omitempty"`
	Type            string  `json:"type,omitempty"`
	Notifications   *bool   `json:"notifications,omitempty"`
	Update          bool    `json:"update"`
	Groups          []group `json:"groups,omitempty"`
}

type group struct {
	ID   string `json:"_id"`
	Name string `json:"name,omitempty"`
}

func body(t *testing.T, users ...user) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"users": users})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// post sends a bulk request and decodes its answer, checking the status.
func post(t *testing.T, env *apitest.Env, query, body string, wantStatus int, headers ...string) answer {
	t.Helper()
	res := env.Do(t, "POST", "/api/users/add"+query, body, headers...)
	if res.Status != wantStatus {
		t.Fatalf("POST /api/users/add%s: status %d, want %d; body %.600s", query, res.Status, wantStatus, res.Body)
	}
	var a answer
	res.JSON(t, &a)
	if a.Results == nil {
		t.Fatalf("no results array in %s", res.Body)
	}
	return a
}

func seedFixture(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "seed003_add.json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// seedGroups makes seed 003's workspace and group in the tenant.
func seedGroups(t *testing.T, env *apitest.Env, tenant core.Tenant) {
	t.Helper()
	ctx := context.Background()
	op := core.OperatorFor(tenant)
	if _, err := env.Service.CreateWorkspace(ctx, op, core.CreateWorkspace{ID: "6567745179549784d96513ae", Name: "internal employees"}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Service.CreateGroup(ctx, op, core.CreateGroup{ID: "756676a679549784d96514a2", WorkspaceID: "6567745179549784d96513ae",
		Name: "basic users", Permissions: []core.Permission{{ID: "656faf7879549784d967e2bv", PageID: "656faa7c79549784d967dfab"}}}); err != nil {
		t.Fatal(err)
	}
}

// login returns an access token for email and password.
func login(t *testing.T, env *apitest.Env, email, password string) string {
	t.Helper()
	res := env.Do(t, "POST", "/api/auth/login", fmt.Sprintf(`{"email":%q,"password":%q}`, email, password))
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	res.JSON(t, &tok)
	if res.Status != 200 || tok.AccessToken == "" {
		t.Fatalf("login %s: %d %s", email, res.Status, res.Body)
	}
	return tok.AccessToken
}

// userByEmail reads a user of the tenant by email.
func userByEmail(t *testing.T, env *apitest.Env, tenantID int64, email string) (core.User, bool) {
	t.Helper()
	list, err := env.Store.ListUsers(context.Background(), tenantID, core.UserFilter{Email: email, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 {
		return core.User{}, false
	}
	return list[0], true
}

// eventCounts counts the tenant's events by type.
func eventCounts(t *testing.T, env *apitest.Env, tenantID int64) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for after := int64(0); ; {
		page, err := env.Store.ListEvents(context.Background(), tenantID, core.EventFilter{AfterID: after, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return counts
		}
		for _, e := range page {
			counts[e.Type]++
		}
		after = page[len(page)-1].ID
	}
}

func countUsers(t *testing.T, env *apitest.Env, tenantID int64) int {
	t.Helper()
	n, err := env.Store.CountUsers(context.Background(), tenantID, core.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// wantRow checks one result's status, field and error text.
func wantRow(t *testing.T, got result, status, field, errContains string) {
	t.Helper()
	if got.Status != status || got.Field != field || !strings.Contains(got.Error, errContains) || (errContains == "") != (got.Error == "") {
		t.Errorf("row %d (%s): got status %q field %q error %q; want %q, %q, containing %q",
			got.Index, got.Email, got.Status, got.Field, got.Error, status, field, errContains)
	}
	if status == "error" && got.ID != 0 {
		t.Errorf("row %d: a failed row has id %d", got.Index, got.ID)
	}
}

func boolPtr(b bool) *bool { return &b }
