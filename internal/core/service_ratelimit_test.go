package core_test

import (
	"encoding/json"
	"maps"
	"strconv"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

func TestUpdateTenantRateLimits(t *testing.T) {
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		other := createTenant(t, svc, "Other")
		op := core.OperatorFor(acme.Tenant)

		got, err := svc.TenantRateLimits(t.Context(), acme.Tenant.ID)
		if err != nil || got.RateLimit != nil || got.RateBurst != nil {
			t.Fatalf("a new tenant's limits: got %+v, %v; want none (the server's)", got, err)
		}

		tn, err := svc.UpdateTenantRateLimits(t.Context(), op, core.UpdateTenantRateLimits{RateLimit: ptr(1200)})
		if err != nil {
			t.Fatal(err)
		}
		if tn.RateLimit == nil || *tn.RateLimit != 1200 || tn.RateBurst != nil {
			t.Fatalf("after setting the limit: %+v", tn)
		}
		tn, err = svc.UpdateTenantRateLimits(t.Context(), op, core.UpdateTenantRateLimits{RateBurst: ptr(30)})
		if err != nil || *tn.RateLimit != 1200 || tn.RateBurst == nil || *tn.RateBurst != 30 {
			t.Fatalf("after setting the burst: %+v, %v; want the limit kept", tn, err)
		}
		got, err = svc.TenantRateLimits(t.Context(), acme.Tenant.ID)
		if err != nil || *got.RateLimit != 1200 || *got.RateBurst != 30 {
			t.Fatalf("stored limits: %+v, %v", got, err)
		}
		// The same values again change nothing and record nothing.
		if _, err := svc.UpdateTenantRateLimits(t.Context(), op, core.UpdateTenantRateLimits{RateLimit: ptr(1200)}); err != nil {
			t.Fatal(err)
		}
		// 0 returns to the server's setting.
		tn, err = svc.UpdateTenantRateLimits(t.Context(), op, core.UpdateTenantRateLimits{RateLimit: ptr(0), RateBurst: ptr(0)})
		if err != nil || tn.RateLimit != nil || tn.RateBurst != nil {
			t.Fatalf("after clearing: %+v, %v", tn, err)
		}

		evs := events(t, st, acme.Tenant.ID, core.EventAccountUpdated)
		if len(evs) != 3 {
			t.Fatalf("account_updated events: got %d, want 3 (set, set, clear)", len(evs))
		}
		var p struct {
			ClientID  string   `json:"clientId"`
			RateLimit *int     `json:"rateLimit"`
			RateBurst *int     `json:"rateBurst"`
			Changed   []string `json:"changed"`
		}
		if err := json.Unmarshal(evs[1].Payload, &p); err != nil {
			t.Fatal(err)
		}
		if p.ClientID != acme.Tenant.ClientID || *p.RateLimit != 1200 || *p.RateBurst != 30 || len(p.Changed) != 1 || p.Changed[0] != "rateBurst" {
			t.Fatalf("event payload: %s", evs[1].Payload)
		}
		if evs[0].Actor != "operator" || evs[0].SubjectType != "tenant" {
			t.Fatalf("event: %+v", evs[0])
		}

		// The other tenant is untouched.
		if got, _ := svc.TenantRateLimits(t.Context(), other.Tenant.ID); got.RateLimit != nil || got.RateBurst != nil {
			t.Fatalf("the other tenant's limits changed: %+v", got)
		}

		// A tenant's own credentials may not change its limits.
		_, err = svc.UpdateTenantRateLimits(t.Context(), acme.key, core.UpdateTenantRateLimits{RateLimit: ptr(1_000_000)})
		wantError(t, err, core.Forbidden, "")
		for _, bad := range []int{-1, core.MaxTenantRateLimit + 1} {
			_, err = svc.UpdateTenantRateLimits(t.Context(), op, core.UpdateTenantRateLimits{RateLimit: ptr(bad)})
			wantError(t, err, core.Invalid, "rateLimit")
			_, err = svc.UpdateTenantRateLimits(t.Context(), op, core.UpdateTenantRateLimits{RateBurst: ptr(bad)})
			wantError(t, err, core.Invalid, "rateBurst")
		}
		_, err = svc.TenantRateLimits(t.Context(), 987654321)
		wantError(t, err, core.NotFound, "")
	})
}

func TestRecordRateLimited(t *testing.T) {
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		err := svc.RecordRateLimited(t.Context(), acme.key, core.RateLimitRefusal{
			Credential: "key:" + itoa(acme.key.APIKeyID), Limit: 600, Burst: 100, Period: time.Minute,
		})
		if err != nil {
			t.Fatal(err)
		}
		evs := events(t, st, acme.Tenant.ID, core.EventAPIRateLimited)
		if len(evs) != 1 {
			t.Fatalf("api_rate_limited events: %d, want 1", len(evs))
		}
		e := evs[0]
		if e.SubjectType != "api_key" || e.SubjectID != itoa(acme.key.APIKeyID) || e.Actor != acme.key.Label() {
			t.Fatalf("event: %+v", e)
		}
		var got map[string]any
		if err := json.Unmarshal(e.Payload, &got); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"credential": "key:" + itoa(acme.key.APIKeyID), "limit": 600.0, "burst": 100.0, "periodSeconds": 60.0}
		if !maps.Equal(got, want) {
			t.Fatalf("payload: got %v, want %v", got, want)
		}
		wantNoSecrets(t, "api_rate_limited payload", string(e.Payload), acme.APIKey)
		wantError(t, svc.RecordRateLimited(t.Context(), core.Actor{}, core.RateLimitRefusal{}), core.Unauthenticated, "")
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
