package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/rosterhq/roster/internal/core"
)

func scanEvent(row pgx.Row) (core.Event, error) {
	var (
		e       core.Event
		payload []byte
	)
	if err := row.Scan(&e.ID, &e.TenantID, &e.Type, &e.Actor, &e.SubjectType, &e.SubjectID,
		&payload, &e.CreatedAt); err != nil {
		return core.Event{}, err
	}
	e.Payload = json.RawMessage(payload)
	e.CreatedAt = e.CreatedAt.UTC()
	return e, nil
}

// ListEvents returns the tenant's events with an id above f.AfterID,
// matching f.Type, f.Actor, f.SubjectType and f.SubjectID exactly when set,
// created at or after f.Since and before f.Until when set, oldest first, at most f.Limit of them (100
// when f.Limit <= 0). A deleted tenant's events are still listed.
func (r reader) ListEvents(ctx context.Context, tenantID int64, f core.EventFilter) ([]core.Event, error) {
	where := []string{"tenant_id = $1", "id > $2"}
	args := []any{tenantID, f.AfterID}
	for _, c := range []struct{ column, value string }{
		{"type", f.Type}, {"actor", f.Actor}, {"subject_type", f.SubjectType}, {"subject_id", f.SubjectID},
	} {
		if c.value != "" {
			args = append(args, c.value)
			where = append(where, c.column+" = $"+strconv.Itoa(len(args)))
		}
	}
	if !f.Since.IsZero() {
		args = append(args, f.Since.UTC())
		where = append(where, "created_at >= $"+strconv.Itoa(len(args)))
	}
	if !f.Until.IsZero() {
		args = append(args, f.Until.UTC())
		where = append(where, "created_at < $"+strconv.Itoa(len(args)))
	}
	args = append(args, pageSize(f.Limit))
	rows, err := r.q.Query(ctx, `
		SELECT id, tenant_id, type, actor, subject_type, subject_id, payload, created_at
		FROM events
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY id
		LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("list events of tenant %d: %w", tenantID, err)
	}
	es, err := collect(rows, scanEvent)
	if err != nil {
		return nil, fmt.Errorf("list events of tenant %d: %w", tenantID, err)
	}
	return es, nil
}

// InsertEvent appends e and sets e.ID. An empty payload is stored as {}.
// PostgreSQL keeps the payload as JSONB: it comes back equal as JSON, not
// byte for byte (keys sorted, whitespace normalized).
func (t *tx) InsertEvent(ctx context.Context, e *core.Event) error {
	payload := "{}"
	if len(e.Payload) > 0 {
		payload = string(e.Payload)
	}
	err := t.tx.QueryRow(ctx, `
		INSERT INTO events (tenant_id, type, actor, subject_type, subject_id, payload, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		RETURNING id`,
		e.TenantID, e.Type, e.Actor, e.SubjectType, e.SubjectID, payload, e.CreatedAt,
	).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("insert %s event: %w", e.Type, err)
	}
	return nil
}
