// Package apitest runs Roster's real HTTP handler on a loopback port over a
// real store, for the faces' tests: SQLite always, PostgreSQL when
// ROSTER_TEST_POSTGRES_URL is set.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rosterhq/roster/internal/api"
	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/postgres/pgtest"
	"github.com/rosterhq/roster/internal/store/sqlite"
	"github.com/rosterhq/roster/internal/token"
)

// CheapArgon2 keeps hashing fast in tests; the code path is the real one.
var CheapArgon2 = core.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// Env is one running server and what tests need to inspect it.
type Env struct {
	URL     string
	Service *core.Service
	Store   core.Store
	Tokens  *token.Issuer
	Logs    *SyncBuffer
}

// Option changes the server's dependencies before it starts (rate limits,
// for instance).
type Option func(*api.Deps)

// ForEachStore runs fn against a fresh server on SQLite, then on
// PostgreSQL (skipped only when ROSTER_TEST_POSTGRES_URL is unset).
func ForEachStore(t *testing.T, fn func(t *testing.T, env *Env), opts ...Option) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "roster.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		fn(t, New(t, st, core.HashPoolConfig{}, opts...))
	})
	t.Run("postgres", func(t *testing.T) { fn(t, New(t, pgtest.OpenStore(t), core.HashPoolConfig{}, opts...)) })
}

// New starts a server over st. Zero fields of pool take cheap test values.
func New(t *testing.T, st core.Store, pool core.HashPoolConfig, opts ...Option) *Env {
	t.Helper()
	if pool.Params == (core.Argon2Params{}) {
		pool.Params = CheapArgon2
	}
	hashes, err := core.NewHashPool(pool)
	if err != nil {
		t.Fatal(err)
	}
	svc := core.NewService(st, hashes)
	logs := &SyncBuffer{}
	log := slog.New(httpkit.ContextHandler{Handler: slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})})

	srv := httptest.NewUnstartedServer(nil)
	srv.Start()
	t.Cleanup(srv.Close)
	tokens, err := token.NewIssuer(context.Background(), st, token.Config{Issuer: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	deps := api.Deps{Service: svc, Store: st, Tokens: tokens, Log: log}
	for _, o := range opts {
		o(&deps)
	}
	srv.Config.Handler = api.NewHandler(deps)
	return &Env{URL: srv.URL, Service: svc, Store: st, Tokens: tokens, Logs: logs}
}

// NewTenant creates a tenant with its admin and API key.
func (e *Env) NewTenant(t *testing.T, name string) core.TenantCreated {
	t.Helper()
	out, err := e.Service.CreateTenant(context.Background(), core.CreateTenant{Name: name})
	if err != nil {
		t.Fatalf("create tenant %s: %v", name, err)
	}
	return out
}

// Response is a finished HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test when it is not JSON.
func (r Response) JSON(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("response body is not JSON (%v): %s", err, r.Body)
	}
}

// Do sends a request. headers are name/value pairs; a "Content-Type" of
// application/json is added to requests with a body unless given.
func (e *Env) Do(t *testing.T, method, path, body string, headers ...string) Response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// Bearer is the header pair for a bearer credential.
func Bearer(credential string) []string { return []string{"Authorization", "Bearer " + credential} }

// SyncBuffer collects log output from the server's goroutines.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// AssertNoSecrets fails the test when the logs contain any of secrets, or
// anything shaped like a password hash.
func (e *Env) AssertNoSecrets(t *testing.T, secrets ...string) {
	t.Helper()
	logs := e.Logs.String()
	if strings.Contains(logs, "$argon2") {
		t.Errorf("the logs contain a password hash")
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(logs, s) {
			t.Errorf("the logs contain a secret (%d characters starting %q)", len(s), s[:min(4, len(s))])
		}
	}
}
