package ratelimit_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rosterhq/roster/internal/ratelimit"
)

// envRedisURL names the Redis the Redis half of these tests uses. Unset,
// that half skips; set but unreachable, it fails.
const envRedisURL = "ROSTER_TEST_REDIS_URL"

// redisClient returns a client for the test Redis, and a key prefix of the
// test's own whose keys are deleted when t ends.
func redisClient(t *testing.T) (*redis.Client, string) {
	t.Helper()
	url := os.Getenv(envRedisURL)
	if url == "" {
		t.Skip(envRedisURL + " not set")
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("%s: %v", envRedisURL, err)
	}
	client := redis.NewClient(opts)
	if err := client.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("%s does not answer: %v", envRedisURL, err)
	}
	prefix := "roster-test:" + randomHex(t) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		keys, err := client.Keys(ctx, "*"+prefix+"*").Result()
		if err == nil && len(keys) > 0 {
			client.Del(ctx, keys...)
		}
		client.Close()
	})
	return client, prefix
}

func randomHex(t *testing.T) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// fakeClock is a settable clock for Memory.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// implementation is a limiter under test and how time passes for it.
type implementation struct {
	name string
	new  func(t *testing.T) (ratelimit.Limiter, func(time.Duration))
}

var implementations = []implementation{
	{name: "memory", new: func(t *testing.T) (ratelimit.Limiter, func(time.Duration)) {
		clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
		return ratelimit.NewMemory(ratelimit.MemoryOptions{Now: clock.Now}), clock.Advance
	}},
	{name: "redis", new: func(t *testing.T) (ratelimit.Limiter, func(time.Duration)) {
		client, prefix := redisClient(t)
		return ratelimit.NewRedis(client, prefix), time.Sleep
	}},
}

// step is one call in a scenario: take n from key (after waiting wait),
// and what the decision must say. Durations are checked as ranges
// (minimum exclusive when positive, maximum inclusive): Redis runs on real
// time.
type step struct {
	wait          time.Duration
	key           string
	n             int
	allowed       bool
	remaining     int
	retryMin      time.Duration // RetryAfter > retryMin (0: RetryAfter == 0)
	retryMax      time.Duration
	resetMin      time.Duration
	resetMax      time.Duration
	checkResetMin bool
}

// The scenarios every implementation must pass. The slow rule's token
// interval (2 s) dwarfs a round trip, so counts are exact on real time;
// the fast one (800 ms) lets refill be seen with short waits, and leaves
// about 300 ms for scheduling delays on a loaded machine.
var (
	slow = ratelimit.Rule{Limit: 5, Period: 10 * time.Second, Burst: 5}
	fast = ratelimit.Rule{Limit: 5, Period: 4 * time.Second, Burst: 5}
)

func TestLimiterSemantics(t *testing.T) {
	take := func(n, remaining int) step {
		return step{key: "a", n: n, allowed: true, remaining: remaining}
	}
	refused := func(n, remaining int, retryMax time.Duration) step {
		return step{key: "a", n: n, remaining: remaining, retryMin: 1, retryMax: retryMax}
	}
	scenarios := []struct {
		name  string
		rule  ratelimit.Rule
		steps []step
	}{
		{"AllowedUntilBurstThenRefused", slow, []step{
			{key: "a", n: 1, allowed: true, remaining: 4, resetMin: 1500 * time.Millisecond, resetMax: 2 * time.Second, checkResetMin: true},
			take(1, 3), take(1, 2), take(1, 1),
			{key: "a", n: 1, allowed: true, remaining: 0, resetMin: 9 * time.Second, resetMax: 10 * time.Second, checkResetMin: true},
			refused(1, 0, 2*time.Second),
			refused(1, 0, 2*time.Second),
		}},
		{"PeeksDoNotConsume", slow, []step{
			{key: "a", n: 0, allowed: true, remaining: 5, resetMax: 0},
			{key: "a", n: 0, allowed: true, remaining: 5},
			take(1, 4),
			{key: "a", n: 0, allowed: true, remaining: 4, resetMin: 1500 * time.Millisecond, resetMax: 2 * time.Second, checkResetMin: true},
			{key: "a", n: 0, allowed: true, remaining: 4},
			take(1, 3),
		}},
		{"PeekOnEmptyBucket", slow, []step{
			take(5, 0),
			{key: "a", n: 0, allowed: false, remaining: 0, retryMin: 1, retryMax: 2 * time.Second},
			refused(1, 0, 2*time.Second),
		}},
		{"TakeIsAllOrNothing", slow, []step{
			take(3, 2),
			refused(3, 2, 2*time.Second),
			{key: "a", n: 0, allowed: true, remaining: 2},
			take(2, 0),
		}},
		{"KeysAreIsolated", slow, []step{
			take(5, 0),
			refused(1, 0, 2*time.Second),
			{key: "b", n: 1, allowed: true, remaining: 4},
			refused(1, 0, 2*time.Second),
		}},
		{"RefillsOverTime", fast, []step{
			take(5, 0),
			refused(1, 0, 800*time.Millisecond),
			{wait: 900 * time.Millisecond, key: "a", n: 1, allowed: true, remaining: 0},
			refused(1, 0, 800*time.Millisecond),
			{wait: 1700 * time.Millisecond, key: "a", n: 0, allowed: true, remaining: 2},
		}},
		{"BurstBelowLimit", ratelimit.Rule{Limit: 60, Period: time.Minute, Burst: 2}, []step{
			take(1, 1), take(1, 0),
			refused(1, 0, time.Second),
		}},
		{"BurstAboveLimit", ratelimit.Rule{Limit: 1, Period: 10 * time.Second, Burst: 3}, []step{
			take(1, 2), take(1, 1), take(1, 0),
			refused(1, 0, 10*time.Second),
		}},
	}
	for _, impl := range implementations {
		t.Run(impl.name, func(t *testing.T) {
			for _, sc := range scenarios {
				t.Run(sc.name, func(t *testing.T) {
					lim, advance := impl.new(t)
					ctx := context.Background()
					key := randomHex(t) // fresh buckets per scenario
					for i, st := range sc.steps {
						if st.wait > 0 {
							advance(st.wait)
						}
						d, err := lim.Take(ctx, key+st.key, sc.rule, st.n)
						if err != nil {
							t.Fatalf("step %d: Take: %v", i, err)
						}
						checkDecision(t, i, st, sc.rule, d)
					}
				})
			}
		})
	}
}

func checkDecision(t *testing.T, i int, st step, rule ratelimit.Rule, d ratelimit.Decision) {
	t.Helper()
	burst := rule.Burst
	if d.Allowed != st.allowed || d.Remaining != st.remaining || d.Limit != burst {
		t.Fatalf("step %d (n=%d): got allowed %v remaining %d limit %d, want %v, %d, %d (%+v)",
			i, st.n, d.Allowed, d.Remaining, d.Limit, st.allowed, st.remaining, burst, d)
	}
	if st.retryMin == 0 && d.RetryAfter != 0 {
		t.Fatalf("step %d: RetryAfter %v, want 0", i, d.RetryAfter)
	}
	if st.retryMin > 0 && (d.RetryAfter <= 0 || d.RetryAfter > st.retryMax) {
		t.Fatalf("step %d: RetryAfter %v, want in (0, %v]", i, d.RetryAfter, st.retryMax)
	}
	if d.ResetAfter < 0 || d.ResetAfter > rule.Period*time.Duration(burst)/time.Duration(rule.Limit) {
		t.Fatalf("step %d: ResetAfter %v out of range", i, d.ResetAfter)
	}
	if st.checkResetMin && (d.ResetAfter <= st.resetMin || d.ResetAfter > st.resetMax) {
		t.Fatalf("step %d: ResetAfter %v, want in (%v, %v]", i, d.ResetAfter, st.resetMin, st.resetMax)
	}
}

func TestLimiterRefusesBadCalls(t *testing.T) {
	for _, impl := range implementations {
		t.Run(impl.name, func(t *testing.T) {
			lim, _ := impl.new(t)
			ctx := context.Background()
			for _, c := range []struct {
				name string
				rule ratelimit.Rule
				n    int
			}{
				{"ZeroRule", ratelimit.Rule{}, 1},
				{"NoPeriod", ratelimit.Rule{Limit: 1}, 1},
				{"NegativeBurst", ratelimit.Rule{Limit: 1, Period: time.Second, Burst: -1}, 1},
				{"NegativeN", slow, -1},
				{"NAboveBurst", slow, 6},
			} {
				if _, err := lim.Take(ctx, "k", c.rule, c.n); err == nil {
					t.Errorf("%s: Take succeeded, want an error", c.name)
				}
			}
			// Burst 0 means Burst = Limit.
			d, err := lim.Take(ctx, randomHex(t), ratelimit.Rule{Limit: 3, Period: time.Minute}, 1)
			if err != nil || d.Limit != 3 || d.Remaining != 2 {
				t.Fatalf("burst 0: got %+v, %v; want limit 3, remaining 2", d, err)
			}
		})
	}
}

// TestLimiterConcurrentTakes: many takes at once on one bucket allow
// exactly its burst. For Redis, through two clients, as two processes would.
func TestLimiterConcurrentTakes(t *testing.T) {
	rule := ratelimit.Rule{Limit: 20, Period: time.Hour, Burst: 20}
	run := func(t *testing.T, lims ...ratelimit.Limiter) {
		var allowed atomic.Int64
		var wg sync.WaitGroup
		key := randomHex(t)
		for i := range 100 {
			wg.Go(func() {
				d, err := lims[i%len(lims)].Take(context.Background(), key, rule, 1)
				if err != nil {
					t.Error(err)
				}
				if d.Allowed {
					allowed.Add(1)
				}
			})
		}
		wg.Wait()
		if got := allowed.Load(); got != 20 {
			t.Fatalf("allowed %d of 100 concurrent takes, want 20", got)
		}
	}
	t.Run("memory", func(t *testing.T) { run(t, ratelimit.NewMemory(ratelimit.MemoryOptions{})) })
	t.Run("redis", func(t *testing.T) {
		c1, prefix := redisClient(t)
		opts := *c1.Options()
		c2 := redis.NewClient(&opts)
		t.Cleanup(func() { c2.Close() })
		run(t, ratelimit.NewRedis(c1, prefix), ratelimit.NewRedis(c2, prefix))
	})
}

func TestMemoryDropsFullBuckets(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	m := ratelimit.NewMemory(ratelimit.MemoryOptions{Now: clock.Now})
	ctx := context.Background()
	rule := ratelimit.Rule{Limit: 2, Period: time.Minute, Burst: 2}
	for i := range 100 {
		if _, err := m.Take(ctx, "k"+strings.Repeat("x", i), rule, 1); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Take(ctx, "unknown", rule, 0); err != nil {
		t.Fatal(err)
	}
	if got := m.Len(); got != 100 {
		t.Fatalf("buckets: got %d, want 100 (a peek creates none)", got)
	}
	clock.Advance(31 * time.Second)
	// Drained now: its bucket is not full a minute after the start, and
	// must stay; the others (1 token short for 31 s) are full.
	for range 2 {
		if _, err := m.Take(ctx, "busy", rule, 1); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(30 * time.Second) // a minute since the start: the next Take sweeps
	d, err := m.Take(ctx, "busy", rule, 0)
	if err != nil || d.Remaining != 1 {
		t.Fatalf("the drained bucket: got %+v, %v; want remaining 1", d, err)
	}
	if got := m.Len(); got != 1 {
		t.Fatalf("buckets after the sweep: got %d, want 1 (busy)", got)
	}
}

func TestMemoryIsBounded(t *testing.T) {
	m := ratelimit.NewMemory(ratelimit.MemoryOptions{MaxKeys: 200})
	rule := ratelimit.Rule{Limit: 1, Period: time.Hour, Burst: 1}
	for i := range 1000 {
		if _, err := m.Take(context.Background(), randomHex(t)+string(rune(i)), rule, 1); err != nil {
			t.Fatal(err)
		}
	}
	if got := m.Len(); got > 200 {
		t.Fatalf("buckets: got %d, want at most 200", got)
	}
}

func TestMemoryRuleChange(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	m := ratelimit.NewMemory(ratelimit.MemoryOptions{Now: clock.Now})
	ctx := context.Background()
	if d, _ := m.Take(ctx, "k", ratelimit.PerMinute(10), 5); d.Remaining != 5 {
		t.Fatalf("got %+v, want remaining 5", d)
	}
	// A lower limit applies at once to the same bucket: at most its burst.
	allowed := 0
	for range 5 {
		d, err := m.Take(ctx, "k", ratelimit.PerMinute(3), 1)
		if err != nil || d.Limit != 3 {
			t.Fatalf("after lowering the limit: got %+v, %v; want limit 3", d, err)
		}
		if d.Allowed {
			allowed++
		}
	}
	if allowed > 3 {
		t.Fatalf("after lowering the limit to 3: %d takes allowed", allowed)
	}
}

// deadRedis returns a client for a loopback port nobody listens on.
func deadRedis(t *testing.T) *redis.Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRedisOutage(t *testing.T) {
	ctx := context.Background()
	rule := ratelimit.Rule{Limit: 2, Period: time.Hour, Burst: 2}

	t.Run("RedisAloneReportsTheError", func(t *testing.T) {
		if _, err := ratelimit.NewRedis(deadRedis(t), "p:").Take(ctx, "k", rule, 1); err == nil {
			t.Fatal("Take on an unreachable Redis succeeded")
		}
	})

	t.Run("FallbackLimitsInProcess", func(t *testing.T) {
		var logs syncBuffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		lim := ratelimit.NewFallback(ratelimit.NewRedis(deadRedis(t), "p:"), ratelimit.NewMemory(ratelimit.MemoryOptions{}), log, time.Hour)
		var allowed int
		for range 5 {
			d, err := lim.Take(ctx, "k", rule, 1)
			if err != nil {
				t.Fatalf("Take: %v (an outage must not fail requests)", err)
			}
			if d.Allowed {
				allowed++
			}
		}
		if allowed != 2 {
			t.Fatalf("allowed %d of 5 during the outage, want 2 (the limit still holds, in process)", allowed)
		}
		if n := strings.Count(logs.String(), "Redis failed"); n != 1 {
			t.Fatalf("warnings: got %d, want 1 per outage\n%s", n, logs.String())
		}
	})

	t.Run("FallbackReturnsToThePrimary", func(t *testing.T) {
		var logs syncBuffer
		primary := &flaky{}
		primary.failing.Store(true)
		lim := ratelimit.NewFallback(primary, ratelimit.NewMemory(ratelimit.MemoryOptions{}), slog.New(slog.NewTextHandler(&logs, nil)), 10*time.Millisecond)
		if _, err := lim.Take(ctx, "k", rule, 1); err != nil {
			t.Fatal(err)
		}
		calls := primary.calls.Load()
		if _, err := lim.Take(ctx, "k", rule, 1); err != nil {
			t.Fatal(err)
		}
		if primary.calls.Load() != calls {
			t.Fatal("the failed primary was asked again within the pause")
		}
		primary.failing.Store(false)
		time.Sleep(20 * time.Millisecond)
		d, err := lim.Take(ctx, "k", rule, 1)
		if err != nil || d.Limit != 42 {
			t.Fatalf("after the pause: got %+v, %v; want the primary's answer", d, err)
		}
		if !strings.Contains(logs.String(), "Redis answers again") {
			t.Fatalf("no recovery line in the logs:\n%s", logs.String())
		}
		// A bad call is the caller's error, not an outage.
		calls = primary.calls.Load()
		if _, err := lim.Take(ctx, "k", rule, 3); err == nil || primary.calls.Load() != calls {
			t.Fatalf("n above the burst: got %v after %d primary calls, want an error and none", err, primary.calls.Load()-calls)
		}
	})

	t.Run("OpenFailsWhenRedisIsDown", func(t *testing.T) {
		url := "redis://:s3cret-password@" + deadRedis(t).Options().Addr + "/0"
		_, _, err := ratelimit.Open(ctx, url, ratelimit.DefaultPrefix, slog.Default())
		if err == nil {
			t.Fatal("Open succeeded on an unreachable Redis")
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Fatalf("the error shows the password: %v", err)
		}
		_, _, err = ratelimit.Open(ctx, "http://:s3cret@[bad", ratelimit.DefaultPrefix, slog.Default())
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Fatalf("a bad URL: got %v, want an error that does not show the password", err)
		}
	})
}

// flaky is a primary that fails while failing is set and otherwise answers
// with Limit 42.
type flaky struct {
	failing atomic.Bool
	calls   atomic.Int64
}

func (f *flaky) Take(context.Context, string, ratelimit.Rule, int) (ratelimit.Decision, error) {
	f.calls.Add(1)
	if f.failing.Load() {
		return ratelimit.Decision{}, net.ErrClosed
	}
	return ratelimit.Decision{Allowed: true, Limit: 42}, nil
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	lim, closeFn, err := ratelimit.Open(ctx, "", ratelimit.DefaultPrefix, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := lim.(*ratelimit.Memory); !ok {
		t.Fatalf("no Redis URL: got %T, want *ratelimit.Memory", lim)
	}
	if err := closeFn(); err != nil {
		t.Fatal(err)
	}

	t.Run("redis", func(t *testing.T) {
		_, prefix := redisClient(t)
		lim, closeFn, err := ratelimit.Open(ctx, os.Getenv(envRedisURL), prefix, slog.Default())
		if err != nil {
			t.Fatal(err)
		}
		defer closeFn()
		// Two limiters opened on one Redis share their buckets.
		other, closeOther, err := ratelimit.Open(ctx, os.Getenv(envRedisURL), prefix, slog.Default())
		if err != nil {
			t.Fatal(err)
		}
		defer closeOther()
		rule := ratelimit.Rule{Limit: 3, Period: time.Hour, Burst: 3}
		for i, l := range []ratelimit.Limiter{lim, other, lim} {
			if d, err := l.Take(ctx, "shared", rule, 1); err != nil || !d.Allowed || d.Remaining != 2-i {
				t.Fatalf("take %d: got %+v, %v", i, d, err)
			}
		}
		if d, err := other.Take(ctx, "shared", rule, 1); err != nil || d.Allowed {
			t.Fatalf("fourth take: got %+v, %v; want refused", d, err)
		}
	})
}

func TestSetHeaders(t *testing.T) {
	h := http.Header{}
	ratelimit.SetHeaders(h, ratelimit.Decision{Allowed: true, Limit: 600, Remaining: 599, ResetAfter: 100 * time.Millisecond})
	if h.Get("RateLimit-Limit") != "600" || h.Get("RateLimit-Remaining") != "599" || h.Get("RateLimit-Reset") != "1" {
		t.Fatalf("headers: %v", h)
	}
	h = http.Header{}
	ratelimit.SetHeaders(h, ratelimit.Decision{Allowed: true})
	if len(h) != 0 {
		t.Fatalf("a decision without a limit set headers: %v", h)
	}
	if got := ratelimit.PerMinute(600).String(); got != "600 requests per minute" {
		t.Fatalf("rule string: %q", got)
	}
	if got := (ratelimit.Rule{Limit: 600, Period: time.Minute, Burst: 50}).String(); got != "600 requests per minute (bursts of 50)" {
		t.Fatalf("rule string: %q", got)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
