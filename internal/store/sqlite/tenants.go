package sqlite

import (
	"context"
	"fmt"

	"github.com/rosterhq/roster/internal/core"
)

const tenantSelect = `
SELECT id, client_id, subdomain, name, created_at, updated_at, rate_limit, rate_burst
FROM tenants`

type scanner interface{ Scan(dest ...any) error }

func scanTenant(row scanner) (core.Tenant, error) {
	var t core.Tenant
	err := row.Scan(&t.ID, &t.ClientID, &t.Subdomain, &t.Name,
		timeDest{&t.CreatedAt}, timeDest{&t.UpdatedAt}, &t.RateLimit, &t.RateBurst)
	return t, err
}

// GetTenant returns the tenant with that id, or NotFound.
func (r reader) GetTenant(ctx context.Context, id int64) (core.Tenant, error) {
	t, err := scanTenant(r.q.QueryRowContext(ctx, tenantSelect+` WHERE id = ?`, id))
	if err != nil {
		return core.Tenant{}, getError(err, "tenant", fmt.Sprintf("get tenant %d", id))
	}
	return t, nil
}

// GetTenantByClientID returns the tenant with that client ID, or NotFound.
func (r reader) GetTenantByClientID(ctx context.Context, clientID string) (core.Tenant, error) {
	t, err := scanTenant(r.q.QueryRowContext(ctx, tenantSelect+` WHERE client_id = ?`, clientID))
	if err != nil {
		return core.Tenant{}, getError(err, "tenant", "get tenant by client id")
	}
	return t, nil
}

// GetTenantBySubdomain returns the tenant with that subdomain, or NotFound.
func (r reader) GetTenantBySubdomain(ctx context.Context, subdomain string) (core.Tenant, error) {
	t, err := scanTenant(r.q.QueryRowContext(ctx, tenantSelect+` WHERE subdomain = ?`, subdomain))
	if err != nil {
		return core.Tenant{}, getError(err, "tenant", "get tenant by subdomain")
	}
	return t, nil
}

// ListTenants returns up to limit tenants (100 when limit <= 0) with an id
// above afterID, in id order.
func (r reader) ListTenants(ctx context.Context, afterID int64, limit int) ([]core.Tenant, error) {
	rows, err := r.q.QueryContext(ctx, tenantSelect+` WHERE id > ? ORDER BY id LIMIT ?`,
		afterID, limitOrDefault(limit))
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	defer rows.Close()
	list := []core.Tenant{}
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			return nil, fmt.Errorf("list tenants: %w", err)
		}
		list = append(list, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	return list, nil
}

// InsertTenant stores t and sets t.ID. Conflict (field "subdomain") when a
// unique column is taken: the subdomain, or (vanishingly unlikely, since it is
// random) the client ID.
func (t *tx) InsertTenant(ctx context.Context, tn *core.Tenant) error {
	res, err := t.q.ExecContext(ctx, `
INSERT INTO tenants (client_id, subdomain, name, created_at, updated_at, rate_limit, rate_burst)
VALUES (?, ?, ?, ?, ?, ?, ?)`,
		tn.ClientID, tn.Subdomain, tn.Name, formatTime(tn.CreatedAt), formatTime(tn.UpdatedAt), tn.RateLimit, tn.RateBurst)
	if isUniqueViolation(err) {
		return core.FieldError(core.Conflict, "subdomain", "is already taken")
	}
	if err != nil {
		return fmt.Errorf("insert tenant: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("insert tenant: %w", err)
	}
	tn.ID = id
	return nil
}

// UpdateTenant saves tn.Name, tn.Subdomain, tn.RateLimit, tn.RateBurst and
// tn.UpdatedAt. NotFound when there is no such tenant; Conflict (field
// "subdomain") when the subdomain is taken.
func (t *tx) UpdateTenant(ctx context.Context, tn *core.Tenant) error {
	res, err := t.q.ExecContext(ctx, `
UPDATE tenants SET name = ?, subdomain = ?, rate_limit = ?, rate_burst = ?, updated_at = ?
WHERE id = ?`,
		tn.Name, tn.Subdomain, tn.RateLimit, tn.RateBurst, formatTime(tn.UpdatedAt), tn.ID)
	if isUniqueViolation(err) {
		return core.FieldError(core.Conflict, "subdomain", "is already taken")
	}
	if err != nil {
		return fmt.Errorf("update tenant %d: %w", tn.ID, err)
	}
	return mustChange(res, "tenant", fmt.Sprintf("update tenant %d", tn.ID))
}

// DeleteTenant removes the tenant; the foreign keys cascade to its API keys,
// memberships, custom roles and the users whose home it is. Its events stay.
// NotFound when there is no such tenant.
func (t *tx) DeleteTenant(ctx context.Context, id int64) error {
	res, err := t.q.ExecContext(ctx, `DELETE FROM tenants WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete tenant %d: %w", id, err)
	}
	return mustChange(res, "tenant", fmt.Sprintf("delete tenant %d", id))
}
