package authapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/rosterhq/roster/internal/api"
	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/postgres/pgtest"
	"github.com/rosterhq/roster/internal/store/sqlite"
	"github.com/rosterhq/roster/internal/token"
)

// settableClock is the token issuer's clock in the rotation test.
type settableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *settableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *settableClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// clockedServer is the whole HTTP handler over st with a token issuer on
// clk, as apitest.Env (which runs its issuer on real time).
func clockedServer(t *testing.T, st core.Store, clk *settableClock) (*apitest.Env, *token.Issuer) {
	t.Helper()
	pool, err := core.NewHashPool(core.HashPoolConfig{Params: apitest.CheapArgon2})
	if err != nil {
		t.Fatal(err)
	}
	svc := core.NewService(st, pool)
	logs := &apitest.SyncBuffer{}
	log := slog.New(httpkit.ContextHandler{Handler: slog.NewTextHandler(logs, nil)})
	srv := httptest.NewUnstartedServer(nil)
	srv.Start()
	t.Cleanup(srv.Close)
	tokens, err := token.NewIssuer(context.Background(), st, token.Config{Issuer: srv.URL, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = api.NewHandler(api.Deps{Service: svc, Store: st, Tokens: tokens, Log: log})
	return &apitest.Env{URL: srv.URL, Service: svc, Store: st, Tokens: tokens, Logs: logs}, tokens
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

// publishedKids fetches the JWKS and returns its kids, sorted.
func publishedKids(t *testing.T, env *apitest.Env) []string {
	t.Helper()
	r := env.Do(t, http.MethodGet, "/.well-known/jwks.json", "")
	var set jose.JSONWebKeySet
	r.JSON(t, &set)
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.KeyID)
	}
	slices.Sort(kids)
	return kids
}

// TestRotation: after a rotation, new client tokens carry the new kid; a
// token signed before it keeps working, and keeps verifying against the
// JWKS, until it expires; the old key leaves the JWKS once every token it
// signed has expired.
func TestRotation(t *testing.T) {
	run := func(t *testing.T, st core.Store) {
		t0 := time.Now()
		clk := &settableClock{now: t0}
		env, tokens := clockedServer(t, st, clk)
		acme := env.NewTenant(t, "Acme")
		ttl, leeway := token.DefaultTTL, token.DefaultLeeway
		list := func(raw string) int {
			t.Helper()
			return env.Do(t, http.MethodGet, "/api/users", "", apitest.Bearer(raw)...).Status
		}

		before := clientToken(t, env, acme, acme.APIKey, "").AccessToken
		oldKid := kidOf(t, before)

		// Five minutes later the key is rotated, by the server's issuer or
		// by another process (roster keys rotate) on the same store.
		clk.Set(t0.Add(5 * time.Minute))
		newKid, err := tokens.Rotate(context.Background())
		if err != nil {
			t.Fatalf("Rotate: %v", err)
		}
		after := clientToken(t, env, acme, acme.APIKey, "users:read").AccessToken
		if got := kidOf(t, after); got != newKid || got == oldKid {
			t.Fatalf("a token issued after the rotation has kid %s, want the new %s (old %s)", got, newKid, oldKid)
		}
		want := []string{oldKid, newKid}
		slices.Sort(want)
		if got := publishedKids(t, env); !slices.Equal(got, want) {
			t.Errorf("JWKS kids after the rotation: got %v, want %v", got, want)
		}
		for name, raw := range map[string]string{"before": before, "after": after} {
			if got := list(raw); got != http.StatusOK {
				t.Errorf("GET /api/users with the token from %s the rotation: got %d, want 200", name, got)
			}
			verifyAsResourceServer(t, env.URL, raw, clk.Now())
		}

		// Just before the old token's expiry (give or take the leeway) it
		// still works; just after, it does not; the new one still does.
		clk.Set(t0.Add(ttl + leeway - 2*time.Second))
		if got := list(before); got != http.StatusOK {
			t.Errorf("the old token within the leeway of its expiry: got %d, want 200", got)
		}
		clk.Set(t0.Add(ttl + leeway + time.Second))
		if got := list(before); got != http.StatusUnauthorized {
			t.Errorf("the old token after its expiry: got %d, want 401", got)
		}
		if got := list(after); got != http.StatusOK {
			t.Errorf("the new token: got %d, want 200", got)
		}
		if got := publishedKids(t, env); !slices.Equal(got, want) {
			t.Errorf("JWKS kids while the old key's last tokens may live: got %v, want %v", got, want)
		}

		// The retired key stays published as long as a process that had not
		// yet seen the rotation (up to a minute) may have signed with it,
		// plus those tokens' lifetime; then it drops out.
		clk.Set(t0.Add(5*time.Minute + time.Minute + ttl + leeway + time.Second))
		if got := publishedKids(t, env); !slices.Equal(got, []string{newKid}) {
			t.Errorf("JWKS kids once the old key's tokens expired: got %v, want [%s]", got, newKid)
		}
		fresh := clientToken(t, env, acme, acme.APIKey, "").AccessToken
		if got := kidOf(t, fresh); got != newKid {
			t.Errorf("a fresh token: kid %s, want %s", got, newKid)
		}
		verifyAsResourceServer(t, env.URL, fresh, clk.Now())
	}

	t.Run("sqlite", func(t *testing.T) {
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "roster.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		run(t, st)
	})
	t.Run("postgres", func(t *testing.T) { run(t, pgtest.OpenStore(t)) })
}

// TestRotation_OtherProcess: a rotation made by another process on the
// same store reaches a running server within a minute; until then its
// tokens carry the old kid, and tokens with the new kid verify at once.
func TestRotation_OtherProcess(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		before := clientToken(t, env, acme, acme.APIKey, "").AccessToken

		// "roster keys rotate": another issuer over the same store.
		other, err := token.NewIssuer(context.Background(), env.Store, token.Config{Issuer: env.URL})
		if err != nil {
			t.Fatal(err)
		}
		newKid, err := other.Rotate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// A token the other process signs with the new key is accepted
		// here at once: an unknown kid makes the server read the keys.
		byOther, _, err := other.Issue(context.Background(), token.Claims{
			Subject: strconv.FormatInt(acme.Key.ID, 10), TenantClientID: acme.Tenant.ClientID, Kind: token.KindClient,
		})
		if err != nil {
			t.Fatal(err)
		}
		if kidOf(t, byOther) != newKid {
			t.Fatalf("the rotating process signs with %s, want %s", kidOf(t, byOther), newKid)
		}
		for name, raw := range map[string]string{"before": before, "by the other process": byOther} {
			if r := env.Do(t, http.MethodGet, "/api/users", "", apitest.Bearer(raw)...); r.Status != http.StatusOK {
				t.Errorf("the token %s: got %d %s, want 200", name, r.Status, r.Body)
			}
		}
		if got := publishedKids(t, env); len(got) != 2 || !slices.Contains(got, newKid) || !slices.Contains(got, kidOf(t, before)) {
			t.Errorf("JWKS kids: got %v, want the old and the new", got)
		}
	})
}
