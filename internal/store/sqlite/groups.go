package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/rosterhq/roster/internal/core"
)

func scanWorkspace(row scanner) (core.Workspace, error) {
	var w core.Workspace
	err := row.Scan(&w.TenantID, &w.ID, &w.Name, timeDest{&w.CreatedAt}, timeDest{&w.UpdatedAt})
	return w, err
}

const workspaceSelect = `
SELECT tenant_id, id, name, created_at, updated_at
FROM workspaces`

// ListWorkspaces returns the tenant's workspaces in id order.
func (r reader) ListWorkspaces(ctx context.Context, tenantID int64) ([]core.Workspace, error) {
	list, err := queryAll(ctx, r.q, scanWorkspace, workspaceSelect+`
WHERE tenant_id = ?
ORDER BY id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list workspaces of tenant %d: %w", tenantID, err)
	}
	return list, nil
}

// GetWorkspace returns the tenant's workspace with that id, or NotFound.
func (r reader) GetWorkspace(ctx context.Context, tenantID int64, id string) (core.Workspace, error) {
	w, err := scanWorkspace(r.q.QueryRowContext(ctx, workspaceSelect+`
WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if err != nil {
		return core.Workspace{}, getError(err, "workspace", "get workspace "+id)
	}
	return w, nil
}

// CountGroupsInWorkspace counts the groups of one workspace.
func (r reader) CountGroupsInWorkspace(ctx context.Context, tenantID int64, workspaceID string) (int, error) {
	var n int
	if err := r.q.QueryRowContext(ctx, `
SELECT count(*) FROM groups WHERE tenant_id = ? AND workspace_id = ?`, tenantID, workspaceID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count groups of workspace %s: %w", workspaceID, err)
	}
	return n, nil
}

// InsertWorkspace stores w. Conflict (field "_id") when the tenant has a
// workspace with that id; NotFound when the tenant does not exist.
func (t *tx) InsertWorkspace(ctx context.Context, w *core.Workspace) error {
	_, err := t.q.ExecContext(ctx, `
INSERT INTO workspaces (tenant_id, id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
		w.TenantID, w.ID, w.Name, formatTime(w.CreatedAt), formatTime(w.UpdatedAt))
	switch {
	case isUniqueViolation(err):
		return core.FieldError(core.Conflict, "_id", "is already a workspace's id")
	case isForeignKeyViolation(err):
		return notFound("tenant")
	case err != nil:
		return fmt.Errorf("insert workspace %s: %w", w.ID, err)
	}
	return nil
}

// UpdateWorkspace saves w.Name and w.UpdatedAt. NotFound.
func (t *tx) UpdateWorkspace(ctx context.Context, w *core.Workspace) error {
	res, err := t.q.ExecContext(ctx, `
UPDATE workspaces SET name = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
		w.Name, formatTime(w.UpdatedAt), w.TenantID, w.ID)
	if err != nil {
		return fmt.Errorf("update workspace %s: %w", w.ID, err)
	}
	return mustChange(res, "workspace", "update workspace "+w.ID)
}

// DeleteWorkspace removes a workspace. NotFound; Conflict while it has
// groups (the groups' foreign key refuses).
func (t *tx) DeleteWorkspace(ctx context.Context, tenantID int64, id string) error {
	res, err := t.q.ExecContext(ctx, `DELETE FROM workspaces WHERE tenant_id = ? AND id = ?`, tenantID, id)
	if isForeignKeyViolation(err) {
		return core.Errorf(core.Conflict, "the workspace still has groups")
	}
	if err != nil {
		return fmt.Errorf("delete workspace %s: %w", id, err)
	}
	return mustChange(res, "workspace", "delete workspace "+id)
}

const groupSelect = `
SELECT g.tenant_id, g.id, g.workspace_id, w.name, g.name, g.permissions, g.created_at, g.updated_at
FROM groups g
JOIN workspaces w ON w.tenant_id = g.tenant_id AND w.id = g.workspace_id`

func scanGroup(row scanner) (core.Group, error) {
	var g core.Group
	err := row.Scan(&g.TenantID, &g.ID, &g.WorkspaceID, &g.WorkspaceName, &g.Name,
		listDest[core.Permission]{&g.Permissions}, timeDest{&g.CreatedAt}, timeDest{&g.UpdatedAt})
	return g, err
}

// ListGroups returns the tenant's groups in id order, only workspaceID's
// when it is not empty.
func (r reader) ListGroups(ctx context.Context, tenantID int64, workspaceID string) ([]core.Group, error) {
	where, args := "g.tenant_id = ?", []any{tenantID}
	if workspaceID != "" {
		where, args = where+" AND g.workspace_id = ?", append(args, workspaceID)
	}
	list, err := queryAll(ctx, r.q, scanGroup, groupSelect+`
WHERE `+where+`
ORDER BY g.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list groups of tenant %d: %w", tenantID, err)
	}
	return list, nil
}

// GetGroup returns the tenant's group with that id, or NotFound.
func (r reader) GetGroup(ctx context.Context, tenantID int64, id string) (core.Group, error) {
	g, err := scanGroup(r.q.QueryRowContext(ctx, groupSelect+`
WHERE g.tenant_id = ? AND g.id = ?`, tenantID, id))
	if err != nil {
		return core.Group{}, getError(err, "group", "get group "+id)
	}
	return g, nil
}

// maxIDsPerQuery keeps a query's parameters well under SQLite's limit
// (32,766).
const maxIDsPerQuery = 500

// GetGroups returns those of ids that are the tenant's groups, in id order.
func (r reader) GetGroups(ctx context.Context, tenantID int64, ids []string) ([]core.Group, error) {
	out := []core.Group{}
	for start := 0; start < len(ids); start += maxIDsPerQuery {
		chunk := ids[start:min(start+maxIDsPerQuery, len(ids))]
		args := []any{tenantID}
		for _, id := range chunk {
			args = append(args, id)
		}
		list, err := queryAll(ctx, r.q, scanGroup, groupSelect+`
WHERE g.tenant_id = ? AND g.id IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("get groups of tenant %d: %w", tenantID, err)
		}
		out = append(out, list...)
	}
	slices.SortFunc(out, func(a, b core.Group) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// placeholders returns "?, ?, ..." with n marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// InsertGroup stores g. Conflict (field "_id"); Invalid (field
// "workspace_id") when the workspace is not the tenant's.
func (t *tx) InsertGroup(ctx context.Context, g *core.Group) error {
	perms, err := formatList(g.Permissions)
	if err != nil {
		return fmt.Errorf("insert group %s: %w", g.ID, err)
	}
	_, err = t.q.ExecContext(ctx, `
INSERT INTO groups (tenant_id, id, workspace_id, name, permissions, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`,
		g.TenantID, g.ID, g.WorkspaceID, g.Name, perms, formatTime(g.CreatedAt), formatTime(g.UpdatedAt))
	switch {
	case isUniqueViolation(err):
		return core.FieldError(core.Conflict, "_id", "is already a group's id")
	case isForeignKeyViolation(err):
		return core.FieldError(core.Invalid, "workspace_id", "is not a workspace of this tenant")
	case err != nil:
		return fmt.Errorf("insert group %s: %w", g.ID, err)
	}
	return nil
}

// UpdateGroup saves g.WorkspaceID, g.Name, g.Permissions and g.UpdatedAt.
func (t *tx) UpdateGroup(ctx context.Context, g *core.Group) error {
	perms, err := formatList(g.Permissions)
	if err != nil {
		return fmt.Errorf("update group %s: %w", g.ID, err)
	}
	res, err := t.q.ExecContext(ctx, `
UPDATE groups SET workspace_id = ?, name = ?, permissions = ?, updated_at = ?
WHERE tenant_id = ? AND id = ?`,
		g.WorkspaceID, g.Name, perms, formatTime(g.UpdatedAt), g.TenantID, g.ID)
	if isForeignKeyViolation(err) {
		return core.FieldError(core.Invalid, "workspace_id", "is not a workspace of this tenant")
	}
	if err != nil {
		return fmt.Errorf("update group %s: %w", g.ID, err)
	}
	return mustChange(res, "group", "update group "+g.ID)
}

// DeleteGroup removes a group; its memberships cascade.
func (t *tx) DeleteGroup(ctx context.Context, tenantID int64, id string) error {
	res, err := t.q.ExecContext(ctx, `DELETE FROM groups WHERE tenant_id = ? AND id = ?`, tenantID, id)
	if err != nil {
		return fmt.Errorf("delete group %s: %w", id, err)
	}
	return mustChange(res, "group", "delete group "+id)
}

// ListUserGroupIDs returns the ids of the user's groups in the tenant.
func (r reader) ListUserGroupIDs(ctx context.Context, tenantID, userID int64) ([]string, error) {
	ids, err := queryAll(ctx, r.q, func(row scanner) (string, error) {
		var id string
		return id, row.Scan(&id)
	}, `
SELECT group_id FROM user_groups WHERE tenant_id = ? AND user_id = ? ORDER BY group_id`, tenantID, userID)
	if err != nil {
		return nil, fmt.Errorf("list groups of user %d: %w", userID, err)
	}
	return ids, nil
}

// ListGroupMembers returns the group's members above afterUserID in id
// order, at most limit.
func (r reader) ListGroupMembers(ctx context.Context, tenantID int64, groupID string, afterUserID int64, limit int) ([]core.User, error) {
	list, err := queryAll(ctx, r.q, scanUser, userSelect+`
JOIN user_groups ug ON ug.tenant_id = m.tenant_id AND ug.user_id = u.id
WHERE m.tenant_id = ? AND ug.group_id = ? AND u.id > ?
ORDER BY u.id
LIMIT ?`, tenantID, groupID, afterUserID, limitOrDefault(limit))
	if err != nil {
		return nil, fmt.Errorf("list members of group %s: %w", groupID, err)
	}
	return list, nil
}

// SetUserGroups replaces the user's groups in the tenant. NotFound when the
// user is not a member; Invalid (field "groups") for an id that is not a
// group of the tenant.
func (t *tx) SetUserGroups(ctx context.Context, tenantID, userID int64, groupIDs []string) error {
	var member int
	err := t.q.QueryRowContext(ctx, `
SELECT count(*) FROM memberships WHERE tenant_id = ? AND user_id = ?`, tenantID, userID).Scan(&member)
	if err != nil {
		return fmt.Errorf("set groups of user %d: %w", userID, err)
	}
	if member == 0 {
		return notFound("user")
	}
	if _, err := t.q.ExecContext(ctx, `
DELETE FROM user_groups WHERE tenant_id = ? AND user_id = ?`, tenantID, userID); err != nil {
		return fmt.Errorf("set groups of user %d: %w", userID, err)
	}
	for _, id := range groupIDs {
		_, err := t.q.ExecContext(ctx, `
INSERT INTO user_groups (tenant_id, user_id, group_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, tenantID, userID, id)
		if isForeignKeyViolation(err) {
			return core.FieldError(core.Invalid, "groups", "is not a group of this tenant")
		}
		if err != nil {
			return fmt.Errorf("set groups of user %d: %w", userID, err)
		}
	}
	return nil
}
