package adminapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

type workspace struct {
	ID   string `json:"_id"`
	Name string `json:"name"`
}

type group struct {
	ID          string    `json:"_id"`
	WorkspaceID workspace `json:"workspace_id"`
	Name        string    `json:"name"`
	Permissions []struct {
		ID      string          `json:"_id"`
		PageID  string          `json:"page_id"`
		Filters json.RawMessage `json:"filters"`
	} `json:"permissions"`
	CreatedAt string `json:"createdAt"`
}

// seedGroup is seed 003's group, as a client of that system would send it.
const seedGroup = `{"_id":"756676a679549784d96514a2","workspace_id":{"_id":"6567745179549784d96513ae","name":"internal employees"},` +
	`"name":"basic users","permissions":[{"_id":"656faf7879549784d967e2bv","page_id":"656faa7c79549784d967dfab","filters":[]}]}`

func eventTypes(t *testing.T, env *apitest.Env, tenantID int64) []string {
	t.Helper()
	events, err := env.Store.ListEvents(context.Background(), tenantID, core.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range events {
		if strings.HasPrefix(e.Type, "workspace_") || strings.HasPrefix(e.Type, "group_") || e.Type == core.EventUserUpdated {
			types = append(types, e.Type)
		}
	}
	return types
}

func TestWorkspacesAndGroups(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		acme := env.NewTenant(t, "Acme")
		other := env.NewTenant(t, "Other")
		auth := apitest.Bearer(acme.APIKey)
		theirs := apitest.Bearer(other.APIKey)
		_, usersOnly, err := env.Service.CreateAPIKey(ctx, core.OperatorFor(acme.Tenant),
			core.CreateAPIKey{Name: "users", Scopes: []string{core.ScopeUsersRead, core.ScopeUsersWrite}})
		if err != nil {
			t.Fatal(err)
		}

		// Workspaces: the seed's id kept, a made one when none is given.
		res := env.Do(t, "POST", "/api/v1/workspaces", `{"_id":"6567745179549784d96513ae","name":"internal employees"}`, auth...)
		var ws workspace
		res.JSON(t, &ws)
		if res.Status != 201 || ws != (workspace{"6567745179549784d96513ae", "internal employees"}) ||
			res.Header.Get("Location") != "/api/v1/workspaces/6567745179549784d96513ae" {
			t.Fatalf("create workspace: %d %s (Location %q)", res.Status, res.Body, res.Header.Get("Location"))
		}
		withKey := append(slices.Clone(auth), "Idempotency-Key", "contractors")
		res = env.Do(t, "POST", "/api/v1/workspaces", `{"name":"Contractors"}`, withKey...)
		var made workspace
		res.JSON(t, &made)
		if res.Status != 201 || len(made.ID) != 24 || strings.Trim(made.ID, "0123456789abcdef") != "" {
			t.Fatalf("create workspace without id: %d %s, want 24 lowercase hex characters", res.Status, res.Body)
		}
		// A replay answers the same, Location included.
		replay := env.Do(t, "POST", "/api/v1/workspaces", `{"name":"Contractors"}`, withKey...)
		if replay.Status != 201 || string(replay.Body) != string(res.Body) || replay.Header.Get("Idempotent-Replayed") != "true" ||
			replay.Header.Get("Location") != "/api/v1/workspaces/"+made.ID {
			t.Fatalf("replayed create: %d %s (Location %q)", replay.Status, replay.Body, replay.Header.Get("Location"))
		}
		for _, tc := range []struct {
			name, body string
			status     int
			pointers   []string
		}{
			{"taken id", `{"_id":"6567745179549784d96513ae","name":"again"}`, 409, []string{"/_id"}},
			{"bad id", `{"_id":"has space","name":"x"}`, 422, []string{"/_id"}},
			{"id too long", `{"_id":"` + strings.Repeat("a", 65) + `","name":"x"}`, 422, []string{"/_id"}},
			{"no name", `{"_id":"w9"}`, 422, []string{"/name"}},
			{"unknown field", `{"name":"x","title":"y"}`, 400, []string{"/title"}},
		} {
			t.Run("workspace "+tc.name, func(t *testing.T) {
				wantProblem(t, env.Do(t, "POST", "/api/v1/workspaces", tc.body, auth...), tc.status, tc.pointers...)
			})
		}
		// Another tenant may use the same id: ids are unique per tenant.
		if res := env.Do(t, "POST", "/api/v1/workspaces", `{"_id":"6567745179549784d96513ae","name":"theirs"}`, theirs...); res.Status != 201 {
			t.Fatalf("same workspace id in another tenant: %d %s", res.Status, res.Body)
		}

		// Groups: seed 003's group round-trips.
		res = env.Do(t, "POST", "/api/v1/groups", seedGroup, auth...)
		if res.Status != 201 {
			t.Fatalf("create seed group: %d %s", res.Status, res.Body)
		}
		var g group
		res.JSON(t, &g)
		if g.ID != "756676a679549784d96514a2" || g.WorkspaceID != (workspace{"6567745179549784d96513ae", "internal employees"}) ||
			g.Name != "basic users" || len(g.Permissions) != 1 || g.Permissions[0].ID != "656faf7879549784d967e2bv" ||
			g.Permissions[0].PageID != "656faa7c79549784d967dfab" || string(g.Permissions[0].Filters) != "[]" {
			t.Fatalf("seed group: %s", res.Body)
		}
		res = env.Do(t, "GET", "/api/v1/groups/756676a679549784d96514a2", "", auth...)
		if res.Status != 200 {
			t.Fatalf("get group: %d %s", res.Status, res.Body)
		}
		// workspace_id as a bare string; filters kept as sent.
		res = env.Do(t, "POST", "/api/v1/groups", fmt.Sprintf(`{"workspace_id":%q,"name":"Vendors",`+
			`"permissions":[{"page_id":"p1","filters":[{"field": "region", "in": ["eu"]}]}]}`, made.ID), auth...)
		var vendors group
		res.JSON(t, &vendors)
		if res.Status != 201 || vendors.WorkspaceID != made || len(vendors.ID) != 24 || len(vendors.Permissions[0].ID) != 24 ||
			string(vendors.Permissions[0].Filters) != `[{"field":"region","in":["eu"]}]` {
			t.Fatalf("create group with a string workspace_id: %d %s", res.Status, res.Body)
		}
		for _, tc := range []struct {
			name, body string
			status     int
			pointers   []string
		}{
			{"taken id", seedGroup, 409, []string{"/_id"}},
			{"no workspace", `{"name":"x"}`, 422, []string{"/workspace_id"}},
			{"unknown workspace", `{"workspace_id":"nope","name":"x"}`, 422, []string{"/workspace_id"}},
			{"workspace_id a number", `{"workspace_id":7,"name":"x"}`, 400, []string{"/workspace_id"}},
			{"unknown workspace member", `{"workspace_id":{"_id":"w","label":"x"},"name":"x"}`, 400, []string{"/workspace_id/label"}},
			{"no page_id", `{"workspace_id":"6567745179549784d96513ae","name":"x","permissions":[{"_id":"p"}]}`, 422, []string{"/permissions/0/page_id"}},
			{"filters not an array", `{"workspace_id":"6567745179549784d96513ae","name":"x","permissions":[{"page_id":"p","filters":{}}]}`, 422, []string{"/permissions/0/filters"}},
			{"filters too big", `{"workspace_id":"6567745179549784d96513ae","name":"x","permissions":[{"page_id":"p","filters":["` + strings.Repeat("f", 5000) + `"]}]}`, 422, []string{"/permissions/0/filters"}},
			{"unknown permission member", `{"workspace_id":"6567745179549784d96513ae","name":"x","permissions":[{"page_id":"p","pageId":"q"}]}`, 400, []string{"/permissions/0/pageId"}},
		} {
			t.Run("group "+tc.name, func(t *testing.T) {
				wantProblem(t, env.Do(t, "POST", "/api/v1/groups", tc.body, auth...), tc.status, tc.pointers...)
			})
		}

		// Listing and the workspace filter.
		var list struct{ Groups []group }
		res = env.Do(t, "GET", "/api/v1/groups?workspace_id="+made.ID, "", auth...)
		res.JSON(t, &list)
		if res.Status != 200 || len(list.Groups) != 1 || list.Groups[0].ID != vendors.ID {
			t.Errorf("groups of %s: %d %s", made.ID, res.Status, res.Body)
		}
		res = env.Do(t, "GET", "/api/v1/groups", "", auth...)
		res.JSON(t, &list)
		if len(list.Groups) != 2 {
			t.Errorf("all groups: %s", res.Body)
		}

		// PATCH: move, rename, replace permissions.
		res = env.Do(t, "PATCH", "/api/v1/groups/"+vendors.ID,
			`{"workspace_id":{"_id":"6567745179549784d96513ae","name":"ignored"},"name":"Suppliers","permissions":[]}`, auth...)
		var patched group
		res.JSON(t, &patched)
		if res.Status != 200 || patched.WorkspaceID != ws || patched.Name != "Suppliers" || len(patched.Permissions) != 0 {
			t.Fatalf("patch group: %d %s", res.Status, res.Body)
		}
		wantProblem(t, env.Do(t, "PATCH", "/api/v1/groups/"+vendors.ID, `{"name":""}`, auth...), 422, "/name")
		res = env.Do(t, "PATCH", "/api/v1/workspaces/"+made.ID, `{"name":"Contractors 2"}`, auth...)
		if res.Status != 200 || !strings.Contains(string(res.Body), `"Contractors 2"`) {
			t.Fatalf("rename workspace: %d %s", res.Status, res.Body)
		}
		wantProblem(t, env.Do(t, "PATCH", "/api/v1/workspaces/"+made.ID, `{}`, auth...), 422, "/name")

		// Members.
		user, err := env.Service.CreateUser(ctx, core.OperatorFor(acme.Tenant), core.CreateUser{Email: "member@example.com", Name: "Member"})
		if err != nil {
			t.Fatal(err)
		}
		stranger, err := env.Service.CreateUser(ctx, core.OperatorFor(other.Tenant), core.CreateUser{Email: "stranger@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		memberPath := fmt.Sprintf("/api/v1/groups/%s/members/%d", g.ID, user.User.ID)
		for i := 0; i < 2; i++ { // the second PUT changes nothing
			if res := env.Do(t, "PUT", memberPath, "", auth...); res.Status != 204 {
				t.Fatalf("add member: %d %s", res.Status, res.Body)
			}
		}
		res = env.Do(t, "GET", "/api/v1/groups/"+g.ID+"/members", "", auth...)
		if res.Status != 200 || string(res.Body) != fmt.Sprintf(`{"members":[{"id":%d,"email":"member@example.com","name":"Member"}],"nextCursor":null}`+"\n", user.User.ID) {
			t.Fatalf("members: %d %s", res.Status, res.Body)
		}
		wantProblem(t, env.Do(t, "GET", "/api/v1/groups/"+g.ID+"/members?limit=0", "", auth...), 400)
		wantProblem(t, env.Do(t, "PUT", fmt.Sprintf("/api/v1/groups/%s/members/%d", g.ID, stranger.User.ID), "", auth...), 404)
		wantProblem(t, env.Do(t, "PUT", fmt.Sprintf("/api/v1/groups/%s/members/abc", g.ID), "", auth...), 404)
		wantProblem(t, env.Do(t, "PUT", memberPath, "", theirs...), 404)
		if ids, _ := env.Service.UserGroupIDs(ctx, core.OperatorFor(acme.Tenant), user.User.ID); len(ids) != 1 || ids[0] != g.ID {
			t.Errorf("groups of the member: %v, want [%s]", ids, g.ID)
		}
		if res := env.Do(t, "DELETE", memberPath, "", auth...); res.Status != 204 {
			t.Fatalf("remove member: %d %s", res.Status, res.Body)
		}
		wantProblem(t, env.Do(t, "DELETE", memberPath, "", auth...), 404)

		// Cross-tenant: another tenant's ids answer 404, like unknown ones.
		for _, path := range []string{"/api/v1/groups/" + vendors.ID, "/api/v1/workspaces/" + made.ID, "/api/v1/groups/unknown", "/api/v1/groups/" + g.ID + "/members"} {
			wantProblem(t, env.Do(t, "GET", path, "", theirs...), 404)
		}
		wantProblem(t, env.Do(t, "PATCH", "/api/v1/groups/"+vendors.ID, `{"name":"x"}`, theirs...), 404)
		wantProblem(t, env.Do(t, "DELETE", "/api/v1/groups/"+vendors.ID, "", theirs...), 404)
		wantProblem(t, env.Do(t, "DELETE", "/api/v1/workspaces/"+made.ID, "", theirs...), 404)
		// Their workspace with the same id cannot hold our groups.
		wantProblem(t, env.Do(t, "POST", "/api/v1/groups", fmt.Sprintf(`{"workspace_id":%q,"name":"x"}`, made.ID), theirs...), 422, "/workspace_id")

		// Scope: admin needed.
		wantProblem(t, env.Do(t, "GET", "/api/v1/groups", "", apitest.Bearer(usersOnly)...), 403)
		wantProblem(t, env.Do(t, "POST", "/api/v1/workspaces", `{"name":"x"}`, apitest.Bearer(usersOnly)...), 403)
		wantProblem(t, env.Do(t, "GET", "/api/v1/workspaces", ""), 401)

		// A workspace with groups stays; empty, it goes.
		wantProblem(t, env.Do(t, "DELETE", "/api/v1/workspaces/6567745179549784d96513ae", "", auth...), 409)
		if res := env.Do(t, "DELETE", "/api/v1/workspaces/"+made.ID, "", auth...); res.Status != 204 {
			t.Fatalf("delete empty workspace: %d %s", res.Status, res.Body)
		}
		if res := env.Do(t, "DELETE", "/api/v1/groups/"+vendors.ID, "", auth...); res.Status != 204 {
			t.Fatalf("delete group: %d %s", res.Status, res.Body)
		}
		wantProblem(t, env.Do(t, "GET", "/api/v1/groups/"+vendors.ID, "", auth...), 404)

		want := []string{"workspace_created", "workspace_created", "group_created", "group_created", "group_updated",
			"workspace_updated", "user_updated", "user_updated", "workspace_deleted", "group_deleted"}
		if got := eventTypes(t, env, acme.Tenant.ID); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("events: got %v, want %v", got, want)
		}
		env.AssertNoSecrets(t, acme.APIKey, other.APIKey, usersOnly)
	})
}
