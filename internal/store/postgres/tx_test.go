package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/postgres"
	"github.com/rosterhq/roster/internal/store/postgres/pgtest"
)

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func tenant(sub string) core.Tenant {
	ts := now()
	return core.Tenant{ClientID: "clt_" + (sub + "000000000000000000000")[:21], Subdomain: sub, Name: sub, CreatedAt: ts, UpdatedAt: ts}
}

func user(tenantID int64, email string) core.User {
	ts := now()
	return core.User{TenantID: tenantID, Email: email, RoleID: core.RoleIDClientUser, Active: true, CreatedAt: ts, UpdatedAt: ts}
}

// A Conflict inside a transaction leaves the transaction usable: the caller
// may handle it and go on, as on SQLite.
func TestWriteContinuesAfterConflict(t *testing.T) {
	s := pgtest.OpenStore(t)
	ctx := context.Background()
	a := tenant("a")
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertTenant(ctx, &a) }); err != nil {
		t.Fatalf("insert tenant: %v", err)
	}
	u := user(a.ID, "x@example.com")
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertUser(ctx, &u) }); err != nil {
		t.Fatalf("insert user: %v", err)
	}

	var got []core.ErrorCode
	err := s.Write(ctx, func(tx core.Tx) error {
		dup := tenant("a")
		dup.ClientID = "clt_bbbbbbbbbbbbbbbbbbbbb"
		got = append(got, core.ErrorCodeOf(tx.InsertTenant(ctx, &dup)))
		dup.Subdomain = "a-2"
		if err := tx.InsertTenant(ctx, &dup); err != nil {
			return err
		}
		du := user(dup.ID, "X@example.com")
		got = append(got, core.ErrorCodeOf(tx.InsertUser(ctx, &du)))
		mu := u
		mu.Email = "X@EXAMPLE.COM" // same address, other spelling: allowed for the same user
		if err := tx.UpdateUser(ctx, &mu); err != nil {
			return err
		}
		gone := u
		gone.ID = 987654321
		got = append(got, core.ErrorCodeOf(tx.UpdateUser(ctx, &gone)))
		du.Email = "y@example.com"
		return tx.InsertUser(ctx, &du)
	})
	if err != nil {
		t.Fatalf("write after handled errors: %v", err)
	}
	want := []core.ErrorCode{core.Conflict, core.Conflict, core.NotFound}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("handled errors: got %v, want %v", got, want)
	}
	if _, err := s.GetTenantBySubdomain(ctx, "a-2"); err != nil {
		t.Errorf("tenant inserted after a conflict was not committed: %v", err)
	}
	if _, err := s.GetUserByEmail(ctx, "y@example.com"); err != nil {
		t.Errorf("user inserted after a conflict was not committed: %v", err)
	}
}

func TestWriteReturnsCommitError(t *testing.T) {
	s := pgtest.OpenStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errBoom := errors.New("boom")
	if err := s.Write(ctx, func(core.Tx) error { return errBoom }); err != errBoom {
		t.Fatalf("Write: got %v, want fn's error unchanged", err)
	}
	err := s.Write(ctx, func(core.Tx) error { cancel(); return nil })
	if err == nil || !strings.HasPrefix(err.Error(), "commit transaction: ") {
		t.Fatalf("Write with a context cancelled before commit: got %v, want the commit's error, wrapped", err)
	}
}

func TestInsertIntoUnknownTenant(t *testing.T) {
	s := pgtest.OpenStore(t)
	ctx := context.Background()
	u := user(987654321, "nobody@example.com")
	err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertUser(ctx, &u) })
	if got := core.ErrorCodeOf(err); got != core.NotFound {
		t.Errorf("insert user: got %q (%v), want %q", got, err, core.NotFound)
	}
	k := core.APIKey{TenantID: 987654321, Prefix: "bdk_x", Hash: []byte{1}, CreatedAt: now()}
	err = s.Write(ctx, func(tx core.Tx) error { return tx.InsertAPIKey(ctx, &k) })
	if got := core.ErrorCodeOf(err); got != core.NotFound {
		t.Errorf("insert api key: got %q (%v), want %q", got, err, core.NotFound)
	}
}

func TestMigrateConcurrently(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			s, err := postgres.Open(ctx, url)
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			errs <- s.Migrate(ctx)
		}()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Errorf("Migrate: %v", err)
		}
	}
}
