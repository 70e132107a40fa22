package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/rosterhq/roster/internal/store"
	"github.com/rosterhq/roster/internal/token"
)

// printedKid finds the kid in `roster keys rotate`'s output.
var printedKid = regexp.MustCompile(`^new signing key ([A-Za-z0-9_-]{22}) is current;`)

// rotateKeys runs `roster keys rotate` and returns the kid it printed.
func rotateKeys(t *testing.T, db string) string {
	t.Helper()
	out := mustRoster(t, db, "keys", "rotate")
	m := printedKid.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("keys rotate printed %q, want a line naming the new kid", out)
	}
	return m[1]
}

// jwksKids returns the kids an issuer publishes, sorted.
func jwksKids(t *testing.T, iss *token.Issuer) []string {
	t.Helper()
	doc, err := iss.JWKS(context.Background())
	if err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatalf("decode JWKS %s: %v", doc, err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.KeyID)
	}
	slices.Sort(kids)
	return kids
}

// kidOf returns the kid in a compact JWS's header.
func kidOf(t *testing.T, raw string) string {
	t.Helper()
	tok, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil || len(tok.Signatures) != 1 {
		t.Fatalf("parse token: %v", err)
	}
	return tok.Signatures[0].Header.KeyID
}

// testClock is a settable time source for a running issuer.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *testClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// TestKeysRotate_FreshStore: on a store with no key yet, rotate prints a
// kid and the JWKS then has two keys, the printed one signing.
func TestKeysRotate_FreshStore(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	kid := rotateKeys(t, db)

	st, err := store.OpenMigrated(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	iss, err := token.NewIssuer(context.Background(), st, token.Config{Issuer: "http://roster.test"})
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	kids := jwksKids(t, iss)
	if len(kids) != 2 || !slices.Contains(kids, kid) {
		t.Fatalf("JWKS kids %v: want 2 keys, one of them the printed %s", kids, kid)
	}
	raw, _, err := iss.Issue(context.Background(), token.Claims{Subject: "1", TenantClientID: "clt_x", Kind: token.KindClient})
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	if got := kidOf(t, raw); got != kid {
		t.Errorf("a new token has kid %s, want the printed %s", got, kid)
	}
}

// TestKeysRotate_WhileServing: a server is running when the key is
// rotated. It signs with the new key within a minute; its older tokens
// keep verifying until they expire; the old key leaves the JWKS once they
// all have.
func TestKeysRotate_WhileServing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	ctx := context.Background()
	st, err := store.OpenMigrated(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &testClock{now: time.Now()}
	server, err := token.NewIssuer(ctx, st, token.Config{Issuer: "http://roster.test", Now: clk.Now})
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	claims := token.Claims{Subject: "1", TenantClientID: "clt_x", Kind: token.KindClient}
	before, _, err := server.Issue(ctx, claims)
	if err != nil {
		t.Fatal(err)
	}
	oldKid := kidOf(t, before)

	newKid := rotateKeys(t, db)
	if newKid == oldKid {
		t.Fatalf("keys rotate printed the old kid %s", oldKid)
	}
	rotatedAt := time.Now()

	// Within a minute the server reads the keys again and signs with the
	// new one; both are published.
	clk.Advance(time.Minute)
	after, _, err := server.Issue(ctx, claims)
	if err != nil {
		t.Fatal(err)
	}
	if got := kidOf(t, after); got != newKid {
		t.Errorf("a token issued after the rotation has kid %s, want %s", got, newKid)
	}
	want := []string{oldKid, newKid}
	slices.Sort(want)
	if got := jwksKids(t, server); !slices.Equal(got, want) {
		t.Errorf("JWKS kids after the rotation: got %v, want %v", got, want)
	}
	if _, err := server.Verify(ctx, before); err != nil {
		t.Errorf("a token signed before the rotation: %v, want it to verify until it expires", err)
	}

	// Once every token of the old key has expired, the key drops out.
	clk.Set(rotatedAt.Add(time.Minute + token.DefaultTTL + token.DefaultLeeway + time.Second))
	if _, err := server.Verify(ctx, before); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("the old token after it expired: got %v, want expired", err)
	}
	if got := jwksKids(t, server); !slices.Equal(got, []string{newKid}) {
		t.Errorf("JWKS kids once the old key's tokens expired: got %v, want [%s]", got, newKid)
	}
}
