package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/internal/core"
)

func testTeams(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	b := mustCreateTenant(t, s)
	red := mustCreateTeam(t, s, a.ID, "Red Team")
	blue := mustCreateTeam(t, s, a.ID, "Blue")
	theirs := mustCreateTeam(t, s, b.ID, "Red Team") // names are unique per tenant only

	t.Run("RoundTrip", func(t *testing.T) {
		got, err := s.GetTeam(ctx, a.ID, red.ID)
		if err != nil {
			t.Fatalf("get team: %v", err)
		}
		if diff := cmp.Diff(red, got); diff != "" {
			t.Errorf("team (-want +got):\n%s", diff)
		}
		list, err := s.ListTeams(ctx, a.ID)
		if err != nil {
			t.Fatalf("list teams: %v", err)
		}
		if diff := cmp.Diff([]core.Team{red, blue}, list); diff != "" {
			t.Errorf("teams of a (-want +got):\n%s", diff)
		}
		list, err = s.ListTeams(ctx, mustCreateTenant(t, s).ID)
		if err != nil || list == nil || len(list) != 0 {
			t.Errorf("teams of a new tenant: got %#v, %v; want an empty list", list, err)
		}
	})

	t.Run("TenantIsolation", func(t *testing.T) {
		_, err := s.GetTeam(ctx, b.ID, red.ID)
		wantCode(t, err, core.NotFound, "")
		stolen := red
		stolen.TenantID, stolen.Name = b.ID, "Stolen"
		err = s.Write(ctx, func(tx core.Tx) error { return tx.UpdateTeam(ctx, &stolen) })
		wantCode(t, err, core.NotFound, "")
		err = s.Write(ctx, func(tx core.Tx) error { return tx.DeleteTeam(ctx, b.ID, red.ID) })
		wantCode(t, err, core.NotFound, "")
		if got, err := s.GetTeam(ctx, a.ID, red.ID); err != nil || got.Name != "Red Team" {
			t.Fatalf("team changed through another tenant: %+v, %v", got, err)
		}
	})

	t.Run("DuplicateNameCaseInsensitive", func(t *testing.T) {
		dup := core.Team{TenantID: a.ID, Name: "RED team", Active: true, CreatedAt: now(), UpdatedAt: now()}
		err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertTeam(ctx, &dup) })
		wantCode(t, err, core.Conflict, "name")
		renamed := blue
		renamed.Name = "red TEAM"
		err = s.Write(ctx, func(tx core.Tx) error { return tx.UpdateTeam(ctx, &renamed) })
		wantCode(t, err, core.Conflict, "name")
	})

	t.Run("Update", func(t *testing.T) {
		u := blue
		u.Name, u.Active, u.UpdatedAt = "Navy", false, now().Add(time.Second)
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.UpdateTeam(ctx, &u) }); err != nil {
			t.Fatalf("update team: %v", err)
		}
		got, err := s.GetTeam(ctx, a.ID, blue.ID)
		if err != nil {
			t.Fatalf("get updated team: %v", err)
		}
		if diff := cmp.Diff(u, got); diff != "" {
			t.Errorf("updated team (-want +got):\n%s", diff)
		}
		// The old name is free again.
		mustCreateTeam(t, s, a.ID, "BLUE")
	})

	t.Run("UserTeamMustExist", func(t *testing.T) {
		missing := int64(987654)
		u := newUser(a.ID, "teamless@example.com")
		u.TeamID = &missing
		err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertUser(ctx, &u) })
		wantCode(t, err, core.Invalid, "teamId")
		u = mustCreateUser(t, s, a.ID, "teamless@example.com")
		u.TeamID = &missing
		err = s.Write(ctx, func(tx core.Tx) error { return tx.UpdateUser(ctx, &u) })
		wantCode(t, err, core.Invalid, "teamId")
	})

	t.Run("DeleteTakesMembersOutOfTheTeam", func(t *testing.T) {
		member := newUser(a.ID, "member@example.com")
		member.TeamID = &red.ID
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertUser(ctx, &member) }); err != nil {
			t.Fatalf("insert member: %v", err)
		}
		outsider := newUser(b.ID, "outsider@example.com")
		outsider.TeamID = &theirs.ID
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertUser(ctx, &outsider) }); err != nil {
			t.Fatalf("insert member of b: %v", err)
		}
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.DeleteTeam(ctx, a.ID, red.ID) }); err != nil {
			t.Fatalf("delete team: %v", err)
		}
		_, err := s.GetTeam(ctx, a.ID, red.ID)
		wantCode(t, err, core.NotFound, "")
		got, err := s.GetUser(ctx, a.ID, member.ID)
		if err != nil {
			t.Fatalf("member after its team's deletion: %v", err)
		}
		if got.TeamID != nil || got.Version != member.Version+1 {
			t.Errorf("member after its team's deletion: team %v version %d, want nil and %d", got.TeamID, got.Version, member.Version+1)
		}
		got, err = s.GetUser(ctx, b.ID, outsider.ID)
		if err != nil || got.TeamID == nil || *got.TeamID != theirs.ID || got.Version != outsider.Version {
			t.Errorf("b's member changed by a's team deletion: %+v, %v", got, err)
		}
		err = s.Write(ctx, func(tx core.Tx) error { return tx.DeleteTeam(ctx, a.ID, red.ID) })
		wantCode(t, err, core.NotFound, "")
	})
}
