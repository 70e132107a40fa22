package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

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
