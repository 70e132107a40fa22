package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rosterhq/roster/internal/core"
)

const idempotencyColumns = `tenant_id, key, fingerprint, completed, status, body, created_at`

func scanIdempotencyRecord(row pgx.Row) (core.IdempotencyRecord, error) {
	var r core.IdempotencyRecord
	if err := row.Scan(&r.TenantID, &r.Key, &r.Fingerprint, &r.Completed, &r.Status,
		&r.Body, &r.CreatedAt); err != nil {
		return core.IdempotencyRecord{}, err
	}
	r.CreatedAt = r.CreatedAt.UTC()
	return r, nil
}

// GetIdempotencyRecord returns the tenant's record of key, or NotFound.
// Inside a transaction it locks the record until the transaction ends, so
// two requests with the same key take turns.
func (r reader) GetIdempotencyRecord(ctx context.Context, tenantID int64, key string) (core.IdempotencyRecord, error) {
	rec, err := scanIdempotencyRecord(r.q.QueryRow(ctx, `
		SELECT `+idempotencyColumns+`
		FROM idempotency_records
		WHERE tenant_id = $1 AND key = $2`+r.lockFor(), tenantID, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return core.IdempotencyRecord{}, core.Errorf(core.NotFound, "idempotency record not found")
	}
	if err != nil {
		return core.IdempotencyRecord{}, fmt.Errorf("get idempotency record of tenant %d: %w", tenantID, err)
	}
	return rec, nil
}

// InsertIdempotencyRecord stores rec. Conflict (field "Idempotency-Key")
// when the tenant already has a record with rec.Key, NotFound when the
// tenant does not exist; either way the transaction stays usable.
func (t *tx) InsertIdempotencyRecord(ctx context.Context, rec *core.IdempotencyRecord) error {
	err := t.savepoint(ctx, func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO idempotency_records (tenant_id, key, fingerprint, completed, status, body, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			rec.TenantID, rec.Key, rec.Fingerprint, rec.Completed, rec.Status, rec.Body, rec.CreatedAt)
		return err
	})
	if _, ok := violated(err, uniqueViolation); ok {
		e := core.FieldError(core.Conflict, "Idempotency-Key", "is already in use")
		e.Err = err
		return e
	}
	if _, ok := violated(err, foreignKeyViolation); ok {
		return core.Errorf(core.NotFound, "tenant %d not found", rec.TenantID)
	}
	if err != nil {
		return fmt.Errorf("insert idempotency record into tenant %d: %w", rec.TenantID, err)
	}
	return nil
}

// CompleteIdempotencyRecord stores the response of the tenant's record of
// key and marks it completed. NotFound when there is no such record.
func (t *tx) CompleteIdempotencyRecord(ctx context.Context, tenantID int64, key string, status int, body []byte) error {
	tag, err := t.tx.Exec(ctx, `
		UPDATE idempotency_records
		SET completed = TRUE, status = $3, body = $4
		WHERE tenant_id = $1 AND key = $2`, tenantID, key, status, body)
	if err != nil {
		return fmt.Errorf("complete idempotency record of tenant %d: %w", tenantID, err)
	}
	if tag.RowsAffected() == 0 {
		return core.Errorf(core.NotFound, "idempotency record not found")
	}
	return nil
}

// DeleteIdempotencyRecord removes the tenant's record of key. NotFound when
// there is no such record.
func (t *tx) DeleteIdempotencyRecord(ctx context.Context, tenantID int64, key string) error {
	tag, err := t.tx.Exec(ctx, `
		DELETE FROM idempotency_records
		WHERE tenant_id = $1 AND key = $2`, tenantID, key)
	if err != nil {
		return fmt.Errorf("delete idempotency record of tenant %d: %w", tenantID, err)
	}
	if tag.RowsAffected() == 0 {
		return core.Errorf(core.NotFound, "idempotency record not found")
	}
	return nil
}

// DeleteIdempotencyRecordsBefore removes every record, of every tenant,
// created before before, and returns how many it removed.
func (t *tx) DeleteIdempotencyRecordsBefore(ctx context.Context, before time.Time) (int64, error) {
	tag, err := t.tx.Exec(ctx, `DELETE FROM idempotency_records WHERE created_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("delete idempotency records before %s: %w", before.UTC().Format(time.RFC3339Nano), err)
	}
	return tag.RowsAffected(), nil
}
