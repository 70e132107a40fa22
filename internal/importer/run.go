package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/rosterhq/roster/internal/core"
)

// DefaultBatchSize is how many rows go to the core in one transaction.
const DefaultBatchSize = 1000

// Result is what happened to one input row. It is also the NDJSON result
// line of POST /api/v1/users/import.
type Result struct {
	Line   int    `json:"line"`
	Email  string `json:"email"`
	Status string `json:"status"`
	ID     int64  `json:"id,omitempty"`
	Error  string `json:"error,omitempty"`
	Field  string `json:"field,omitempty"`
}

// Summary counts the results of an import by status.
type Summary struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Error     int `json:"error"`
}

// Rows is how many rows the summary counts.
func (s Summary) Rows() int { return s.Created + s.Updated + s.Unchanged + s.Error }

// Add counts results.
func (s *Summary) Add(results ...Result) {
	for _, r := range results {
		switch r.Status {
		case core.ImportCreated:
			s.Created++
		case core.ImportUpdated:
			s.Updated++
		case core.ImportUnchanged:
			s.Unchanged++
		default:
			s.Error++
		}
	}
}

// Batch is a batch of rows, committed, with its results.
type Batch struct {
	Seq     int
	Records []Record
	Results []Result
}

// End is the input offset just past the batch's last row.
func (b Batch) End() int64 { return b.Records[len(b.Records)-1].End }

// ImportFunc imports a batch and returns one result per record, records
// refused while reading (Record.Err) included. An error spoils the whole
// batch (nothing of it was committed) and ends the import.
type ImportFunc func(ctx context.Context, records []Record) ([]Result, error)

// Options tune Run.
type Options struct {
	BatchSize int // DefaultBatchSize when <= 0
	// Workers is how many batches are imported at once (1 when <= 0). More
	// than one overlaps the store's work on one batch with another's; rows
	// repeating an email of a batch in flight may then be refused as
	// taken rather than update it.
	Workers int
	Import  ImportFunc
	// Done is called for each committed batch, in input order, from one
	// goroutine. An error from it ends the import.
	Done func(Batch) error
}

// Run reads src to its end in batches, imports each with o.Import, and
// hands the results to o.Done in input order. It holds at most about
// Workers+2 batches in memory whatever the input's size. It returns the
// summary of the batches handed to Done.
func Run(ctx context.Context, src Source, o Options) (Summary, error) {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Workers <= 0 {
		o.Workers = 1
	}
	// stop ends reading when a batch fails: batches already being imported
	// finish (so that those before the failure are handed to Done), and no
	// new one starts. cancel ends everything, when Done fails.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopCtx, stop := context.WithCancel(ctx)
	defer stop()

	type done struct {
		batch Batch
		err   error
	}
	batches := make(chan Batch)
	finished := make(chan done, o.Workers)
	var readErr error

	go func() {
		defer close(batches)
		seq := 0
		for {
			b := Batch{Seq: seq, Records: make([]Record, 0, o.BatchSize)}
			var err error
			for len(b.Records) < o.BatchSize {
				var rec Record
				if rec, err = src.Next(); err != nil {
					break
				}
				b.Records = append(b.Records, rec)
			}
			if len(b.Records) > 0 {
				select {
				case batches <- b:
				case <-stopCtx.Done():
					return
				}
				seq++
			}
			if err != nil {
				if !errors.Is(err, io.EOF) {
					readErr = err
				}
				return
			}
		}
	}()

	var wg sync.WaitGroup
	for range o.Workers {
		wg.Go(func() {
			for b := range batches {
				if err := stopCtx.Err(); err != nil {
					finished <- done{b, errSkipped}
					continue
				}
				results, err := o.Import(ctx, b.Records)
				if err == nil && len(results) != len(b.Records) {
					err = fmt.Errorf("import: got %d results for %d rows", len(results), len(b.Records))
				}
				b.Results = results
				finished <- done{b, err}
			}
		})
	}
	go func() {
		wg.Wait()
		close(finished)
	}()

	var sum Summary
	var firstErr error
	failedSeq := -1 // the earliest failed batch: Done stops before it
	errSeq := -1    // the batch whose failure firstErr reports
	pending := map[int]Batch{}
	next := 0
	for d := range finished {
		if d.err != nil {
			stop()
			if failedSeq < 0 || d.batch.Seq < failedSeq {
				failedSeq = d.batch.Seq
			}
			// The earliest real failure is the one to report.
			if !errors.Is(d.err, errSkipped) && (firstErr == nil || d.batch.Seq < errSeq) {
				firstErr = fmt.Errorf("batch of lines %d-%d: %w", d.batch.Records[0].Line, d.batch.Records[len(d.batch.Records)-1].Line, d.err)
				errSeq = d.batch.Seq
			}
			continue
		}
		pending[d.batch.Seq] = d.batch
		for failedSeq < 0 || next < failedSeq {
			b, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			sum.Add(b.Results...)
			if o.Done == nil {
				continue
			}
			if err := o.Done(b); err != nil {
				if firstErr == nil {
					firstErr = err
				}
				failedSeq = next // nothing more is handed over
				cancel()
				break
			}
		}
	}
	if firstErr != nil {
		return sum, firstErr
	}
	if readErr != nil {
		return sum, readErr
	}
	return sum, ctx.Err()
}

// errSkipped marks a batch not imported because an earlier one failed.
var errSkipped = errors.New("skipped after an earlier failure")

// errorResult is the result of a refused row.
func errorResult(line int, email string, e *core.Error) Result {
	return Result{Line: line, Email: email, Status: core.ImportError, Error: e.Message, Field: e.Field}
}

// StoreImport imports batches through the core service, as actor, matching
// rows by match.
func StoreImport(svc *core.Service, actor core.Actor, match core.ImportMatch) ImportFunc {
	return func(ctx context.Context, records []Record) ([]Result, error) {
		results := make([]Result, len(records))
		users := make([]core.ImportUser, 0, len(records))
		index := make([]int, 0, len(records))
		for i, r := range records {
			if r.Err != nil {
				results[i] = errorResult(r.Line, r.Row.Email, r.Err)
				continue
			}
			users = append(users, r.User)
			index = append(index, i)
		}
		if len(users) == 0 {
			return results, nil
		}
		out, err := svc.ImportUsers(ctx, actor, match, users)
		if err != nil {
			return nil, err
		}
		for j, i := range index {
			r := out[j]
			if r.Err != nil {
				results[i] = errorResult(records[i].Line, r.Email, r.Err)
				continue
			}
			results[i] = Result{Line: records[i].Line, Email: r.Email, Status: r.Status, ID: r.ID}
		}
		return results, nil
	}
}
