package storetest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/internal/core"
)

func mustCreateRole(t *testing.T, s core.Store, tenantID int64, key string, perms ...string) core.Role {
	t.Helper()
	r := core.Role{TenantID: tenantID, Key: key, Name: "Role " + key, Permissions: perms}
	if err := s.Write(context.Background(), func(tx core.Tx) error {
		return tx.InsertRole(context.Background(), &r)
	}); err != nil {
		t.Fatalf("insert role %q: %v", key, err)
	}
	return r
}

func roleIDs(rs []core.Role) []int64 {
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

func testRoles(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	b := mustCreateTenant(t, s)

	sales := mustCreateRole(t, s, a.ID, "sales", "leads:read", "leads:write")
	support := mustCreateRole(t, s, a.ID, "support")
	other := mustCreateRole(t, s, b.ID, "sales", "x")
	if sales.ID < 1000 || support.ID <= sales.ID {
		t.Fatalf("custom role ids: got %d and %d, want >= 1000 and increasing", sales.ID, support.ID)
	}

	t.Run("ListHasBuiltinsAndOwnCustomRoles", func(t *testing.T) {
		list, err := s.ListRoles(ctx, a.ID)
		if err != nil {
			t.Fatalf("list roles: %v", err)
		}
		want := []int64{core.RoleIDClientUser, core.RoleIDEditor, core.RoleIDClientAdmin, sales.ID, support.ID}
		if diff := cmp.Diff(want, roleIDs(list)); diff != "" {
			t.Fatalf("role ids of a (-want +got):\n%s", diff)
		}
		for _, r := range list[:3] {
			builtin, _ := core.BuiltinRoleByID(r.ID)
			if r.TenantID != 0 || r.Key != builtin.Key {
				t.Errorf("built-in role %d: got tenant %d key %q, want 0 %q", r.ID, r.TenantID, r.Key, builtin.Key)
			}
		}
		if diff := cmp.Diff(sales, list[3]); diff != "" {
			t.Errorf("listed role (-want +got):\n%s", diff)
		}
	})

	t.Run("GetRoundTrip", func(t *testing.T) {
		got, err := s.GetRole(ctx, a.ID, sales.ID)
		if err != nil {
			t.Fatalf("get role: %v", err)
		}
		if diff := cmp.Diff(sales, got); diff != "" {
			t.Errorf("role (-want +got):\n%s", diff)
		}
		got, err = s.GetRole(ctx, b.ID, core.RoleIDEditor)
		if err != nil || got.Key != core.RoleEditor || got.TenantID != 0 {
			t.Errorf("get built-in editor: got %+v, %v", got, err)
		}
	})

	t.Run("TenantIsolation", func(t *testing.T) {
		_, err := s.GetRole(ctx, b.ID, sales.ID)
		wantCode(t, err, core.NotFound, "")
		_, err = s.GetRole(ctx, a.ID, other.ID)
		wantCode(t, err, core.NotFound, "")
		err = s.Write(ctx, func(tx core.Tx) error { return tx.DeleteRole(ctx, b.ID, sales.ID) })
		wantCode(t, err, core.NotFound, "")
		if _, err := s.GetRole(ctx, a.ID, sales.ID); err != nil {
			t.Fatalf("role deleted through another tenant: %v", err)
		}
	})

	t.Run("DuplicateKey", func(t *testing.T) {
		dup := core.Role{TenantID: a.ID, Key: "sales", Name: "Again"}
		err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertRole(ctx, &dup) })
		wantCode(t, err, core.Conflict, "key")
	})

	t.Run("ConflictKeepsTransactionUsable", func(t *testing.T) {
		var ok core.Role
		err := s.Write(ctx, func(tx core.Tx) error {
			dup := core.Role{TenantID: a.ID, Key: "sales", Name: "Again"}
			if err := tx.InsertRole(ctx, &dup); core.ErrorCodeOf(err) != core.Conflict {
				t.Errorf("duplicate insert: got %v, want a conflict", err)
			}
			ok = core.Role{TenantID: a.ID, Key: "after-conflict", Name: "After"}
			return tx.InsertRole(ctx, &ok)
		})
		if err != nil {
			t.Fatalf("insert after a conflict: %v", err)
		}
		if _, err := s.GetRole(ctx, a.ID, ok.ID); err != nil {
			t.Fatalf("role inserted after a conflict: %v", err)
		}
	})

	t.Run("BuiltinsCannotBeDeleted", func(t *testing.T) {
		err := s.Write(ctx, func(tx core.Tx) error { return tx.DeleteRole(ctx, a.ID, core.RoleIDClientUser) })
		wantCode(t, err, core.NotFound, "")
	})

	t.Run("InUse", func(t *testing.T) {
		u := newUser(a.ID, "sales@example.com")
		u.RoleID, u.Role = sales.ID, ""
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertUser(ctx, &u) }); err != nil {
			t.Fatalf("insert user with a custom role: %v", err)
		}
		got, err := s.GetUser(ctx, a.ID, u.ID)
		if err != nil || got.RoleID != sales.ID || got.Role != "sales" {
			t.Fatalf("user with custom role: got role %d %q, %v; want %d sales", got.RoleID, got.Role, err, sales.ID)
		}
		n, err := s.CountMembersWithRole(ctx, a.ID, sales.ID)
		if err != nil || n != 1 {
			t.Fatalf("count members with role: got %d, %v; want 1", n, err)
		}
		if n, err := s.CountMembersWithRole(ctx, b.ID, sales.ID); err != nil || n != 0 {
			t.Fatalf("count members of b with a's role: got %d, %v; want 0", n, err)
		}
		// The store refuses on its own (the core also counts first).
		err = s.Write(ctx, func(tx core.Tx) error { return tx.DeleteRole(ctx, a.ID, sales.ID) })
		wantCode(t, err, core.Conflict, "")

		got.RoleID = core.RoleIDClientUser
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.UpdateUser(ctx, &got) }); err != nil {
			t.Fatalf("move user off the role: %v", err)
		}
		if err := s.Write(ctx, func(tx core.Tx) error { return tx.DeleteRole(ctx, a.ID, sales.ID) }); err != nil {
			t.Fatalf("delete unused role: %v", err)
		}
		_, err = s.GetRole(ctx, a.ID, sales.ID)
		wantCode(t, err, core.NotFound, "")
		err = s.Write(ctx, func(tx core.Tx) error { return tx.DeleteRole(ctx, a.ID, sales.ID) })
		wantCode(t, err, core.NotFound, "")
	})

	t.Run("UnknownRoleOnUser", func(t *testing.T) {
		u := newUser(a.ID, "norole@example.com")
		u.RoleID = 987654
		err := s.Write(ctx, func(tx core.Tx) error { return tx.InsertUser(ctx, &u) })
		wantCode(t, err, core.Invalid, "role")
	})
}
