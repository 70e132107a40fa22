package core

import (
	"encoding/json"
	"time"
)

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliverySucceeded = "succeeded"
	DeliveryFailed    = "failed"
)

// Webhook event types (Roster's own names where the seed 002 catalogue
// has none: webhook_secret_rotated).
const (
	EventWebhookCreated        = "webhook_created"
	EventWebhookUpdated        = "webhook_updated"
	EventWebhookDeleted        = "webhook_deleted"
	EventWebhookSecretRotated  = "webhook_secret_rotated"
	EventWebhookTest           = "webhook_test"
	EventWebhookDeliveryFailed = "webhook_delivery_failed"
)

// WebhookDelivery is one event on its way to one endpoint. It is made when
// the event is fanned out and lives through every attempt.
type WebhookDelivery struct {
	ID         int64
	TenantID   int64
	EndpointID string
	EventID    int64
	EventType  string
	// MessageID is the webhook-id header: "msg_" + 24 base62, the same on
	// every attempt and on a redelivery, so receivers can drop duplicates.
	MessageID string
	// Payload is the exact body to send:
	// {"type","timestamp","data":{"id","tenant","actor","subject",...}}.
	Payload        json.RawMessage
	Status         string // DeliveryPending, DeliverySucceeded, DeliveryFailed
	Attempts       int
	NextAttemptAt  time.Time
	LastStatusCode int
	LastError      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// WebhookAttempt is one HTTP attempt of a delivery.
type WebhookAttempt struct {
	ID              int64
	DeliveryID      int64
	TenantID        int64
	At              time.Time
	StatusCode      int // 0 when no response came
	Latency         time.Duration
	Error           string
	ResponseExcerpt string // the first MaxResponseExcerpt bytes of the response body
}

// MaxResponseExcerpt bounds WebhookAttempt.ResponseExcerpt.
const MaxResponseExcerpt = 1024

// ClaimedDelivery is a leased delivery with the endpoint to send it to.
type ClaimedDelivery struct {
	Delivery WebhookDelivery
	Endpoint WebhookEndpoint
}

// DeliveryOutcome is what the dispatcher decided after an attempt.
type DeliveryOutcome struct {
	Succeeded     bool
	NextAttemptAt time.Time // when to retry (neither Succeeded nor GiveUp)
	// GiveUp: the schedule is exhausted, or the receiver ended the
	// subscription (WebhookEndpoint.EndedBy). The delivery is failed, the
	// endpoint disabled, and webhook_delivery_failed recorded.
	GiveUp bool
	// Reason is the endpoint's DisabledReason when GiveUp; empty means the
	// schedule was exhausted.
	Reason string
}
