package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/rosterhq/roster/internal/core"
)

// Built-in roles are rows with tenant_id NULL (ids 1..3); their permission
// lists are the core's (core.BuiltinRoles), not stored.
const roleColumns = `id, COALESCE(tenant_id, 0), key, name, permissions`

func scanRole(row pgx.Row) (core.Role, error) {
	var (
		r     core.Role
		perms []byte
	)
	if err := row.Scan(&r.ID, &r.TenantID, &r.Key, &r.Name, &perms); err != nil {
		return core.Role{}, err
	}
	if err := json.Unmarshal(perms, &r.Permissions); err != nil {
		return core.Role{}, fmt.Errorf("decode permissions of role %d: %w", r.ID, err)
	}
	if len(r.Permissions) == 0 {
		r.Permissions = nil
	}
	return r, nil
}

// ListRoles returns the built-in roles and the tenant's custom roles, in id
// order.
func (r reader) ListRoles(ctx context.Context, tenantID int64) ([]core.Role, error) {
	rows, err := r.q.Query(ctx, `
		SELECT `+roleColumns+`
		FROM roles
		WHERE tenant_id IS NULL OR tenant_id = $1
		ORDER BY id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list roles of tenant %d: %w", tenantID, err)
	}
	list, err := collect(rows, scanRole)
	if err != nil {
		return nil, fmt.Errorf("list roles of tenant %d: %w", tenantID, err)
	}
	return list, nil
}

// GetRole returns a built-in role or one of the tenant's custom roles, or
// NotFound.
func (r reader) GetRole(ctx context.Context, tenantID, roleID int64) (core.Role, error) {
	role, err := scanRole(r.q.QueryRow(ctx, `
		SELECT `+roleColumns+`
		FROM roles
		WHERE id = $1 AND (tenant_id IS NULL OR tenant_id = $2)`, roleID, tenantID))
	if errors.Is(err, pgx.ErrNoRows) {
		return core.Role{}, core.Errorf(core.NotFound, "role %d not found", roleID)
	}
	if err != nil {
		return core.Role{}, fmt.Errorf("get role %d: %w", roleID, err)
	}
	return role, nil
}

// CountMembersWithRole counts the tenant's memberships with that role.
func (r reader) CountMembersWithRole(ctx context.Context, tenantID, roleID int64) (int, error) {
	var n int
	if err := r.q.QueryRow(ctx, `
		SELECT count(*) FROM memberships WHERE tenant_id = $1 AND role_id = $2`,
		tenantID, roleID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count members of tenant %d with role %d: %w", tenantID, roleID, err)
	}
	return n, nil
}

// InsertRole stores a custom role of r.TenantID and sets r.ID (from 1000
// up). Conflict (field "key") when the tenant has a role with that key;
// NotFound when the tenant does not exist.
func (t *tx) InsertRole(ctx context.Context, r *core.Role) error {
	if r.TenantID == 0 {
		return fmt.Errorf("insert role %q: no tenant", r.Key)
	}
	perms := "[]"
	if len(r.Permissions) > 0 {
		b, err := json.Marshal(r.Permissions)
		if err != nil {
			return fmt.Errorf("encode permissions of role %q: %w", r.Key, err)
		}
		perms = string(b)
	}
	err := t.savepoint(ctx, func(q querier) error {
		return q.QueryRow(ctx, `
			INSERT INTO roles (tenant_id, key, name, permissions)
			VALUES ($1, $2, $3, $4)
			RETURNING id`, r.TenantID, r.Key, r.Name, perms).Scan(&r.ID)
	})
	if _, ok := violated(err, uniqueViolation); ok {
		e := core.FieldError(core.Conflict, "key", "is already a role's key")
		e.Err = err
		return e
	}
	if _, ok := violated(err, foreignKeyViolation); ok {
		return core.Errorf(core.NotFound, "tenant %d not found", r.TenantID)
	}
	if err != nil {
		return fmt.Errorf("insert role %q into tenant %d: %w", r.Key, r.TenantID, err)
	}
	return nil
}

// DeleteRole removes one of the tenant's custom roles. NotFound for an
// unknown, foreign or built-in role; Conflict while a membership has it
// (memberships.role_id is ON DELETE RESTRICT).
func (t *tx) DeleteRole(ctx context.Context, tenantID, roleID int64) error {
	err := t.savepoint(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `DELETE FROM roles WHERE id = $1 AND tenant_id = $2`, roleID, tenantID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return core.Errorf(core.NotFound, "role %d not found", roleID)
		}
		return nil
	})
	if _, ok := violated(err, foreignKeyViolation); ok {
		e := core.Errorf(core.Conflict, "the role is in use")
		e.Err = err
		return e
	}
	if err != nil && core.AsError(err) == nil {
		return fmt.Errorf("delete role %d: %w", roleID, err)
	}
	return err
}
