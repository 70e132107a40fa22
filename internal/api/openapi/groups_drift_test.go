package openapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

// groupsOperations are the operations TestGroupsMatchDocument covers.
var groupsOperations = covers("TestGroupsMatchDocument",
	"GET /api/v1/workspaces", "POST /api/v1/workspaces",
	"GET /api/v1/workspaces/{id}", "PATCH /api/v1/workspaces/{id}", "DELETE /api/v1/workspaces/{id}",
	"GET /api/v1/groups", "POST /api/v1/groups",
	"GET /api/v1/groups/{id}", "PATCH /api/v1/groups/{id}", "DELETE /api/v1/groups/{id}",
	"GET /api/v1/groups/{id}/members",
	"PUT /api/v1/groups/{id}/members/{userId}", "DELETE /api/v1/groups/{id}/members/{userId}")

// TestGroupsMatchDocument drives the workspaces and groups of the Admin API
// through the document, with seed 003's own group.
func TestGroupsMatchDocument(t *testing.T) {
	ctx := context.Background()
	c := newContract(t)
	env, _ := newServer(t, core.HashPoolConfig{})
	acme := env.NewTenant(t, "Acme")
	other := env.NewTenant(t, "Other")
	_, usersOnly, err := env.Service.CreateAPIKey(ctx, core.OperatorFor(acme.Tenant),
		core.CreateAPIKey{Name: "users only", Scopes: []string{core.ScopeUsersRead, core.ScopeUsersWrite}})
	if err != nil {
		t.Fatal(err)
	}
	member, err := env.Service.CreateUser(ctx, core.OperatorFor(acme.Tenant), core.CreateUser{Email: "member@example.com", Name: "Member"})
	if err != nil {
		t.Fatal(err)
	}
	auth := apitest.Bearer(acme.APIKey)
	with := func(pairs ...string) []string { return append(append([]string{}, auth...), pairs...) }
	theirs := apitest.Bearer(other.APIKey)
	do := func(ex exchange) result { t.Helper(); return c.do(t, env.URL, ex) }

	const ws = "6567745179549784d96513ae"
	const seedGroup = `{"_id":"756676a679549784d96514a2","workspace_id":{"_id":"` + ws + `","name":"internal employees"},` +
		`"name":"basic users","permissions":[{"_id":"656faf7879549784d967e2bv","page_id":"656faa7c79549784d967dfab","filters":[]}]}`
	group := "/api/v1/groups/756676a679549784d96514a2"
	memberPath := fmt.Sprintf("%s/members/%d", group, member.User.ID)
	for _, ex := range []exchange{
		{name: "workspace: create (seed id)", method: "POST", path: "/api/v1/workspaces",
			body: `{"_id":"` + ws + `","name":"internal employees"}`, headers: with("Idempotency-Key", "ws-1"), status: 201},
		{name: "workspace: create replayed", method: "POST", path: "/api/v1/workspaces",
			body: `{"_id":"` + ws + `","name":"internal employees"}`, headers: with("Idempotency-Key", "ws-1"), status: 201},
		{name: "workspace: create (id made)", method: "POST", path: "/api/v1/workspaces", body: `{"_id":"spare","name":"Spare"}`, headers: auth, status: 201},
		{name: "workspace: id taken", method: "POST", path: "/api/v1/workspaces", body: `{"_id":"` + ws + `","name":"x"}`, headers: auth, status: 409},
		{name: "workspace: bad id", method: "POST", path: "/api/v1/workspaces", body: `{"_id":"has space","name":"x"}`, headers: auth, status: 422, invalid: true},
		{name: "workspace: no name", method: "POST", path: "/api/v1/workspaces", body: `{"_id":"w9"}`, headers: auth, status: 422, invalid: true},
		{name: "workspace: unknown field", method: "POST", path: "/api/v1/workspaces", body: `{"name":"x","title":"y"}`, headers: auth, status: 400, invalid: true},
		{name: "workspace: not JSON", method: "POST", path: "/api/v1/workspaces", body: `name=x`, headers: auth, status: 400, invalid: true},
		{name: "workspace: body over 1 MiB", method: "POST", path: "/api/v1/workspaces", body: `{"name":"` + strings.Repeat("x", 1<<20) + `"}`, headers: auth, status: 413, invalid: true},
		{name: "workspace: not application/json", method: "POST", path: "/api/v1/workspaces", body: `{"name":"x"}`, headers: with("Content-Type", "text/plain"), status: 415, invalid: true},
		{name: "workspace: no admin scope", method: "POST", path: "/api/v1/workspaces", body: `{"name":"x"}`, headers: apitest.Bearer(usersOnly), status: 403},
		{name: "workspaces: list", method: "GET", path: "/api/v1/workspaces", headers: auth, status: 200},
		{name: "workspaces: no credential", method: "GET", path: "/api/v1/workspaces", status: 401, invalid: true},
		{name: "workspaces: no admin scope", method: "GET", path: "/api/v1/workspaces", headers: apitest.Bearer(usersOnly), status: 403},
		{name: "workspace: get", method: "GET", path: "/api/v1/workspaces/" + ws, headers: auth, status: 200},
		{name: "workspace: another tenant's", method: "GET", path: "/api/v1/workspaces/" + ws, headers: theirs, status: 404},
		{name: "workspace: rename", method: "PATCH", path: "/api/v1/workspaces/" + ws, body: `{"name":"internal employees"}`, headers: auth, status: 200},
		{name: "workspace: rename, empty name", method: "PATCH", path: "/api/v1/workspaces/" + ws, body: `{"name":""}`, headers: auth, status: 422, invalid: true},
		{name: "workspace: rename another tenant's", method: "PATCH", path: "/api/v1/workspaces/" + ws, body: `{"name":"x"}`, headers: theirs, status: 404},

		{name: "group: create (seed 003's group)", method: "POST", path: "/api/v1/groups", body: seedGroup, headers: with("Idempotency-Key", "g-1"), status: 201},
		{name: "group: create, workspace_id a string", method: "POST", path: "/api/v1/groups",
			body: `{"workspace_id":"spare","name":"Vendors","permissions":[{"page_id":"p1","filters":null}]}`, headers: auth, status: 201},
		{name: "group: id taken", method: "POST", path: "/api/v1/groups", body: seedGroup, headers: auth, status: 409},
		{name: "group: unknown workspace", method: "POST", path: "/api/v1/groups", body: `{"workspace_id":"nope","name":"x"}`, headers: auth, status: 422},
		{name: "group: another tenant's workspace", method: "POST", path: "/api/v1/groups", body: `{"workspace_id":"` + ws + `","name":"x"}`, headers: theirs, status: 422},
		{name: "group: workspace_id a number", method: "POST", path: "/api/v1/groups", body: `{"workspace_id":7,"name":"x"}`, headers: auth, status: 400, invalid: true},
		{name: "group: filters not an array", method: "POST", path: "/api/v1/groups",
			body: `{"workspace_id":"spare","name":"x","permissions":[{"page_id":"p","filters":{}}]}`, headers: auth, status: 422, invalid: true},
		{name: "group: unknown permission member", method: "POST", path: "/api/v1/groups",
			body: `{"workspace_id":"spare","name":"x","permissions":[{"page_id":"p","pageId":"q"}]}`, headers: auth, status: 400, invalid: true},
		{name: "groups: list", method: "GET", path: "/api/v1/groups", headers: auth, status: 200},
		{name: "groups: list one workspace's", method: "GET", path: "/api/v1/groups?workspace_id=" + ws, headers: auth, status: 200},
		{name: "groups: no admin scope", method: "GET", path: "/api/v1/groups", headers: apitest.Bearer(usersOnly), status: 403},
		{name: "group: get", method: "GET", path: group, headers: auth, status: 200},
		{name: "group: another tenant's", method: "GET", path: group, headers: theirs, status: 404},
		{name: "group: patch", method: "PATCH", path: group, body: `{"workspace_id":{"_id":"spare"},"name":"Basic users","permissions":[]}`, headers: auth, status: 200},
		{name: "group: patch back", method: "PATCH", path: group, body: `{"workspace_id":"` + ws + `"}`, headers: auth, status: 200},
		{name: "group: patch, unknown field", method: "PATCH", path: group, body: `{"title":"x"}`, headers: auth, status: 400, invalid: true},
		{name: "group: patch another tenant's", method: "PATCH", path: group, body: `{"name":"x"}`, headers: theirs, status: 404},

		{name: "member: add", method: "PUT", path: memberPath, headers: auth, status: 204},
		{name: "member: add again (no change)", method: "PUT", path: memberPath, headers: auth, status: 204},
		{name: "member: another tenant's group", method: "PUT", path: memberPath, headers: theirs, status: 404},
		{name: "member: not a user id", method: "PUT", path: group + "/members/abc", headers: auth, status: 404},
		{name: "members: list", method: "GET", path: group + "/members?limit=1", headers: auth, status: 200},
		{name: "members: limit 0", method: "GET", path: group + "/members?limit=0", headers: auth, status: 400, invalid: true},
		{name: "members: a cursor the API never returned", method: "GET", path: group + "/members?cursor=x", headers: auth, status: 400},
		{name: "members: another tenant's group", method: "GET", path: group + "/members", headers: theirs, status: 404},
		{name: "member: remove", method: "DELETE", path: memberPath, headers: auth, status: 204},
		{name: "member: remove again", method: "DELETE", path: memberPath, headers: auth, status: 404},

		{name: "workspace: delete while it has groups", method: "DELETE", path: "/api/v1/workspaces/" + ws, headers: auth, status: 409},
		{name: "group: delete another tenant's", method: "DELETE", path: group, headers: theirs, status: 404},
		{name: "group: delete", method: "DELETE", path: group, headers: auth, status: 204},
		{name: "workspace: delete another tenant's", method: "DELETE", path: "/api/v1/workspaces/" + ws, headers: theirs, status: 404},
		{name: "workspace: delete", method: "DELETE", path: "/api/v1/workspaces/" + ws, headers: auth, status: 204},
		{name: "workspace: delete again", method: "DELETE", path: "/api/v1/workspaces/" + ws, headers: auth, status: 404},
	} {
		do(ex)
	}
	c.wantExercised(t, groupsOperations)
	env.AssertNoSecrets(t, acme.APIKey, other.APIKey, usersOnly)
}
