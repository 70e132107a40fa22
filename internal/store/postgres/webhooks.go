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

const webhookEndpointColumns = `id, tenant_id, url, description, event_types, enabled, kind, secret,
	previous_secret, previous_secret_expires_at, disabled_reason, created_at, updated_at`

func scanWebhookEndpoint(row pgx.Row) (core.WebhookEndpoint, error) {
	var (
		e          core.WebhookEndpoint
		types      []byte
		prevExpiry *time.Time
	)
	if err := row.Scan(&e.ID, &e.TenantID, &e.URL, &e.Description, &types, &e.Enabled, &e.Kind, &e.Secret,
		&e.PreviousSecret, &prevExpiry, &e.DisabledReason, &e.CreatedAt, &e.UpdatedAt); err != nil {
		return core.WebhookEndpoint{}, err
	}
	if err := json.Unmarshal(types, &e.EventTypes); err != nil {
		return core.WebhookEndpoint{}, fmt.Errorf("decode event types of webhook endpoint %s: %w", e.ID, err)
	}
	if len(e.EventTypes) == 0 {
		e.EventTypes = nil
	}
	if prevExpiry != nil {
		e.PreviousSecretExpiresAt = prevExpiry.UTC()
	}
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return e, nil
}

// nullIfZero stores the zero time as NULL.
func nullIfZero(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// eventTypesJSON encodes an event filter as stored: "[]" when empty.
func eventTypesJSON(types []string) (string, error) {
	if len(types) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(types)
	return string(b), err
}

// GetWebhookEndpoint returns the tenant's endpoint with that id, or
// NotFound. Inside a transaction it locks the row (see lockFor).
func (r reader) GetWebhookEndpoint(ctx context.Context, tenantID int64, id string) (core.WebhookEndpoint, error) {
	e, err := scanWebhookEndpoint(r.q.QueryRow(ctx, `
		SELECT `+webhookEndpointColumns+`
		FROM webhook_endpoints
		WHERE tenant_id = $1 AND id = $2`+r.lockFor(), tenantID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return core.WebhookEndpoint{}, core.Errorf(core.NotFound, "webhook endpoint not found")
	}
	if err != nil {
		return core.WebhookEndpoint{}, fmt.Errorf("get webhook endpoint %s: %w", id, err)
	}
	return e, nil
}

// ListWebhookEndpoints returns the tenant's endpoints in creation order.
func (r reader) ListWebhookEndpoints(ctx context.Context, tenantID int64) ([]core.WebhookEndpoint, error) {
	rows, err := r.q.Query(ctx, `
		SELECT `+webhookEndpointColumns+`
		FROM webhook_endpoints
		WHERE tenant_id = $1
		ORDER BY created_at, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list webhook endpoints of tenant %d: %w", tenantID, err)
	}
	list, err := collect(rows, scanWebhookEndpoint)
	if err != nil {
		return nil, fmt.Errorf("list webhook endpoints of tenant %d: %w", tenantID, err)
	}
	return list, nil
}

// InsertWebhookEndpoint stores e. Conflict when e.ID is taken; NotFound when
// the tenant does not exist.
func (t *tx) InsertWebhookEndpoint(ctx context.Context, e *core.WebhookEndpoint) error {
	types, err := eventTypesJSON(e.EventTypes)
	if err != nil {
		return fmt.Errorf("insert webhook endpoint: %w", err)
	}
	err = t.savepoint(ctx, func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO webhook_endpoints (id, tenant_id, url, description, event_types, enabled, kind, secret,
				previous_secret, previous_secret_expires_at, disabled_reason, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			e.ID, e.TenantID, e.URL, e.Description, types, e.Enabled, e.Kind, e.Secret,
			e.PreviousSecret, nullIfZero(e.PreviousSecretExpiresAt), e.DisabledReason, e.CreatedAt, e.UpdatedAt)
		return err
	})
	if _, ok := violated(err, uniqueViolation); ok {
		e := core.FieldError(core.Conflict, "id", "is already a webhook endpoint's id")
		e.Err = err
		return e
	}
	if _, ok := violated(err, foreignKeyViolation); ok {
		return core.Errorf(core.NotFound, "tenant %d not found", e.TenantID)
	}
	if err != nil {
		return fmt.Errorf("insert webhook endpoint: %w", err)
	}
	return nil
}

// UpdateWebhookEndpoint saves every field of e but its id, tenant, kind and
// creation time. NotFound when the tenant has no such endpoint.
func (t *tx) UpdateWebhookEndpoint(ctx context.Context, e *core.WebhookEndpoint) error {
	types, err := eventTypesJSON(e.EventTypes)
	if err != nil {
		return fmt.Errorf("update webhook endpoint %s: %w", e.ID, err)
	}
	tag, err := t.tx.Exec(ctx, `
		UPDATE webhook_endpoints
		SET url = $3, description = $4, event_types = $5, enabled = $6, secret = $7, previous_secret = $8,
			previous_secret_expires_at = $9, disabled_reason = $10, updated_at = $11
		WHERE tenant_id = $1 AND id = $2`,
		e.TenantID, e.ID, e.URL, e.Description, types, e.Enabled, e.Secret, e.PreviousSecret,
		nullIfZero(e.PreviousSecretExpiresAt), e.DisabledReason, e.UpdatedAt)
	if err != nil {
		return fmt.Errorf("update webhook endpoint %s: %w", e.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return core.Errorf(core.NotFound, "webhook endpoint not found")
	}
	return nil
}

// DeleteWebhookEndpoint removes the tenant's endpoint; its deliveries and
// their attempts go with it (foreign keys). NotFound when unknown.
func (t *tx) DeleteWebhookEndpoint(ctx context.Context, tenantID int64, id string) error {
	tag, err := t.tx.Exec(ctx, `DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	if err != nil {
		return fmt.Errorf("delete webhook endpoint %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return core.Errorf(core.NotFound, "webhook endpoint not found")
	}
	return nil
}

const webhookDeliveryColumns = `id, tenant_id, endpoint_id, event_id, event_type, message_id, payload, status,
	attempts, next_attempt_at, last_status_code, last_error, created_at, updated_at`

func scanWebhookDelivery(row pgx.Row) (core.WebhookDelivery, error) {
	var (
		d       core.WebhookDelivery
		payload string
	)
	if err := row.Scan(&d.ID, &d.TenantID, &d.EndpointID, &d.EventID, &d.EventType, &d.MessageID, &payload,
		&d.Status, &d.Attempts, &d.NextAttemptAt, &d.LastStatusCode, &d.LastError, &d.CreatedAt, &d.UpdatedAt); err != nil {
		return core.WebhookDelivery{}, err
	}
	d.Payload = json.RawMessage(payload)
	d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = d.NextAttemptAt.UTC(), d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return d, nil
}

// GetWebhookDelivery returns the delivery of the tenant's endpoint, or
// NotFound. Inside a transaction it locks the row (see lockFor).
func (r reader) GetWebhookDelivery(ctx context.Context, tenantID int64, endpointID string, deliveryID int64) (core.WebhookDelivery, error) {
	d, err := scanWebhookDelivery(r.q.QueryRow(ctx, `
		SELECT `+webhookDeliveryColumns+`
		FROM webhook_deliveries
		WHERE tenant_id = $1 AND endpoint_id = $2 AND id = $3`+r.lockFor(), tenantID, endpointID, deliveryID))
	if errors.Is(err, pgx.ErrNoRows) {
		return core.WebhookDelivery{}, core.Errorf(core.NotFound, "webhook delivery not found")
	}
	if err != nil {
		return core.WebhookDelivery{}, fmt.Errorf("get webhook delivery %d: %w", deliveryID, err)
	}
	return d, nil
}

// ListWebhookDeliveries returns the endpoint's deliveries newest first.
func (r reader) ListWebhookDeliveries(ctx context.Context, tenantID int64, endpointID string, beforeID int64, limit int) ([]core.WebhookDelivery, error) {
	rows, err := r.q.Query(ctx, `
		SELECT `+webhookDeliveryColumns+`
		FROM webhook_deliveries
		WHERE tenant_id = $1 AND endpoint_id = $2 AND ($3::bigint <= 0 OR id < $3::bigint)
		ORDER BY id DESC
		LIMIT $4`, tenantID, endpointID, beforeID, pageSize(limit))
	if err != nil {
		return nil, fmt.Errorf("list deliveries of webhook endpoint %s: %w", endpointID, err)
	}
	list, err := collect(rows, scanWebhookDelivery)
	if err != nil {
		return nil, fmt.Errorf("list deliveries of webhook endpoint %s: %w", endpointID, err)
	}
	return list, nil
}

func scanWebhookAttempt(row pgx.Row) (core.WebhookAttempt, error) {
	var (
		a         core.WebhookAttempt
		latencyUS int64
	)
	if err := row.Scan(&a.ID, &a.DeliveryID, &a.TenantID, &a.At, &a.StatusCode, &latencyUS, &a.Error, &a.ResponseExcerpt); err != nil {
		return core.WebhookAttempt{}, err
	}
	a.At = a.At.UTC()
	a.Latency = time.Duration(latencyUS) * time.Microsecond
	return a, nil
}

// ListWebhookAttempts returns the attempts of the tenant's deliveries with
// those ids, oldest first.
func (r reader) ListWebhookAttempts(ctx context.Context, tenantID int64, deliveryIDs []int64) ([]core.WebhookAttempt, error) {
	if len(deliveryIDs) == 0 {
		return []core.WebhookAttempt{}, nil
	}
	rows, err := r.q.Query(ctx, `
		SELECT id, delivery_id, tenant_id, at, status_code, latency_us, error, response_excerpt
		FROM webhook_attempts
		WHERE tenant_id = $1 AND delivery_id = ANY($2)
		ORDER BY id`, tenantID, deliveryIDs)
	if err != nil {
		return nil, fmt.Errorf("list webhook attempts of tenant %d: %w", tenantID, err)
	}
	list, err := collect(rows, scanWebhookAttempt)
	if err != nil {
		return nil, fmt.Errorf("list webhook attempts of tenant %d: %w", tenantID, err)
	}
	return list, nil
}

// ListLatestEvents returns the tenant's newest events of type typ.
func (r reader) ListLatestEvents(ctx context.Context, tenantID int64, typ string, limit int) ([]core.Event, error) {
	rows, err := r.q.Query(ctx, `
		SELECT id, tenant_id, type, actor, subject_type, subject_id, payload, created_at
		FROM events
		WHERE tenant_id = $1 AND type = $2
		ORDER BY id DESC
		LIMIT $3`, tenantID, typ, pageSize(limit))
	if err != nil {
		return nil, fmt.Errorf("list latest %s events of tenant %d: %w", typ, tenantID, err)
	}
	list, err := collect(rows, scanEvent)
	if err != nil {
		return nil, fmt.Errorf("list latest %s events of tenant %d: %w", typ, tenantID, err)
	}
	return list, nil
}

// TakeUndispatchedEvents returns up to limit events not yet fanned out,
// oldest first, locked until the transaction ends; rows another transaction
// holds are skipped, so concurrent fan-outs split the work.
func (t *tx) TakeUndispatchedEvents(ctx context.Context, limit int) ([]core.Event, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT id, tenant_id, type, actor, subject_type, subject_id, payload, created_at
		FROM events
		WHERE dispatched_at IS NULL
		ORDER BY id
		LIMIT $1
		FOR UPDATE SKIP LOCKED`, pageSize(limit))
	if err != nil {
		return nil, fmt.Errorf("take undispatched events: %w", err)
	}
	list, err := collect(rows, scanEvent)
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
	if _, err := t.tx.Exec(ctx, `UPDATE events SET dispatched_at = $1 WHERE id = ANY($2)`, at, ids); err != nil {
		return fmt.Errorf("mark %d events dispatched: %w", len(ids), err)
	}
	return nil
}

// InsertWebhookDelivery stores d and sets d.ID. Conflict when the endpoint
// already has a delivery of the event; NotFound when the endpoint does not
// exist.
func (t *tx) InsertWebhookDelivery(ctx context.Context, d *core.WebhookDelivery) error {
	err := t.savepoint(ctx, func(q querier) error {
		return q.QueryRow(ctx, `
			INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id, event_type, message_id, payload, status,
				attempts, next_attempt_at, last_status_code, last_error, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			RETURNING id`,
			d.TenantID, d.EndpointID, d.EventID, d.EventType, d.MessageID, string(d.Payload), d.Status,
			d.Attempts, d.NextAttemptAt, d.LastStatusCode, d.LastError, d.CreatedAt, d.UpdatedAt).Scan(&d.ID)
	})
	if _, ok := violated(err, uniqueViolation); ok {
		e := core.FieldError(core.Conflict, "eventId", "already has a delivery to this endpoint")
		e.Err = err
		return e
	}
	if _, ok := violated(err, foreignKeyViolation); ok {
		return core.Errorf(core.NotFound, "webhook endpoint not found")
	}
	if err != nil {
		return fmt.Errorf("insert webhook delivery: %w", err)
	}
	return nil
}

// ClaimWebhookDeliveries leases due pending deliveries of enabled endpoints
// to worker. FOR UPDATE SKIP LOCKED makes concurrent claimers pass over the
// rows another is leasing; the lease itself (locked_until) keeps them from
// claiming a delivery once that transaction has committed.
func (t *tx) ClaimWebhookDeliveries(ctx context.Context, worker string, now, until time.Time, limit int) ([]core.WebhookDelivery, error) {
	rows, err := t.tx.Query(ctx, `
		WITH due AS (
			SELECT d.id
			FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
			WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND e.enabled
			  AND (d.locked_until IS NULL OR d.locked_until < $1)
			ORDER BY d.next_attempt_at, d.id
			LIMIT $2
			FOR UPDATE OF d SKIP LOCKED
		)
		UPDATE webhook_deliveries w
		SET locked_by = $3, locked_until = $4
		FROM due
		WHERE w.id = due.id
		RETURNING `+prefixed("w.", webhookDeliveryColumns), now, pageSize(limit), worker, until)
	if err != nil {
		return nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	list, err := collect(rows, scanWebhookDelivery)
	if err != nil {
		return nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	// RETURNING has no order: give the earliest due first, as documented.
	sortDeliveriesByDue(list)
	return list, nil
}

// FinishWebhookAttempt saves the delivery's outcome and frees its lease,
// when worker holds it; NotFound otherwise.
func (t *tx) FinishWebhookAttempt(ctx context.Context, worker string, d *core.WebhookDelivery) error {
	tag, err := t.tx.Exec(ctx, `
		UPDATE webhook_deliveries
		SET status = $3, attempts = $4, next_attempt_at = $5, last_status_code = $6, last_error = $7,
			updated_at = $8, locked_by = NULL, locked_until = NULL
		WHERE id = $1 AND locked_by = $2`,
		d.ID, worker, d.Status, d.Attempts, d.NextAttemptAt, d.LastStatusCode, d.LastError, d.UpdatedAt)
	if err != nil {
		return fmt.Errorf("finish webhook delivery %d: %w", d.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return core.Errorf(core.NotFound, "webhook delivery lease not found")
	}
	return nil
}

// ResetWebhookDelivery makes the tenant's delivery pending again, due at at.
func (t *tx) ResetWebhookDelivery(ctx context.Context, tenantID, deliveryID int64, at time.Time) error {
	tag, err := t.tx.Exec(ctx, `
		UPDATE webhook_deliveries
		SET status = 'pending', attempts = 0, next_attempt_at = $3, updated_at = $3,
			locked_by = NULL, locked_until = NULL
		WHERE tenant_id = $1 AND id = $2`, tenantID, deliveryID, at)
	if err != nil {
		return fmt.Errorf("reset webhook delivery %d: %w", deliveryID, err)
	}
	if tag.RowsAffected() == 0 {
		return core.Errorf(core.NotFound, "webhook delivery not found")
	}
	return nil
}

// InsertWebhookAttempt stores a and sets a.ID.
func (t *tx) InsertWebhookAttempt(ctx context.Context, a *core.WebhookAttempt) error {
	err := t.tx.QueryRow(ctx, `
		INSERT INTO webhook_attempts (delivery_id, tenant_id, at, status_code, latency_us, error, response_excerpt)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		RETURNING id`,
		a.DeliveryID, a.TenantID, a.At, a.StatusCode, a.Latency.Microseconds(), a.Error, a.ResponseExcerpt).Scan(&a.ID)
	if err != nil {
		return fmt.Errorf("insert webhook attempt: %w", err)
	}
	return nil
}

// GetLeasedWebhookDelivery returns the delivery when worker holds its
// lease, locking the row until the transaction ends.
func (t *tx) GetLeasedWebhookDelivery(ctx context.Context, worker string, deliveryID int64) (core.WebhookDelivery, error) {
	d, err := scanWebhookDelivery(t.tx.QueryRow(ctx, `
		SELECT `+webhookDeliveryColumns+`
		FROM webhook_deliveries
		WHERE id = $1 AND locked_by = $2
		FOR NO KEY UPDATE`, deliveryID, worker))
	if errors.Is(err, pgx.ErrNoRows) {
		return core.WebhookDelivery{}, core.Errorf(core.NotFound, "webhook delivery lease not found")
	}
	if err != nil {
		return core.WebhookDelivery{}, fmt.Errorf("get leased webhook delivery %d: %w", deliveryID, err)
	}
	return d, nil
}

// DeleteWebhookDeliveriesBefore removes up to limit finished deliveries, of
// every tenant, last updated before before; their attempts go with them
// (foreign keys). Pending deliveries stay, however old.
func (t *tx) DeleteWebhookDeliveriesBefore(ctx context.Context, before time.Time, limit int) (int64, error) {
	tag, err := t.tx.Exec(ctx, `
		DELETE FROM webhook_deliveries
		WHERE id IN (
			SELECT id FROM webhook_deliveries
			WHERE status IN ($1, $2) AND updated_at < $3
			ORDER BY id
			LIMIT $4)`, core.DeliverySucceeded, core.DeliveryFailed, before, limit)
	if err != nil {
		return 0, fmt.Errorf("delete webhook deliveries before %s: %w", before.UTC().Format(time.RFC3339Nano), err)
	}
	return tag.RowsAffected(), nil
}
