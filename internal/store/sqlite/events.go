package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rosterhq/roster/internal/core"
)

const eventSelect = `
SELECT id, tenant_id, type, actor, subject_type, subject_id, payload, created_at
FROM events`

func scanEvent(row scanner) (core.Event, error) {
	var (
		e       core.Event
		payload string
	)
	err := row.Scan(&e.ID, &e.TenantID, &e.Type, &e.Actor, &e.SubjectType, &e.SubjectID,
		&payload, timeDest{&e.CreatedAt})
	e.Payload = json.RawMessage(payload)
	return e, err
}

// ListEvents returns a page of the tenant's events, oldest first: ids above
// f.AfterID, at most f.Limit (100 when <= 0), matching f.Type, f.Actor,
// f.SubjectType and f.SubjectID exactly when set, created at or after
// f.Since and before f.Until when set.
func (r reader) ListEvents(ctx context.Context, tenantID int64, f core.EventFilter) ([]core.Event, error) {
	where := []string{"tenant_id = ?", "id > ?"}
	args := []any{tenantID, f.AfterID}
	for _, c := range []struct{ column, value string }{
		{"type", f.Type}, {"actor", f.Actor}, {"subject_type", f.SubjectType}, {"subject_id", f.SubjectID},
	} {
		if c.value != "" {
			where = append(where, c.column+" = ?")
			args = append(args, c.value)
		}
	}
	// Stored times are fixed-width UTC text, so they compare as they sort.
	if !f.Since.IsZero() {
		where = append(where, "created_at >= ?")
		args = append(args, formatTime(f.Since))
	}
	if !f.Until.IsZero() {
		where = append(where, "created_at < ?")
		args = append(args, formatTime(f.Until))
	}
	args = append(args, limitOrDefault(f.Limit))
	rows, err := r.q.QueryContext(ctx, eventSelect+`
WHERE `+strings.Join(where, " AND ")+`
ORDER BY id
LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list events of tenant %d: %w", tenantID, err)
	}
	defer rows.Close()
	list := []core.Event{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("list events of tenant %d: %w", tenantID, err)
		}
		list = append(list, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list events of tenant %d: %w", tenantID, err)
	}
	return list, nil
}

// InsertEvent appends e and sets e.ID. An empty payload is stored as {}.
func (t *tx) InsertEvent(ctx context.Context, e *core.Event) error {
	payload := string(e.Payload)
	if len(e.Payload) == 0 {
		payload = "{}"
	}
	res, err := t.q.ExecContext(ctx, `
INSERT INTO events (tenant_id, type, actor, subject_type, subject_id, payload, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.TenantID, e.Type, e.Actor, e.SubjectType, e.SubjectID, payload, formatTime(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	e.ID = id
	return nil
}
