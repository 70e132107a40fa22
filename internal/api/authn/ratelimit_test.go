package authn_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api/authn"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/ratelimit"
	"github.com/rosterhq/roster/internal/store/sqlite"
)

func newService(t *testing.T) *core.Service {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	pool, err := core.NewHashPool(core.HashPoolConfig{Params: core.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	return core.NewService(st, pool)
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// check runs Limits.Check for a and returns the error and the headers set.
func check(l *authn.Limits, a core.Actor) (http.Header, error) {
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/api/users", nil)
	err := l.Check(w, r, a)
	return w.Header(), err
}

func TestCredentialKey(t *testing.T) {
	for _, c := range []struct {
		actor core.Actor
		want  string
	}{
		{core.Actor{Kind: core.ActorAPIKey, TenantID: 1, APIKeyID: 12}, "key:12"},
		{core.Actor{Kind: core.ActorUser, TenantID: 1, UserID: 7}, "user:7"},
		{core.Actor{Kind: core.ActorOperator, TenantID: 1}, ""},
		{core.Actor{}, ""},
	} {
		if got := authn.CredentialKey(c.actor); got != c.want {
			t.Errorf("CredentialKey(%+v): got %q, want %q", c.actor, got, c.want)
		}
	}
}

func TestLimitsTenantOverrideIsCached(t *testing.T) {
	svc := newService(t)
	acme, err := svc.CreateTenant(t.Context(), core.CreateTenant{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	key := core.Actor{Kind: core.ActorAPIKey, TenantID: acme.Tenant.ID, ClientID: acme.Tenant.ClientID, APIKeyID: acme.Key.ID}
	clk := &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	l := &authn.Limits{
		Limiter: ratelimit.NewMemory(ratelimit.MemoryOptions{Now: clk.Now}),
		Rule:    ratelimit.PerMinute(100), Service: svc, Now: clk.Now, TenantTTL: 30 * time.Second,
	}
	h, err := check(l, key)
	if err != nil || h.Get("RateLimit-Limit") != "100" || h.Get("RateLimit-Remaining") != "99" {
		t.Fatalf("first request: %v, headers %v", err, h)
	}

	// The operator lowers the tenant's limit: the server sees it only once
	// its cached copy is 30 s old.
	if _, err := svc.UpdateTenantRateLimits(t.Context(), core.OperatorFor(acme.Tenant), core.UpdateTenantRateLimits{RateLimit: ptr(2)}); err != nil {
		t.Fatal(err)
	}
	if h, _ := check(l, key); h.Get("RateLimit-Limit") != "100" {
		t.Fatalf("within the TTL: RateLimit-Limit %q, want the cached 100", h.Get("RateLimit-Limit"))
	}
	clk.Advance(31 * time.Second)
	for i := range 2 {
		h, err := check(l, key)
		if err != nil || h.Get("RateLimit-Limit") != "2" || h.Get("RateLimit-Remaining") != []string{"1", "0"}[i] {
			t.Fatalf("after the TTL, request %d: %v, headers %v; want limit 2", i+1, err, h)
		}
	}
	h, err = check(l, key)
	if core.ErrorCodeOf(err) != core.RateLimited || h.Get("RateLimit-Remaining") != "0" {
		t.Fatalf("third request at 2 per minute: got %v, headers %v; want rate_limited", err, h)
	}
	e := core.AsError(err)
	if e.Retry <= 0 || e.Retry > 30*time.Second || e.Message != "rate limit of 2 requests per minute exceeded for this credential" {
		t.Fatalf("refusal: %+v", e)
	}

	// The operator and callers without a credential are never limited.
	for range 5 {
		if h, err := check(l, core.OperatorFor(acme.Tenant)); err != nil || len(h) != 0 {
			t.Fatalf("operator: %v, headers %v", err, h)
		}
	}
}

// broken is a limiter that always fails.
type broken struct{}

func (broken) Take(context.Context, string, ratelimit.Rule, int) (ratelimit.Decision, error) {
	return ratelimit.Decision{}, errors.New("limiter down")
}

func TestLimitsFailOpen(t *testing.T) {
	l := &authn.Limits{Limiter: broken{}, Rule: ratelimit.PerMinute(1), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	key := core.Actor{Kind: core.ActorAPIKey, TenantID: 1, APIKeyID: 1}
	for range 3 {
		if h, err := check(l, key); err != nil || h.Get("RateLimit-Limit") != "" {
			t.Fatalf("a failing limiter: got %v, headers %v; want the request through, no headers", err, h)
		}
	}
}

func ptr[T any](v T) *T { return &v }
