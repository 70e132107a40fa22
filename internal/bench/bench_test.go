package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/bench"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/postgres/pgtest"
)

// cheap keeps the run short; the code path is the real one. Figures are
// not asserted: they come from `roster bench`, never from a timed test.
func cheap(database string, progress *bytes.Buffer) bench.Config {
	return bench.Config{
		Database: database,
		Hashing:  core.HashPoolConfig{Params: core.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, Workers: 2},
		Users:    10,
		Rate:     200,
		Duration: time.Second,
		Progress: progress,
	}
}

func TestRun(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { checkRun(t, "") })
	t.Run("postgres", func(t *testing.T) { checkRun(t, pgtest.URL(t)) })
}

func checkRun(t *testing.T, database string) {
	var progress bytes.Buffer
	res, err := bench.Run(context.Background(), cheap(database, &progress))
	if err != nil {
		t.Fatal(err)
	}
	if res.Hash.Count != 10 || res.Hash.PerSecond <= 0 {
		t.Errorf("hash: got %+v, want 10 hashes at a positive rate", res.Hash)
	}
	if res.Create.Count != 10 || res.Create.PerSecond <= 0 || res.Create.Ratio <= 0 {
		t.Errorf("create: got %+v, want 10 users at a positive rate and ratio", res.Create)
	}
	if r := res.Read; r.Requests != 200 || r.Errors != 0 || r.AchievedRate <= 0 ||
		!(r.P50Ms > 0 && r.P50Ms <= r.P90Ms && r.P90Ms <= r.P99Ms && r.P99Ms <= r.MaxMs) {
		t.Errorf("read: got %+v, want 200 requests, no errors, ordered positive latencies", r)
	}
	if res.Cores < 1 || res.GOMAXPROCS < 1 || res.Workers != 2 || res.Callers != 8 || res.Argon2.MemoryKiB != 64 {
		t.Errorf("parameters: got %+v", res)
	}
	wantStore := "postgres"
	if database == "" {
		wantStore = "sqlite (new temporary file)"
	}
	if res.Store != wantStore {
		t.Errorf("store: got %q, want %q", res.Store, wantStore)
	}

	// The text report streamed during the run is the one WriteText gives:
	// the parameters first, then one line per measurement.
	var text bytes.Buffer
	if err := res.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if progress.String() != text.String() {
		t.Errorf("progress:\n%s\nWriteText:\n%s", &progress, &text)
	}
	lines := strings.Split(strings.TrimSuffix(text.String(), "\n"), "\n")
	wantPrefixes := []string{"roster bench: cores=", "hash:", "create:", "read:"}
	if len(lines) != len(wantPrefixes) {
		t.Fatalf("report: got %d lines, want %d:\n%s", len(lines), len(wantPrefixes), &text)
	}
	for i, p := range wantPrefixes {
		if !strings.HasPrefix(lines[i], p) {
			t.Errorf("line %d: got %q, want it to start with %q", i+1, lines[i], p)
		}
	}
	for _, s := range []string{"GOMAXPROCS=", "store=", "m=64 KiB t=1 p=1", "hash-workers=2", "users=10", "rate=200/s", "duration=1s"} {
		if !strings.Contains(lines[0], s) {
			t.Errorf("first line %q lacks %q", lines[0], s)
		}
	}

	var js bytes.Buffer
	if err := res.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back bench.Result
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back != res {
		t.Errorf("JSON round trip: got %+v (%v), want %+v", back, err, res)
	}
}

func TestRunRefusesBadSizes(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*bench.Config)
		wantErr string
	}{
		{"NoUsers", func(c *bench.Config) { c.Users = 0 }, "users"},
		{"NoRate", func(c *bench.Config) { c.Rate = 0 }, "rate"},
		{"NoDuration", func(c *bench.Config) { c.Duration = 0 }, "duration"},
		{"NoRequest", func(c *bench.Config) { c.Rate, c.Duration = 1, time.Millisecond }, "sends no request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := cheap("", nil)
			tt.change(&cfg)
			if _, err := bench.Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want an error mentioning %q", err, tt.wantErr)
			}
		})
	}
}
