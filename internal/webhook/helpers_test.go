package webhook_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/egress"
	"github.com/rosterhq/roster/internal/store/postgres/pgtest"
	"github.com/rosterhq/roster/internal/store/sqlite"
	"github.com/rosterhq/roster/internal/webhook"
)

// forEachStore runs body on a SQLite file and on a fresh PostgreSQL
// database (skipped without ROSTER_TEST_POSTGRES_URL), in parallel.
func forEachStore(t *testing.T, body func(t *testing.T, st core.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "roster.db"))
		if err != nil {
			t.Fatalf("sqlite.Open: %v", err)
		}
		t.Cleanup(func() { _ = st.Close() })
		if err := st.Migrate(t.Context()); err != nil {
			t.Fatalf("sqlite Migrate: %v", err)
		}
		body(t, st)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		body(t, pgtest.OpenStore(t))
	})
}

// env is a service with one tenant whose default key acts as admin.
type env struct {
	svc    *core.Service
	st     core.Store
	tenant core.TenantCreated
	admin  core.Actor
	logs   *syncBuffer
}

func newEnv(t *testing.T, st core.Store) *env {
	t.Helper()
	pool, err := core.NewHashPool(core.HashPoolConfig{Params: core.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatalf("NewHashPool: %v", err)
	}
	svc := core.NewService(st, pool)
	// Receivers live on loopback: endpoints are saved with private
	// addresses allowed; each dispatcher gets its own policy.
	svc.SetEgressPolicy(egress.Policy{AllowHTTP: true, AllowPrivate: true})
	e := &env{svc: svc, st: st, logs: &syncBuffer{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("dispatcher logs:\n%s", e.logs.String())
		}
	})
	e.tenant, e.admin = e.newTenant(t, "Acme")
	return e
}

func (e *env) newTenant(t *testing.T, name string) (core.TenantCreated, core.Actor) {
	t.Helper()
	out, err := e.svc.CreateTenant(t.Context(), core.CreateTenant{Name: name})
	if err != nil {
		t.Fatalf("CreateTenant(%q): %v", name, err)
	}
	key, err := e.svc.AuthenticateAPIKey(t.Context(), out.APIKey)
	if err != nil {
		t.Fatalf("AuthenticateAPIKey: %v", err)
	}
	// Fan out the tenant's first events (its admin's user_created) now,
	// as a running dispatcher would have, before the test's endpoints exist.
	if _, err := e.svc.FanOutEvents(t.Context(), 1000); err != nil {
		t.Fatalf("FanOutEvents: %v", err)
	}
	return out, key
}

// endpoint creates an endpoint of the admin's tenant for url, filtered to
// user_created so that tests count exactly the events they cause.
func (e *env) endpoint(t *testing.T, admin core.Actor, url string) core.WebhookEndpoint {
	t.Helper()
	ep, err := e.svc.CreateWebhookEndpoint(t.Context(), admin, core.CreateWebhookEndpoint{
		URL: url, EventTypes: []string{core.EventUserCreated},
	})
	if err != nil {
		t.Fatalf("CreateWebhookEndpoint: %v", err)
	}
	return ep
}

// createUsers creates n users through the admin's key.
func (e *env) createUsers(t *testing.T, admin core.Actor, prefix string, n int) []string {
	t.Helper()
	emails := make([]string, n)
	for i := range n {
		emails[i] = prefix + "-" + itoa(i) + "@example.com"
		if _, err := e.svc.CreateUser(t.Context(), admin, core.CreateUser{Email: emails[i], Name: "User " + itoa(i)}); err != nil {
			t.Fatalf("CreateUser(%s): %v", emails[i], err)
		}
	}
	return emails
}

// run starts a dispatcher with cfg (logging into e.logs) and stops it, and
// waits for it, when t ends.
func (e *env) run(t *testing.T, cfg webhook.Config) *webhook.Dispatcher {
	t.Helper()
	if cfg.Poll == 0 { // short, so that tests wait little; TestDispatcherWake sets an hour
		cfg.Poll = 20 * time.Millisecond
	}
	cfg.Logger = slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	d := webhook.New(e.svc, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return d
}

// deliveries returns every delivery of the endpoint, oldest first, with
// its attempts.
func (e *env) deliveries(t *testing.T, admin core.Actor, endpointID string) []core.DeliveryWithAttempts {
	t.Helper()
	page, err := e.svc.ListWebhookDeliveries(t.Context(), admin, endpointID, 0, 100)
	if err != nil {
		t.Fatalf("ListWebhookDeliveries: %v", err)
	}
	out := page.Deliveries
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// waitFor polls cond every 20 ms until it holds, failing t after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// assertNoSecrets fails t when the logs hold a secret or a payload.
func (e *env) assertNoSecrets(t *testing.T, secrets ...string) {
	t.Helper()
	logs := e.logs.String()
	for _, s := range secrets {
		if s != "" && strings.Contains(logs, s) {
			t.Errorf("logs contain a secret or payload %q", s)
		}
	}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// syncBuffer is a bytes.Buffer safe for the logger's goroutines.
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
