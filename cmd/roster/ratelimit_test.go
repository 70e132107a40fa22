package main

// Rate limits across processes: real `roster serve` children on one
// PostgreSQL database, sharing a Redis or not.

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
	"github.com/rosterhq/roster/internal/store/postgres/pgtest"
)

// envTestRedisURL names the Redis the shared-bucket test uses: unset, that
// test skips; set but unreachable, it fails.
const envTestRedisURL = "ROSTER_TEST_REDIS_URL"

// rlLimit is the per-key limit the servers run with: 10 per minute, so a
// token comes back every 6 s.
const rlLimit = 10

// rlBuild builds the roster binary into a directory of t's.
func rlBuild(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "roster")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// rlEnv is the environment of a child: this process's, less every
// ROSTER_ setting, plus settings.
func rlEnv(settings ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ROSTER_") {
			env = append(env, kv)
		}
	}
	return append(env, settings...)
}

// rlServe starts `roster serve` on a free loopback port and returns its
// URL once it listens. It is stopped (SIGTERM, then SIGKILL) when t ends.
func rlServe(t *testing.T, bin, db string, settings ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append(append([]string{"--database", db}, cheapHashing...),
		"--log-format", "json", "serve", "--listen", "127.0.0.1:0")...)
	cmd.Env = rlEnv(settings...)
	cmd.Stdout = io.Discard
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	var mu sync.Mutex
	addr := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			mu.Lock()
			logs.WriteString(sc.Text() + "\n")
			mu.Unlock()
			var line struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "roster listening" {
				addr <- line.Addr
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		exited := make(chan struct{})
		go func() { <-done; _ = cmd.Wait(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	select {
	case a := <-addr:
		return "http://" + a
	case <-done:
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("roster serve exited before listening:\n%s", logs.String())
	case <-time.After(60 * time.Second):
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("roster serve did not listen within 60 s:\n%s", logs.String())
	}
	return ""
}

// burstResult is what a burst of requests was told.
type burstResult struct {
	allowed, refused int
	remaining        []int // RateLimit-Remaining of each answer
	elapsed          time.Duration
}

// burst sends n GET /api/users with apiKey, round-robin over urls, one
// after another, and checks every answer's shape.
func burst(t *testing.T, urls []string, apiKey string, n int) burstResult {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	var out burstResult
	start := time.Now()
	for i := range n {
		req, err := http.NewRequest(http.MethodGet, urls[i%len(urls)]+"/api/users", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+apiKey)
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Header.Get("RateLimit-Limit"); got != strconv.Itoa(rlLimit) {
			t.Fatalf("request %d: RateLimit-Limit %q, want %d", i, got, rlLimit)
		}
		remaining, err := strconv.Atoi(res.Header.Get("RateLimit-Remaining"))
		if err != nil {
			t.Fatalf("request %d: RateLimit-Remaining %q", i, res.Header.Get("RateLimit-Remaining"))
		}
		out.remaining = append(out.remaining, remaining)
		switch res.StatusCode {
		case http.StatusOK:
			out.allowed++
		case http.StatusTooManyRequests:
			out.refused++
			var e struct {
				Error   string `json:"error"`
				Status  int    `json:"status"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(body, &e); err != nil || e.Error != "rate_limited" || e.Status != 429 ||
				e.Message != "rate limit of 10 requests per minute exceeded for this credential" {
				t.Fatalf("request %d: 429 body %s", i, body)
			}
			if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || s < 1 || s > 6 {
				t.Fatalf("request %d: Retry-After %q, want 1 to 6 s", i, res.Header.Get("Retry-After"))
			}
		default:
			t.Fatalf("request %d: %d %s", i, res.StatusCode, body)
		}
	}
	out.elapsed = time.Since(start)
	return out
}

// wantAllowed fails t unless a burst let through buckets x rlLimit
// requests, plus at most what refill can add over the burst's duration
// (one token per 6 s per bucket: none in a burst that takes under 6 s).
func wantAllowed(t *testing.T, r burstResult, buckets int) {
	t.Helper()
	want := buckets * rlLimit
	refill := buckets * int(r.elapsed/(time.Minute/rlLimit))
	if r.allowed < want || r.allowed > want+refill {
		t.Fatalf("allowed %d, refused %d in %s; want %d (+ up to %d refilled)", r.allowed, r.refused, r.elapsed, want, refill)
	}
}

// rateLimitedEvents counts the tenant's api_rate_limited events.
func rateLimitedEvents(t *testing.T, db string, tenant tenantCreatedJSON) int {
	t.Helper()
	st, err := store.OpenMigrated(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, err := strconv.ParseInt(tenant.AccountID, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := st.ListEvents(context.Background(), id, core.EventFilter{Type: core.EventAPIRateLimited, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

func rlTenant(t *testing.T, db, name string) tenantCreatedJSON {
	t.Helper()
	var out tenantCreatedJSON
	if err := json.Unmarshal([]byte(mustRoster(t, db, "tenant", "create", "--name", name, "--json")), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRateLimitAcrossProcesses: two processes sharing a Redis limit a
// burst split across them as one bucket; without Redis each process
// limits on its own; one process alone allows the bucket once.
func TestRateLimitAcrossProcesses(t *testing.T) {
	db := pgtest.URL(t)
	bin := rlBuild(t)
	limit := "ROSTER_RATE_LIMIT=" + strconv.Itoa(rlLimit)

	t.Run("RedisTwoProcesses", func(t *testing.T) {
		redisURL := os.Getenv(envTestRedisURL)
		if redisURL == "" {
			t.Skip(envTestRedisURL + " not set")
		}
		tenant := rlTenant(t, db, "Shared")
		prefix := "roster-test:" + rlRandom(t) + ":"
		settings := []string{limit, "ROSTER_REDIS_URL=" + redisURL, "ROSTER_REDIS_PREFIX=" + prefix}
		urls := []string{rlServe(t, bin, db, settings...), rlServe(t, bin, db, settings...)}

		r := burst(t, urls, tenant.APIKey, 30)
		wantAllowed(t, r, 1)
		// One bucket: the count goes down by one per request, whichever
		// process answers.
		if r.elapsed < time.Minute/rlLimit { // no refill to blur the count
			for i := range rlLimit {
				if r.remaining[i] != rlLimit-1-i {
					t.Fatalf("RateLimit-Remaining: got %v, want %d, %d, ... 0 across both processes", r.remaining, rlLimit-1, rlLimit-2)
				}
			}
		}
		// And one api_rate_limited event for the minute, not one per process.
		if n := rateLimitedEvents(t, db, tenant); n != 1 {
			t.Fatalf("api_rate_limited events: got %d, want 1", n)
		}
	})

	t.Run("MemoryOneProcess", func(t *testing.T) {
		tenant := rlTenant(t, db, "Alone")
		url := rlServe(t, bin, db, limit)
		wantAllowed(t, burst(t, []string{url}, tenant.APIKey, 30), 1)
		if n := rateLimitedEvents(t, db, tenant); n != 1 {
			t.Fatalf("api_rate_limited events: got %d, want 1", n)
		}
	})

	t.Run("MemoryTwoProcesses", func(t *testing.T) {
		// Without Redis the buckets are per process: each allows its own.
		tenant := rlTenant(t, db, "Apart")
		urls := []string{rlServe(t, bin, db, limit), rlServe(t, bin, db, limit)}
		wantAllowed(t, burst(t, urls, tenant.APIKey, 30), 2)
		if n := rateLimitedEvents(t, db, tenant); n != 2 {
			t.Fatalf("api_rate_limited events: got %d, want 2 (one per process)", n)
		}
	})

	t.Run("UnreachableRedisStopsTheStart", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		dead := ln.Addr().String()
		ln.Close()
		cmd := exec.Command(bin, append(append([]string{"--database", filepath.Join(t.TempDir(), "r.db")}, cheapHashing...),
			"serve", "--listen", "127.0.0.1:0")...)
		cmd.Env = rlEnv("ROSTER_REDIS_URL=redis://:hunter2-secret@" + dead + "/0")
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("roster serve started with an unreachable Redis:\n%s", out)
		}
		if !strings.Contains(string(out), "redis at "+dead+" does not answer") || strings.Contains(string(out), "hunter2") {
			t.Fatalf("output: %s\nwant the Redis address named, without its password", out)
		}
	})
}

func rlRandom(t *testing.T) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// TestTenantUpdateRateLimits: the CLI sets, shows and clears a tenant's
// own limits.
func TestTenantUpdateRateLimits(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, db string) {
		tenant := rlTenant(t, db, "Limits")
		var got tenantLimitsJSON
		decode := func(out string) tenantLimitsJSON {
			t.Helper()
			var v tenantLimitsJSON
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			return v
		}
		got = decode(mustRoster(t, db, "tenant", "update", "--tenant", tenant.ClientID, "--rate-limit", "1200", "--json"))
		if got.ClientID != tenant.ClientID || got.RateLimit == nil || *got.RateLimit != 1200 || got.RateBurst != nil {
			t.Fatalf("after --rate-limit: %+v", got)
		}
		got = decode(mustRoster(t, db, "tenant", "update", "--tenant", tenant.ClientID, "--rate-burst", "40", "--json"))
		if *got.RateLimit != 1200 || got.RateBurst == nil || *got.RateBurst != 40 {
			t.Fatalf("after --rate-burst: %+v; want the limit kept", got)
		}
		text := mustRoster(t, db, "tenant", "update", "--tenant", tenant.ClientID, "--rate-limit", "0")
		if !strings.Contains(text, "rate limit (the server's) per minute, burst 40") {
			t.Fatalf("text output: %q", text)
		}
		code, _, errOut := roster(t, db, "tenant", "update", "--tenant", tenant.ClientID, "--rate-limit", "-5")
		if code == 0 || !strings.Contains(errOut, "rateLimit") {
			t.Fatalf("a negative limit: exit %d, stderr %q", code, errOut)
		}
		code, _, errOut = roster(t, db, "tenant", "update", "--tenant", "clt_000000000000000000000", "--rate-limit", "5")
		if code == 0 || !strings.Contains(errOut, "no such tenant") {
			t.Fatalf("an unknown tenant: exit %d, stderr %q", code, errOut)
		}
	})
}

// TestRateLimitSettingsAreChecked: bad rate limit settings stop the start.
func TestRateLimitSettingsAreChecked(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	for _, c := range []struct{ args []string }{
		{[]string{"serve", "--rate-limit", "-1"}},
		{[]string{"serve", "--login-max-failures", "-1"}},
		{[]string{"serve", "--login-lockout", "0s"}},
		{[]string{"serve", "--redis-url", "http://nope"}},
	} {
		code, _, errOut := roster(t, db, c.args...)
		if code == 0 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want a refusal", c.args, code, errOut)
		}
	}
	t.Setenv("ROSTER_RATE_LIMIT", "lots")
	code, _, errOut := roster(t, db, "serve")
	if code == 0 || !strings.Contains(errOut, "ROSTER_RATE_LIMIT") {
		t.Fatalf("exit %d, stderr %q; want a failure naming ROSTER_RATE_LIMIT", code, errOut)
	}
}
