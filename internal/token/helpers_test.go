package token_test

import (
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/sqlite"
	"github.com/rosterhq/roster/internal/token"
)

const testIssuer = "https://roster.test"

// openStore returns a migrated SQLite store in t.TempDir().
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

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now()} }

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

func newIssuer(t *testing.T, st core.Store, cfg token.Config) *token.Issuer {
	t.Helper()
	if cfg.Issuer == "" {
		cfg.Issuer = testIssuer
	}
	iss, err := token.NewIssuer(t.Context(), st, cfg)
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	return iss
}

func userClaims() token.Claims {
	return token.Claims{
		Subject: "42", TenantClientID: "clt_ABCDEFGHIJKLMNOPQRSTU", Role: core.RoleClientAdmin, Kind: token.KindUser,
	}
}

func issue(t *testing.T, iss *token.Issuer, c token.Claims) string {
	t.Helper()
	tok, _, err := iss.Issue(t.Context(), c)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	return tok
}

func jwks(t *testing.T, iss *token.Issuer) jose.JSONWebKeySet {
	t.Helper()
	raw, err := iss.JWKS(t.Context())
	if err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatalf("decode JWKS %s: %v", raw, err)
	}
	return set
}

func kids(set jose.JSONWebKeySet) []string {
	var ids []string
	for _, k := range set.Keys {
		ids = append(ids, k.KeyID)
	}
	slices.Sort(ids)
	return ids
}

// segments splits a compact JWS and decodes its header.
func segments(t *testing.T, raw string) (header map[string]any, parts []string) {
	t.Helper()
	parts = strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("got %d segments, want 3", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatalf("decode header: %v", err)
	}
	if err := json.Unmarshal(b, &header); err != nil {
		t.Fatalf("decode header %s: %v", b, err)
	}
	return header, parts
}

// wantRefused fails t unless Verify refuses raw as unauthenticated with a
// message containing want, without quoting the token.
func wantRefused(t *testing.T, iss *token.Issuer, raw, want string) {
	t.Helper()
	_, err := iss.Verify(t.Context(), raw)
	if err == nil {
		t.Fatalf("Verify: got no error, want unauthenticated")
	}
	e := core.AsError(err)
	if e == nil || e.Code != core.Unauthenticated {
		t.Fatalf("Verify: got %v, want an unauthenticated core error", err)
	}
	if !strings.Contains(e.Message, want) {
		t.Errorf("Verify: got message %q, want %q", e.Message, want)
	}
	if raw != "" && (strings.Contains(err.Error(), raw) || strings.Contains(e.Message, strings.Split(raw, ".")[0])) {
		t.Errorf("Verify: error %q quotes the token", err)
	}
}
