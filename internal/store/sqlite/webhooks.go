package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

const webhookEndpointSelect = `
SELECT id, tenant_id, url, description, event_types, enabled, kind, secret,
       previous_secret, previous_secret_expires_at, disabled_reason, created_at, updated_at
FROM webhook_endpoints`

func scanWebhookEndpoint(row scanner) (core.WebhookEndpoint, error) {
	var (
		e          core.WebhookEndpoint
		prevExpiry *time.Time
	)
	err := row.Scan(&e.ID, &e.TenantID, &e.URL, &e.Description, listDest[string]{&e.EventTypes}, &e.Enabled,
		&e.Kind, &e.Secret, &e.PreviousSecret, nullTimeDest{&prevExpiry}, &e.DisabledReason,
		timeDest{&e.CreatedAt}, timeDest{&e.UpdatedAt})
	if prevExpiry != nil {
		e.PreviousSecretExpiresAt = *prevExpiry
	}
	return e, err
}

// zeroAsNull stores the zero time as NULL.
func zeroAsNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

// GetWebhookEndpoint returns the tenant's endpoint with that id, or NotFound.
func (r reader) GetWebhookEndpoint(ctx context.Context, tenantID int64, id string) (core.WebhookEndpoint, error) {
	e, err := scanWebhookEndpoint(r.q.QueryRowContext(ctx, webhookEndpointSelect+`
WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if err != nil {
		return core.WebhookEndpoint{}, getError(err, "webhook endpoint", "get webhook endpoint "+id)
	}
	return e, nil
}

// ListWebhookEndpoints returns the tenant's endpoints in creation order.
func (r reader) ListWebhookEndpoints(ctx context.Context, tenantID int64) ([]core.WebhookEndpoint, error) {
	list, err := queryAll(ctx, r.q, scanWebhookEndpoint, webhookEndpointSelect+`
WHERE tenant_id = ?
ORDER BY created_at, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list webhook endpoints of tenant %d: %w", tenantID, err)
	}
	return list, nil
}

// InsertWebhookEndpoint stores e. Conflict when e.ID is taken; NotFound when
// the tenant does not exist.
func (t *tx) InsertWebhookEndpoint(ctx context.Context, e *core.WebhookEndpoint) error {
	types, err := formatList(e.EventTypes)
	if err != nil {
		return fmt.Errorf("insert webhook endpoint: %w", err)
	}
	_, err = t.q.ExecContext(ctx, `
INSERT INTO webhook_endpoints (id, tenant_id, url, description, event_types, enabled, kind, secret,
    previous_secret, previous_secret_expires_at, disabled_reason, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.TenantID, e.URL, e.Description, types, e.Enabled, e.Kind, e.Secret,
		e.PreviousSecret, zeroAsNull(e.PreviousSecretExpiresAt), e.DisabledReason,
		formatTime(e.CreatedAt), formatTime(e.UpdatedAt))
	switch {
	case isUniqueViolation(err):
		return core.FieldError(core.Conflict, "id", "is already a webhook endpoint's id")
	case isForeignKeyViolation(err):
		return notFound("tenant")
	case err != nil:
		return fmt.Errorf("insert webhook endpoint: %w", err)
	}
	return nil
}

// UpdateWebhookEndpoint saves every field of e but its id, tenant, kind and
// creation time. NotFound when the tenant has no such endpoint.
func (t *tx) UpdateWebhookEndpoint(ctx context.Context, e *core.WebhookEndpoint) error {
	types, err := formatList(e.EventTypes)
	if err != nil {
		return fmt.Errorf("update webhook endpoint %s: %w", e.ID, err)
	}
	res, err := t.q.ExecContext(ctx, `
UPDATE webhook_endpoints
SET url = ?, description = ?, event_types = ?, enabled = ?, secret = ?, previous_secret = ?,
    previous_secret_expires_at = ?, disabled_reason = ?, updated_at = ?
WHERE tenant_id = ? AND id = ?`,
		e.URL, e.Description, types, e.Enabled, e.Secret, e.PreviousSecret,
		zeroAsNull(e.PreviousSecretExpiresAt), e.DisabledReason, formatTime(e.UpdatedAt), e.TenantID, e.ID)
	if err != nil {
		return fmt.Errorf("update webhook endpoint %s: %w", e.ID, err)
	}
	return mustChange(res, "webhook endpoint", "update webhook endpoint "+e.ID)
}

// DeleteWebhookEndpoint removes the tenant's endpoint; its deliveries and
// their attempts go with it (foreign keys). NotFound when unknown.
func (t *tx) DeleteWebhookEndpoint(ctx context.Context, tenantID int64, id string) error {
	res, err := t.q.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE tenant_id = ? AND id = ?`, tenantID, id)
	if err != nil {
		return fmt.Errorf("delete webhook endpoint %s: %w", id, err)
	}
	return mustChange(res, "webhook endpoint", "delete webhook endpoint "+id)
}

const webhookDeliverySelect = `
SELECT id, tenant_id, endpoint_id, event_id, event_type, message_id, payload, status, attempts,
       next_attempt_at, last_status_code, last_error, created_at, updated_at
FROM webhook_deliveries`

func scanWebhookDelivery(row scanner) (core.WebhookDelivery, error) {
	var (
		d       core.WebhookDelivery
		payload string
	)
	err := row.Scan(&d.ID, &d.TenantID, &d.EndpointID, &d.EventID, &d.EventType, &d.MessageID, &payload,
		&d.Status, &d.Attempts, timeDest{&d.NextAttemptAt}, &d.LastStatusCode, &d.LastError,
		timeDest{&d.CreatedAt}, timeDest{&d.UpdatedAt})
	d.Payload = json.RawMessage(payload)
	return d, err
}

// GetWebhookDelivery returns the delivery of the tenant's endpoint, or NotFound.
func (r reader) GetWebhookDelivery(ctx context.Context, tenantID int64, endpointID string, deliveryID int64) (core.WebhookDelivery, error) {
	d, err := scanWebhookDelivery(r.q.QueryRowContext(ctx, webhookDeliverySelect+`
WHERE tenant_id = ? AND endpoint_id = ? AND id = ?`, tenantID, endpointID, deliveryID))
	if err != nil {
		return core.WebhookDelivery{}, getError(err, "webhook delivery", fmt.Sprintf("get webhook delivery %d", deliveryID))
	}
	return d, nil
}

// ListWebhookDeliveries returns the endpoint's deliveries newest first.
func (r reader) ListWebhookDeliveries(ctx context.Context, tenantID int64, endpointID string, beforeID int64, limit int) ([]core.WebhookDelivery, error) {
	where, args := "tenant_id = ? AND endpoint_id = ?", []any{tenantID, endpointID}
	if beforeID > 0 {
		where += " AND id < ?"
		args = append(args, beforeID)
	}
	args = append(args, limitOrDefault(limit))
	list, err := queryAll(ctx, r.q, scanWebhookDelivery, webhookDeliverySelect+`
WHERE `+where+`
ORDER BY id DESC
LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list deliveries of webhook endpoint %s: %w", endpointID, err)
	}
	return list, nil
}

func scanWebhookAttempt(row scanner) (core.WebhookAttempt, error) {
	var (
		a         core.WebhookAttempt
		latencyUS int64
	)
	err := row.Scan(&a.ID, &a.DeliveryID, &a.TenantID, timeDest{&a.At}, &a.StatusCode, &latencyUS, &a.Error, &a.ResponseExcerpt)
	a.Latency = time.Duration(latencyUS) * time.Microsecond
	return a, err
}

// ListWebhookAttempts returns the attempts of the tenant's deliveries with
// those ids, oldest first.
func (r reader) ListWebhookAttempts(ctx context.Context, tenantID int64, deliveryIDs []int64) ([]core.WebhookAttempt, error) {
	if len(deliveryIDs) == 0 {
		return []core.WebhookAttempt{}, nil
	}
	args := []any{tenantID}
	for _, id := range deliveryIDs {
		args = append(args, id)
	}
	list, err := queryAll(ctx, r.q, scanWebhookAttempt, `
SELECT id, delivery_id, tenant_id, at, status_code, latency_us, error, response_excerpt
FROM webhook_attempts
WHERE tenant_id = ? AND delivery_id IN (?`+strings.Repeat(", ?", len(deliveryIDs)-1)+`)
ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list webhook attempts of tenant %d: %w", tenantID, err)
	}
	return list, nil
}

// ListLatestEvents returns the tenant's newest events of type typ.
func (r reader) ListLatestEvents(ctx context.Context, tenantID int64, typ string, limit int) ([]core.Event, error) {
	list, err := queryAll(ctx, r.q, scanEvent, eventSelect+`
WHERE tenant_id = ? AND type = ?
ORDER BY id DESC
LIMIT ?`, tenantID, typ, limitOrDefault(limit))
	if err != nil {
		return nil, fmt.Errorf("list latest %s events of tenant %d: %w", typ, tenantID, err)
	}
	return list, nil
}

// TakeUndispatchedEvents returns up to limit events not yet fanned out,
// oldest first. SQLite runs one writer at a time, so the transaction that
// reads them is the only one that can mark them.
func (t *tx) TakeUndispatchedEvents(ctx context.Context, limit int) ([]core.Event, error) {
	list, err := queryAll(ctx, t.q, scanEvent, eventSelect+`
WHERE dispatched_at IS NULL
ORDER BY id
LIMIT ?`, limitOrDefault(limit))
	if err != nil {
		return nil, fmt.Errorf("take undispatched events: %w", err)
	}
	return list, nil
}

// MarkEventsDispatched sets dispatched_at of the events with those ids.
func (t *tx) MarkEventsDispatched(ctx context.Context, ids []int64, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{formatTime(at)}
	for _, id := range ids {
		args = append(args, id)
	}
	if _, err := t.q.ExecContext(ctx, `
UPDATE events SET dispatched_at = ?
WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, args...); err != nil {
		return fmt.Errorf("mark %d events dispatched: %w", len(ids), err)
	}
	return nil
}

// InsertWebhookDelivery stores d and sets d.ID. Conflict when the endpoint
// already has a delivery of the event; NotFound when the endpoint does not
// exist.
func (t *tx) InsertWebhookDelivery(ctx context.Context, d *core.WebhookDelivery) error {
	res, err := t.q.ExecContext(ctx, `
INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id, event_type, message_id, payload, status,
    attempts, next_attempt_at, last_status_code, last_error, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.TenantID, d.EndpointID, d.EventID, d.EventType, d.MessageID, string(d.Payload), d.Status,
		d.Attempts, formatTime(d.NextAttemptAt), d.LastStatusCode, d.LastError,
		formatTime(d.CreatedAt), formatTime(d.UpdatedAt))
	switch {
	case isUniqueViolation(err):
		return core.FieldError(core.Conflict, "eventId", "already has a delivery to this endpoint")
	case isForeignKeyViolation(err):
		return notFound("webhook endpoint")
	case err != nil:
		return fmt.Errorf("insert webhook delivery: %w", err)
	}
	if d.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("insert webhook delivery: %w", err)
	}
	return nil
}

// ClaimWebhookDeliveries leases due pending deliveries of enabled endpoints
// to worker. The write transaction is the only one running, so the select
// and the update cannot interleave with another claim.
func (t *tx) ClaimWebhookDeliveries(ctx context.Context, worker string, now, until time.Time, limit int) ([]core.WebhookDelivery, error) {
	n := formatTime(now)
	ids, err := queryAll(ctx, t.q, func(row scanner) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	}, `
SELECT d.id
FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND e.enabled
  AND (d.locked_until IS NULL OR d.locked_until < ?)
ORDER BY d.next_attempt_at, d.id
LIMIT ?`, n, n, limitOrDefault(limit))
	if err != nil {
		return nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	if len(ids) == 0 {
		return []core.WebhookDelivery{}, nil
	}
	args := []any{worker, formatTime(until)}
	for _, id := range ids {
		args = append(args, id)
	}
	in := "(?" + strings.Repeat(", ?", len(ids)-1) + ")"
	if _, err := t.q.ExecContext(ctx, `
UPDATE webhook_deliveries SET locked_by = ?, locked_until = ? WHERE id IN `+in, args...); err != nil {
		return nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	list, err := queryAll(ctx, t.q, scanWebhookDelivery, webhookDeliverySelect+`
WHERE id IN `+in+`
ORDER BY next_attempt_at, id`, args[2:]...)
	if err != nil {
		return nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	return list, nil
}

// FinishWebhookAttempt saves the delivery's outcome and frees its lease,
// when worker holds it; NotFound otherwise.
func (t *tx) FinishWebhookAttempt(ctx context.Context, worker string, d *core.WebhookDelivery) error {
	res, err := t.q.ExecContext(ctx, `
UPDATE webhook_deliveries
SET status = ?, attempts = ?, next_attempt_at = ?, last_status_code = ?, last_error = ?, updated_at = ?,
    locked_by = NULL, locked_until = NULL
WHERE id = ? AND locked_by = ?`,
		d.Status, d.Attempts, formatTime(d.NextAttemptAt), d.LastStatusCode, d.LastError, formatTime(d.UpdatedAt),
		d.ID, worker)
	if err != nil {
		return fmt.Errorf("finish webhook delivery %d: %w", d.ID, err)
	}
	return mustChange(res, "webhook delivery lease", fmt.Sprintf("finish webhook delivery %d", d.ID))
}

// ResetWebhookDelivery makes the tenant's delivery pending again, due at at.
func (t *tx) ResetWebhookDelivery(ctx context.Context, tenantID, deliveryID int64, at time.Time) error {
	ts := formatTime(at)
	res, err := t.q.ExecContext(ctx, `
UPDATE webhook_deliveries
SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?, locked_by = NULL, locked_until = NULL
WHERE tenant_id = ? AND id = ?`, ts, ts, tenantID, deliveryID)
	if err != nil {
		return fmt.Errorf("reset webhook delivery %d: %w", deliveryID, err)
	}
	return mustChange(res, "webhook delivery", fmt.Sprintf("reset webhook delivery %d", deliveryID))
}

// InsertWebhookAttempt stores a and sets a.ID.
func (t *tx) InsertWebhookAttempt(ctx context.Context, a *core.WebhookAttempt) error {
	res, err := t.q.ExecContext(ctx, `
INSERT INTO webhook_attempts (delivery_id, tenant_id, at, status_code, latency_us, error, response_excerpt)
VALUES (?, ?, ?, ?, ?, ?, ?)`,
		a.DeliveryID, a.TenantID, formatTime(a.At), a.StatusCode, a.Latency.Microseconds(), a.Error, a.ResponseExcerpt)
	switch {
	case isForeignKeyViolation(err):
		return notFound("webhook delivery")
	case err != nil:
		return fmt.Errorf("insert webhook attempt: %w", err)
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("insert webhook attempt: %w", err)
	}
	return nil
}

// GetLeasedWebhookDelivery returns the delivery when worker holds its lease.
func (t *tx) GetLeasedWebhookDelivery(ctx context.Context, worker string, deliveryID int64) (core.WebhookDelivery, error) {
	d, err := scanWebhookDelivery(t.q.QueryRowContext(ctx, webhookDeliverySelect+`
WHERE id = ? AND locked_by = ?`, deliveryID, worker))
	if err != nil {
		return core.WebhookDelivery{}, getError(err, "webhook delivery lease", fmt.Sprintf("get leased webhook delivery %d", deliveryID))
	}
	return d, nil
}

// DeleteWebhookDeliveriesBefore removes up to limit finished deliveries, of
// every tenant, last updated before before; their attempts go with them
// (foreign keys). Pending deliveries stay, however old.
func (t *tx) DeleteWebhookDeliveriesBefore(ctx context.Context, before time.Time, limit int) (int64, error) {
	res, err := t.q.ExecContext(ctx, `
DELETE FROM webhook_deliveries
WHERE id IN (
    SELECT id FROM webhook_deliveries
    WHERE status IN (?, ?) AND updated_at < ?
    ORDER BY id
    LIMIT ?)`, core.DeliverySucceeded, core.DeliveryFailed, formatTime(before), limit)
	if err != nil {
		return 0, fmt.Errorf("delete webhook deliveries before %s: %w", formatTime(before), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete webhook deliveries before %s: %w", formatTime(before), err)
	}
	return n, nil
}
