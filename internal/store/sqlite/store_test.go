package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/sqlite"
	"github.com/rosterhq/roster/internal/store/storetest"
)

// mustOpen opens and migrates a store on path, closed when the test ends.
func mustOpen(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) core.Store {
		return mustOpen(t, filepath.Join(t.TempDir(), "roster.db"))
	})
}

func newTenant(i int) core.Tenant {
	ts := time.Now().UTC().Truncate(time.Microsecond)
	return core.Tenant{
		ClientID:  fmt.Sprintf("clt_%021d", i),
		Subdomain: fmt.Sprintf("t%d", i),
		Name:      fmt.Sprintf("Tenant %d", i),
		CreatedAt: ts,
		UpdatedAt: ts,
	}
}

// insertTenants runs n concurrent Writes, each inserting one tenant, spread
// over the stores, and fails the test on any error.
func insertTenants(t *testing.T, n int, stores ...*sqlite.Store) {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			s := stores[i%len(stores)]
			tn := newTenant(i)
			<-start
			errs[i] = s.Write(ctx, func(tx core.Tx) error {
				// Read before writing, as the core does: in a deferred
				// transaction the write would then fail at once with
				// SQLITE_BUSY instead of waiting for the lock.
				if _, err := tx.ListTenants(ctx, 0, 1); err != nil {
					return err
				}
				time.Sleep(time.Millisecond) // let the other store's writer in, if it can
				return tx.InsertTenant(ctx, &tn)
			})
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
	list, err := stores[0].ListTenants(ctx, 0, 2*n)
	if err != nil || len(list) != n {
		t.Fatalf("tenants after concurrent writes: got %d, %v; want %d", len(list), err, n)
	}
}

// TestConcurrentWrites has 50 goroutines write at once: all succeed, none is
// refused with "database is locked".
func TestConcurrentWrites(t *testing.T) {
	insertTenants(t, 50, mustOpen(t, filepath.Join(t.TempDir(), "roster.db")))
}

// TestConcurrentWritesTwoStores does the same through two Stores on one
// file, as two processes would: BEGIN IMMEDIATE and the busy timeout make
// the second writer wait for the first instead of failing.
func TestConcurrentWritesTwoStores(t *testing.T) {
	path := filepath.Join(t.TempDir(), "roster.db")
	insertTenants(t, 50, mustOpen(t, path), mustOpen(t, path))
}

// TestReadDuringWrite reads through the Store while a Write is open: reads
// use their own connections and see the last committed state.
func TestReadDuringWrite(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := mustOpen(t, filepath.Join(t.TempDir(), "roster.db"))
	committed := newTenant(1)
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertTenant(ctx, &committed) }); err != nil {
		t.Fatalf("insert: %v", err)
	}
	pending := newTenant(2)
	err := s.Write(ctx, func(tx core.Tx) error {
		if err := tx.InsertTenant(ctx, &pending); err != nil {
			return err
		}
		if _, err := s.GetTenant(ctx, committed.ID); err != nil {
			return fmt.Errorf("read committed tenant during write: %w", err)
		}
		_, err := s.GetTenant(ctx, pending.ID)
		if core.ErrorCodeOf(err) != core.NotFound {
			return fmt.Errorf("read uncommitted tenant during write: got %v, want not found", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetTenant(ctx, pending.ID); err != nil {
		t.Fatalf("tenant after commit: %v", err)
	}
}

// TestMigrateTwice checks that migrating an up-to-date file is a no-op.
func TestMigrateTwice(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "roster.db"))
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
}

func TestOpenRefusesMemory(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file::memory:"} {
		if s, err := sqlite.Open(context.Background(), path); err == nil {
			s.Close()
			t.Errorf("Open(%q): got no error, want one", path)
		}
	}
}
