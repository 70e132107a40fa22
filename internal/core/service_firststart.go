package core

import (
	"context"
	"fmt"
)

// DemoTenant is the tenant a fresh deployment starts with.
var DemoTenant = CreateTenant{Name: "Demo", Subdomain: "demo", AdminEmail: "admin@demo.roster.test"}

// EnsureDemoTenant creates DemoTenant when the store has no tenant at all,
// so that a first `roster serve` can be tried at once. It reports whether it
// created one; the returned secrets exist only in this return value.
// Two processes starting together create at most one: the loser's
// subdomain conflict means the winner did it.
func (s *Service) EnsureDemoTenant(ctx context.Context) (TenantCreated, bool, error) {
	existing, err := s.store.ListTenants(ctx, 0, 1)
	if err != nil {
		return TenantCreated{}, false, fmt.Errorf("look for tenants: %w", err)
	}
	if len(existing) > 0 {
		return TenantCreated{}, false, nil
	}
	out, err := s.CreateTenant(ctx, DemoTenant)
	if e := AsError(err); e != nil && e.Code == Conflict {
		return TenantCreated{}, false, nil
	}
	if err != nil {
		return TenantCreated{}, false, err
	}
	return out, true, nil
}
