package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/rosterhq/roster/internal/core"
)

// testCursorListingDuringInserts pages through a tenant's users while
// another writer keeps adding users: every user that existed before the
// listing started must appear exactly once, and nothing may appear twice.
func testCursorListingDuringInserts(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	const before, during, pageSize = 150, 150, 7

	existing := map[int64]bool{}
	if err := s.Write(ctx, func(tx core.Tx) error {
		for i := range before {
			u := newUser(a.ID, fmt.Sprintf("before%d@example.com", i))
			if err := tx.InsertUser(ctx, &u); err != nil {
				return err
			}
			existing[u.ID] = true
		}
		return nil
	}); err != nil {
		t.Fatalf("seed users: %v", err)
	}

	var wg sync.WaitGroup
	wg.Add(1)
	insertErr := make(chan error, 1)
	go func() {
		defer wg.Done()
		for i := range during {
			u := newUser(a.ID, fmt.Sprintf("during%d@example.com", i))
			if err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertUser(ctx, &u) }); err != nil {
				insertErr <- err
				return
			}
		}
	}()

	seen := map[int64]int{}
	var after int64
	for {
		page, err := s.ListUsers(ctx, a.ID, core.UserFilter{AfterID: after, Limit: pageSize})
		if err != nil {
			t.Fatalf("list page after %d: %v", after, err)
		}
		if len(page) == 0 {
			break
		}
		for _, u := range page {
			if u.ID <= after {
				t.Fatalf("page after %d holds id %d: not in id order", after, u.ID)
			}
			seen[u.ID]++
			after = u.ID
		}
	}
	wg.Wait()
	select {
	case err := <-insertErr:
		t.Fatalf("concurrent insert: %v", err)
	default:
	}

	for id, n := range seen {
		if n != 1 {
			t.Errorf("user %d listed %d times", id, n)
		}
	}
	for id := range existing {
		if seen[id] != 1 {
			t.Errorf("pre-existing user %d listed %d times, want 1", id, seen[id])
		}
	}
}
