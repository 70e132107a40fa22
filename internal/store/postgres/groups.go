package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/rosterhq/roster/internal/core"
)

const workspaceColumns = `tenant_id, id, name, created_at, updated_at`

func scanWorkspace(row pgx.Row) (core.Workspace, error) {
	var w core.Workspace
	err := row.Scan(&w.TenantID, &w.ID, &w.Name, &w.CreatedAt, &w.UpdatedAt)
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	return w, err
}

// ListWorkspaces returns the tenant's workspaces in id order.
func (r reader) ListWorkspaces(ctx context.Context, tenantID int64) ([]core.Workspace, error) {
	rows, err := r.q.Query(ctx, `
		SELECT `+workspaceColumns+` FROM workspaces
		WHERE tenant_id = $1
		ORDER BY id COLLATE "C"`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list workspaces of tenant %d: %w", tenantID, err)
	}
	list, err := collect(rows, scanWorkspace)
	if err != nil {
		return nil, fmt.Errorf("list workspaces of tenant %d: %w", tenantID, err)
	}
	return list, nil
}

// GetWorkspace returns the tenant's workspace with that id, or NotFound.
// Inside a transaction it locks the row (see lockFor).
func (r reader) GetWorkspace(ctx context.Context, tenantID int64, id string) (core.Workspace, error) {
	w, err := scanWorkspace(r.q.QueryRow(ctx, `
		SELECT `+workspaceColumns+` FROM workspaces
		WHERE tenant_id = $1 AND id = $2`+r.lockFor(), tenantID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return core.Workspace{}, core.Errorf(core.NotFound, "workspace not found")
	}
	if err != nil {
		return core.Workspace{}, fmt.Errorf("get workspace %s: %w", id, err)
	}
	return w, nil
}

// CountGroupsInWorkspace counts the groups of one workspace.
func (r reader) CountGroupsInWorkspace(ctx context.Context, tenantID int64, workspaceID string) (int, error) {
	var n int
	if err := r.q.QueryRow(ctx, `
		SELECT count(*) FROM groups WHERE tenant_id = $1 AND workspace_id = $2`, tenantID, workspaceID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count groups of workspace %s: %w", workspaceID, err)
	}
	return n, nil
}

// InsertWorkspace stores w. Conflict (field "_id"); NotFound when the
// tenant does not exist.
func (t *tx) InsertWorkspace(ctx context.Context, w *core.Workspace) error {
	err := t.savepoint(ctx, func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO workspaces (tenant_id, id, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)`,
			w.TenantID, w.ID, w.Name, w.CreatedAt, w.UpdatedAt)
		return err
	})
	if _, ok := violated(err, uniqueViolation); ok {
		e := core.FieldError(core.Conflict, "_id", "is already a workspace's id")
		e.Err = err
		return e
	}
	if _, ok := violated(err, foreignKeyViolation); ok {
		return core.Errorf(core.NotFound, "tenant %d not found", w.TenantID)
	}
	if err != nil {
		return fmt.Errorf("insert workspace %s: %w", w.ID, err)
	}
	return nil
}

// UpdateWorkspace saves w.Name and w.UpdatedAt. NotFound.
func (t *tx) UpdateWorkspace(ctx context.Context, w *core.Workspace) error {
	tag, err := t.tx.Exec(ctx, `
		UPDATE workspaces SET name = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`,
		w.TenantID, w.ID, w.Name, w.UpdatedAt)
	if err != nil {
		return fmt.Errorf("update workspace %s: %w", w.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return core.Errorf(core.NotFound, "workspace not found")
	}
	return nil
}

// DeleteWorkspace removes a workspace. NotFound; Conflict while it has
// groups (the groups' foreign key refuses).
func (t *tx) DeleteWorkspace(ctx context.Context, tenantID int64, id string) error {
	var n int64
	err := t.savepoint(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `DELETE FROM workspaces WHERE tenant_id = $1 AND id = $2`, tenantID, id)
		n = tag.RowsAffected()
		return err
	})
	if _, ok := violated(err, foreignKeyViolation); ok {
		e := core.Errorf(core.Conflict, "the workspace still has groups")
		e.Err = err
		return e
	}
	if err != nil {
		return fmt.Errorf("delete workspace %s: %w", id, err)
	}
	if n == 0 {
		return core.Errorf(core.NotFound, "workspace not found")
	}
	return nil
}

const groupSelect = `
	SELECT g.tenant_id, g.id, g.workspace_id, w.name, g.name, g.permissions, g.created_at, g.updated_at
	FROM groups g
	JOIN workspaces w ON w.tenant_id = g.tenant_id AND w.id = g.workspace_id`

func scanGroup(row pgx.Row) (core.Group, error) {
	var (
		g     core.Group
		perms []byte
	)
	if err := row.Scan(&g.TenantID, &g.ID, &g.WorkspaceID, &g.WorkspaceName, &g.Name, &perms, &g.CreatedAt, &g.UpdatedAt); err != nil {
		return core.Group{}, err
	}
	if err := json.Unmarshal(perms, &g.Permissions); err != nil {
		return core.Group{}, fmt.Errorf("decode permissions of group %s: %w", g.ID, err)
	}
	if len(g.Permissions) == 0 {
		g.Permissions = nil
	}
	g.CreatedAt, g.UpdatedAt = g.CreatedAt.UTC(), g.UpdatedAt.UTC()
	return g, nil
}

// ListGroups returns the tenant's groups in id order, only workspaceID's
// when it is not empty.
func (r reader) ListGroups(ctx context.Context, tenantID int64, workspaceID string) ([]core.Group, error) {
	rows, err := r.q.Query(ctx, groupSelect+`
		WHERE g.tenant_id = $1 AND ($2 = '' OR g.workspace_id = $2)
		ORDER BY g.id COLLATE "C"`, tenantID, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("list groups of tenant %d: %w", tenantID, err)
	}
	list, err := collect(rows, scanGroup)
	if err != nil {
		return nil, fmt.Errorf("list groups of tenant %d: %w", tenantID, err)
	}
	return list, nil
}

// GetGroup returns the tenant's group with that id, or NotFound. Inside a
// transaction it locks the row (see lockFor).
func (r reader) GetGroup(ctx context.Context, tenantID int64, id string) (core.Group, error) {
	g, err := scanGroup(r.q.QueryRow(ctx, groupSelect+`
		WHERE g.tenant_id = $1 AND g.id = $2`+r.lockFor("g"), tenantID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return core.Group{}, core.Errorf(core.NotFound, "group not found")
	}
	if err != nil {
		return core.Group{}, fmt.Errorf("get group %s: %w", id, err)
	}
	return g, nil
}

// GetGroups returns those of ids that are the tenant's groups, in id order.
func (r reader) GetGroups(ctx context.Context, tenantID int64, ids []string) ([]core.Group, error) {
	if len(ids) == 0 {
		return []core.Group{}, nil
	}
	rows, err := r.q.Query(ctx, groupSelect+`
		WHERE g.tenant_id = $1 AND g.id = ANY($2)
		ORDER BY g.id COLLATE "C"`, tenantID, ids)
	if err != nil {
		return nil, fmt.Errorf("get groups of tenant %d: %w", tenantID, err)
	}
	list, err := collect(rows, scanGroup)
	if err != nil {
		return nil, fmt.Errorf("get groups of tenant %d: %w", tenantID, err)
	}
	return list, nil
}

// groupWriteError turns the workspace's foreign key into Invalid and a
// taken id into Conflict.
func groupWriteError(op string, err error) error {
	if err == nil || core.AsError(err) != nil {
		return err
	}
	if _, ok := violated(err, uniqueViolation); ok {
		e := core.FieldError(core.Conflict, "_id", "is already a group's id")
		e.Err = err
		return e
	}
	if _, ok := violated(err, foreignKeyViolation); ok {
		e := core.FieldError(core.Invalid, "workspace_id", "is not a workspace of this tenant")
		e.Err = err
		return e
	}
	return fmt.Errorf("%s: %w", op, err)
}

// permissionsJSON encodes a group's permissions for the JSON column.
func permissionsJSON(perms []core.Permission) (string, error) {
	if len(perms) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(perms)
	if err != nil {
		return "", fmt.Errorf("encode permissions: %w", err)
	}
	return string(b), nil
}

// InsertGroup stores g. Conflict (field "_id"); Invalid (field
// "workspace_id") when the workspace is not the tenant's.
func (t *tx) InsertGroup(ctx context.Context, g *core.Group) error {
	perms, err := permissionsJSON(g.Permissions)
	if err != nil {
		return err
	}
	err = t.savepoint(ctx, func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO groups (tenant_id, id, workspace_id, name, permissions, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			g.TenantID, g.ID, g.WorkspaceID, g.Name, perms, g.CreatedAt, g.UpdatedAt)
		return err
	})
	return groupWriteError("insert group "+g.ID, err)
}

// UpdateGroup saves g.WorkspaceID, g.Name, g.Permissions and g.UpdatedAt.
func (t *tx) UpdateGroup(ctx context.Context, g *core.Group) error {
	perms, err := permissionsJSON(g.Permissions)
	if err != nil {
		return err
	}
	err = t.savepoint(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `
			UPDATE groups SET workspace_id = $3, name = $4, permissions = $5, updated_at = $6
			WHERE tenant_id = $1 AND id = $2`,
			g.TenantID, g.ID, g.WorkspaceID, g.Name, perms, g.UpdatedAt)
		if err == nil && tag.RowsAffected() == 0 {
			return core.Errorf(core.NotFound, "group not found")
		}
		return err
	})
	return groupWriteError("update group "+g.ID, err)
}

// DeleteGroup removes a group; its memberships cascade.
func (t *tx) DeleteGroup(ctx context.Context, tenantID int64, id string) error {
	tag, err := t.tx.Exec(ctx, `DELETE FROM groups WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	if err != nil {
		return fmt.Errorf("delete group %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return core.Errorf(core.NotFound, "group not found")
	}
	return nil
}

// ListUserGroupIDs returns the ids of the user's groups in the tenant.
func (r reader) ListUserGroupIDs(ctx context.Context, tenantID, userID int64) ([]string, error) {
	rows, err := r.q.Query(ctx, `
		SELECT group_id FROM user_groups WHERE tenant_id = $1 AND user_id = $2
		ORDER BY group_id COLLATE "C"`, tenantID, userID)
	if err != nil {
		return nil, fmt.Errorf("list groups of user %d: %w", userID, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list groups of user %d: %w", userID, err)
	}
	if ids == nil {
		ids = []string{}
	}
	return ids, nil
}

// ListGroupMembers returns the group's members above afterUserID in id
// order, at most limit.
func (r reader) ListGroupMembers(ctx context.Context, tenantID int64, groupID string, afterUserID int64, limit int) ([]core.User, error) {
	rows, err := r.q.Query(ctx, userSelect+`
		JOIN user_groups ug ON ug.tenant_id = m.tenant_id AND ug.user_id = m.user_id
		WHERE m.tenant_id = $1 AND ug.group_id = $2 AND m.user_id > $3
		ORDER BY m.user_id
		LIMIT $4`, tenantID, groupID, afterUserID, pageSize(limit))
	if err != nil {
		return nil, fmt.Errorf("list members of group %s: %w", groupID, err)
	}
	list, err := collect(rows, scanUser)
	if err != nil {
		return nil, fmt.Errorf("list members of group %s: %w", groupID, err)
	}
	return list, nil
}

// SetUserGroups replaces the user's groups in the tenant. NotFound when the
// user is not a member; Invalid (field "groups") for an id that is not a
// group of the tenant.
func (t *tx) SetUserGroups(ctx context.Context, tenantID, userID int64, groupIDs []string) error {
	var member bool
	if err := t.tx.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = $1 AND user_id = $2)`, tenantID, userID).Scan(&member); err != nil {
		return fmt.Errorf("set groups of user %d: %w", userID, err)
	}
	if !member {
		return core.Errorf(core.NotFound, "user %d not found", userID)
	}
	if groupIDs == nil {
		groupIDs = []string{}
	}
	err := t.savepoint(ctx, func(q querier) error {
		if _, err := q.Exec(ctx, `DELETE FROM user_groups WHERE tenant_id = $1 AND user_id = $2`, tenantID, userID); err != nil {
			return err
		}
		_, err := q.Exec(ctx, `
			INSERT INTO user_groups (tenant_id, user_id, group_id)
			SELECT $1, $2, g FROM unnest($3::text[]) AS g
			ON CONFLICT DO NOTHING`, tenantID, userID, groupIDs)
		return err
	})
	if e := groupRefused(err); e != nil {
		return e
	}
	if err != nil {
		return fmt.Errorf("set groups of user %d: %w", userID, err)
	}
	return nil
}

// groupRefused is the Invalid error of a user_groups write whose foreign
// key refused it (a group that is not the tenant's, or a user that is not
// its member), or nil when err is not that.
func groupRefused(err error) error {
	if _, ok := violated(err, foreignKeyViolation); !ok {
		return nil
	}
	e := core.FieldError(core.Invalid, "groups", "is not a group of this tenant")
	e.Err = err
	return e
}
