package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/postgres"
	"github.com/rosterhq/roster/internal/store/postgres/pgtest"
)

// A user who is a member of a second tenant: that tenant sees its own view,
// and deleting the user there removes only the membership.
func TestUserOfTwoTenants(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	s, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	home, guest := tenant("home"), tenant("guest")
	u := user(0, "Two@Example.com")
	if err := s.Write(ctx, func(tx core.Tx) error {
		if err := tx.InsertTenant(ctx, &home); err != nil {
			return err
		}
		if err := tx.InsertTenant(ctx, &guest); err != nil {
			return err
		}
		u.TenantID = home.ID
		return tx.InsertUser(ctx, &u)
	}); err != nil {
		t.Fatalf("setup: %v", err)
	}

	// No store method adds a membership yet: add one by hand.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `
		INSERT INTO memberships (tenant_id, user_id, role_id, is_primary, account_admin, created_at)
		VALUES ($1, $2, $3, FALSE, TRUE, now())`, guest.ID, u.ID, core.RoleIDClientAdmin); err != nil {
		t.Fatal(err)
	}

	g, err := s.GetUser(ctx, guest.ID, u.ID)
	if err != nil {
		t.Fatalf("get user as guest: %v", err)
	}
	if g.TenantID != guest.ID || g.HomeTenantID != home.ID || g.Role != core.RoleClientAdmin || g.IsPrimary || !g.AccountAdmin {
		t.Errorf("guest view: got tenant %d home %d role %q primary %v admin %v; want %d %d %q false true",
			g.TenantID, g.HomeTenantID, g.Role, g.IsPrimary, g.AccountAdmin, guest.ID, home.ID, core.RoleClientAdmin)
	}
	byEmail, err := s.GetUserByEmail(ctx, "two@example.com")
	if err != nil || byEmail.TenantID != home.ID || byEmail.Role != core.RoleClientUser {
		t.Errorf("by email: got tenant %d role %q (%v), want the home view (%d %q)", byEmail.TenantID, byEmail.Role, err, home.ID, core.RoleClientUser)
	}
	list, err := s.ListUsers(ctx, guest.ID, core.UserFilter{Email: "TWO@example.com"})
	if err != nil || len(list) != 1 || list[0].TenantID != guest.ID {
		t.Errorf("list as guest: got %+v, %v", list, err)
	}

	// The guest updates its view: the person changes everywhere, the
	// membership only in the guest tenant.
	g.Name, g.RoleID = "Renamed", core.RoleIDEditor
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.UpdateUser(ctx, &g) }); err != nil {
		t.Fatalf("update as guest: %v", err)
	}
	if g.Role != core.RoleEditor || g.Version != 2 {
		t.Errorf("after update: role %q version %d, want %q 2", g.Role, g.Version, core.RoleEditor)
	}
	h, err := s.GetUser(ctx, home.ID, u.ID)
	if err != nil || h.Name != "Renamed" || h.Role != core.RoleClientUser || h.Version != 2 {
		t.Errorf("home view after guest update: name %q role %q version %d (%v)", h.Name, h.Role, h.Version, err)
	}

	if err := s.Write(ctx, func(tx core.Tx) error { return tx.DeleteUser(ctx, guest.ID, u.ID) }); err != nil {
		t.Fatalf("delete from guest: %v", err)
	}
	if _, err := s.GetUser(ctx, guest.ID, u.ID); core.ErrorCodeOf(err) != core.NotFound {
		t.Errorf("guest view after delete: got %v, want NotFound", err)
	}
	if _, err := s.GetUser(ctx, home.ID, u.ID); err != nil {
		t.Errorf("home view after the guest removed the user: %v", err)
	}
}

func TestUpdateUserUnknownRole(t *testing.T) {
	s := pgtest.OpenStore(t)
	ctx := context.Background()
	a := tenant("a")
	u := user(0, "r@example.com")
	if err := s.Write(ctx, func(tx core.Tx) error {
		if err := tx.InsertTenant(ctx, &a); err != nil {
			return err
		}
		u.TenantID = a.ID
		return tx.InsertUser(ctx, &u)
	}); err != nil {
		t.Fatalf("setup: %v", err)
	}
	u.RoleID = 999
	err := s.Write(ctx, func(tx core.Tx) error { return tx.UpdateUser(ctx, &u) })
	if e := core.AsError(err); e == nil || e.Code != core.Invalid || e.Field != "role" {
		t.Errorf("update with unknown role: got %v, want Invalid on role", err)
	}
}

// Two writers re-read the same user inside their transactions and change
// different fields: the second must wait for the first and keep its change
// (no lost update), as SQLite's one-writer-at-a-time gives for free.
func TestConcurrentReadModifyWrite(t *testing.T) {
	s := pgtest.OpenStore(t)
	ctx := context.Background()
	a := tenant("a")
	u := user(0, "rmw@example.com")
	if err := s.Write(ctx, func(tx core.Tx) error {
		if err := tx.InsertTenant(ctx, &a); err != nil {
			return err
		}
		u.TenantID = a.ID
		return tx.InsertUser(ctx, &u)
	}); err != nil {
		t.Fatalf("setup: %v", err)
	}

	read := make(chan struct{})
	errs := make(chan error, 2)
	go func() {
		errs <- s.Write(ctx, func(tx core.Tx) error {
			got, err := tx.GetUser(ctx, a.ID, u.ID)
			if err != nil {
				return err
			}
			close(read)
			time.Sleep(200 * time.Millisecond) // let the other writer try to read
			got.Name = "first"
			return tx.UpdateUser(ctx, &got)
		})
	}()
	go func() {
		<-read
		errs <- s.Write(ctx, func(tx core.Tx) error {
			got, err := tx.GetUser(ctx, a.ID, u.ID)
			if err != nil {
				return err
			}
			got.Phone = "+15550100"
			return tx.UpdateUser(ctx, &got)
		})
	}()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	got, err := s.GetUser(ctx, a.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "first" || got.Phone != "+15550100" || got.Version != 3 {
		t.Errorf("after two updates: name %q phone %q version %d; want %q %q 3", got.Name, got.Phone, got.Version, "first", "+15550100")
	}
}

// A read inside a write transaction must not block other writers that only
// point at the row: inserting a user into a tenant another transaction has
// read goes ahead.
func TestTxReadDoesNotBlockInserts(t *testing.T) {
	s := pgtest.OpenStore(t)
	ctx := context.Background()
	a := tenant("a")
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertTenant(ctx, &a) }); err != nil {
		t.Fatalf("setup: %v", err)
	}
	err := s.Write(ctx, func(tx core.Tx) error {
		if _, err := tx.GetTenant(ctx, a.ID); err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		u := user(a.ID, "fk@example.com")
		return s.Write(ctx, func(tx core.Tx) error { return tx.InsertUser(ctx, &u) })
	})
	if err != nil {
		t.Fatalf("insert while the tenant is read in another transaction: %v", err)
	}
}
