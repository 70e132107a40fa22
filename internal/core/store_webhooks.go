package core

import (
	"context"
	"time"
)

// webhookReader is the store's read half for webhook endpoints, deliveries
// and their attempts. Every method is scoped by tenant: another tenant's
// ids answer NotFound.
type webhookReader interface {
	// GetWebhookEndpoint returns the tenant's endpoint with that id.
	// NotFound when unknown or foreign.
	GetWebhookEndpoint(ctx context.Context, tenantID int64, id string) (WebhookEndpoint, error)
	// ListWebhookEndpoints returns the tenant's endpoints in creation order.
	ListWebhookEndpoints(ctx context.Context, tenantID int64) ([]WebhookEndpoint, error)
	// GetWebhookDelivery returns the delivery with that id of the tenant's
	// endpoint. NotFound when unknown, foreign or of another endpoint.
	GetWebhookDelivery(ctx context.Context, tenantID int64, endpointID string, deliveryID int64) (WebhookDelivery, error)
	// ListWebhookDeliveries returns the endpoint's deliveries newest first
	// (by id): ids below beforeID when it is > 0, at most limit (100 when <= 0).
	ListWebhookDeliveries(ctx context.Context, tenantID int64, endpointID string, beforeID int64, limit int) ([]WebhookDelivery, error)
	// ListWebhookAttempts returns the attempts of the tenant's deliveries
	// with those ids, oldest first.
	ListWebhookAttempts(ctx context.Context, tenantID int64, deliveryIDs []int64) ([]WebhookAttempt, error)
	// ListLatestEvents returns the tenant's newest events of type typ,
	// newest first, at most limit.
	ListLatestEvents(ctx context.Context, tenantID int64, typ string, limit int) ([]Event, error)
}

// webhookWriter is the store's write half for webhook endpoints, deliveries
// and their attempts.
type webhookWriter interface {
	// InsertWebhookEndpoint stores e. Conflict when e.ID is taken; NotFound
	// when the tenant does not exist.
	InsertWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error
	// UpdateWebhookEndpoint saves every field of e but ID, TenantID, Kind
	// and CreatedAt (scoped by e.TenantID). NotFound.
	UpdateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error
	// DeleteWebhookEndpoint removes the tenant's endpoint with its
	// deliveries and their attempts. NotFound.
	DeleteWebhookEndpoint(ctx context.Context, tenantID int64, id string) error

	// TakeUndispatchedEvents returns up to limit events (of any tenant) not
	// yet fanned out, oldest first, locking them for the transaction: a
	// concurrent transaction skips them (PostgreSQL: FOR UPDATE SKIP LOCKED).
	TakeUndispatchedEvents(ctx context.Context, limit int) ([]Event, error)
	// MarkEventsDispatched sets dispatched_at of the events with those ids.
	MarkEventsDispatched(ctx context.Context, ids []int64, at time.Time) error

	// InsertWebhookDelivery stores d and sets d.ID. Conflict when the
	// endpoint already has a delivery of d.EventID; NotFound when the
	// endpoint does not exist.
	InsertWebhookDelivery(ctx context.Context, d *WebhookDelivery) error
	// ClaimWebhookDeliveries leases to worker, until until, up to limit
	// pending deliveries of enabled endpoints due at or before now whose
	// lease is free or expired (before now), earliest due first. A
	// delivery whose lease holds is never claimed twice (PostgreSQL: FOR
	// UPDATE SKIP LOCKED).
	ClaimWebhookDeliveries(ctx context.Context, worker string, now, until time.Time, limit int) ([]WebhookDelivery, error)
	// GetLeasedWebhookDelivery returns the delivery with that id when
	// worker holds its lease, locking it for the transaction. NotFound
	// otherwise.
	GetLeasedWebhookDelivery(ctx context.Context, worker string, deliveryID int64) (WebhookDelivery, error)
	// FinishWebhookAttempt saves d.Status, d.Attempts, d.NextAttemptAt,
	// d.LastStatusCode, d.LastError and d.UpdatedAt and frees the lease,
	// when worker holds it. NotFound otherwise.
	FinishWebhookAttempt(ctx context.Context, worker string, d *WebhookDelivery) error
	// ResetWebhookDelivery makes the tenant's delivery pending again, due
	// at at, with no attempts counted and its lease freed (its attempts
	// stay listed). NotFound.
	ResetWebhookDelivery(ctx context.Context, tenantID, deliveryID int64, at time.Time) error
	// InsertWebhookAttempt stores a and sets a.ID.
	InsertWebhookAttempt(ctx context.Context, a *WebhookAttempt) error
	// DeleteWebhookDeliveriesBefore removes up to limit finished
	// (succeeded or failed) deliveries, of every tenant, last updated
	// before t, with their attempts, and returns how many deliveries it
	// removed. Pending deliveries are never removed, however old.
	DeleteWebhookDeliveriesBefore(ctx context.Context, t time.Time, limit int) (int64, error)
}
