package authapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rosterhq/roster/internal/api/authapi"
	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/sqlite"
	"github.com/rosterhq/roster/internal/token"
)

// cheapArgon2 keeps hashing fast in tests.
var cheapArgon2 = core.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const testIssuer = "https://roster.test"

// syncBuffer is a log sink safe for the server's goroutines.
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

// env is a running Auth face over a real SQLite store, with one tenant.
type env struct {
	URL    string
	Client *http.Client
	Store  *sqlite.Store
	Svc    *core.Service
	Tokens *token.Issuer
	Logs   *syncBuffer
	Acme   core.TenantCreated
	Key    core.Actor // Acme's API key
}

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return st
}

func newPool(t *testing.T, cfg core.HashPoolConfig) *core.HashPool {
	t.Helper()
	pool, err := core.NewHashPool(cfg)
	if err != nil {
		t.Fatalf("NewHashPool: %v", err)
	}
	return pool
}

// newEnv starts the face; svcStore, when set, is the store the service
// (not the tenant setup) uses, and pool its hash pool.
func newEnv(t *testing.T, opts ...func(*envOptions)) *env {
	t.Helper()
	o := envOptions{}
	for _, f := range opts {
		f(&o)
	}
	st := openStore(t)
	setup := core.NewService(st, newPool(t, core.HashPoolConfig{Params: cheapArgon2}))
	acme, err := setup.CreateTenant(t.Context(), core.CreateTenant{Name: "Acme"})
	if err != nil {
		t.Fatalf("CreateTenant: %v", err)
	}
	key, err := setup.AuthenticateAPIKey(t.Context(), acme.APIKey)
	if err != nil {
		t.Fatalf("AuthenticateAPIKey: %v", err)
	}

	svc := setup
	if o.store != nil || o.pool != nil {
		var svcStore core.Store = st
		if o.store != nil {
			svcStore = o.store(st)
		}
		pool := o.pool
		if pool == nil {
			pool = newPool(t, core.HashPoolConfig{Params: cheapArgon2})
		}
		svc = core.NewService(svcStore, pool)
	}
	tokens, err := token.NewIssuer(t.Context(), st, token.Config{Issuer: testIssuer})
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}

	logs := &syncBuffer{}
	log := slog.New(httpkit.ContextHandler{Handler: slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})})
	mux := http.NewServeMux()
	authapi.Routes(mux, authapi.Deps{Service: svc, Tokens: tokens, Log: log})
	var h http.Handler = mux
	h = httpkit.Recover(log, h)
	h = httpkit.LogRequests(log, h)
	h = httpkit.AssignRequestID(h)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	return &env{URL: srv.URL, Client: srv.Client(), Store: st, Svc: setup, Tokens: tokens, Logs: logs, Acme: acme, Key: key}
}

type envOptions struct {
	store func(core.Store) core.Store
	pool  *core.HashPool
}

// response is a finished HTTP exchange.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (e *env) do(t *testing.T, method, path, contentType string, body io.Reader) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, e.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := e.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read %s %s: %v", method, path, err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// login posts a JSON login body.
func (e *env) login(t *testing.T, email, password string) response {
	t.Helper()
	body, err := json.Marshal(map[string]string{"email": email, "password": password})
	if err != nil {
		t.Fatal(err)
	}
	return e.do(t, http.MethodPost, "/api/auth/login", "application/json", bytes.NewReader(body))
}

// oauthErr decodes an error body strictly: exactly error and
// error_description.
func oauthErr(t *testing.T, r response) (code, description string) {
	t.Helper()
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		t.Fatalf("decode error body %s: %v", r.Body, err)
	}
	if body.Error == "" || body.Description == "" {
		t.Errorf("error body %s lacks error or error_description", r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("error Content-Type: got %q, want application/json", ct)
	}
	return body.Error, body.Description
}

// wantNoStore fails t unless a login response forbids caching.
func wantNoStore(t *testing.T, r response) {
	t.Helper()
	if got := r.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control: got %q, want no-store", got)
	}
	if got := r.Header.Get("Pragma"); got != "no-cache" {
		t.Errorf("Pragma: got %q, want no-cache", got)
	}
}

// wantNotIn fails t when text contains any of the secrets.
func wantNotIn(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s contains the secret %q", what, s)
		}
	}
}
