package core_test

import (
	"slices"
	"strings"
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

func TestRoles(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		globex := createTenant(t, svc, "Globex")

		sales, err := svc.CreateRole(ctx, acme.key, core.CreateRole{Key: " sales ", Name: "Sales",
			Permissions: []string{"leads:write", " leads:read ", "leads:write"}})
		if err != nil {
			t.Fatalf("CreateRole: %v", err)
		}
		want(t, "created role", sales, core.Role{ID: sales.ID, TenantID: acme.Tenant.ID, Key: "sales", Name: "Sales",
			Permissions: []string{"leads:write", "leads:read"}})
		list := events(t, st, acme.Tenant.ID, core.EventRoleCreated)
		if len(list) != 1 || list[0].SubjectType != "role" || list[0].SubjectID != formatID(sales.ID) {
			t.Fatalf("got role_created events %+v, want one for role %d", list, sales.ID)
		}
		theirs, err := svc.CreateRole(ctx, globex.key, core.CreateRole{Key: "sales"}) // keys are per tenant
		if err != nil {
			t.Fatalf("CreateRole(globex, same key): %v", err)
		}
		if theirs.Name != "sales" || theirs.Permissions != nil {
			t.Errorf("role with defaults: got name %q permissions %v, want the key and none", theirs.Name, theirs.Permissions)
		}

		t.Run("List", func(t *testing.T) {
			roles, err := svc.ListRoles(ctx, acme.key)
			if err != nil {
				t.Fatalf("ListRoles: %v", err)
			}
			want(t, "roles", roles, append(slices.Clone(core.BuiltinRoles), sales))
		})

		t.Run("Get", func(t *testing.T) {
			got, err := svc.GetRole(ctx, acme.key, sales.ID)
			if err != nil {
				t.Fatalf("GetRole: %v", err)
			}
			want(t, "role", got, sales)
			got, err = svc.GetRole(ctx, acme.key, core.RoleIDClientAdmin)
			if err != nil {
				t.Fatalf("GetRole(built-in): %v", err)
			}
			want(t, "built-in role", got, core.BuiltinRoles[2])
			_, err = svc.GetRole(ctx, acme.key, theirs.ID)
			wantError(t, err, core.NotFound, "")
			_, err = svc.GetRole(ctx, acme.key, 424242)
			wantError(t, err, core.NotFound, "")
		})

		t.Run("CreateRefused", func(t *testing.T) {
			before := takeCensus(t, st, acme.Tenant.ID)
			for _, tt := range []struct {
				name      string
				cmd       core.CreateRole
				wantCode  core.ErrorCode
				wantField string
			}{
				{"KeyMissing", core.CreateRole{}, core.Invalid, "key"},
				{"KeySpace", core.CreateRole{Key: "sales team"}, core.Invalid, "key"},
				{"KeyStartsWithDigit", core.CreateRole{Key: "1st"}, core.Invalid, "key"},
				{"KeyTooLong", core.CreateRole{Key: strings.Repeat("k", 65)}, core.Invalid, "key"},
				{"KeyBuiltin", core.CreateRole{Key: core.RoleClientAdmin}, core.Conflict, "key"},
				{"KeyBuiltinAlias", core.CreateRole{Key: "admin"}, core.Conflict, "key"},
				{"KeyBuiltinOtherCase", core.CreateRole{Key: "ClientUser"}, core.Conflict, "key"},
				{"KeyTaken", core.CreateRole{Key: "sales"}, core.Conflict, "key"},
				{"NameTooLong", core.CreateRole{Key: "long", Name: strings.Repeat("n", 256)}, core.Invalid, "name"},
				{"PermissionEmpty", core.CreateRole{Key: "p", Permissions: []string{"a", " "}}, core.Invalid, "permissions[1]"},
				{"PermissionSpace", core.CreateRole{Key: "p", Permissions: []string{"users read"}}, core.Invalid, "permissions[0]"},
				{"TooManyPermissions", core.CreateRole{Key: "p", Permissions: make([]string, 201)}, core.Invalid, "permissions"},
			} {
				t.Run(tt.name, func(t *testing.T) {
					_, err := svc.CreateRole(ctx, acme.key, tt.cmd)
					wantError(t, err, tt.wantCode, tt.wantField)
				})
			}
			wantSameCensus(t, st, before)
			roles, err := st.ListRoles(ctx, acme.Tenant.ID)
			if err != nil || len(roles) != 4 {
				t.Errorf("refused creates stored roles: got %d roles, %v; want 4", len(roles), err)
			}
		})

		t.Run("UserPermissions", func(t *testing.T) {
			seller := createUser(t, svc, acme, core.CreateUser{Email: "seller@example.com", Role: "sales"})
			perms, err := svc.UserPermissions(ctx, acme.key, seller)
			if err != nil {
				t.Fatalf("UserPermissions(custom): %v", err)
			}
			want(t, "custom role permissions", perms, []string{"leads:read", "leads:write"})
			perms, err = svc.UserPermissions(ctx, acme.key, acme.Admin)
			if err != nil {
				t.Fatalf("UserPermissions(admin): %v", err)
			}
			want(t, "clientAdmin permissions", perms, []string{"admin", "users:read", "users:write"})
			member := createUser(t, svc, acme, core.CreateUser{Email: "member@example.com"})
			perms, err = svc.UserPermissions(ctx, acme.key, member)
			if err != nil {
				t.Fatalf("UserPermissions(clientUser): %v", err)
			}
			want(t, "clientUser permissions", perms, []string{"users:read:self"})
			_, err = svc.UserPermissions(ctx, globex.key, seller)
			wantError(t, err, core.NotFound, "")
		})

		t.Run("Delete", func(t *testing.T) {
			wantError(t, svc.DeleteRole(ctx, acme.key, core.RoleIDClientUser), core.Forbidden, "")
			wantError(t, svc.DeleteRole(ctx, acme.key, theirs.ID), core.NotFound, "")
			if _, err := st.GetRole(ctx, globex.Tenant.ID, theirs.ID); err != nil {
				t.Fatalf("another tenant's role was deleted: %v", err)
			}
			// In use by seller (above).
			before := takeCensus(t, st, acme.Tenant.ID)
			wantError(t, svc.DeleteRole(ctx, acme.key, sales.ID), core.Conflict, "")
			wantSameCensus(t, st, before)

			temp, err := svc.CreateRole(ctx, acme.key, core.CreateRole{Key: "temp"})
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.DeleteRole(ctx, acme.key, temp.ID); err != nil {
				t.Fatalf("DeleteRole: %v", err)
			}
			_, err = svc.GetRole(ctx, acme.key, temp.ID)
			wantError(t, err, core.NotFound, "")
			list := events(t, st, acme.Tenant.ID, core.EventRoleDeleted)
			if len(list) != 1 || list[0].SubjectID != formatID(temp.ID) {
				t.Fatalf("got role_deleted events %+v, want one for role %d", list, temp.ID)
			}
			wantError(t, svc.DeleteRole(ctx, acme.key, temp.ID), core.NotFound, "")
		})

		t.Run("AdminOnly", func(t *testing.T) {
			member := createUser(t, svc, acme, core.CreateUser{Email: "plain@example.com"})
			for _, a := range []core.Actor{userActor(acme, member), {Kind: core.ActorAPIKey, TenantID: acme.Tenant.ID, Scopes: []string{core.ScopeUsersWrite}}} {
				_, err := svc.ListRoles(ctx, a)
				wantError(t, err, core.Forbidden, "")
				_, err = svc.CreateRole(ctx, a, core.CreateRole{Key: "sneaky"})
				wantError(t, err, core.Forbidden, "")
				wantError(t, svc.DeleteRole(ctx, a, sales.ID), core.Forbidden, "")
			}
		})
	})
}
