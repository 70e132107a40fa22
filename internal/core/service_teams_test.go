package core_test

import (
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/core"
)

func TestTeams(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		globex := createTenant(t, svc, "Globex")

		red, err := svc.CreateTeam(ctx, acme.key, "  Red Team ")
		if err != nil {
			t.Fatalf("CreateTeam: %v", err)
		}
		if red.Name != "Red Team" || !red.Active || red.TenantID != acme.Tenant.ID || red.ID == 0 {
			t.Errorf("got team %+v, want an active Red Team of acme", red)
		}
		theirs, err := svc.CreateTeam(ctx, globex.key, "Red Team") // names are per tenant
		if err != nil {
			t.Fatalf("CreateTeam(globex, same name): %v", err)
		}
		if got := eventTypes(events(t, st, acme.Tenant.ID, core.EventTeamCreated)); len(got) != 1 {
			t.Errorf("got team_created events %v, want 1", got)
		}

		t.Run("ListAndGet", func(t *testing.T) {
			list, err := svc.ListTeams(ctx, acme.key)
			if err != nil {
				t.Fatalf("ListTeams: %v", err)
			}
			want(t, "teams", list, []core.Team{red})
			got, err := svc.GetTeam(ctx, acme.key, red.ID)
			if err != nil {
				t.Fatalf("GetTeam: %v", err)
			}
			want(t, "team", got, red)
			_, err = svc.GetTeam(ctx, acme.key, theirs.ID)
			wantError(t, err, core.NotFound, "")
		})

		t.Run("Refused", func(t *testing.T) {
			before := takeCensus(t, st, acme.Tenant.ID)
			for _, tt := range []struct {
				name, team string
				wantCode   core.ErrorCode
			}{
				{"Empty", "", core.Invalid},
				{"Blank", "   ", core.Invalid},
				{"TooLong", strings.Repeat("t", 256), core.Invalid},
				{"ControlCharacter", "Red\x00", core.Invalid},
				{"TakenOtherCase", "red TEAM", core.Conflict},
			} {
				t.Run(tt.name, func(t *testing.T) {
					_, err := svc.CreateTeam(ctx, acme.key, tt.team)
					wantError(t, err, tt.wantCode, "name")
				})
			}
			wantSameCensus(t, st, before)
		})

		t.Run("Rename", func(t *testing.T) {
			blue, err := svc.CreateTeam(ctx, acme.key, "Blue")
			if err != nil {
				t.Fatal(err)
			}
			_, err = svc.RenameTeam(ctx, acme.key, blue.ID, "RED TEAM")
			wantError(t, err, core.Conflict, "name")
			_, err = svc.RenameTeam(ctx, acme.key, theirs.ID, "Mine")
			wantError(t, err, core.NotFound, "")
			_, err = svc.RenameTeam(ctx, acme.key, blue.ID, "")
			wantError(t, err, core.Invalid, "name")

			got, err := svc.RenameTeam(ctx, acme.key, blue.ID, "Navy")
			if err != nil {
				t.Fatalf("RenameTeam: %v", err)
			}
			if got.Name != "Navy" || !got.UpdatedAt.After(blue.UpdatedAt) && !got.UpdatedAt.Equal(blue.UpdatedAt) {
				t.Errorf("renamed team: got %+v", got)
			}
			stored, err := svc.GetTeam(ctx, acme.key, blue.ID)
			if err != nil {
				t.Fatal(err)
			}
			want(t, "stored team", stored, got)
			// The same name again changes nothing and records nothing.
			n := len(events(t, st, acme.Tenant.ID, core.EventTeamUpdated))
			if _, err := svc.RenameTeam(ctx, acme.key, blue.ID, "Navy"); err != nil {
				t.Fatal(err)
			}
			if m := len(events(t, st, acme.Tenant.ID, core.EventTeamUpdated)); n != 1 || m != 1 {
				t.Errorf("got %d then %d team_updated events, want 1 and 1", n, m)
			}
			if err := svc.DeleteTeam(ctx, acme.key, blue.ID); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("DeleteKeepsMembers", func(t *testing.T) {
			member := createUser(t, svc, acme, core.CreateUser{Email: "member@example.com", TeamID: &red.ID})
			wantError(t, svc.DeleteTeam(ctx, acme.key, theirs.ID), core.NotFound, "")
			if err := svc.DeleteTeam(ctx, acme.key, red.ID); err != nil {
				t.Fatalf("DeleteTeam: %v", err)
			}
			_, err := svc.GetTeam(ctx, acme.key, red.ID)
			wantError(t, err, core.NotFound, "")
			got, err := svc.GetUser(ctx, acme.key, member.ID)
			if err != nil {
				t.Fatalf("member after its team's deletion: %v", err)
			}
			if got.TeamID != nil || got.Version <= member.Version {
				t.Errorf("member after its team's deletion: team %v version %d, want none and > %d", got.TeamID, got.Version, member.Version)
			}
			list := events(t, st, acme.Tenant.ID, core.EventTeamDeleted)
			if len(list) != 2 || list[1].SubjectID != formatID(red.ID) {
				t.Errorf("got team_deleted events %+v, want the second for team %d", list, red.ID)
			}
			if _, err := svc.GetTeam(ctx, globex.key, theirs.ID); err != nil {
				t.Errorf("globex's team of the same name: %v", err)
			}
		})

		t.Run("AdminOnly", func(t *testing.T) {
			member := createUser(t, svc, acme, core.CreateUser{Email: "plain@example.com"})
			a := userActor(acme, member)
			_, err := svc.ListTeams(ctx, a)
			wantError(t, err, core.Forbidden, "")
			_, err = svc.CreateTeam(ctx, a, "Sneaky")
			wantError(t, err, core.Forbidden, "")
			wantError(t, svc.DeleteTeam(ctx, a, theirs.ID), core.Forbidden, "")
		})
	})
}

func TestTenantLookups(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")

		for _, sub := range []string{acme.Tenant.Subdomain, " ACME "} {
			got, err := svc.TenantBySubdomain(ctx, sub)
			if err != nil || got.ID != acme.Tenant.ID {
				t.Errorf("TenantBySubdomain(%q): got %d, %v; want %d", sub, got.ID, err, acme.Tenant.ID)
			}
		}
		for _, sub := range []string{"", "globex", "acme.example.com", "-acme", strings.Repeat("a", 64)} {
			_, err := svc.TenantBySubdomain(ctx, sub)
			wantError(t, err, core.NotFound, "")
		}

		got, err := svc.TenantByAccountID(ctx, acme.Tenant.AccountID())
		if err != nil || got.ID != acme.Tenant.ID {
			t.Errorf("TenantByAccountID(%q): got %d, %v; want %d", acme.Tenant.AccountID(), got.ID, err, acme.Tenant.ID)
		}
		id := acme.Tenant.AccountID()
		for _, bad := range []string{"", "0", "-" + id, "+" + id, "0" + id, id + ".0", " " + id, "abc", "99999999999999999999", "424242"} {
			_, err := svc.TenantByAccountID(ctx, bad)
			wantError(t, err, core.NotFound, "")
		}
	})
}

func TestCountUsersAndOffset(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		globex := createTenant(t, svc, "Globex")
		ids := []int64{acme.Admin.ID}
		for _, e := range []string{"a@example.com", "b@example.com", "c@example.com", "d@example.com"} {
			ids = append(ids, createUser(t, svc, acme, core.CreateUser{Email: e}).ID)
		}
		createUser(t, svc, globex, core.CreateUser{Email: "g@example.com"})

		n, err := svc.CountUsers(ctx, acme.key, core.UserFilter{})
		if err != nil || n != 5 {
			t.Errorf("CountUsers: got %d, %v; want 5", n, err)
		}
		n, err = svc.CountUsers(ctx, acme.key, core.UserFilter{Email: " B@Example.com"})
		if err != nil || n != 1 {
			t.Errorf("CountUsers(email): got %d, %v; want 1", n, err)
		}
		n, err = svc.CountUsers(ctx, acme.key, core.UserFilter{Email: "g@example.com"})
		if err != nil || n != 0 {
			t.Errorf("CountUsers(another tenant's email): got %d, %v; want 0", n, err)
		}

		page, err := svc.ListUsers(ctx, acme.key, core.UserFilter{Limit: 2, Offset: 2})
		if err != nil {
			t.Fatalf("ListUsers(offset): %v", err)
		}
		want(t, "page ids", userIDList(page.Users), ids[2:4])
		if page.Next != ids[3] {
			t.Errorf("got next %d, want %d", page.Next, ids[3])
		}
		page, err = svc.ListUsers(ctx, acme.key, core.UserFilter{Limit: 2, Offset: 4})
		if err != nil || len(page.Users) != 1 || page.Next != 0 {
			t.Errorf("last page: got %v next %d, %v; want one user and no next", userIDList(page.Users), page.Next, err)
		}
		_, err = svc.ListUsers(ctx, acme.key, core.UserFilter{Offset: -1})
		wantError(t, err, core.Invalid, "offset")

		member := createUser(t, svc, acme, core.CreateUser{Email: "member@example.com"})
		_, err = svc.CountUsers(ctx, userActor(acme, member), core.UserFilter{})
		wantError(t, err, core.Forbidden, "")
	})
}

func userIDList(us []core.User) []int64 {
	ids := make([]int64, len(us))
	for i, u := range us {
		ids[i] = u.ID
	}
	return ids
}
