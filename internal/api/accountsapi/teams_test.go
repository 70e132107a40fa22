package accountsapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

type teamBody struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Active    bool   `json:"active"`
	CreatedAt string `json:"createdAt"`
	UpdatedAt string `json:"updatedAt"`
}

// wantTeam decodes a team answer with status, checking its members.
func wantTeam(t *testing.T, res apitest.Response, status int) teamBody {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status: got %d, want %d; body %s", res.Status, status, res.Body)
	}
	var m map[string]any
	res.JSON(t, &m)
	if len(m) != 5 {
		t.Fatalf("team members: got %v, want id, name, active, createdAt, updatedAt", m)
	}
	var tb teamBody
	res.JSON(t, &tb)
	for _, ts := range []string{tb.CreatedAt, tb.UpdatedAt} {
		if _, err := time.Parse(time.RFC3339, ts); err != nil {
			t.Fatalf("timestamp %q is not RFC 3339", ts)
		}
	}
	return tb
}

// teamEvents returns the team events of tenant, oldest first, as
// "type subject actor".
func teamEvents(t *testing.T, env *apitest.Env, tenant core.TenantCreated) []string {
	t.Helper()
	evs, err := env.Store.ListEvents(context.Background(), tenant.Tenant.ID, core.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		if strings.HasPrefix(e.Type, "team_") {
			out = append(out, e.Type+" "+e.SubjectID+" "+e.Actor)
		}
	}
	return out
}

func TestTeams(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		auth := apitest.Bearer(tenant.APIKey)
		label := "api-key:" + tenant.Key.Prefix

		res := env.Do(t, http.MethodGet, "/api/v1/teams", "", auth...)
		if res.Status != http.StatusOK || strings.TrimSpace(string(res.Body)) != `{"teams":[]}` {
			t.Fatalf("empty list: %d %s", res.Status, res.Body)
		}
		sales := wantTeam(t, env.Do(t, http.MethodPost, "/api/v1/teams", `{"name":"  Sales "}`, auth...), http.StatusCreated)
		if sales.ID == 0 || sales.Name != "Sales" || !sales.Active {
			t.Fatalf("created: %+v", sales)
		}
		support := wantTeam(t, env.Do(t, http.MethodPost, "/api/v1/teams", `{"name":"Support"}`, auth...), http.StatusCreated)
		path := fmt.Sprintf("/api/v1/teams/%d", sales.ID)

		if got := wantTeam(t, env.Do(t, http.MethodGet, path, "", auth...), http.StatusOK); got != sales {
			t.Fatalf("get: %+v, want %+v", got, sales)
		}
		res = env.Do(t, http.MethodGet, "/api/v1/teams", "", auth...)
		var list struct {
			Teams []teamBody `json:"teams"`
		}
		res.JSON(t, &list)
		if res.Status != http.StatusOK || len(list.Teams) != 2 || list.Teams[0] != sales || list.Teams[1] != support {
			t.Fatalf("list: %d %s", res.Status, res.Body)
		}

		renamed := wantTeam(t, env.Do(t, http.MethodPatch, path, `{"name":"Inside Sales"}`, auth...), http.StatusOK)
		if renamed.ID != sales.ID || renamed.Name != "Inside Sales" || renamed.CreatedAt != sales.CreatedAt {
			t.Fatalf("renamed: %+v", renamed)
		}
		if same := wantTeam(t, env.Do(t, http.MethodPatch, path, `{}`, auth...), http.StatusOK); same != renamed {
			t.Fatalf("empty patch: %+v, want %+v", same, renamed)
		}

		for _, tt := range []struct {
			name, method, path, body string
			status                   int
			want, pointer            string
		}{
			{"CreateDuplicateName", http.MethodPost, "/api/v1/teams", `{"name":"SUPPORT"}`, 409, "name", "/name"},
			{"CreateEmptyName", http.MethodPost, "/api/v1/teams", `{"name":"  "}`, 422, "name", "/name"},
			{"CreateMissingName", http.MethodPost, "/api/v1/teams", `{}`, 422, "name", "/name"},
			{"CreateLongName", http.MethodPost, "/api/v1/teams", `{"name":"` + strings.Repeat("n", 256) + `"}`, 422, "name", "/name"},
			{"CreateUnknownField", http.MethodPost, "/api/v1/teams", `{"name":"X","active":false}`, 400, "active: is not a known field", "/active"},
			{"CreateNameNotString", http.MethodPost, "/api/v1/teams", `{"name":7}`, 400, "name: must be a string", "/name"},
			{"CreateNotJSON", http.MethodPost, "/api/v1/teams", `name=X`, 400, "not valid JSON", ""},
			{"RenameDuplicate", http.MethodPatch, path, `{"name":"support"}`, 409, "name", "/name"},
			{"RenameEmpty", http.MethodPatch, path, `{"name":""}`, 422, "name", "/name"},
			{"RenameUnknownField", http.MethodPatch, path, `{"title":"X"}`, 400, "title: is not a known field", "/title"},
			{"GetUnknown", http.MethodGet, "/api/v1/teams/987654321", "", 404, "no such team", ""},
			{"GetNotAnID", http.MethodGet, "/api/v1/teams/abc", "", 404, "no such team", ""},
			{"RenameUnknown", http.MethodPatch, "/api/v1/teams/987654321", `{"name":"X"}`, 404, "no such team", ""},
			{"DeleteUnknown", http.MethodDelete, "/api/v1/teams/987654321", "", 404, "no such team", ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				unchanged(t, env, func() {
					wantProblem(t, env.Do(t, tt.method, tt.path, tt.body, auth...), tt.status, tt.want, tt.pointer)
				}, tenant)
			})
		}
		unchanged(t, env, func() {
			wantProblem(t, env.Do(t, http.MethodPost, "/api/v1/teams", `{"name":"X"}`, auth[0], auth[1], "Content-Type", "text/plain"), 415, "Content-Type", "")
			wantProblem(t, env.Do(t, http.MethodPost, "/api/v1/teams", `{"name":"`+strings.Repeat("x", 1<<20)+`"}`, auth...), 413, "larger than the limit", "")
		}, tenant)

		// A member of a deleted team stays, with no team.
		member := createUser(t, env, tenant, fmt.Sprintf(`{"email":"member@example.com","teamId":%d}`, sales.ID))
		if res := env.Do(t, http.MethodDelete, path, "", auth...); res.Status != http.StatusNoContent || len(res.Body) != 0 {
			t.Fatalf("delete: %d %s", res.Status, res.Body)
		}
		wantProblem(t, env.Do(t, http.MethodGet, path, "", auth...), 404, "no such team", "")
		wantProblem(t, env.Do(t, http.MethodDelete, path, "", auth...), 404, "no such team", "")
		res = env.Do(t, http.MethodGet, userPath(member), "", key(tenant)...)
		var m map[string]any
		res.JSON(t, &m)
		if res.Status != http.StatusOK || m["teamId"] != nil {
			t.Fatalf("member of the deleted team: %d %s", res.Status, res.Body)
		}

		want := []string{
			fmt.Sprintf("team_created %d %s", sales.ID, label),
			fmt.Sprintf("team_created %d %s", support.ID, label),
			fmt.Sprintf("team_updated %d %s", sales.ID, label),
			fmt.Sprintf("team_deleted %d %s", sales.ID, label),
		}
		if got := teamEvents(t, env, tenant); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("events:\n got %v\nwant %v", got, want)
		}
		env.AssertNoSecrets(t, tenant.APIKey)
	})
}

// TestTeamsCrossTenantAndScope: another tenant's team ids answer 404 like
// unknown ids; the routes need the admin scope (or a clientAdmin's token);
// no credential is a 401 problem.
func TestTeamsCrossTenantAndScope(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		a := env.NewTenant(t, "A")
		b := env.NewTenant(t, "B")
		team := newTeam(t, env, a, "A Team")
		path := fmt.Sprintf("/api/v1/teams/%d", team.ID)
		bAuth := apitest.Bearer(b.APIKey)

		unchanged(t, env, func() {
			unknown := env.Do(t, http.MethodGet, "/api/v1/teams/987654321", "", bAuth...)
			for _, r := range []struct{ method, body string }{{http.MethodGet, ""}, {http.MethodPatch, `{"name":"Mine now"}`}, {http.MethodDelete, ""}} {
				res := env.Do(t, r.method, path, r.body, bAuth...)
				wantProblem(t, res, 404, "no such team", "")
				if string(res.Body) != string(unknown.Body) {
					t.Errorf("%s: got %s, want the unknown id's answer %s", r.method, res.Body, unknown.Body)
				}
			}
			res := env.Do(t, http.MethodGet, "/api/v1/teams", "", bAuth...)
			if res.Status != http.StatusOK || strings.Contains(string(res.Body), "A Team") {
				t.Fatalf("B's list: %d %s", res.Status, res.Body)
			}
			// The same name is free in another tenant.
			if res := env.Do(t, http.MethodPost, "/api/v1/teams", `{"name":"A Team"}`, bAuth...); res.Status != http.StatusCreated {
				t.Fatalf("same name in B: %d %s", res.Status, res.Body)
			}
		}, a)

		if got, err := env.Service.GetTeam(context.Background(), core.OperatorFor(a.Tenant), team.ID); err != nil || got.Name != "A Team" {
			t.Fatalf("A's team after B's attempts: %+v, %v", got, err)
		}

		usersOnly := scopedKey(t, env, a, core.ScopeUsersRead, core.ScopeUsersWrite)
		if res := env.Do(t, http.MethodPost, "/api/users", `{"email":"member@example.com","password":"member-password-1"}`, apitest.Bearer(a.APIKey)...); res.Status != http.StatusCreated {
			t.Fatalf("setup: %d %s", res.Status, res.Body)
		}
		clientUser := login(t, env, "member@example.com", "member-password-1")
		clientAdmin := login(t, env, a.Admin.Email, a.AdminPassword)
		routes := []struct{ method, path, body string }{
			{http.MethodGet, "/api/v1/teams", ""},
			{http.MethodPost, "/api/v1/teams", `{"name":"Not allowed"}`},
			{http.MethodGet, path, ""},
			{http.MethodPatch, path, `{"name":"Not allowed"}`},
			{http.MethodDelete, path, ""},
		}
		unchanged(t, env, func() {
			for _, r := range routes {
				wantProblem(t, env.Do(t, r.method, r.path, r.body, apitest.Bearer(usersOnly)...), 403, "admin", "")
				wantProblem(t, env.Do(t, r.method, r.path, r.body, apitest.Bearer(clientUser)...), 403, "clientUser", "")
				res := env.Do(t, r.method, r.path, r.body)
				wantProblem(t, res, 401, "Authorization", "")
				if res.Header.Get("WWW-Authenticate") == "" {
					t.Errorf("%s %s: 401 without WWW-Authenticate", r.method, r.path)
				}
			}
		}, a)
		// A clientAdmin's token may manage teams; its email is the actor.
		created := wantTeam(t, env.Do(t, http.MethodPost, "/api/v1/teams", `{"name":"By the admin"}`, apitest.Bearer(clientAdmin)...), http.StatusCreated)
		events := teamEvents(t, env, a)
		if last := events[len(events)-1]; last != fmt.Sprintf("team_created %d %s", created.ID, a.Admin.Email) {
			t.Fatalf("last event: %s", last)
		}
		env.AssertNoSecrets(t, a.APIKey, b.APIKey, usersOnly, clientUser, clientAdmin, a.AdminPassword, "member-password-1")
	})
}
