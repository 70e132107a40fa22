package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rosterhq/roster/internal/core"
)

const apiKeyColumns = `id, tenant_id, name, prefix, hash, scopes, created_at, last_used_at, revoked_at`

func scanAPIKey(row pgx.Row) (core.APIKey, error) {
	var (
		k      core.APIKey
		scopes []byte
	)
	if err := row.Scan(&k.ID, &k.TenantID, &k.Name, &k.Prefix, &k.Hash, &scopes,
		&k.CreatedAt, &k.LastUsedAt, &k.RevokedAt); err != nil {
		return core.APIKey{}, err
	}
	if err := json.Unmarshal(scopes, &k.Scopes); err != nil {
		return core.APIKey{}, fmt.Errorf("decode scopes of api key %d: %w", k.ID, err)
	}
	if len(k.Scopes) == 0 {
		k.Scopes = nil
	}
	k.CreatedAt = k.CreatedAt.UTC()
	k.LastUsedAt, k.RevokedAt = utcPtr(k.LastUsedAt), utcPtr(k.RevokedAt)
	return k, nil
}

// GetAPIKey returns the tenant's key with that id, revoked or not; NotFound
// when the tenant has no such key.
func (r reader) GetAPIKey(ctx context.Context, tenantID, keyID int64) (core.APIKey, error) {
	k, err := scanAPIKey(r.q.QueryRow(ctx, `
		SELECT `+apiKeyColumns+`
		FROM api_keys
		WHERE tenant_id = $1 AND id = $2`+r.lockFor(), tenantID, keyID))
	if errors.Is(err, pgx.ErrNoRows) {
		return core.APIKey{}, core.Errorf(core.NotFound, "api key %d not found", keyID)
	}
	if err != nil {
		return core.APIKey{}, fmt.Errorf("get api key %d: %w", keyID, err)
	}
	return k, nil
}

// GetAPIKeyByHash returns the key with that hash, of any tenant, revoked or
// not; NotFound when there is none.
func (r reader) GetAPIKeyByHash(ctx context.Context, hash []byte) (core.APIKey, error) {
	k, err := scanAPIKey(r.q.QueryRow(ctx, `
		SELECT `+apiKeyColumns+`
		FROM api_keys
		WHERE hash = $1`+r.lockFor(), hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return core.APIKey{}, core.Errorf(core.NotFound, "api key not found")
	}
	if err != nil {
		return core.APIKey{}, fmt.Errorf("get api key by hash: %w", err)
	}
	return k, nil
}

// ListAPIKeys returns every key of the tenant, revoked ones included, in id
// order.
func (r reader) ListAPIKeys(ctx context.Context, tenantID int64) ([]core.APIKey, error) {
	rows, err := r.q.Query(ctx, `
		SELECT `+apiKeyColumns+`
		FROM api_keys
		WHERE tenant_id = $1
		ORDER BY id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list api keys of tenant %d: %w", tenantID, err)
	}
	ks, err := collect(rows, scanAPIKey)
	if err != nil {
		return nil, fmt.Errorf("list api keys of tenant %d: %w", tenantID, err)
	}
	return ks, nil
}

// InsertAPIKey stores k and sets k.ID. NotFound when the tenant does not
// exist.
func (t *tx) InsertAPIKey(ctx context.Context, k *core.APIKey) error {
	scopes := "[]"
	if len(k.Scopes) > 0 {
		b, err := json.Marshal(k.Scopes)
		if err != nil {
			return fmt.Errorf("encode api key scopes: %w", err)
		}
		scopes = string(b)
	}
	err := t.tx.QueryRow(ctx, `
		INSERT INTO api_keys (tenant_id, name, prefix, hash, scopes, created_at, last_used_at, revoked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		RETURNING id`,
		k.TenantID, k.Name, k.Prefix, k.Hash, scopes, k.CreatedAt, k.LastUsedAt, k.RevokedAt,
	).Scan(&k.ID)
	if _, ok := violated(err, foreignKeyViolation); ok {
		return core.Errorf(core.NotFound, "tenant %d not found", k.TenantID)
	}
	if err != nil {
		return fmt.Errorf("insert api key into tenant %d: %w", k.TenantID, err)
	}
	return nil
}

// RevokeAPIKey sets the key's revocation time. NotFound when the tenant has
// no such key or the key is already revoked.
func (t *tx) RevokeAPIKey(ctx context.Context, tenantID, keyID int64, at time.Time) error {
	tag, err := t.tx.Exec(ctx, `
		UPDATE api_keys
		SET revoked_at = $3
		WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL`, tenantID, keyID, at)
	if err != nil {
		return fmt.Errorf("revoke api key %d: %w", keyID, err)
	}
	if tag.RowsAffected() == 0 {
		return core.Errorf(core.NotFound, "api key %d not found", keyID)
	}
	return nil
}

// TouchAPIKey records that the key was used at at. NotFound when there is no
// such key.
func (t *tx) TouchAPIKey(ctx context.Context, keyID int64, at time.Time) error {
	tag, err := t.tx.Exec(ctx, `UPDATE api_keys SET last_used_at = $2 WHERE id = $1`, keyID, at)
	if err != nil {
		return fmt.Errorf("touch api key %d: %w", keyID, err)
	}
	if tag.RowsAffected() == 0 {
		return core.Errorf(core.NotFound, "api key %d not found", keyID)
	}
	return nil
}

// utcPtr returns *p in UTC, or nil.
func utcPtr(p *time.Time) *time.Time {
	if p == nil {
		return nil
	}
	t := p.UTC()
	return &t
}
