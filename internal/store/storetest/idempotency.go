package storetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/internal/core"
)

// newIdempotencyRecord returns an unsaved, not completed record.
func newIdempotencyRecord(tenantID int64, key string, created time.Time) core.IdempotencyRecord {
	fp := sha256.Sum256([]byte(fmt.Sprintf("POST /users %d %s", tenantID, key)))
	return core.IdempotencyRecord{TenantID: tenantID, Key: key, Fingerprint: fp[:], CreatedAt: created}
}

func insertIdempotencyRecords(ctx context.Context, s core.Store, recs ...*core.IdempotencyRecord) error {
	return s.Write(ctx, func(tx core.Tx) error {
		for _, r := range recs {
			if err := tx.InsertIdempotencyRecord(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// wantIdempotencyRecord fails the test unless the store holds exactly want
// under (want.TenantID, want.Key).
func wantIdempotencyRecord(t *testing.T, s core.Store, want core.IdempotencyRecord) {
	t.Helper()
	got, err := s.GetIdempotencyRecord(context.Background(), want.TenantID, want.Key)
	if err != nil {
		t.Fatalf("get idempotency record %d/%s: %v", want.TenantID, want.Key, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("idempotency record %d/%s (-want +got):\n%s", want.TenantID, want.Key, diff)
	}
}

func testIdempotencyRecords(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	b := mustCreateTenant(t, s)

	// The same key in two tenants: two independent records.
	ra := newIdempotencyRecord(a.ID, "key-1", now())
	rb := newIdempotencyRecord(b.ID, "key-1", now().Add(time.Second))
	only := newIdempotencyRecord(a.ID, "only-in-a", now())
	if err := insertIdempotencyRecords(ctx, s, &ra, &rb, &only); err != nil {
		t.Fatalf("insert idempotency records: %v", err)
	}
	wantIdempotencyRecord(t, s, ra)
	wantIdempotencyRecord(t, s, rb)
	wantIdempotencyRecord(t, s, only)

	t.Run("NotFound", func(t *testing.T) {
		_, err := s.GetIdempotencyRecord(ctx, a.ID, "no-such-key")
		wantCode(t, err, core.NotFound, "")
		_, err = s.GetIdempotencyRecord(ctx, b.ID, only.Key) // a's key, seen from b
		wantCode(t, err, core.NotFound, "")
		_, err = s.GetIdempotencyRecord(ctx, 987654321, ra.Key)
		wantCode(t, err, core.NotFound, "")
		err = s.Write(ctx, func(tx core.Tx) error {
			_, err := tx.GetIdempotencyRecord(ctx, b.ID, only.Key)
			return err
		})
		wantCode(t, err, core.NotFound, "")
	})

	t.Run("Duplicate", func(t *testing.T) {
		dup := newIdempotencyRecord(a.ID, ra.Key, now())
		err := insertIdempotencyRecords(ctx, s, &dup)
		wantCode(t, err, core.Conflict, "Idempotency-Key")
		wantIdempotencyRecord(t, s, ra) // untouched

		// The Conflict leaves the transaction usable, as on every store.
		other := newIdempotencyRecord(a.ID, "key-after-conflict", now())
		err = s.Write(ctx, func(tx core.Tx) error {
			err := tx.InsertIdempotencyRecord(ctx, &dup)
			if e := core.AsError(err); e == nil || e.Code != core.Conflict || e.Field != "Idempotency-Key" {
				t.Errorf("duplicate inside a transaction: got %v, want a conflict on Idempotency-Key", err)
			}
			return tx.InsertIdempotencyRecord(ctx, &other)
		})
		if err != nil {
			t.Fatalf("insert after a handled conflict: %v", err)
		}
		wantIdempotencyRecord(t, s, other)
	})

	t.Run("Complete", func(t *testing.T) {
		body := []byte("{\"id\":7}\x00\xff\n\x80'\\")
		err := s.Write(ctx, func(tx core.Tx) error {
			if err := tx.CompleteIdempotencyRecord(ctx, a.ID, ra.Key, 201, body); err != nil {
				return err
			}
			// The transaction reads its own change.
			got, err := tx.GetIdempotencyRecord(ctx, a.ID, ra.Key)
			if err != nil {
				return err
			}
			if !got.Completed || got.Status != 201 {
				t.Errorf("completed record inside the transaction: got %+v", got)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("complete: %v", err)
		}
		want := ra
		want.Completed, want.Status, want.Body = true, 201, body
		wantIdempotencyRecord(t, s, want)
		wantIdempotencyRecord(t, s, rb) // the same key in b is not completed

		err = s.Write(ctx, func(tx core.Tx) error {
			return tx.CompleteIdempotencyRecord(ctx, a.ID, "no-such-key", 200, nil)
		})
		wantCode(t, err, core.NotFound, "")
		err = s.Write(ctx, func(tx core.Tx) error {
			return tx.CompleteIdempotencyRecord(ctx, b.ID, only.Key, 200, nil)
		})
		wantCode(t, err, core.NotFound, "")
		wantIdempotencyRecord(t, s, only)
	})

	t.Run("BodyRoundTrip", func(t *testing.T) {
		large := make([]byte, 1<<16)
		for i := range large {
			large[i] = byte(i * 7)
		}
		for name, body := range map[string][]byte{
			"Nil":    nil,
			"Empty":  {},
			"Zero":   {0},
			"Binary": {0xff, 0x00, 0xfe, 0x01, '\r', '\n', 0x80},
			"Large":  large,
		} {
			t.Run(name, func(t *testing.T) {
				r := newIdempotencyRecord(a.ID, "body-"+name, now())
				if err := insertIdempotencyRecords(ctx, s, &r); err != nil {
					t.Fatalf("insert: %v", err)
				}
				if err := s.Write(ctx, func(tx core.Tx) error {
					return tx.CompleteIdempotencyRecord(ctx, a.ID, r.Key, 204, body)
				}); err != nil {
					t.Fatalf("complete: %v", err)
				}
				r.Completed, r.Status, r.Body = true, 204, body
				wantIdempotencyRecord(t, s, r) // nil stays nil, empty stays empty
			})
		}
	})

	t.Run("Delete", func(t *testing.T) {
		err := s.Write(ctx, func(tx core.Tx) error { return tx.DeleteIdempotencyRecord(ctx, b.ID, only.Key) })
		wantCode(t, err, core.NotFound, "")
		wantIdempotencyRecord(t, s, only) // not deleted through another tenant

		if err := s.Write(ctx, func(tx core.Tx) error { return tx.DeleteIdempotencyRecord(ctx, a.ID, ra.Key) }); err != nil {
			t.Fatalf("delete: %v", err)
		}
		_, err = s.GetIdempotencyRecord(ctx, a.ID, ra.Key)
		wantCode(t, err, core.NotFound, "")
		wantIdempotencyRecord(t, s, rb) // the same key in b stays

		err = s.Write(ctx, func(tx core.Tx) error { return tx.DeleteIdempotencyRecord(ctx, a.ID, ra.Key) })
		wantCode(t, err, core.NotFound, "")

		// A deleted key may be used again.
		again := newIdempotencyRecord(a.ID, ra.Key, now())
		if err := insertIdempotencyRecords(ctx, s, &again); err != nil {
			t.Fatalf("reinsert deleted key: %v", err)
		}
		wantIdempotencyRecord(t, s, again)
	})
}

// testIdempotencyExpiry checks DeleteIdempotencyRecordsBefore: strictly
// older records go, of every tenant, and the count says how many.
func testIdempotencyExpiry(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	b := mustCreateTenant(t, s)
	cutoff := now().Add(-core.IdempotencyTTL)
	old1 := newIdempotencyRecord(a.ID, "old-1", cutoff.Add(-time.Hour))
	old2 := newIdempotencyRecord(b.ID, "old-2", cutoff.Add(-time.Microsecond))
	atCutoff := newIdempotencyRecord(a.ID, "at-cutoff", cutoff)
	fresh1 := newIdempotencyRecord(a.ID, "fresh-1", cutoff.Add(time.Microsecond))
	fresh2 := newIdempotencyRecord(b.ID, "fresh-2", now())
	if err := insertIdempotencyRecords(ctx, s, &old1, &old2, &atCutoff, &fresh1, &fresh2); err != nil {
		t.Fatalf("insert idempotency records: %v", err)
	}

	var n int64
	err := s.Write(ctx, func(tx core.Tx) error {
		var err error
		n, err = tx.DeleteIdempotencyRecordsBefore(ctx, cutoff)
		return err
	})
	if err != nil {
		t.Fatalf("delete records before the cutoff: %v", err)
	}
	if n != 2 {
		t.Errorf("deleted records: got %d, want 2", n)
	}
	for _, r := range []core.IdempotencyRecord{old1, old2} {
		_, err := s.GetIdempotencyRecord(ctx, r.TenantID, r.Key)
		wantCode(t, err, core.NotFound, "")
	}
	for _, r := range []core.IdempotencyRecord{atCutoff, fresh1, fresh2} {
		wantIdempotencyRecord(t, s, r)
	}

	err = s.Write(ctx, func(tx core.Tx) error {
		var err error
		n, err = tx.DeleteIdempotencyRecordsBefore(ctx, cutoff)
		return err
	})
	if err != nil || n != 0 {
		t.Fatalf("delete again: got %d, %v; want 0", n, err)
	}
}

// testIdempotencyKeyRace has two writers race to claim the same key in the
// same tenant, each reading first as a server would: exactly one wins and
// the other gets a Conflict on Idempotency-Key.
func testIdempotencyKeyRace(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	for round := range 10 {
		key := fmt.Sprintf("race-%d", round)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		start := make(chan struct{})
		for i := range 2 {
			wg.Go(func() {
				r := newIdempotencyRecord(a.ID, key, now())
				<-start
				errs[i] = s.Write(ctx, func(tx core.Tx) error {
					if _, err := tx.GetIdempotencyRecord(ctx, a.ID, key); core.ErrorCodeOf(err) != core.NotFound {
						if err == nil {
							// The other writer won before this one read.
							return core.FieldError(core.Conflict, "Idempotency-Key", "seen by the read")
						}
						return err
					}
					return tx.InsertIdempotencyRecord(ctx, &r)
				})
			})
		}
		close(start)
		wg.Wait()
		ok, conflicts := 0, 0
		for _, err := range errs {
			switch core.ErrorCodeOf(err) {
			case "":
				ok++
			case core.Conflict:
				if e := core.AsError(err); e.Field != "Idempotency-Key" {
					t.Fatalf("round %d: conflict on field %q, want Idempotency-Key", round, e.Field)
				}
				conflicts++
			default:
				t.Fatalf("round %d: unexpected error %v", round, err)
			}
		}
		if ok != 1 || conflicts != 1 {
			t.Fatalf("round %d: got %d inserted and %d conflicts, want exactly 1 and 1", round, ok, conflicts)
		}
	}

	// And bare inserts, without a read first: the key's uniqueness alone
	// decides.
	for round := range 10 {
		key := fmt.Sprintf("bare-race-%d", round)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		start := make(chan struct{})
		for i := range 2 {
			wg.Go(func() {
				r := newIdempotencyRecord(a.ID, key, now())
				<-start
				errs[i] = insertIdempotencyRecords(ctx, s, &r)
			})
		}
		close(start)
		wg.Wait()
		ok, conflicts := 0, 0
		for _, err := range errs {
			switch e := core.AsError(err); {
			case err == nil:
				ok++
			case e != nil && e.Code == core.Conflict && e.Field == "Idempotency-Key":
				conflicts++
			default:
				t.Fatalf("bare round %d: unexpected error %v", round, err)
			}
		}
		if ok != 1 || conflicts != 1 {
			t.Fatalf("bare round %d: got %d inserted and %d conflicts, want exactly 1 and 1", round, ok, conflicts)
		}
	}
}

// testIdempotencyReadLocks has a second writer read a record while a first
// one, which read it before, is about to complete it: the second must see
// the completed record, not the version from before, so that two requests
// with the same key never both run.
func testIdempotencyReadLocks(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	r := newIdempotencyRecord(a.ID, "locked", now())
	if err := insertIdempotencyRecords(ctx, s, &r); err != nil {
		t.Fatalf("insert: %v", err)
	}

	read := make(chan struct{})
	var (
		wg       sync.WaitGroup
		firstErr error
	)
	wg.Go(func() {
		firstErr = s.Write(ctx, func(tx core.Tx) error {
			if _, err := tx.GetIdempotencyRecord(ctx, a.ID, r.Key); err != nil {
				close(read)
				return err
			}
			close(read)
			time.Sleep(200 * time.Millisecond) // let the second writer reach its read
			return tx.CompleteIdempotencyRecord(ctx, a.ID, r.Key, 201, []byte("done"))
		})
	})
	<-read
	var seen core.IdempotencyRecord
	err := s.Write(ctx, func(tx core.Tx) error {
		var err error
		seen, err = tx.GetIdempotencyRecord(ctx, a.ID, r.Key)
		return err
	})
	wg.Wait()
	if firstErr != nil {
		t.Fatalf("first writer: %v", firstErr)
	}
	if err != nil {
		t.Fatalf("second writer: %v", err)
	}
	if !seen.Completed || seen.Status != 201 || string(seen.Body) != "done" {
		t.Fatalf("second writer read %+v, want the first writer's completed record", seen)
	}
}
