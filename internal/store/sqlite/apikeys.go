package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

const apiKeySelect = `
SELECT id, tenant_id, name, prefix, hash, scopes, created_at, last_used_at, revoked_at
FROM api_keys`

func scanAPIKey(row scanner) (core.APIKey, error) {
	var k core.APIKey
	err := row.Scan(&k.ID, &k.TenantID, &k.Name, &k.Prefix, &k.Hash, listDest[string]{&k.Scopes},
		timeDest{&k.CreatedAt}, nullTimeDest{&k.LastUsedAt}, nullTimeDest{&k.RevokedAt})
	return k, err
}

// GetAPIKey returns the tenant's key with that id, revoked or not, or
// NotFound.
func (r reader) GetAPIKey(ctx context.Context, tenantID, keyID int64) (core.APIKey, error) {
	k, err := scanAPIKey(r.q.QueryRowContext(ctx, apiKeySelect+`
WHERE tenant_id = ? AND id = ?`, tenantID, keyID))
	if err != nil {
		return core.APIKey{}, getError(err, "API key", fmt.Sprintf("get API key %d", keyID))
	}
	return k, nil
}

// GetAPIKeyByHash returns the key with that hash, in any tenant, revoked or
// not, or NotFound.
func (r reader) GetAPIKeyByHash(ctx context.Context, hash []byte) (core.APIKey, error) {
	k, err := scanAPIKey(r.q.QueryRowContext(ctx, apiKeySelect+`
WHERE hash = ?`, hash))
	if err != nil {
		return core.APIKey{}, getError(err, "API key", "get API key by hash")
	}
	return k, nil
}

// ListAPIKeys returns all the tenant's keys, revoked ones included, in id
// order.
func (r reader) ListAPIKeys(ctx context.Context, tenantID int64) ([]core.APIKey, error) {
	rows, err := r.q.QueryContext(ctx, apiKeySelect+`
WHERE tenant_id = ?
ORDER BY id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list API keys of tenant %d: %w", tenantID, err)
	}
	defer rows.Close()
	list := []core.APIKey{}
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, fmt.Errorf("list API keys of tenant %d: %w", tenantID, err)
		}
		list = append(list, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list API keys of tenant %d: %w", tenantID, err)
	}
	return list, nil
}

// InsertAPIKey stores k and sets k.ID. Conflict when another key has the
// same hash.
func (t *tx) InsertAPIKey(ctx context.Context, k *core.APIKey) error {
	scopes, err := formatList(k.Scopes)
	if err != nil {
		return fmt.Errorf("insert API key: scopes: %w", err)
	}
	res, err := t.q.ExecContext(ctx, `
INSERT INTO api_keys (tenant_id, name, prefix, hash, scopes, created_at, last_used_at, revoked_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		k.TenantID, k.Name, k.Prefix, k.Hash, scopes, formatTime(k.CreatedAt),
		formatNullTime(k.LastUsedAt), formatNullTime(k.RevokedAt))
	if isUniqueViolation(err) {
		return core.Errorf(core.Conflict, "an API key with this hash already exists")
	}
	if err != nil {
		return fmt.Errorf("insert API key: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("insert API key: %w", err)
	}
	k.ID = id
	return nil
}

// RevokeAPIKey sets the tenant's key's revocation time. NotFound when the
// tenant has no such key or it is already revoked.
func (t *tx) RevokeAPIKey(ctx context.Context, tenantID, keyID int64, at time.Time) error {
	res, err := t.q.ExecContext(ctx, `
UPDATE api_keys SET revoked_at = ?
WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL`,
		formatTime(at), tenantID, keyID)
	if err != nil {
		return fmt.Errorf("revoke API key %d: %w", keyID, err)
	}
	return mustChange(res, "API key", fmt.Sprintf("revoke API key %d", keyID))
}

// TouchAPIKey records that the key was used at t. NotFound when there is no
// such key. (Platform-wide: the key was found by its hash.)
func (t *tx) TouchAPIKey(ctx context.Context, keyID int64, at time.Time) error {
	res, err := t.q.ExecContext(ctx, `
UPDATE api_keys SET last_used_at = ?
WHERE id = ?`, formatTime(at), keyID)
	if err != nil {
		return fmt.Errorf("touch API key %d: %w", keyID, err)
	}
	return mustChange(res, "API key", fmt.Sprintf("touch API key %d", keyID))
}
