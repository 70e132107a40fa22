package openapi_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api"
	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/ratelimit"
)

// eventsOperations are the operations TestEventsMatchDocument covers.
var eventsOperations = covers("TestEventsMatchDocument", "GET /api/v1/events")

// TestEventsMatchDocument drives the audit log of the Admin API through the
// document.
func TestEventsMatchDocument(t *testing.T) {
	ctx := context.Background()
	c := newContract(t)
	env, _ := newServer(t, core.HashPoolConfig{})
	acme := env.NewTenant(t, "Acme")
	other := env.NewTenant(t, "Other")
	_, usersOnly, err := env.Service.CreateAPIKey(ctx, core.OperatorFor(acme.Tenant),
		core.CreateAPIKey{Name: "users only", Scopes: []string{core.ScopeUsersRead, core.ScopeUsersWrite}})
	if err != nil {
		t.Fatal(err)
	}
	bearer := apitest.Bearer(acme.APIKey)
	do := func(ex exchange) result { t.Helper(); return c.do(t, env.URL, ex) }

	do(exchange{name: "create a user", method: "POST", path: "/api/users",
		body: `{"email":"audit@example.com","displayName":"Audit","password":"audit-password-1"}`, headers: bearer, status: 201})

	first := do(exchange{name: "events: a page of one", method: "GET", path: "/api/v1/events?limit=1", headers: bearer, status: 200})
	var page struct {
		Events []struct {
			ID int64 `json:"id"`
		} `json:"events"`
		NextCursor *string `json:"nextCursor"`
	}
	if err := json.Unmarshal(first.Body, &page); err != nil || len(page.Events) != 1 || page.NextCursor == nil {
		t.Fatalf("first page: %s", first.Body)
	}
	since := url.QueryEscape(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))
	until := url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339))
	for _, ex := range []exchange{
		{name: "events: all", method: "GET", path: "/api/v1/events", headers: bearer, status: 200},
		{name: "events: the next page", method: "GET", path: "/api/v1/events?limit=1&cursor=" + *page.NextCursor, headers: bearer, status: 200},
		{name: "events: every filter", method: "GET", headers: bearer, status: 200,
			path: "/api/v1/events?type=user_created&actor=operator&subject_type=user&subject_id=1&since=" + since + "&until=" + until},
		{name: "events: limit 0", method: "GET", path: "/api/v1/events?limit=0", headers: bearer, status: 400, invalid: true},
		{name: "events: limit over 200", method: "GET", path: "/api/v1/events?limit=201", headers: bearer, status: 400, invalid: true},
		{name: "events: a cursor the API never returned", method: "GET", path: "/api/v1/events?cursor=bogus", headers: bearer, status: 400},
		{name: "events: since not RFC 3339", method: "GET", path: "/api/v1/events?since=yesterday", headers: bearer, status: 400},
		{name: "events: until before since", method: "GET", path: "/api/v1/events?since=" + until + "&until=" + since, headers: bearer, status: 400},
		{name: "events: key without admin", method: "GET", path: "/api/v1/events", headers: apitest.Bearer(usersOnly), status: 403},
		{name: "events: no credential", method: "GET", path: "/api/v1/events", status: 401, invalid: true},
		{name: "events: another tenant (its own, empty of acme's)", method: "GET", path: "/api/v1/events", headers: apitest.Bearer(other.APIKey), status: 200},
	} {
		do(ex)
	}

	// Past the rate limit: 429 as a problem, with RateLimit-* headers.
	limited, _ := newServer(t, core.HashPoolConfig{}, func(d *api.Deps) {
		d.Limiter = ratelimit.NewMemory(ratelimit.MemoryOptions{})
		d.Limits = api.Limits{Credential: ratelimit.Rule{Limit: 1, Period: time.Hour}}
	})
	busy := limited.NewTenant(t, "Busy")
	for _, ex := range []exchange{
		{name: "rate limited: events", method: "GET", path: "/api/v1/events", headers: apitest.Bearer(busy.APIKey), status: 200},
		{name: "rate limited: events, over the budget", method: "GET", path: "/api/v1/events", headers: apitest.Bearer(busy.APIKey), status: 429},
	} {
		if res := c.do(t, limited.URL, ex); res.Header.Get("RateLimit-Limit") == "" {
			t.Errorf("%s: no RateLimit-Limit header", ex.name)
		}
	}

	c.wantExercised(t, eventsOperations)
	env.AssertNoSecrets(t, acme.APIKey, other.APIKey, usersOnly, "audit-password-1")
	limited.AssertNoSecrets(t, busy.APIKey)
}
