package bulkapi_test

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

// TestSeedExample: seed 003's example body, its group created first, with a
// clientAdmin's login token in the header and the body.
func TestSeedExample(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		acme := env.NewTenant(t, "Acme")
		seedGroups(t, env, acme.Tenant)
		jwt := login(t, env, acme.Admin.Email, acme.AdminPassword)
		fixture := seedFixture(t)

		// The seed's placeholder token is not the header's: 401, the seed's message.
		res := env.Do(t, "POST", "/api/users/add", fixture, apitest.Bearer(jwt)...)
		if res.Status != 401 || string(res.Body) != `{"message":"invalid token or request body","status":"error","results":[]}`+"\n" {
			t.Fatalf("placeholder token: %d %s", res.Status, res.Body)
		}
		if countUsers(t, env, acme.Tenant.ID) != 1 {
			t.Fatal("a refused request stored users")
		}

		// The payload's copy of the group says other things: they are ignored.
		body := strings.Replace(fixture, "eyjhbgcioijiuzi1niisinr5cci6ikpxvcj9 ", jwt, 1)
		body = strings.Replace(body, `"name": "basic users"`, `"name": "super admins"`, 1)
		body = strings.Replace(body, `"page_id": "656faa7c79549784d967dfab"`, `"page_id": "every-page"`, 1)
		a := post(t, env, "", body, 200, apitest.Bearer(jwt)...)
		if a.Message != "user(s) added successfully" || a.Status != "success" || len(a.Results) != 1 {
			t.Fatalf("answer: %+v", a)
		}
		r := a.Results[0]
		wantRow(t, r, "created", "", "")
		if r.Index != 0 || r.Email != "matthew@clearsquare.co" || r.ID == 0 || !strings.HasPrefix(r.Token, "spt_") {
			t.Errorf("result: %+v, want index 0, the email, an id and a set-password token", r)
		}
		u, err := env.Store.GetUser(ctx, acme.Tenant.ID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "matthew@clearsquare.co" || u.Name != "matthew kastner" || u.Role != core.RoleClientUser ||
			u.Notifications || u.PasswordHash != "" || u.CreatedBy != acme.Admin.Email {
			t.Errorf("stored user: %+v", u)
		}
		groups, err := env.Store.ListUserGroupIDs(ctx, acme.Tenant.ID, r.ID)
		if err != nil || !slices.Equal(groups, []string{"756676a679549784d96514a2"}) {
			t.Errorf("groups of the user: %v, %v", groups, err)
		}
		g, err := env.Store.GetGroup(ctx, acme.Tenant.ID, "756676a679549784d96514a2")
		if err != nil || g.Name != "basic users" || g.Permissions[0].PageID != "656faa7c79549784d967dfab" {
			t.Errorf("the group changed through a user payload: %+v, %v", g, err)
		}
		if n := eventCounts(t, env, acme.Tenant.ID)[core.EventUserCreated]; n != 2 { // the admin, then matthew
			t.Errorf("user_created events: %d, want 2", n)
		}

		// The set-password token works once.
		res = env.Do(t, "POST", "/api/auth/password", fmt.Sprintf(`{"token":%q,"password":"matthew-secret-1"}`, r.Token))
		if res.Status/100 != 2 {
			t.Fatalf("set password with the token: %d %s", res.Status, res.Body)
		}
		login(t, env, "matthew@clearsquare.co", "matthew-secret-1")

		// The same body again (update: true): nothing differs.
		a = post(t, env, "", body, 200, apitest.Bearer(jwt)...)
		wantRow(t, a.Results[0], "unchanged", "", "")
		if a.Results[0].ID != r.ID || a.Results[0].Token != "" {
			t.Errorf("second send: %+v, want the same id and no token", a.Results[0])
		}
		// The client API still serves the user on the path the bulk route shares.
		if res := env.Do(t, "GET", fmt.Sprintf("/api/users/%d", r.ID), "", apitest.Bearer(acme.APIKey)...); res.Status != 200 ||
			!strings.Contains(string(res.Body), `"matthew@clearsquare.co"`) {
			t.Errorf("GET /api/users/%d: %d %s", r.ID, res.Status, res.Body)
		}
		env.AssertNoSecrets(t, jwt, r.Token, acme.APIKey, acme.AdminPassword, "matthew-secret-1")
	})
}

// TestRowSemantics drives each rule of a row through a non-atomic request,
// where every row's outcome is its own.
func TestRowSemantics(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		acme := env.NewTenant(t, "Acme")
		other := env.NewTenant(t, "Other")
		seedGroups(t, env, acme.Tenant)
		seedGroups(t, env, other.Tenant) // same ids, other tenant
		op := core.OperatorFor(acme.Tenant)
		if _, err := env.Service.CreateGroup(ctx, core.OperatorFor(other.Tenant), core.CreateGroup{ID: "theirs-only",
			WorkspaceID: "6567745179549784d96513ae", Name: "theirs"}); err != nil {
			t.Fatal(err)
		}
		pw := "original-pw-1"
		existing, err := env.Service.CreateUser(ctx, op, core.CreateUser{Email: "existing@example.com", Name: "Old Name", Password: &pw})
		if err != nil {
			t.Fatal(err)
		}
		stranger, err := env.Service.CreateUser(ctx, core.OperatorFor(other.Tenant), core.CreateUser{Email: "stranger@example.com", Name: "Stranger"})
		if err != nil {
			t.Fatal(err)
		}
		auth := apitest.Bearer(acme.APIKey)
		seedGroup := []group{{ID: "756676a679549784d96514a2"}}

		a := post(t, env, "?atomic=false", body(t,
			user{Email: "new@example.com", Name: "New", Password: "new-user-pw-1", ConfirmPassword: "new-user-pw-1", Type: "editor", Groups: seedGroup},
			user{Email: "EXISTING@example.com", Name: "New Name", Type: "admin", Password: "changed-pw-2", ConfirmPassword: "changed-pw-2",
				Notifications: boolPtr(true), Update: true, Groups: seedGroup},
			user{Email: "existing@example.com", Update: true},                                                      // 2: same email twice
			user{Email: "stranger@example.com", Name: "Hijack", Update: true},                                      // 3: another tenant's user
			user{Email: "stranger@example.com", Name: "Hijack", Update: false},                                     // 4: same email again
			user{Email: "mismatch@example.com", Password: "abcdefgh1", ConfirmPassword: "x"},                       // 5
			user{Email: "short@example.com", Password: "short", ConfirmPassword: "short"},                          // 6
			user{Email: "nogroup@example.com", Groups: []group{{ID: "756676a679549784d96514a2"}, {ID: "unknown"}}}, // 7
			user{Email: "theirgroup@example.com", Groups: []group{{ID: "theirs-only"}}},                            // 8
			user{Email: "badtype@example.com", Type: "superuser"},                                                  // 9
			user{Email: "badimage@example.com", Image: "javascript:alert(1)"},                                      // 10
			user{Email: "not an email"},                                // 11
			user{Email: "nopassword@example.com", Name: "No Password"}, // 12
			user{Email: "existing2@example.com", Update: false},        // 13: created
			user{Email: "Existing2@example.com", Update: false},        // 14: duplicate
		), 200, auth...)
		if a.Status != "error" || a.Message != "4 of 15 user(s) added; 11 failed" {
			t.Errorf("answer: %q %q", a.Status, a.Message)
		}
		want := []struct{ status, field, err string }{
			{"created", "", ""},
			{"updated", "", ""},
			{"error", "email", "appears more than once in this request (first at index 1)"},
			{"error", "email", "email: is already taken"},
			{"error", "email", "first at index 3"},
			{"error", "confirm_password", "confirm_password: must equal password"},
			{"error", "password", "password: must be at least 8 characters"},
			{"error", "groups[1]._id", "groups[1]._id: is not a group of this tenant"},
			{"error", "groups[0]._id", "groups[0]._id: is not a group of this tenant"},
			{"error", "type", "type: must be user, editor or admin"},
			{"error", "image", "image: "},
			{"error", "email", "email: "},
			{"created", "", ""},
			{"created", "", ""},
			{"error", "email", "first at index 13"},
		}
		if len(a.Results) != len(want) {
			t.Fatalf("%d results, want %d", len(a.Results), len(want))
		}
		for i, w := range want {
			wantRow(t, a.Results[i], w.status, w.field, w.err)
			if a.Results[i].Index != i {
				t.Errorf("result %d has index %d", i, a.Results[i].Index)
			}
		}
		if a.Results[0].Token != "" || !strings.HasPrefix(a.Results[12].Token, "spt_") {
			t.Errorf("tokens: with a password %q, without %q; want none, then one", a.Results[0].Token, a.Results[12].Token)
		}

		// The new user: editor, in the group, with a password that logs in.
		created, _ := userByEmail(t, env, acme.Tenant.ID, "new@example.com")
		if created.Role != core.RoleEditor || created.ID != a.Results[0].ID {
			t.Errorf("new user: %+v", created)
		}
		login(t, env, "new@example.com", "new-user-pw-1")
		// The updated user: every given field, its role and groups.
		updated, _ := env.Store.GetUser(ctx, acme.Tenant.ID, existing.User.ID)
		if updated.Name != "New Name" || updated.Role != core.RoleClientAdmin || !updated.Notifications || updated.Email != "existing@example.com" {
			t.Errorf("updated user: %+v", updated)
		}
		if ids, _ := env.Store.ListUserGroupIDs(ctx, acme.Tenant.ID, existing.User.ID); !slices.Equal(ids, []string{"756676a679549784d96514a2"}) {
			t.Errorf("groups of the updated user: %v", ids)
		}
		login(t, env, "existing@example.com", "changed-pw-2")
		// Another tenant's user is untouched.
		if s, err := env.Store.GetUser(ctx, other.Tenant.ID, stranger.User.ID); err != nil || s.Name != "Stranger" || s.Version != stranger.User.Version {
			t.Errorf("another tenant's user: %+v, %v", s, err)
		}
		// No failed row was stored, in this tenant or any other.
		for _, email := range []string{"mismatch@example.com", "short@example.com", "nogroup@example.com",
			"theirgroup@example.com", "badtype@example.com", "badimage@example.com"} {
			for _, tn := range []int64{acme.Tenant.ID, other.Tenant.ID} {
				if _, found := userByEmail(t, env, tn, email); found {
					t.Errorf("the failed row %s was stored in tenant %d", email, tn)
				}
			}
		}
		events, err := env.Store.ListEvents(ctx, acme.Tenant.ID, core.EventFilter{Limit: 100, SubjectID: fmt.Sprint(existing.User.ID)})
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, e := range events {
			types = append(types, e.Type)
			var p struct {
				Changed       []string `json:"changed"`
				Roles         []string `json:"roles"`
				PreviousRoles []string `json:"previousRoles"`
			}
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				t.Fatal(err)
			}
			if e.Type == core.EventUserUpdated && strings.Join(p.Changed, ",") != "name,notifications,role,password,groups" {
				t.Errorf("user_updated changed: %v", p.Changed)
			}
			if e.Type == core.EventUserRolesUpdated && (fmt.Sprint(p.Roles) != "[clientAdmin]" || fmt.Sprint(p.PreviousRoles) != "[clientUser]") {
				t.Errorf("user_roles_updated payload: %s", e.Payload)
			}
		}
		if strings.Join(types, " ") != "user_created user_updated user_roles_updated" {
			t.Errorf("events of the updated user: %v", types)
		}

		// Sent again: the same password is no change, the rest unchanged too.
		a = post(t, env, "", body(t,
			user{Email: "existing@example.com", Name: "New Name", Type: "admin", Password: "changed-pw-2", ConfirmPassword: "changed-pw-2",
				Notifications: boolPtr(true), Update: true, Groups: seedGroup}), 200, auth...)
		wantRow(t, a.Results[0], "unchanged", "", "")
		// An empty groups list takes the user out of every group.
		a = post(t, env, "", `{"users":[{"email":"existing@example.com","update":true,"groups":[]}]}`, 200, auth...)
		wantRow(t, a.Results[0], "updated", "", "")
		if ids, _ := env.Store.ListUserGroupIDs(ctx, acme.Tenant.ID, existing.User.ID); len(ids) != 0 {
			t.Errorf("groups after an empty list: %v", ids)
		}
		env.AssertNoSecrets(t, acme.APIKey, "new-user-pw-1", "changed-pw-2", a.Results[0].Token)
	})
}

// TestAtomic: one bad user among 1,000 fails the request and stores
// nothing; with ?atomic=false the 999 others are stored with their events.
func TestAtomic(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		auth := apitest.Bearer(acme.APIKey)
		users := make([]user, 1000)
		for i := range users {
			users[i] = user{Email: fmt.Sprintf("user%04d@example.com", i), Name: fmt.Sprintf("User %d", i)}
		}
		users[617].ConfirmPassword = "typo" // password "" != "typo"
		payload := body(t, users...)
		before := eventCounts(t, env, acme.Tenant.ID)

		a := post(t, env, "", payload, 400, auth...)
		if a.Status != "error" || a.Message != "no users were added: 1 of 1000 user(s) failed" || len(a.Results) != 1000 {
			t.Fatalf("atomic answer: %q %q, %d results", a.Status, a.Message, len(a.Results))
		}
		wantRow(t, a.Results[617], "error", "confirm_password", "confirm_password: must equal password")
		wantRow(t, a.Results[0], "error", "", "not added: the request is atomic and another user failed")
		wantRow(t, a.Results[999], "error", "", "not added: the request is atomic and another user failed")
		if n := countUsers(t, env, acme.Tenant.ID); n != 1 {
			t.Errorf("users after a failed atomic request: %d, want 1 (the admin)", n)
		}
		if after := eventCounts(t, env, acme.Tenant.ID); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("events after a failed atomic request: %v, want %v", after, before)
		}

		a = post(t, env, "?atomic=false", payload, 200, auth...)
		if a.Status != "error" || a.Message != "999 of 1000 user(s) added; 1 failed" {
			t.Fatalf("non-atomic answer: %q %q", a.Status, a.Message)
		}
		if len(a.Results) != 1000 {
			t.Fatalf("%d results, want 1000", len(a.Results))
		}
		wantRow(t, a.Results[617], "error", "confirm_password", "must equal password")
		for i, r := range a.Results {
			if i != 617 && (r.Status != "created" || r.ID == 0 || !strings.HasPrefix(r.Token, "spt_")) {
				t.Fatalf("row %d: %+v", i, r)
			}
		}
		if n := countUsers(t, env, acme.Tenant.ID); n != 1000 {
			t.Errorf("users: %d, want 1000 (999 and the admin)", n)
		}
		if n := eventCounts(t, env, acme.Tenant.ID)[core.EventUserCreated]; n != before[core.EventUserCreated]+999 {
			t.Errorf("user_created events: %d, want %d", n, before[core.EventUserCreated]+999)
		}
	})
}
