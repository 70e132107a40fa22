package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/internal/core"
)

func testTenants(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	b := mustCreateTenant(t, s)
	if a.ID == 0 || b.ID == 0 || a.ID == b.ID {
		t.Fatalf("tenant ids: got %d and %d, want two distinct non-zero ids", a.ID, b.ID)
	}

	for name, get := range map[string]func() (core.Tenant, error){
		"ByID":        func() (core.Tenant, error) { return s.GetTenant(ctx, a.ID) },
		"ByClientID":  func() (core.Tenant, error) { return s.GetTenantByClientID(ctx, a.ClientID) },
		"BySubdomain": func() (core.Tenant, error) { return s.GetTenantBySubdomain(ctx, a.Subdomain) },
	} {
		got, err := get()
		if err != nil {
			t.Fatalf("get tenant %s: %v", name, err)
		}
		if diff := cmp.Diff(a, got); diff != "" {
			t.Errorf("get tenant %s (-want +got):\n%s", name, diff)
		}
	}

	_, err := s.GetTenant(ctx, 987654321)
	wantCode(t, err, core.NotFound, "")
	_, err = s.GetTenantByClientID(ctx, "clt_doesnotexist000000")
	wantCode(t, err, core.NotFound, "")
	_, err = s.GetTenantBySubdomain(ctx, "nope")
	wantCode(t, err, core.NotFound, "")

	list, err := s.ListTenants(ctx, 0, 10)
	if err != nil {
		t.Fatalf("list tenants: %v", err)
	}
	if len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID {
		t.Fatalf("list tenants: got %+v, want [a b] in id order", list)
	}
	list, err = s.ListTenants(ctx, a.ID, 10)
	if err != nil || len(list) != 1 || list[0].ID != b.ID {
		t.Fatalf("list tenants after a: got %+v, %v; want [b]", list, err)
	}

	t.Run("DuplicateSubdomain", func(t *testing.T) {
		dup := newTenant()
		dup.Subdomain = a.Subdomain
		err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertTenant(ctx, &dup) })
		wantCode(t, err, core.Conflict, "subdomain")
	})

	t.Run("Update", func(t *testing.T) {
		a.Name = "Renamed"
		a.Subdomain = "renamed-" + randomHex(3)
		a.UpdatedAt = now().Add(time.Second)
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.UpdateTenant(ctx, &a) }); err != nil {
			t.Fatalf("update tenant: %v", err)
		}
		got, err := s.GetTenant(ctx, a.ID)
		if err != nil {
			t.Fatalf("get tenant: %v", err)
		}
		if diff := cmp.Diff(a, got); diff != "" {
			t.Errorf("updated tenant (-want +got):\n%s", diff)
		}
		taken := b
		taken.Subdomain = a.Subdomain
		err = s.Write(ctx, func(tx core.Tx) error { return tx.UpdateTenant(ctx, &taken) })
		wantCode(t, err, core.Conflict, "subdomain")
		missing := newTenant()
		missing.ID = 987654321
		err = s.Write(ctx, func(tx core.Tx) error { return tx.UpdateTenant(ctx, &missing) })
		wantCode(t, err, core.NotFound, "")
	})

	t.Run("RateLimits", func(t *testing.T) {
		// Inserted, read by every query, updated and cleared.
		limit, burst := 1200, 50
		c := newTenant()
		c.RateLimit = &limit
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertTenant(ctx, &c) }); err != nil {
			t.Fatalf("insert tenant: %v", err)
		}
		wantTenantEverywhere(t, s, c)
		c.RateLimit, c.RateBurst = nil, &burst
		c.UpdatedAt = now().Add(time.Second)
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.UpdateTenant(ctx, &c) }); err != nil {
			t.Fatalf("update tenant: %v", err)
		}
		wantTenantEverywhere(t, s, c)
		c.RateLimit, c.RateBurst = &limit, &burst
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.UpdateTenant(ctx, &c) }); err != nil {
			t.Fatalf("update tenant: %v", err)
		}
		wantTenantEverywhere(t, s, c)
		c.RateLimit, c.RateBurst = nil, nil
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.UpdateTenant(ctx, &c) }); err != nil {
			t.Fatalf("update tenant: %v", err)
		}
		wantTenantEverywhere(t, s, c)
	})

	t.Run("Delete", func(t *testing.T) {
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.DeleteTenant(ctx, b.ID) }); err != nil {
			t.Fatalf("delete tenant: %v", err)
		}
		_, err := s.GetTenant(ctx, b.ID)
		wantCode(t, err, core.NotFound, "")
		err = s.Write(ctx, func(tx core.Tx) error { return tx.DeleteTenant(ctx, b.ID) })
		wantCode(t, err, core.NotFound, "")
		if _, err := s.GetTenant(ctx, a.ID); err != nil {
			t.Fatalf("the other tenant is gone too: %v", err)
		}
	})
}

// wantTenantEverywhere fails t unless every tenant query returns want.
func wantTenantEverywhere(t *testing.T, s core.Store, want core.Tenant) {
	t.Helper()
	ctx := context.Background()
	list, err := s.ListTenants(ctx, want.ID-1, 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("list tenants: got %v, %v; want one tenant", list, err)
	}
	for name, get := range map[string]func() (core.Tenant, error){
		"ByID":        func() (core.Tenant, error) { return s.GetTenant(ctx, want.ID) },
		"ByClientID":  func() (core.Tenant, error) { return s.GetTenantByClientID(ctx, want.ClientID) },
		"BySubdomain": func() (core.Tenant, error) { return s.GetTenantBySubdomain(ctx, want.Subdomain) },
		"List":        func() (core.Tenant, error) { return list[0], nil },
		"InWrite": func() (tn core.Tenant, err error) {
			err = s.Write(ctx, func(tx core.Tx) error { tn, err = tx.GetTenant(ctx, want.ID); return err })
			return tn, err
		},
	} {
		got, err := get()
		if err != nil {
			t.Fatalf("get tenant %s: %v", name, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("tenant %s (-want +got):\n%s", name, diff)
		}
	}
}

func testDeleteTenantCascades(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	other := mustCreateTenant(t, s)
	u := mustCreateUser(t, s, a.ID, "cascade@example.com")
	keep := mustCreateUser(t, s, other.ID, "keep@example.com")
	key := newKey(a.ID)
	if err := s.Write(ctx, func(tx core.Tx) error {
		if err := tx.InsertAPIKey(ctx, &key); err != nil {
			return err
		}
		return tx.InsertEvent(ctx, &core.Event{TenantID: a.ID, Type: core.EventUserCreated, CreatedAt: now()})
	}); err != nil {
		t.Fatalf("setup: %v", err)
	}

	if err := s.Write(ctx, func(tx core.Tx) error { return tx.DeleteTenant(ctx, a.ID) }); err != nil {
		t.Fatalf("delete tenant: %v", err)
	}
	_, err := s.GetUserByEmail(ctx, "cascade@example.com")
	wantCode(t, err, core.NotFound, "")
	_, err = s.GetUser(ctx, a.ID, u.ID)
	wantCode(t, err, core.NotFound, "")
	_, err = s.GetAPIKeyByHash(ctx, key.Hash)
	wantCode(t, err, core.NotFound, "")
	if _, err := s.GetUser(ctx, other.ID, keep.ID); err != nil {
		t.Fatalf("another tenant's user was touched: %v", err)
	}
	events, err := s.ListEvents(ctx, a.ID, core.EventFilter{Limit: 10})
	if err != nil || len(events) != 1 {
		t.Fatalf("events of a deleted tenant: got %d, %v; want 1 (the audit log outlives the tenant)", len(events), err)
	}
}
