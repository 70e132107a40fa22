package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/internal/core"
)

// runImportTests runs the conformance tests of batch import writes.
func runImportTests(t *testing.T, open Opener) {
	t.Run("ExternalIDUnique", func(t *testing.T) { testExternalIDUnique(t, open(t)) })
	t.Run("ImportLookups", func(t *testing.T) { testImportLookups(t, open(t)) })
	t.Run("ImportInsertUsers", func(t *testing.T) { testImportInsertUsers(t, open(t)) })
	t.Run("ImportInsertUsersConflicts", func(t *testing.T) { testImportInsertUsersConflicts(t, open(t)) })
	t.Run("ImportInsertEvents", func(t *testing.T) { testImportInsertEvents(t, open(t)) })
	t.Run("InsertPasswordTokens", func(t *testing.T) { testInsertPasswordTokens(t, open(t)) })
	t.Run("InsertUserGroups", func(t *testing.T) { testInsertUserGroups(t, open(t)) })
}

// withExternalID returns an unsaved user of tenant with email and externalId.
func withExternalID(tenantID int64, email, externalID string) core.User {
	u := newUser(tenantID, email)
	u.ExternalID = externalID
	return u
}

// An externalId names at most one user per home tenant; "" names none, and
// another tenant may use the same value.
func testExternalIDUnique(t *testing.T, s core.Store) {
	ctx := context.Background()
	a, b := mustCreateTenant(t, s), mustCreateTenant(t, s)
	insert := func(u core.User) (core.User, error) {
		err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertUser(ctx, &u) })
		return u, err
	}
	first, err := insert(withExternalID(a.ID, "ext1@example.com", "okta-1"))
	if err != nil {
		t.Fatalf("insert: %v", err)
	}
	_, err = insert(withExternalID(a.ID, "ext2@example.com", "okta-1"))
	wantCode(t, err, core.Conflict, "externalId")
	if _, err := insert(withExternalID(b.ID, "ext3@example.com", "okta-1")); err != nil {
		t.Fatalf("same externalId in another tenant: %v", err)
	}
	for _, email := range []string{"none1@example.com", "none2@example.com"} {
		if _, err := insert(withExternalID(a.ID, email, "")); err != nil {
			t.Fatalf("empty externalId %s: %v", email, err)
		}
	}
	// Both indexes at once: the email is the one named.
	_, err = insert(withExternalID(a.ID, "EXT1@example.com", "okta-1"))
	wantCode(t, err, core.Conflict, "email")

	second, err := insert(withExternalID(a.ID, "ext4@example.com", "okta-4"))
	if err != nil {
		t.Fatalf("insert: %v", err)
	}
	second.ExternalID = first.ExternalID
	err = s.Write(ctx, func(tx core.Tx) error { return tx.UpdateUser(ctx, &second) })
	wantCode(t, err, core.Conflict, "externalId")

	// A handled conflict leaves the transaction usable (PostgreSQL
	// savepoints).
	err = s.Write(ctx, func(tx core.Tx) error {
		dup := withExternalID(a.ID, "ext5@example.com", "okta-1")
		if err := tx.InsertUser(ctx, &dup); core.ErrorCodeOf(err) != core.Conflict {
			return fmt.Errorf("got %v, want a conflict", err)
		}
		ok := withExternalID(a.ID, "ext5@example.com", "okta-5")
		return tx.InsertUser(ctx, &ok)
	})
	if err != nil {
		t.Fatalf("insert after a handled conflict: %v", err)
	}
}

func testImportLookups(t *testing.T, s core.Store) {
	ctx := context.Background()
	a, b := mustCreateTenant(t, s), mustCreateTenant(t, s)
	ann := mustCreateUser(t, s, a.ID, "Ann@Example.com")
	bob := withExternalID(a.ID, "bob@example.com", "okta-bob")
	carol := withExternalID(b.ID, "carol@example.com", "okta-bob") // same externalId, other tenant
	for _, u := range []*core.User{&bob, &carol} {
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertUser(ctx, u) }); err != nil {
			t.Fatalf("insert %s: %v", u.Email, err)
		}
	}
	var byEmail, byExternal, otherTenant, none map[string]core.User
	err := s.Write(ctx, func(tx core.Tx) error {
		var err error
		if byEmail, err = tx.LookupUsersByEmail(ctx, []string{"ann@example.com", "carol@example.com", "nobody@example.com"}); err != nil {
			return err
		}
		if byExternal, err = tx.LookupUsersByExternalID(ctx, a.ID, []string{"okta-bob", "okta-nobody"}); err != nil {
			return err
		}
		if otherTenant, err = tx.LookupUsersByExternalID(ctx, b.ID, []string{"okta-bob"}); err != nil {
			return err
		}
		none, err = tx.LookupUsersByEmail(ctx, nil)
		return err
	})
	if err != nil {
		t.Fatalf("lookups: %v", err)
	}
	if diff := cmp.Diff(map[string]core.User{"ann@example.com": ann, "carol@example.com": carol}, byEmail); diff != "" {
		t.Errorf("by email (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]core.User{"okta-bob": bob}, byExternal); diff != "" {
		t.Errorf("by externalId in tenant a (-want +got):\n%s", diff)
	}
	if got := otherTenant["okta-bob"].ID; len(otherTenant) != 1 || got != carol.ID {
		t.Errorf("by externalId in tenant b: got %d users (id %d), want only %d", len(otherTenant), got, carol.ID)
	}
	if len(none) != 0 {
		t.Errorf("no emails: got %d users, want 0", len(none))
	}
	// The same lookup outside a transaction (the bulk face plans with it).
	outside, err := s.LookupUsersByEmail(ctx, []string{"ann@example.com", "carol@example.com", "nobody@example.com"})
	if err != nil {
		t.Fatalf("lookup outside a transaction: %v", err)
	}
	if diff := cmp.Diff(byEmail, outside); diff != "" {
		t.Errorf("by email outside a transaction (-in +outside):\n%s", diff)
	}
}

func testImportInsertUsers(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	team := mustCreateTeam(t, s, a.ID, "Imported")
	batch := make([]core.User, 3)
	for i := range batch {
		batch[i] = withExternalID(a.ID, fmt.Sprintf("import%d@example.com", i), fmt.Sprintf("ext-%d", i))
	}
	batch[1].RoleID, batch[1].Role, batch[1].AccountAdmin = core.RoleIDClientAdmin, core.RoleClientAdmin, true
	batch[1].TeamID = &team.ID
	batch[2].PasswordHash = ""
	batch[2].NotificationPreferences = []core.NotificationPreference{{Event: core.EventUserCreated, DeliveryPref: []string{"email"}}}
	var rowErrs []error
	err := s.Write(ctx, func(tx core.Tx) error {
		var err error
		rowErrs, err = tx.InsertUsers(ctx, batch)
		return err
	})
	if err != nil {
		t.Fatalf("InsertUsers: %v", err)
	}
	if !slices.Equal(rowErrs, []error{nil, nil, nil}) {
		t.Fatalf("row errors: got %v, want none", rowErrs)
	}
	for i, want := range batch {
		if want.ID == 0 || want.HomeTenantID != a.ID || !want.IsPrimary || want.Version != 1 {
			t.Fatalf("user %d: id %d home %d primary %v version %d; want id set, home %d, primary, version 1",
				i, want.ID, want.HomeTenantID, want.IsPrimary, want.Version, a.ID)
		}
		got, err := s.GetUser(ctx, a.ID, want.ID)
		if err != nil {
			t.Fatalf("get imported user %d: %v", i, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("imported user %d (-want +got):\n%s", i, diff)
		}
	}
	if n, err := s.CountUsers(ctx, a.ID, core.UserFilter{}); err != nil || n != 3 {
		t.Errorf("count: got %d, %v; want 3", n, err)
	}
	// An empty batch is no error.
	err = s.Write(ctx, func(tx core.Tx) error {
		errs, err := tx.InsertUsers(ctx, nil)
		if len(errs) != 0 {
			return fmt.Errorf("got %d row errors for no rows", len(errs))
		}
		return err
	})
	if err != nil {
		t.Fatalf("empty batch: %v", err)
	}
}

// A batch meeting existing rows (as after a concurrent writer) stores every
// other user and reports each refused one with the field at fault.
func testImportInsertUsersConflicts(t *testing.T, s core.Store) {
	ctx := context.Background()
	a, b := mustCreateTenant(t, s), mustCreateTenant(t, s)
	mustCreateUser(t, s, b.ID, "taken@example.com")
	existing := withExternalID(a.ID, "someone@example.com", "ext-taken")
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertUser(ctx, &existing) }); err != nil {
		t.Fatal(err)
	}
	missingTeam := int64(987654)
	batch := []core.User{
		withExternalID(a.ID, "fresh1@example.com", ""),
		withExternalID(a.ID, "TAKEN@example.com", ""),
		withExternalID(a.ID, "fresh2@example.com", "ext-taken"),
		withExternalID(a.ID, "fresh3@example.com", ""),
		withExternalID(a.ID, "fresh4@example.com", ""),
	}
	batch[4].TeamID = &missingTeam
	var rowErrs []error
	err := s.Write(ctx, func(tx core.Tx) error {
		var err error
		rowErrs, err = tx.InsertUsers(ctx, batch)
		return err
	})
	if err != nil {
		t.Fatalf("InsertUsers: %v", err)
	}
	want := []struct {
		code  core.ErrorCode
		field string
	}{{"", ""}, {core.Conflict, "email"}, {core.Conflict, "externalId"}, {"", ""}, {core.Invalid, "teamId"}}
	for i, w := range want {
		e := core.AsError(rowErrs[i])
		switch {
		case w.code == "" && rowErrs[i] != nil:
			t.Errorf("row %d: got %v, want stored", i, rowErrs[i])
		case w.code != "" && (e == nil || e.Code != w.code || e.Field != w.field):
			t.Errorf("row %d: got %v, want %s on %s", i, rowErrs[i], w.code, w.field)
		}
	}
	list, err := s.ListUsers(ctx, a.ID, core.UserFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var emails []string
	for _, u := range list {
		emails = append(emails, u.Email)
	}
	if diff := cmp.Diff([]string{"someone@example.com", "fresh1@example.com", "fresh3@example.com"}, emails); diff != "" {
		t.Errorf("tenant a's users (-want +got):\n%s", diff)
	}
	if batch[0].ID == 0 || batch[3].ID == 0 || batch[1].ID != 0 || batch[2].ID != 0 {
		t.Errorf("ids: got %d %d %d %d, want the stored rows' set and the refused rows' 0",
			batch[0].ID, batch[1].ID, batch[2].ID, batch[3].ID)
	}
}

func testImportInsertEvents(t *testing.T, s core.Store) {
	ctx := context.Background()
	a, b := mustCreateTenant(t, s), mustCreateTenant(t, s)
	at := now()
	events := []*core.Event{
		{TenantID: a.ID, Type: core.EventUserCreated, Actor: "operator", SubjectType: "user", SubjectID: "1",
			Payload: json.RawMessage(`{"user":{"id":1}}`), CreatedAt: at},
		{TenantID: a.ID, Type: core.EventUserUpdated, Actor: "operator", SubjectType: "user", SubjectID: "2",
			Payload: json.RawMessage(`{"changed":["name"]}`), CreatedAt: at},
		{TenantID: b.ID, Type: core.EventUserCreated, Actor: "operator", SubjectType: "user", SubjectID: "3", CreatedAt: at},
	}
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertEvents(ctx, events) }); err != nil {
		t.Fatalf("InsertEvents: %v", err)
	}
	if events[0].ID == 0 || events[1].ID <= events[0].ID {
		t.Fatalf("event ids: got %d, %d; want increasing", events[0].ID, events[1].ID)
	}
	got, err := s.ListEvents(ctx, a.ID, core.EventFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("events of a: got %d, want 2", len(got))
	}
	for i, e := range got {
		want := events[i]
		var gotPayload, wantPayload any
		if err := json.Unmarshal(e.Payload, &gotPayload); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(want.Payload, &wantPayload); err != nil {
			t.Fatal(err)
		}
		if e.ID != want.ID || e.Type != want.Type || e.SubjectID != want.SubjectID || !e.CreatedAt.Equal(want.CreatedAt) ||
			!cmp.Equal(gotPayload, wantPayload) {
			t.Errorf("event %d: got %+v, want %+v", i, e, *want)
		}
	}
	gotB, err := s.ListEvents(ctx, b.ID, core.EventFilter{Limit: 10})
	if err != nil || len(gotB) != 1 || string(gotB[0].Payload) != "{}" {
		t.Errorf("events of b: got %v, %v; want one with payload {}", gotB, err)
	}
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertEvents(ctx, nil) }); err != nil {
		t.Errorf("no events: %v", err)
	}
}

// A batch of tokens reads back as one InsertPasswordToken would store each,
// and spends like them.
func testInsertPasswordTokens(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	u1, u2 := mustCreateUser(t, s, a.ID, "tokens1@example.com"), mustCreateUser(t, s, a.ID, "tokens2@example.com")
	spent := now().Add(-time.Minute)
	tokens := []core.PasswordToken{newPasswordToken(u1, time.Hour), newPasswordToken(u1, 2*time.Hour), newPasswordToken(u2, time.Hour)}
	tokens[1].SpentAt = &spent
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertPasswordTokens(ctx, tokens) }); err != nil {
		t.Fatalf("InsertPasswordTokens: %v", err)
	}
	for i, want := range tokens {
		got, err := s.GetPasswordToken(ctx, want.Hash)
		if err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("token %d (-want +got):\n%s", i, diff)
		}
	}
	if err := spend(s, tokens[0].Hash, now()); err != nil {
		t.Errorf("spend token 0: %v", err)
	}
	wantCode(t, spend(s, tokens[1].Hash, now()), core.NotFound, "")
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertPasswordTokens(ctx, nil) }); err != nil {
		t.Errorf("no tokens: %v", err)
	}
}

// Memberships are added in a batch; one that exists is left alone; a batch
// naming another tenant's group or user is refused whole with Invalid
// "groups", and the transaction goes on.
func testInsertUserGroups(t *testing.T, s core.Store) {
	ctx := context.Background()
	a, b := mustCreateTenant(t, s), mustCreateTenant(t, s)
	wa, wb := mustCreateWorkspace(t, s, a.ID, "wa", "A"), mustCreateWorkspace(t, s, b.ID, "wb", "B")
	g1, g2 := mustCreateGroup(t, s, wa, "g1", "One"), mustCreateGroup(t, s, wa, "g2", "Two")
	other := mustCreateGroup(t, s, wb, "gb", "B's")
	u1, u2 := mustCreateUser(t, s, a.ID, "groups1@example.com"), mustCreateUser(t, s, a.ID, "groups2@example.com")
	stranger := mustCreateUser(t, s, b.ID, "groups3@example.com")

	groupsOf := func(u core.User) []string {
		t.Helper()
		ids, err := s.ListUserGroupIDs(ctx, u.TenantID, u.ID)
		if err != nil {
			t.Fatalf("ListUserGroupIDs(%d): %v", u.ID, err)
		}
		return ids
	}
	members := []core.GroupMember{{UserID: u1.ID, GroupID: g1.ID}, {UserID: u1.ID, GroupID: g2.ID}, {UserID: u2.ID, GroupID: g1.ID}}
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertUserGroups(ctx, a.ID, members) }); err != nil {
		t.Fatalf("InsertUserGroups: %v", err)
	}
	if got := groupsOf(u1); !slices.Equal(got, []string{"g1", "g2"}) {
		t.Errorf("groups of u1: %v, want [g1 g2]", got)
	}

	var refusedGroup, refusedUser error
	err := s.Write(ctx, func(tx core.Tx) error {
		refusedGroup = tx.InsertUserGroups(ctx, a.ID, []core.GroupMember{{UserID: u2.ID, GroupID: g2.ID}, {UserID: u2.ID, GroupID: other.ID}})
		refusedUser = tx.InsertUserGroups(ctx, a.ID, []core.GroupMember{{UserID: u2.ID, GroupID: g2.ID}, {UserID: stranger.ID, GroupID: g1.ID}})
		// A refused batch wrote nothing, not even its valid (u2, g2).
		if ids, err := tx.ListUserGroupIDs(ctx, a.ID, u2.ID); err != nil || !slices.Equal(ids, []string{"g1"}) {
			return fmt.Errorf("groups of u2 after the refused batches: %v, %v; want [g1]", ids, err)
		}
		// Still usable: an existing membership again, and a new one.
		return tx.InsertUserGroups(ctx, a.ID, []core.GroupMember{{UserID: u1.ID, GroupID: g1.ID}, {UserID: u2.ID, GroupID: g2.ID}})
	})
	if err != nil {
		t.Fatalf("InsertUserGroups after refusals: %v", err)
	}
	wantCode(t, refusedGroup, core.Invalid, "groups")
	wantCode(t, refusedUser, core.Invalid, "groups")
	if got := groupsOf(u2); !slices.Equal(got, []string{"g1", "g2"}) {
		t.Errorf("groups of u2: %v, want [g1 g2]", got)
	}
	if got := groupsOf(u1); !slices.Equal(got, []string{"g1", "g2"}) {
		t.Errorf("groups of u1 after a repeat: %v, want [g1 g2]", got)
	}
	if got, err := s.ListUserGroupIDs(ctx, b.ID, stranger.ID); err != nil || len(got) != 0 {
		t.Errorf("groups of b's user: %v, %v; want none", got, err)
	}
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertUserGroups(ctx, a.ID, nil) }); err != nil {
		t.Errorf("no memberships: %v", err)
	}
}
