package core_test

import (
	"testing"

	"github.com/rosterhq/roster/internal/core"
)

// TestAccountAdminFollowsRole: the account-admin flag is the clientAdmin
// role's, in both directions, and it is what the store keeps.
func TestAccountAdminFollowsRole(t *testing.T) {
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		tn := createTenant(t, svc, "Roles")
		u := createUser(t, svc, tn, core.CreateUser{Email: "r@example.com", Role: core.RoleClientAdmin})
		if !u.AccountAdmin {
			t.Fatal("a new clientAdmin is not an account admin")
		}
		for _, step := range []struct {
			role      string
			wantAdmin bool
		}{{core.RoleClientUser, false}, {"admin", true}, {core.RoleEditor, false}} {
			if _, err := svc.UpdateUser(t.Context(), tn.key, u.ID, core.UpdateUser{Role: ptr(step.role)}); err != nil {
				t.Fatalf("set role %s: %v", step.role, err)
			}
			got, err := st.GetUser(t.Context(), tn.Tenant.ID, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.AccountAdmin != step.wantAdmin {
				t.Fatalf("after role %s: stored accountAdmin %v, want %v", step.role, got.AccountAdmin, step.wantAdmin)
			}
		}
	})
}

// TestTakenAdminEmailNamesTheField: creating a tenant whose admin email is
// already a user's is a conflict on adminEmail, and leaves no tenant behind.
func TestTakenAdminEmailNamesTheField(t *testing.T) {
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		first := createTenant(t, svc, "First")
		_, err := svc.CreateTenant(t.Context(), core.CreateTenant{Name: "Second", AdminEmail: first.Admin.Email})
		wantError(t, err, core.Conflict, "adminEmail")
		if _, err := st.GetTenantBySubdomain(t.Context(), "second"); core.ErrorCodeOf(err) != core.NotFound {
			t.Fatalf("the refused tenant was stored: %v", err)
		}
	})
}
