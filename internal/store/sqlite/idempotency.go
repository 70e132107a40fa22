package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

// The driver reads an empty BLOB back as nil, so the query also asks whether
// body is NULL: an empty body and no body round-trip as []byte{} and nil.
const idempotencySelect = `
SELECT tenant_id, key, fingerprint, completed, status, body, body IS NOT NULL, created_at
FROM idempotency_records`

func scanIdempotencyRecord(row scanner) (core.IdempotencyRecord, error) {
	var (
		r       core.IdempotencyRecord
		hasBody bool
	)
	err := row.Scan(&r.TenantID, &r.Key, &r.Fingerprint, &r.Completed, &r.Status,
		&r.Body, &hasBody, timeDest{&r.CreatedAt})
	if err != nil {
		return core.IdempotencyRecord{}, err
	}
	if r.Fingerprint == nil {
		r.Fingerprint = []byte{} // the column is NOT NULL: nil was an empty blob
	}
	if hasBody && r.Body == nil {
		r.Body = []byte{}
	}
	return r, nil
}

// GetIdempotencyRecord returns the tenant's record of key, or NotFound.
func (r reader) GetIdempotencyRecord(ctx context.Context, tenantID int64, key string) (core.IdempotencyRecord, error) {
	rec, err := scanIdempotencyRecord(r.q.QueryRowContext(ctx, idempotencySelect+`
WHERE tenant_id = ? AND key = ?`, tenantID, key))
	if err != nil {
		return core.IdempotencyRecord{}, getError(err, "idempotency record",
			fmt.Sprintf("get idempotency record of tenant %d", tenantID))
	}
	return rec, nil
}

// InsertIdempotencyRecord stores rec. Conflict (field "Idempotency-Key")
// when the tenant already has a record with rec.Key; NotFound when the
// tenant does not exist.
func (t *tx) InsertIdempotencyRecord(ctx context.Context, rec *core.IdempotencyRecord) error {
	_, err := t.q.ExecContext(ctx, `
INSERT INTO idempotency_records (tenant_id, key, fingerprint, completed, status, body, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`,
		rec.TenantID, rec.Key, rec.Fingerprint, rec.Completed, rec.Status, rec.Body,
		formatTime(rec.CreatedAt))
	if isUniqueViolation(err) {
		return core.FieldError(core.Conflict, "Idempotency-Key", "is already in use")
	}
	if isForeignKeyViolation(err) {
		return notFound("tenant")
	}
	if err != nil {
		return fmt.Errorf("insert idempotency record into tenant %d: %w", rec.TenantID, err)
	}
	return nil
}

// CompleteIdempotencyRecord stores the response of the tenant's record of
// key and marks it completed. NotFound when there is no such record.
func (t *tx) CompleteIdempotencyRecord(ctx context.Context, tenantID int64, key string, status int, body []byte) error {
	op := fmt.Sprintf("complete idempotency record of tenant %d", tenantID)
	res, err := t.q.ExecContext(ctx, `
UPDATE idempotency_records SET completed = 1, status = ?, body = ?
WHERE tenant_id = ? AND key = ?`, status, body, tenantID, key)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return mustChange(res, "idempotency record", op)
}

// DeleteIdempotencyRecord removes the tenant's record of key. NotFound when
// there is no such record.
func (t *tx) DeleteIdempotencyRecord(ctx context.Context, tenantID int64, key string) error {
	op := fmt.Sprintf("delete idempotency record of tenant %d", tenantID)
	res, err := t.q.ExecContext(ctx, `
DELETE FROM idempotency_records
WHERE tenant_id = ? AND key = ?`, tenantID, key)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return mustChange(res, "idempotency record", op)
}

// DeleteIdempotencyRecordsBefore removes every record, of every tenant,
// created before before, and returns how many it removed.
func (t *tx) DeleteIdempotencyRecordsBefore(ctx context.Context, before time.Time) (int64, error) {
	res, err := t.q.ExecContext(ctx, `
DELETE FROM idempotency_records
WHERE created_at < ?`, formatTime(before))
	if err != nil {
		return 0, fmt.Errorf("delete idempotency records before %s: %w", formatTime(before), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete idempotency records before %s: %w", formatTime(before), err)
	}
	return n, nil
}
