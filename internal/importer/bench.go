package importer

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

// BenchHash is the pre-hashed password every benchmark user gets: OpenWall's
// crypt_blowfish test vector (the password "U*U"), a valid bcrypt hash.
const BenchHash = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"

// BenchOptions configure Bench.
type BenchOptions struct {
	Users     int
	BatchSize int
	Workers   int
	Import    ImportFunc
	// Marks are the row counts at which a line with the rate and the
	// memory is printed (the last row always gets one).
	Marks []int
	Out   io.Writer
	// Label says what is measured (the store), for the report.
	Label string
}

// BenchMark is one report line of Bench.
type BenchMark struct {
	Rows     int
	Elapsed  time.Duration
	RowsPerS float64
	RSS, HWM int64 // bytes: VmRSS and VmHWM of /proc/self/status
}

// Bench generates o.Users users as NDJSON lines (unique emails, names,
// BenchHash) on a pipe and imports them exactly as `roster import` imports
// a JSON-lines file: read and decoded line by line, batched, and sent to
// o.Import. Nothing holds the whole input. It prints its parameters and a
// line per mark.
func Bench(ctx context.Context, o BenchOptions) ([]BenchMark, error) {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Workers <= 0 {
		o.Workers = 1
	}
	fmt.Fprintf(o.Out, "import benchmark: %d users, batch %d, %d workers, pre-hashed bcrypt, %s, cores=%d, GOMAXPROCS=%d\n",
		o.Users, o.BatchSize, o.Workers, o.Label, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriterSize(pw, 64<<10)
		prefix := fmt.Sprintf("bench-%d", time.Now().UnixNano())
		for i := range o.Users {
			if _, err := fmt.Fprintf(w, `{"email":"%s-%d@bench.example","name":"Bench User %d","password_hash":"%s"}`+"\n", prefix, i, i, BenchHash); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(w.Flush())
	}()
	defer pr.Close()

	marks := map[int]bool{o.Users: true}
	for _, m := range o.Marks {
		marks[m] = true
	}
	var out []BenchMark
	rows := 0
	start := time.Now()
	_, err := Run(ctx, NewJSONLines(pr, 0, 0, DefaultMaxLine), Options{
		BatchSize: o.BatchSize, Workers: o.Workers, Import: o.Import,
		Done: func(b Batch) error {
			for _, r := range b.Results {
				if r.Status != "created" {
					return fmt.Errorf("line %d: %s %s %s", r.Line, r.Status, r.Field, r.Error)
				}
			}
			before := rows
			rows += len(b.Records)
			for m := range marks {
				if before < m && rows >= m {
					mark := BenchMark{Rows: rows, Elapsed: time.Since(start)}
					mark.RowsPerS = float64(rows) / mark.Elapsed.Seconds()
					mark.RSS, mark.HWM = memoryOfProcess()
					out = append(out, mark)
					fmt.Fprintf(o.Out, "%9d users  %8.2fs  %8.0f users/s  RSS %6.1f MiB  peak RSS %6.1f MiB\n",
						mark.Rows, mark.Elapsed.Seconds(), mark.RowsPerS, mib(mark.RSS), mib(mark.HWM))
				}
			}
			return nil
		},
	})
	return out, err
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// memoryOfProcess reads VmRSS and VmHWM (peak RSS) from /proc/self/status;
// zeros where it is not available.
func memoryOfProcess() (rss, hwm int64) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		var kb int64
		if _, err := fmt.Sscanf(line, "VmRSS: %d kB", &kb); err == nil {
			rss = kb << 10
		}
		if _, err := fmt.Sscanf(line, "VmHWM: %d kB", &kb); err == nil {
			hwm = kb << 10
		}
	}
	return rss, hwm
}
