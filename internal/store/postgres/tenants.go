package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/rosterhq/roster/internal/core"
)

const tenantColumns = `id, client_id, subdomain, name, created_at, updated_at, rate_limit, rate_burst`

func scanTenant(row pgx.Row) (core.Tenant, error) {
	var t core.Tenant
	err := row.Scan(&t.ID, &t.ClientID, &t.Subdomain, &t.Name, &t.CreatedAt, &t.UpdatedAt, &t.RateLimit, &t.RateBurst)
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, err
}

// GetTenant returns the tenant with that id, or NotFound.
func (r reader) GetTenant(ctx context.Context, id int64) (core.Tenant, error) {
	t, err := scanTenant(r.q.QueryRow(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE id = $1`+r.lockFor(), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return core.Tenant{}, core.Errorf(core.NotFound, "tenant %d not found", id)
	}
	if err != nil {
		return core.Tenant{}, fmt.Errorf("get tenant %d: %w", id, err)
	}
	return t, nil
}

// GetTenantByClientID returns the tenant with that client ID, or NotFound.
func (r reader) GetTenantByClientID(ctx context.Context, clientID string) (core.Tenant, error) {
	t, err := scanTenant(r.q.QueryRow(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE client_id = $1`+r.lockFor(), clientID))
	if errors.Is(err, pgx.ErrNoRows) {
		return core.Tenant{}, core.Errorf(core.NotFound, "tenant not found")
	}
	if err != nil {
		return core.Tenant{}, fmt.Errorf("get tenant by client id: %w", err)
	}
	return t, nil
}

// GetTenantBySubdomain returns the tenant with that subdomain, or NotFound.
func (r reader) GetTenantBySubdomain(ctx context.Context, subdomain string) (core.Tenant, error) {
	t, err := scanTenant(r.q.QueryRow(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE subdomain = $1`+r.lockFor(), subdomain))
	if errors.Is(err, pgx.ErrNoRows) {
		return core.Tenant{}, core.Errorf(core.NotFound, "tenant %q not found", subdomain)
	}
	if err != nil {
		return core.Tenant{}, fmt.Errorf("get tenant by subdomain %q: %w", subdomain, err)
	}
	return t, nil
}

// ListTenants returns up to limit tenants with an id above afterID, in id
// order. A limit <= 0 means 100.
func (r reader) ListTenants(ctx context.Context, afterID int64, limit int) ([]core.Tenant, error) {
	rows, err := r.q.Query(ctx, `
		SELECT `+tenantColumns+`
		FROM tenants
		WHERE id > $1
		ORDER BY id
		LIMIT $2`, afterID, pageSize(limit))
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	ts, err := collect(rows, scanTenant)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	return ts, nil
}

// InsertTenant stores t and sets t.ID. Conflict (field "subdomain") when the
// subdomain is taken, (field "clientId") when the client ID is.
func (t *tx) InsertTenant(ctx context.Context, tn *core.Tenant) error {
	err := t.savepoint(ctx, func(q querier) error {
		return q.QueryRow(ctx, `
			INSERT INTO tenants (client_id, subdomain, name, created_at, updated_at, rate_limit, rate_burst)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			RETURNING id`,
			tn.ClientID, tn.Subdomain, tn.Name, tn.CreatedAt, tn.UpdatedAt, tn.RateLimit, tn.RateBurst,
		).Scan(&tn.ID)
	})
	if err != nil {
		return tenantWriteError("insert tenant", err)
	}
	return nil
}

// UpdateTenant saves tn.Name, tn.Subdomain, tn.RateLimit, tn.RateBurst and
// tn.UpdatedAt. NotFound when there is no such tenant; Conflict as for
// InsertTenant.
func (t *tx) UpdateTenant(ctx context.Context, tn *core.Tenant) error {
	err := t.savepoint(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `
			UPDATE tenants
			SET name = $2, subdomain = $3, rate_limit = $4, rate_burst = $5, updated_at = $6
			WHERE id = $1`,
			tn.ID, tn.Name, tn.Subdomain, tn.RateLimit, tn.RateBurst, tn.UpdatedAt)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return core.Errorf(core.NotFound, "tenant %d not found", tn.ID)
		}
		return nil
	})
	if err != nil {
		return tenantWriteError(fmt.Sprintf("update tenant %d", tn.ID), err)
	}
	return nil
}

// tenantWriteError turns a unique violation into a Conflict naming the field
// and wraps anything else except core errors.
func tenantWriteError(op string, err error) error {
	if constraint, ok := violated(err, uniqueViolation); ok {
		if constraint == "tenants_client_id_key" {
			return conflict("clientId", err)
		}
		return conflict("subdomain", err)
	}
	if core.AsError(err) != nil {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}

// DeleteTenant removes the tenant; the foreign keys cascade to its API keys,
// memberships, custom roles and the users whose home it is. Its events stay.
// NotFound when there is no such tenant.
func (t *tx) DeleteTenant(ctx context.Context, id int64) error {
	tag, err := t.tx.Exec(ctx, `DELETE FROM tenants WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete tenant %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return core.Errorf(core.NotFound, "tenant %d not found", id)
	}
	return nil
}

// collect scans every row with scan and closes rows.
func collect[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) { return scan(row) })
}

// pageSize is the LIMIT of a listing: limit, or 100 when limit <= 0.
func pageSize(limit int) int {
	if limit <= 0 {
		return 100
	}
	return limit
}
