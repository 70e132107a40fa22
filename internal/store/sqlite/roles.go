package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/rosterhq/roster/internal/core"
)

// Built-in roles are rows with tenant_id NULL (ids 1..3); their permission
// lists are the core's (core.BuiltinRoles), not stored.
const roleSelect = `
SELECT id, tenant_id, key, name, permissions
FROM roles`

func scanRole(row scanner) (core.Role, error) {
	var (
		r      core.Role
		tenant sql.NullInt64
	)
	err := row.Scan(&r.ID, &tenant, &r.Key, &r.Name, listDest[string]{&r.Permissions})
	r.TenantID = tenant.Int64
	return r, err
}

// ListRoles returns the built-in roles and the tenant's custom roles, in id
// order.
func (r reader) ListRoles(ctx context.Context, tenantID int64) ([]core.Role, error) {
	list, err := queryAll(ctx, r.q, scanRole, roleSelect+`
WHERE tenant_id IS NULL OR tenant_id = ?
ORDER BY id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list roles of tenant %d: %w", tenantID, err)
	}
	return list, nil
}

// GetRole returns a built-in role or one of the tenant's custom roles, or
// NotFound.
func (r reader) GetRole(ctx context.Context, tenantID, roleID int64) (core.Role, error) {
	role, err := scanRole(r.q.QueryRowContext(ctx, roleSelect+`
WHERE id = ? AND (tenant_id IS NULL OR tenant_id = ?)`, roleID, tenantID))
	if err != nil {
		return core.Role{}, getError(err, "role", fmt.Sprintf("get role %d", roleID))
	}
	return role, nil
}

// CountMembersWithRole counts the tenant's memberships with that role.
func (r reader) CountMembersWithRole(ctx context.Context, tenantID, roleID int64) (int, error) {
	var n int
	if err := r.q.QueryRowContext(ctx, `
SELECT count(*) FROM memberships WHERE tenant_id = ? AND role_id = ?`, tenantID, roleID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count members of tenant %d with role %d: %w", tenantID, roleID, err)
	}
	return n, nil
}

// InsertRole stores a custom role of r.TenantID and sets r.ID. Conflict
// (field "key") when the tenant has a role with that key; NotFound when the
// tenant does not exist.
func (t *tx) InsertRole(ctx context.Context, r *core.Role) error {
	if r.TenantID == 0 {
		return fmt.Errorf("insert role %q: no tenant", r.Key)
	}
	perms, err := formatList(r.Permissions)
	if err != nil {
		return fmt.Errorf("insert role %q: %w", r.Key, err)
	}
	res, err := t.q.ExecContext(ctx, `
INSERT INTO roles (tenant_id, key, name, permissions) VALUES (?, ?, ?, ?)`,
		r.TenantID, r.Key, r.Name, perms)
	switch {
	case isUniqueViolation(err):
		return core.FieldError(core.Conflict, "key", "is already a role's key")
	case isForeignKeyViolation(err):
		return notFound("tenant")
	case err != nil:
		return fmt.Errorf("insert role %q: %w", r.Key, err)
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("insert role %q: %w", r.Key, err)
	}
	return nil
}

// DeleteRole removes one of the tenant's custom roles. NotFound for an
// unknown, foreign or built-in role; Conflict while a membership has it.
func (t *tx) DeleteRole(ctx context.Context, tenantID, roleID int64) error {
	res, err := t.q.ExecContext(ctx, `
DELETE FROM roles WHERE id = ? AND tenant_id = ?`, roleID, tenantID)
	if isForeignKeyViolation(err) {
		return core.Errorf(core.Conflict, "the role is in use")
	}
	if err != nil {
		return fmt.Errorf("delete role %d: %w", roleID, err)
	}
	return mustChange(res, "role", fmt.Sprintf("delete role %d", roleID))
}

// queryAll runs a query and scans every row with scan; an empty result is
// an empty, non-nil slice.
func queryAll[T any](ctx context.Context, q querier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, rows.Err()
}
