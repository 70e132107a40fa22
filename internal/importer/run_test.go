package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

// lines returns n NDJSON users, every tenth with a bad email.
func lines(n int) string {
	var b strings.Builder
	for i := range n {
		if i%10 == 9 {
			fmt.Fprintf(&b, "{\"email\":\"bad-%d\"}\n", i)
			continue
		}
		fmt.Fprintf(&b, "{\"email\":\"u%d@x.io\"}\n", i)
	}
	return b.String()
}

// fakeImport creates every row, taking longer for earlier batches so that
// concurrent batches finish out of order.
func fakeImport(ctx context.Context, records []Record) ([]Result, error) {
	time.Sleep(time.Duration(100-records[0].Line%100) * 10 * time.Microsecond)
	out := make([]Result, len(records))
	for i, r := range records {
		status := core.ImportCreated
		if strings.HasPrefix(r.User.Email, "bad") {
			status = core.ImportError
		}
		out[i] = Result{Line: r.Line, Email: r.User.Email, Status: status}
	}
	return out, ctx.Err()
}

func TestRun_OrderAndSummary(t *testing.T) {
	t.Parallel()
	for _, workers := range []int{1, 4} {
		t.Run(fmt.Sprint(workers), func(t *testing.T) {
			var seen []int
			next := 1
			sum, err := Run(t.Context(), NewJSONLines(strings.NewReader(lines(1005)), 0, 0, 0), Options{
				BatchSize: 100, Workers: workers, Import: fakeImport,
				Done: func(b Batch) error {
					seen = append(seen, b.Seq)
					for _, r := range b.Results {
						if r.Line != next {
							return fmt.Errorf("got line %d, want %d", r.Line, next)
						}
						next++
					}
					return nil
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(seen) != 11 || seen[10] != 10 || next != 1006 {
				t.Errorf("batches %v, next line %d; want 0..10 in order and 1005 lines", seen, next)
			}
			if sum != (Summary{Created: 905, Error: 100}) {
				t.Errorf("summary: got %+v, want 905 created, 100 errors", sum)
			}
		})
	}
}

func TestRun_StopsAtTheFirstFailure(t *testing.T) {
	t.Parallel()
	failing := func(ctx context.Context, records []Record) ([]Result, error) {
		if records[0].Line > 300 {
			return nil, errors.New("store down")
		}
		return fakeImport(ctx, records)
	}
	done := 0
	sum, err := Run(t.Context(), NewJSONLines(strings.NewReader(lines(1000)), 0, 0, 0), Options{
		BatchSize: 100, Workers: 2, Import: failing, Done: func(Batch) error { done++; return nil },
	})
	if err == nil || !strings.Contains(err.Error(), "store down") {
		t.Fatalf("got %v, want the store's failure", err)
	}
	// The batches before the first failure that were imported are handed
	// over (one in flight may be skipped instead); none after it.
	if done > 3 || sum.Rows() != done*100 {
		t.Errorf("got %d batches done (%d rows), want at most the 3 before the failure", done, sum.Rows())
	}
}
