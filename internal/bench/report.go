package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

// Result is one run: the machine and parameters, then each measurement.
// Its JSON form is `roster bench --json`.
type Result struct {
	Cores           int     `json:"cores"`
	GOMAXPROCS      int     `json:"gomaxprocs"`
	Store           string  `json:"store"`
	Argon2          Argon2  `json:"argon2"`
	Workers         int     `json:"hashWorkers"`
	Callers         int     `json:"callers"` // goroutines driving the hash and create measurements
	Users           int     `json:"users"`   // N
	Rate            int     `json:"rate"`    // reads per second asked for
	DurationSeconds float64 `json:"durationSeconds"`

	Hash   Throughput   `json:"hash"`
	Create CreateResult `json:"create"`
	Read   ReadResult   `json:"read"`
}

// Argon2 are the argon2id parameters of the run.
type Argon2 struct {
	MemoryKiB uint32 `json:"memoryKiB"`
	Time      uint32 `json:"time"`
	Threads   uint8  `json:"threads"`
}

func argon2Of(p core.Argon2Params) Argon2 {
	return Argon2{MemoryKiB: p.MemoryKiB, Time: p.Time, Threads: p.Threads}
}

// Throughput is Count operations in Seconds.
type Throughput struct {
	Count     int     `json:"count"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"perSecond"`
}

// CreateResult is the create-user throughput and its ratio to the raw hash
// rate of the same run.
type CreateResult struct {
	Throughput
	Ratio float64 `json:"ratioToHashRate"`
}

// ReadResult is the open-loop read measurement. Latencies are of the
// requests answered 200; Errors counts the others (other statuses and
// transport errors).
type ReadResult struct {
	Requests          int     `json:"requests"`
	Errors            int     `json:"errors"`
	AchievedRate      float64 `json:"achievedRate"` // 200s per second over the whole measurement
	P50Ms             float64 `json:"p50Ms"`
	P90Ms             float64 `json:"p90Ms"`
	P99Ms             float64 `json:"p99Ms"`
	MaxMs             float64 `json:"maxMs"`
	LagP99Ms          float64 `json:"scheduleLagP99Ms"` // how late requests left, against their due time
	LagMaxMs          float64 `json:"scheduleLagMaxMs"`
	ConnectionsOpened int64   `json:"connectionsOpened"`
}

// WriteText writes the report: a line of machine and parameters, then one
// line per measurement.
func (r Result) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	r.writeHeader(ew)
	r.writeHash(ew)
	r.writeCreate(ew)
	r.writeRead(ew)
	return ew.err
}

// WriteJSON writes the result as one JSON object.
func (r Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func (r Result) writeHeader(w io.Writer) {
	if w == nil {
		return
	}
	fmt.Fprintf(w, "roster bench: cores=%d GOMAXPROCS=%d store=%s argon2id m=%d KiB t=%d p=%d hash-workers=%d callers=%d users=%d rate=%d/s duration=%s\n",
		r.Cores, r.GOMAXPROCS, r.Store, r.Argon2.MemoryKiB, r.Argon2.Time, r.Argon2.Threads,
		r.Workers, r.Callers, r.Users, r.Rate, time.Duration(r.DurationSeconds*float64(time.Second)))
}

func (r Result) writeHash(w io.Writer) {
	if w == nil {
		return
	}
	fmt.Fprintf(w, "hash:   %d argon2id hashes in %.2fs: %.1f hashes/s\n", r.Hash.Count, r.Hash.Seconds, r.Hash.PerSecond)
}

func (r Result) writeCreate(w io.Writer) {
	if w == nil {
		return
	}
	fmt.Fprintf(w, "create: %d users via POST /api/users in %.2fs: %.1f users/s, %.2f of the hash rate (target >= %.2f: %s)\n",
		r.Create.Count, r.Create.Seconds, r.Create.PerSecond, r.Create.Ratio, CreateRatioBar, verdict(r.Create.Ratio >= CreateRatioBar))
}

func (r Result) writeRead(w io.Writer) {
	if w == nil {
		return
	}
	fmt.Fprintf(w, "read:   %d GET /api/users/{id} open loop: achieved %.1f/s, p50 %.2fms p90 %.2fms p99 %.2fms max %.2fms, errors %d, schedule lag p99 %.2fms max %.2fms, connections opened %d (target p99 < %s: %s)\n",
		r.Read.Requests, r.Read.AchievedRate, r.Read.P50Ms, r.Read.P90Ms, r.Read.P99Ms, r.Read.MaxMs, r.Read.Errors,
		r.Read.LagP99Ms, r.Read.LagMaxMs, r.Read.ConnectionsOpened, ReadP99Bar, verdict(r.Read.Errors == 0 && r.Read.P99Ms < ms(ReadP99Bar)))
}

func verdict(met bool) string {
	if met {
		return "met"
	}
	return "MISSED"
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
