package storetest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/internal/core"
)

// runGroupTests runs the conformance tests of workspaces and groups.
func runGroupTests(t *testing.T, open Opener) {
	t.Run("Workspaces", func(t *testing.T) { testWorkspaces(t, open(t)) })
	t.Run("Groups", func(t *testing.T) { testGroups(t, open(t)) })
	t.Run("UserGroups", func(t *testing.T) { testUserGroups(t, open(t)) })
	t.Run("DeleteTenantRemovesGroups", func(t *testing.T) { testDeleteTenantRemovesGroups(t, open(t)) })
}

func mustCreateWorkspace(t *testing.T, s core.Store, tenantID int64, id, name string) core.Workspace {
	t.Helper()
	ts := now()
	w := core.Workspace{TenantID: tenantID, ID: id, Name: name, CreatedAt: ts, UpdatedAt: ts}
	if err := s.Write(context.Background(), func(tx core.Tx) error { return tx.InsertWorkspace(context.Background(), &w) }); err != nil {
		t.Fatalf("insert workspace %s: %v", id, err)
	}
	return w
}

func mustCreateGroup(t *testing.T, s core.Store, w core.Workspace, id, name string, perms ...core.Permission) core.Group {
	t.Helper()
	ts := now()
	g := core.Group{TenantID: w.TenantID, ID: id, WorkspaceID: w.ID, WorkspaceName: w.Name, Name: name,
		Permissions: perms, CreatedAt: ts, UpdatedAt: ts}
	if err := s.Write(context.Background(), func(tx core.Tx) error { return tx.InsertGroup(context.Background(), &g) }); err != nil {
		t.Fatalf("insert group %s: %v", id, err)
	}
	return g
}

func testWorkspaces(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	b := mustCreateTenant(t, s)
	internal := mustCreateWorkspace(t, s, a.ID, "6567745179549784d96513ae", "internal employees")
	ext := mustCreateWorkspace(t, s, a.ID, "ext-1", "Contractors")
	theirs := mustCreateWorkspace(t, s, b.ID, "6567745179549784d96513ae", "same id, other tenant")

	got, err := s.GetWorkspace(ctx, a.ID, internal.ID)
	if err != nil {
		t.Fatalf("get workspace: %v", err)
	}
	if diff := cmp.Diff(internal, got); diff != "" {
		t.Errorf("workspace (-want +got):\n%s", diff)
	}
	list, err := s.ListWorkspaces(ctx, a.ID)
	if err != nil {
		t.Fatalf("list workspaces: %v", err)
	}
	if diff := cmp.Diff([]core.Workspace{internal, ext}, list); diff != "" {
		t.Errorf("workspaces of a, in id order (-want +got):\n%s", diff)
	}
	if got, err := s.GetWorkspace(ctx, b.ID, internal.ID); err != nil || got.Name != theirs.Name {
		t.Errorf("b's workspace with the same id: %+v, %v", got, err)
	}
	_, err = s.GetWorkspace(ctx, b.ID, ext.ID)
	wantCode(t, err, core.NotFound, "")

	dup := internal
	err = s.Write(ctx, func(tx core.Tx) error { return tx.InsertWorkspace(ctx, &dup) })
	wantCode(t, err, core.Conflict, "_id")

	renamed := ext
	renamed.Name, renamed.UpdatedAt = "Vendors", now()
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.UpdateWorkspace(ctx, &renamed) }); err != nil {
		t.Fatalf("update workspace: %v", err)
	}
	if got, _ := s.GetWorkspace(ctx, a.ID, ext.ID); got.Name != "Vendors" {
		t.Errorf("renamed workspace: name %q, want Vendors", got.Name)
	}
	stolen := renamed
	stolen.TenantID = b.ID
	err = s.Write(ctx, func(tx core.Tx) error { return tx.UpdateWorkspace(ctx, &stolen) })
	wantCode(t, err, core.NotFound, "")
	err = s.Write(ctx, func(tx core.Tx) error { return tx.DeleteWorkspace(ctx, b.ID, ext.ID) })
	wantCode(t, err, core.NotFound, "")

	// A workspace with a group cannot go; an empty one can.
	mustCreateGroup(t, s, internal, "g1", "basic users")
	n, err := s.CountGroupsInWorkspace(ctx, a.ID, internal.ID)
	if err != nil || n != 1 {
		t.Errorf("groups in workspace: got %d, %v; want 1", n, err)
	}
	err = s.Write(ctx, func(tx core.Tx) error { return tx.DeleteWorkspace(ctx, a.ID, internal.ID) })
	wantCode(t, err, core.Conflict, "")
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.DeleteWorkspace(ctx, a.ID, ext.ID) }); err != nil {
		t.Fatalf("delete empty workspace: %v", err)
	}
	_, err = s.GetWorkspace(ctx, a.ID, ext.ID)
	wantCode(t, err, core.NotFound, "")
}

func testGroups(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	b := mustCreateTenant(t, s)
	wa := mustCreateWorkspace(t, s, a.ID, "6567745179549784d96513ae", "internal employees")
	wa2 := mustCreateWorkspace(t, s, a.ID, "w2", "Second")
	wb := mustCreateWorkspace(t, s, b.ID, "wb", "B's")
	perm := core.Permission{ID: "656faf7879549784d967e2bv", PageID: "656faa7c79549784d967dfab",
		Filters: json.RawMessage(`[{"field":"region","in":["eu","us"]},{"b":1,"a":2}]`)}
	basic := mustCreateGroup(t, s, wa, "756676a679549784d96514a2", "basic users", perm)
	admins := mustCreateGroup(t, s, wa2, "admins", "Admins")
	mustCreateGroup(t, s, wb, "756676a679549784d96514a2", "B's group, same id")

	got, err := s.GetGroup(ctx, a.ID, basic.ID)
	if err != nil {
		t.Fatalf("get group: %v", err)
	}
	if diff := cmp.Diff(basic, got); diff != "" {
		t.Errorf("group, filters byte for byte (-want +got):\n%s", diff)
	}
	all, err := s.ListGroups(ctx, a.ID, "")
	if err != nil {
		t.Fatalf("list groups: %v", err)
	}
	if diff := cmp.Diff([]core.Group{basic, admins}, all); diff != "" {
		t.Errorf("groups of a, by id (-want +got):\n%s", diff)
	}
	in2, err := s.ListGroups(ctx, a.ID, wa2.ID)
	if err != nil || len(in2) != 1 || in2[0].ID != "admins" {
		t.Errorf("groups of workspace w2: %+v, %v; want admins only", in2, err)
	}
	some, err := s.GetGroups(ctx, a.ID, []string{"admins", "missing", basic.ID})
	if err != nil || len(some) != 2 || some[0].ID != basic.ID || some[1].ID != "admins" {
		t.Errorf("GetGroups: %+v, %v; want basic and admins, in id order", some, err)
	}
	none, err := s.GetGroups(ctx, b.ID, []string{"admins"})
	if err != nil || len(none) != 0 {
		t.Errorf("GetGroups of another tenant's id: %+v, %v; want none", none, err)
	}
	_, err = s.GetGroup(ctx, b.ID, "admins")
	wantCode(t, err, core.NotFound, "")

	dup := admins
	err = s.Write(ctx, func(tx core.Tx) error { return tx.InsertGroup(ctx, &dup) })
	wantCode(t, err, core.Conflict, "_id")
	foreign := core.Group{TenantID: a.ID, ID: "foreign-ws", WorkspaceID: wb.ID, Name: "x", CreatedAt: now(), UpdatedAt: now()}
	err = s.Write(ctx, func(tx core.Tx) error { return tx.InsertGroup(ctx, &foreign) })
	wantCode(t, err, core.Invalid, "workspace_id")

	moved := admins
	moved.WorkspaceID, moved.WorkspaceName, moved.Name, moved.Permissions, moved.UpdatedAt = wa.ID, wa.Name, "Administrators", []core.Permission{perm}, now()
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.UpdateGroup(ctx, &moved) }); err != nil {
		t.Fatalf("update group: %v", err)
	}
	got, _ = s.GetGroup(ctx, a.ID, admins.ID)
	if diff := cmp.Diff(moved, got); diff != "" {
		t.Errorf("updated group (-want +got):\n%s", diff)
	}
	moved.WorkspaceID = wb.ID
	err = s.Write(ctx, func(tx core.Tx) error { return tx.UpdateGroup(ctx, &moved) })
	wantCode(t, err, core.Invalid, "workspace_id")
	stolen := basic
	stolen.TenantID = b.ID
	stolen.WorkspaceID = wb.ID
	stolen.ID = "admins"
	err = s.Write(ctx, func(tx core.Tx) error { return tx.UpdateGroup(ctx, &stolen) })
	wantCode(t, err, core.NotFound, "")
	err = s.Write(ctx, func(tx core.Tx) error { return tx.DeleteGroup(ctx, b.ID, "admins") })
	wantCode(t, err, core.NotFound, "")
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.DeleteGroup(ctx, a.ID, "admins") }); err != nil {
		t.Fatalf("delete group: %v", err)
	}
	_, err = s.GetGroup(ctx, a.ID, "admins")
	wantCode(t, err, core.NotFound, "")
}

func testUserGroups(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	b := mustCreateTenant(t, s)
	wa := mustCreateWorkspace(t, s, a.ID, "wa", "A")
	wb := mustCreateWorkspace(t, s, b.ID, "wb", "B")
	g1 := mustCreateGroup(t, s, wa, "g1", "One")
	g2 := mustCreateGroup(t, s, wa, "g2", "Two")
	gb := mustCreateGroup(t, s, wb, "gb", "B's")
	u1 := mustCreateUser(t, s, a.ID, "one@example.com")
	u2 := mustCreateUser(t, s, a.ID, "two@example.com")
	u3 := mustCreateUser(t, s, a.ID, "three@example.com")
	ub := mustCreateUser(t, s, b.ID, "b@example.com")
	set := func(tenantID, userID int64, ids ...string) error {
		return s.Write(ctx, func(tx core.Tx) error { return tx.SetUserGroups(ctx, tenantID, userID, ids) })
	}
	groupsOf := func(tenantID, userID int64) []string {
		t.Helper()
		ids, err := s.ListUserGroupIDs(ctx, tenantID, userID)
		if err != nil {
			t.Fatalf("list groups of user %d: %v", userID, err)
		}
		return ids
	}
	for _, u := range []core.User{u1, u2, u3} {
		if err := set(a.ID, u.ID, g2.ID, g1.ID, g1.ID); err != nil {
			t.Fatalf("set groups: %v", err)
		}
	}
	if diff := cmp.Diff([]string{"g1", "g2"}, groupsOf(a.ID, u1.ID)); diff != "" {
		t.Errorf("groups of u1, duplicates dropped, sorted (-want +got):\n%s", diff)
	}
	if err := set(a.ID, u1.ID, g2.ID); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"g2"}, groupsOf(a.ID, u1.ID)); diff != "" {
		t.Errorf("groups of u1 replaced (-want +got):\n%s", diff)
	}
	if ids := groupsOf(b.ID, u1.ID); len(ids) != 0 {
		t.Errorf("u1's groups seen from b: %v, want none", ids)
	}

	// Another tenant's group or user is refused, and nothing changes.
	wantCode(t, set(a.ID, u2.ID, g1.ID, gb.ID), core.Invalid, "groups")
	if diff := cmp.Diff([]string{"g1", "g2"}, groupsOf(a.ID, u2.ID)); diff != "" {
		t.Errorf("groups of u2 after a refused change (-want +got):\n%s", diff)
	}
	wantCode(t, set(b.ID, u2.ID, gb.ID), core.NotFound, "")
	wantCode(t, set(a.ID, ub.ID, g1.ID), core.NotFound, "")

	// Members, keyset-paged by user id.
	page, err := s.ListGroupMembers(ctx, a.ID, g1.ID, 0, 1)
	if err != nil || len(page) != 1 || page[0].ID != u2.ID || page[0].Email != u2.Email {
		t.Fatalf("first page of g1's members: %+v, %v; want u2", page, err)
	}
	page, err = s.ListGroupMembers(ctx, a.ID, g1.ID, page[0].ID, 10)
	if err != nil || len(page) != 1 || page[0].ID != u3.ID {
		t.Fatalf("next page of g1's members: %+v, %v; want u3", page, err)
	}
	if page, err := s.ListGroupMembers(ctx, b.ID, g1.ID, 0, 10); err != nil || len(page) != 0 {
		t.Errorf("g1's members seen from b: %+v, %v; want none", page, err)
	}

	// Deleting a user or a group removes their memberships.
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.DeleteUser(ctx, a.ID, u3.ID) }); err != nil {
		t.Fatal(err)
	}
	if page, _ := s.ListGroupMembers(ctx, a.ID, g1.ID, 0, 10); len(page) != 1 || page[0].ID != u2.ID {
		t.Errorf("g1's members after deleting u3: %+v, want u2 only", page)
	}
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.DeleteGroup(ctx, a.ID, g1.ID) }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"g2"}, groupsOf(a.ID, u2.ID)); diff != "" {
		t.Errorf("groups of u2 after deleting g1 (-want +got):\n%s", diff)
	}
}

func testDeleteTenantRemovesGroups(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	b := mustCreateTenant(t, s)
	wa := mustCreateWorkspace(t, s, a.ID, "same", "A")
	wb := mustCreateWorkspace(t, s, b.ID, "same", "B")
	ga := mustCreateGroup(t, s, wa, "same", "A")
	gb := mustCreateGroup(t, s, wb, "same", "B")
	ua := mustCreateUser(t, s, a.ID, "a@example.com")
	ub := mustCreateUser(t, s, b.ID, "b@example.com")
	if err := s.Write(ctx, func(tx core.Tx) error {
		if err := tx.SetUserGroups(ctx, a.ID, ua.ID, []string{ga.ID}); err != nil {
			return err
		}
		return tx.SetUserGroups(ctx, b.ID, ub.ID, []string{gb.ID})
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, func(tx core.Tx) error { return tx.DeleteTenant(ctx, a.ID) }); err != nil {
		t.Fatalf("delete a tenant with workspaces, groups and members: %v", err)
	}
	_, err := s.GetWorkspace(ctx, a.ID, "same")
	wantCode(t, err, core.NotFound, "")
	_, err = s.GetGroup(ctx, a.ID, "same")
	wantCode(t, err, core.NotFound, "")
	if ids, err := s.ListUserGroupIDs(ctx, a.ID, ua.ID); err != nil || len(ids) != 0 {
		t.Errorf("memberships of the deleted tenant: %v, %v", ids, err)
	}
	if ids, err := s.ListUserGroupIDs(ctx, b.ID, ub.ID); err != nil || len(ids) != 1 || ids[0] != gb.ID {
		t.Errorf("b's memberships after deleting a: %v, %v; want [same]", ids, err)
	}
	if g, err := s.GetGroup(ctx, b.ID, "same"); err != nil || g.Name != "B" {
		t.Errorf("b's group after deleting a: %+v, %v", g, err)
	}
}
