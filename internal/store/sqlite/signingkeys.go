package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

const signingKeySelect = `
SELECT id, algorithm, private_key, created_at, retired_at
FROM signing_keys`

func scanSigningKey(row scanner) (core.SigningKey, error) {
	var k core.SigningKey
	err := row.Scan(&k.ID, &k.Algorithm, &k.PrivateKey,
		timeDest{&k.CreatedAt}, nullTimeDest{&k.RetiredAt})
	if err != nil {
		return core.SigningKey{}, err
	}
	if k.PrivateKey == nil {
		k.PrivateKey = []byte{} // the column is NOT NULL: nil was an empty blob
	}
	return k, nil
}

// ListSigningKeys returns every signing key, retired ones included, newest
// first (ties broken by id, descending).
func (r reader) ListSigningKeys(ctx context.Context) ([]core.SigningKey, error) {
	rows, err := r.q.QueryContext(ctx, signingKeySelect+`
ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	defer rows.Close()
	list := []core.SigningKey{}
	for rows.Next() {
		k, err := scanSigningKey(rows)
		if err != nil {
			return nil, fmt.Errorf("list signing keys: %w", err)
		}
		list = append(list, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	return list, nil
}

// InsertSigningKey stores k. Conflict when a key with k.ID exists.
func (t *tx) InsertSigningKey(ctx context.Context, k *core.SigningKey) error {
	_, err := t.q.ExecContext(ctx, `
INSERT INTO signing_keys (id, algorithm, private_key, created_at, retired_at)
VALUES (?, ?, ?, ?, ?)`,
		k.ID, k.Algorithm, k.PrivateKey, formatTime(k.CreatedAt), formatNullTime(k.RetiredAt))
	if isUniqueViolation(err) {
		return core.Errorf(core.Conflict, "a signing key with this id already exists")
	}
	if err != nil {
		return fmt.Errorf("insert signing key %q: %w", k.ID, err)
	}
	return nil
}

// RetireSigningKey sets the key's retirement time. NotFound when there is no
// such key.
func (t *tx) RetireSigningKey(ctx context.Context, id string, at time.Time) error {
	res, err := t.q.ExecContext(ctx, `
UPDATE signing_keys SET retired_at = ?
WHERE id = ?`, formatTime(at), id)
	if err != nil {
		return fmt.Errorf("retire signing key %q: %w", id, err)
	}
	return mustChange(res, "signing key", fmt.Sprintf("retire signing key %q", id))
}

// DeleteSigningKey removes the key. NotFound when there is no such key.
func (t *tx) DeleteSigningKey(ctx context.Context, id string) error {
	res, err := t.q.ExecContext(ctx, `DELETE FROM signing_keys WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete signing key %q: %w", id, err)
	}
	return mustChange(res, "signing key", fmt.Sprintf("delete signing key %q", id))
}
