package clientapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api"
	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/ratelimit"
	"github.com/rosterhq/roster/internal/token"
)

// withRateLimit runs the server with in-process buckets whose clock stands
// still (no refill, however slow the machine) and a limit of perMinute
// requests per credential.
func withRateLimit(perMinute int) apitest.Option {
	return func(d *api.Deps) {
		stopped := time.Now()
		d.Limiter = ratelimit.NewMemory(ratelimit.MemoryOptions{Now: func() time.Time { return stopped }})
		d.Limits = api.Limits{Credential: ratelimit.PerMinute(perMinute)}
	}
}

// wantRateHeaders fails t unless res carries the RateLimit headers with
// this limit and remaining count, and a reset in (0, 60] seconds.
func wantRateHeaders(t *testing.T, res apitest.Response, limit, remaining int) {
	t.Helper()
	if got := res.Header.Get("RateLimit-Limit"); got != strconv.Itoa(limit) {
		t.Errorf("RateLimit-Limit: got %q, want %d", got, limit)
	}
	if got := res.Header.Get("RateLimit-Remaining"); got != strconv.Itoa(remaining) {
		t.Errorf("RateLimit-Remaining: got %q, want %d", got, remaining)
	}
	if reset, err := strconv.Atoi(res.Header.Get("RateLimit-Reset")); err != nil || reset < 1 || reset > 60 {
		t.Errorf("RateLimit-Reset: got %q, want 1 to 60 seconds", res.Header.Get("RateLimit-Reset"))
	}
}

// wantRateLimited fails t unless res is the face's 429 naming the limit,
// with Retry-After.
func wantRateLimited(t *testing.T, res apitest.Response, limit string) {
	t.Helper()
	e := wantError(t, res, http.StatusTooManyRequests, "rate limit of "+limit+" exceeded for this credential")
	if e.Error != "rate_limited" {
		t.Errorf("error code: got %q, want rate_limited", e.Error)
	}
	if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("Retry-After: got %q, want a positive number of seconds", res.Header.Get("Retry-After"))
	}
}

// clientToken issues an access token for tenant's default key, as POST
// /oauth/token does.
func clientToken(t *testing.T, env *apitest.Env, tenant core.TenantCreated) string {
	t.Helper()
	tok, _, err := env.Tokens.Issue(context.Background(), token.Claims{
		Kind: token.KindClient, Subject: strconv.FormatInt(tenant.Key.ID, 10), TenantClientID: tenant.Tenant.ClientID,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func rateLimitedEvents(t *testing.T, env *apitest.Env, tenant core.TenantCreated) []core.Event {
	t.Helper()
	evs, err := env.Store.ListEvents(context.Background(), tenant.Tenant.ID, core.EventFilter{Type: core.EventAPIRateLimited, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestRateLimitPerCredential(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		other := env.NewTenant(t, "Other")
		key := apitest.Bearer(acme.APIKey)

		// Every answer carries the headers; the fifth request is the last.
		for i := range 5 {
			res := env.Do(t, http.MethodGet, "/api/users", "", key...)
			if res.Status != http.StatusOK {
				t.Fatalf("request %d: %d %s", i+1, res.Status, res.Body)
			}
			wantRateHeaders(t, res, 5, 4-i)
		}
		// Then every request is refused, in the face's shape, with the
		// headers too; whatever the route.
		for _, r := range []struct{ method, path, body string }{
			{http.MethodGet, "/api/users", ""},
			{http.MethodPost, "/api/users", `{"email":"new@example.com"}`},
			{http.MethodGet, "/api/users/1", ""},
		} {
			res := env.Do(t, r.method, r.path, r.body, key...)
			wantRateLimited(t, res, "5 requests per minute")
			wantRateHeaders(t, res, 5, 0)
		}
		if users, _ := counts(t, env, acme); users != 1 {
			t.Fatalf("users: got %d, want 1 (the refused create did nothing)", users)
		}

		// A token issued for the key shares its bucket.
		res := env.Do(t, http.MethodGet, "/api/users", "", apitest.Bearer(clientToken(t, env, acme))...)
		wantRateLimited(t, res, "5 requests per minute")

		// Exactly one event for the refusals of this minute, naming the
		// credential by id, never by secret.
		evs := rateLimitedEvents(t, env, acme)
		if len(evs) != 1 {
			t.Fatalf("api_rate_limited events: got %d, want 1", len(evs))
		}
		var payload map[string]any
		if err := json.Unmarshal(evs[0].Payload, &payload); err != nil {
			t.Fatal(err)
		}
		wantPayload := map[string]any{"credential": "key:" + strconv.FormatInt(acme.Key.ID, 10), "limit": 5.0, "burst": 5.0, "periodSeconds": 60.0}
		for k, v := range wantPayload {
			if payload[k] != v {
				t.Errorf("event payload %s: got %v, want %v (payload %s)", k, payload[k], v, evs[0].Payload)
			}
		}
		if evs[0].SubjectType != "api_key" || evs[0].SubjectID != strconv.FormatInt(acme.Key.ID, 10) {
			t.Errorf("event subject: got %s %s", evs[0].SubjectType, evs[0].SubjectID)
		}
		if strings.Contains(string(evs[0].Payload), acme.APIKey) {
			t.Error("the event payload holds the API key")
		}

		// Other credentials have their own buckets: another tenant's key,
		// and the same tenant's admin, logged in.
		res = env.Do(t, http.MethodGet, "/api/users", "", apitest.Bearer(other.APIKey)...)
		if res.Status != http.StatusOK {
			t.Fatalf("another tenant's key: %d %s", res.Status, res.Body)
		}
		wantRateHeaders(t, res, 5, 4)
		adminToken := login(t, env, acme.Admin.Email, acme.AdminPassword)
		res = env.Do(t, http.MethodGet, "/api/users", "", apitest.Bearer(adminToken)...)
		if res.Status != http.StatusOK {
			t.Fatalf("the admin's token: %d %s", res.Status, res.Body)
		}
		wantRateHeaders(t, res, 5, 4)
		if evs := rateLimitedEvents(t, env, other); len(evs) != 0 {
			t.Fatalf("the other tenant has %d api_rate_limited events, want 0", len(evs))
		}

		// A request without a valid credential is refused as before, and
		// makes no bucket.
		res = env.Do(t, http.MethodGet, "/api/users", "", apitest.Bearer("bdk_"+strings.Repeat("x", 40))...)
		wantError(t, res, http.StatusUnauthorized, "")
		if res.Header.Get("RateLimit-Limit") != "" {
			t.Errorf("a 401 carries RateLimit-Limit %q", res.Header.Get("RateLimit-Limit"))
		}
		env.AssertNoSecrets(t, acme.APIKey, other.APIKey, adminToken)
	}, withRateLimit(5))
}

func TestRateLimitPerTenant(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		small := env.NewTenant(t, "Small")
		bursty := env.NewTenant(t, "Bursty")
		plain := env.NewTenant(t, "Plain")
		set := func(tn core.TenantCreated, limit, burst *int) {
			t.Helper()
			_, err := env.Service.UpdateTenantRateLimits(context.Background(), core.OperatorFor(tn.Tenant),
				core.UpdateTenantRateLimits{RateLimit: limit, RateBurst: burst})
			if err != nil {
				t.Fatal(err)
			}
		}
		set(small, ptr(2), nil)
		set(bursty, ptr(60), ptr(3))

		for _, c := range []struct {
			tenant  core.TenantCreated
			allowed int
			limit   string
		}{
			{small, 2, "2 requests per minute"},
			{bursty, 3, "60 requests per minute (bursts of 3)"},
			{plain, 5, "5 requests per minute"},
		} {
			for i := range c.allowed {
				res := env.Do(t, http.MethodGet, "/api/users", "", apitest.Bearer(c.tenant.APIKey)...)
				if res.Status != http.StatusOK {
					t.Fatalf("%s request %d: %d %s", c.tenant.Tenant.Name, i+1, res.Status, res.Body)
				}
				if got := res.Header.Get("RateLimit-Limit"); got != strconv.Itoa(c.allowed) {
					t.Fatalf("%s: RateLimit-Limit %q, want %d", c.tenant.Tenant.Name, got, c.allowed)
				}
			}
			wantRateLimited(t, env.Do(t, http.MethodGet, "/api/users", "", apitest.Bearer(c.tenant.APIKey)...), c.limit)
		}
	}, withRateLimit(5))
}

// TestRateLimitOffByDefault: a server without a limiter (every other test
// here) sends no RateLimit headers and limits nothing.
func TestRateLimitOffByDefault(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		deadline := time.Now().Add(10 * time.Second)
		for i := 0; i < 20 && time.Now().Before(deadline); i++ {
			res := env.Do(t, http.MethodGet, "/api/users", "", apitest.Bearer(acme.APIKey)...)
			if res.Status != http.StatusOK || res.Header.Get("RateLimit-Limit") != "" {
				t.Fatalf("request %d: %d, RateLimit-Limit %q", i, res.Status, res.Header.Get("RateLimit-Limit"))
			}
		}
	})
}
