package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rosterhq/roster/internal/core"
)

const signingKeyColumns = `id, algorithm, private_key, created_at, retired_at`

func scanSigningKey(row pgx.Row) (core.SigningKey, error) {
	var k core.SigningKey
	if err := row.Scan(&k.ID, &k.Algorithm, &k.PrivateKey, &k.CreatedAt, &k.RetiredAt); err != nil {
		return core.SigningKey{}, err
	}
	k.CreatedAt = k.CreatedAt.UTC()
	k.RetiredAt = utcPtr(k.RetiredAt)
	return k, nil
}

// ListSigningKeys returns every signing key, retired ones included, newest
// first (ties broken by id, descending).
func (r reader) ListSigningKeys(ctx context.Context) ([]core.SigningKey, error) {
	rows, err := r.q.Query(ctx, `
		SELECT `+signingKeyColumns+`
		FROM signing_keys
		ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	ks, err := collect(rows, scanSigningKey)
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	return ks, nil
}

// InsertSigningKey stores k. Conflict when a key with k.ID exists; the
// transaction stays usable.
func (t *tx) InsertSigningKey(ctx context.Context, k *core.SigningKey) error {
	err := t.savepoint(ctx, func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO signing_keys (id, algorithm, private_key, created_at, retired_at)
			VALUES ($1, $2, $3, $4, $5)`,
			k.ID, k.Algorithm, k.PrivateKey, k.CreatedAt, k.RetiredAt)
		return err
	})
	if _, ok := violated(err, uniqueViolation); ok {
		e := core.Errorf(core.Conflict, "a signing key with this id already exists")
		e.Err = err
		return e
	}
	if err != nil {
		return fmt.Errorf("insert signing key %q: %w", k.ID, err)
	}
	return nil
}

// RetireSigningKey sets the key's retirement time. NotFound when there is no
// such key.
func (t *tx) RetireSigningKey(ctx context.Context, id string, at time.Time) error {
	tag, err := t.tx.Exec(ctx, `UPDATE signing_keys SET retired_at = $2 WHERE id = $1`, id, at)
	if err != nil {
		return fmt.Errorf("retire signing key %q: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return core.Errorf(core.NotFound, "signing key %q not found", id)
	}
	return nil
}

// DeleteSigningKey removes the key. NotFound when there is no such key.
func (t *tx) DeleteSigningKey(ctx context.Context, id string) error {
	tag, err := t.tx.Exec(ctx, `DELETE FROM signing_keys WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete signing key %q: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return core.Errorf(core.NotFound, "signing key %q not found", id)
	}
	return nil
}
