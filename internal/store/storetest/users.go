package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/internal/core"
)

func testUsers(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	b := mustCreateTenant(t, s)
	u1 := mustCreateUser(t, s, a.ID, "Ann@Example.com")
	u2 := mustCreateUser(t, s, a.ID, "bob@example.com")
	ub := mustCreateUser(t, s, b.ID, "carol@example.com")
	if u1.ID == 0 || u1.HomeTenantID != a.ID || u1.Version != 1 {
		t.Fatalf("inserted user: id %d, home %d, version %d; want id set, home %d, version 1", u1.ID, u1.HomeTenantID, u1.Version, a.ID)
	}

	got, err := s.GetUser(ctx, a.ID, u1.ID)
	if err != nil {
		t.Fatalf("get user: %v", err)
	}
	if diff := cmp.Diff(u1, got); diff != "" {
		t.Errorf("get user (-want +got):\n%s", diff)
	}
	got, err = s.GetUserByEmail(ctx, "ann@example.com")
	if err != nil {
		t.Fatalf("get user by normalized email: %v", err)
	}
	if got.ID != u1.ID || got.Email != "Ann@Example.com" || got.TenantID != a.ID {
		t.Errorf("get by email: got id %d email %q tenant %d, want %d %q %d", got.ID, got.Email, got.TenantID, u1.ID, "Ann@Example.com", a.ID)
	}

	list, err := s.ListUsers(ctx, a.ID, core.UserFilter{Limit: 10})
	if err != nil {
		t.Fatalf("list users: %v", err)
	}
	if len(list) != 2 || list[0].ID != u1.ID || list[1].ID != u2.ID {
		t.Fatalf("list users of a: got %v, want [%d %d]", userIDs(list), u1.ID, u2.ID)
	}
	list, err = s.ListUsers(ctx, a.ID, core.UserFilter{Limit: 10, Email: "BOB@example.com"})
	if err != nil || len(list) != 1 || list[0].ID != u2.ID {
		t.Fatalf("list by email: got %v, %v; want [%d]", userIDs(list), err, u2.ID)
	}

	t.Run("DuplicateEmailCaseInsensitive", func(t *testing.T) {
		dup := newUser(b.ID, "ANN@example.COM")
		err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertUser(ctx, &dup) })
		wantCode(t, err, core.Conflict, "email")
	})

	t.Run("CrossTenant", func(t *testing.T) {
		_, err := s.GetUser(ctx, b.ID, u1.ID)
		wantCode(t, err, core.NotFound, "")
		list, err := s.ListUsers(ctx, b.ID, core.UserFilter{Limit: 10})
		if err != nil || len(list) != 1 || list[0].ID != ub.ID {
			t.Fatalf("list users of b: got %v, %v; want only [%d]", userIDs(list), err, ub.ID)
		}
		stolen := u1
		stolen.TenantID = b.ID
		stolen.Name = "stolen"
		err = s.Write(ctx, func(tx core.Tx) error { return tx.UpdateUser(ctx, &stolen) })
		wantCode(t, err, core.NotFound, "")
		err = s.Write(ctx, func(tx core.Tx) error { return tx.DeleteUser(ctx, b.ID, u1.ID) })
		wantCode(t, err, core.NotFound, "")
		got, err := s.GetUser(ctx, a.ID, u1.ID)
		if err != nil || got.Name != u1.Name {
			t.Fatalf("user changed through another tenant: %+v, %v", got, err)
		}
	})

	t.Run("Update", func(t *testing.T) {
		u := u2
		u.Name = "Robert"
		u.Email = "robert@example.com"
		u.RoleID, u.Role = core.RoleIDClientAdmin, core.RoleClientAdmin
		u.Active = false
		u.UpdatedAt = now().Add(time.Second)
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.UpdateUser(ctx, &u) }); err != nil {
			t.Fatalf("update user: %v", err)
		}
		if u.Version != 2 {
			t.Errorf("version after update: got %d, want 2", u.Version)
		}
		got, err := s.GetUser(ctx, a.ID, u.ID)
		if err != nil {
			t.Fatalf("get updated user: %v", err)
		}
		if diff := cmp.Diff(u, got); diff != "" {
			t.Errorf("updated user (-want +got):\n%s", diff)
		}
		taken := u
		taken.Email = "CAROL@example.com"
		err = s.Write(ctx, func(tx core.Tx) error { return tx.UpdateUser(ctx, &taken) })
		wantCode(t, err, core.Conflict, "email")
		missing := newUser(a.ID, "ghost@example.com")
		missing.ID = 987654321
		err = s.Write(ctx, func(tx core.Tx) error { return tx.UpdateUser(ctx, &missing) })
		wantCode(t, err, core.NotFound, "")
	})

	t.Run("Delete", func(t *testing.T) {
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.DeleteUser(ctx, a.ID, u1.ID) }); err != nil {
			t.Fatalf("delete user: %v", err)
		}
		_, err := s.GetUser(ctx, a.ID, u1.ID)
		wantCode(t, err, core.NotFound, "")
		_, err = s.GetUserByEmail(ctx, "ann@example.com")
		wantCode(t, err, core.NotFound, "")
		err = s.Write(ctx, func(tx core.Tx) error { return tx.DeleteUser(ctx, a.ID, u1.ID) })
		wantCode(t, err, core.NotFound, "")
		// The email is free again.
		mustCreateUser(t, s, b.ID, "ann@example.com")
	})
}

func testUserFieldsRoundTrip(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	team := mustCreateTeam(t, s, a.ID, "Full").ID
	u := newUser(a.ID, "full@example.com")
	u.PasswordHash = ""
	u.RoleID, u.Role = core.RoleIDEditor, core.RoleEditor
	u.AccountAdmin = true
	u.Active = false
	u.EmailFilteringEnabled = false
	u.Notifications = true
	u.NotificationPreferences = []core.NotificationPreference{
		{Event: "user_created", AccountID: "7", DeliveryPref: []string{"email", "sms"}},
		{Event: "user_deleted"},
	}
	u.Language, u.Timezone, u.Phone = "pt-BR", "America/Sao_Paulo", "+5511999999999"
	u.ImageURL = "https://example.com/a.png"
	u.TeamID = &team
	u.ExternalID = "ext-1"
	u.ExternalRefs = [3]string{"r1", "r2", "r3"}
	u.Strings = [5]string{"s1", "s2", "s3", "s4", "ünïcødé"}
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertUser(ctx, &u) }); err != nil {
		t.Fatalf("insert: %v", err)
	}
	got, err := s.GetUser(ctx, a.ID, u.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if diff := cmp.Diff(u, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

// testDuplicateEmailRace has two writers race to create the same address in
// two spellings: the unique index must let exactly one through.
func testDuplicateEmailRace(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	b := mustCreateTenant(t, s)
	for round := range 10 {
		spellings := [2]string{fmt.Sprintf("A%d@x.io", round), fmt.Sprintf("a%d@x.io", round)}
		tenants := [2]int64{a.ID, b.ID}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		start := make(chan struct{})
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u := newUser(tenants[i], spellings[i])
				<-start
				errs[i] = s.Write(ctx, func(tx core.Tx) error { return tx.InsertUser(ctx, &u) })
			}()
		}
		close(start)
		wg.Wait()
		ok, conflicts := 0, 0
		for _, err := range errs {
			switch core.ErrorCodeOf(err) {
			case "":
				ok++
			case core.Conflict:
				conflicts++
			default:
				t.Fatalf("round %d: unexpected error %v", round, err)
			}
		}
		if ok != 1 || conflicts != 1 {
			t.Fatalf("round %d: got %d created and %d conflicts, want exactly 1 and 1", round, ok, conflicts)
		}
	}
}

func userIDs(us []core.User) []int64 {
	ids := make([]int64, len(us))
	for i, u := range us {
		ids[i] = u.ID
	}
	return ids
}
