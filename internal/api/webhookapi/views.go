package webhookapi

import (
	"encoding/json"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

// endpointView is an endpoint as the API shows it: never its secret.
type endpointView struct {
	ID          string   `json:"id"`
	URL         string   `json:"url"`
	Description string   `json:"description"`
	EventTypes  []string `json:"eventTypes"`
	Enabled     bool     `json:"enabled"`
	Kind        string   `json:"kind"`
	// DisabledReason says why Roster disabled the endpoint; null otherwise.
	DisabledReason *string `json:"disabledReason"`
	// PreviousSecretExpiresAt is when the secret before the last rotation
	// stops signing; null when none signs any more.
	PreviousSecretExpiresAt *time.Time `json:"previousSecretExpiresAt"`
	CreatedAt               time.Time  `json:"createdAt"`
	UpdatedAt               time.Time  `json:"updatedAt"`
}

// endpointWithSecret is the answer of the two routes that make a secret.
type endpointWithSecret struct {
	endpointView
	Secret string `json:"secret"`
}

type endpointList struct {
	Webhooks []endpointView `json:"webhooks"`
}

func endpointViewOf(e core.WebhookEndpoint, now time.Time) endpointView {
	types := e.EventTypes
	if types == nil {
		types = []string{}
	}
	v := endpointView{
		ID: e.ID, URL: e.URL, Description: e.Description, EventTypes: types, Enabled: e.Enabled, Kind: e.Kind,
		CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC(),
	}
	if e.DisabledReason != "" {
		reason := e.DisabledReason
		v.DisabledReason = &reason
	}
	if e.PreviousSecret != "" && now.Before(e.PreviousSecretExpiresAt) {
		at := e.PreviousSecretExpiresAt.UTC()
		v.PreviousSecretExpiresAt = &at
	}
	return v
}

// deliveryView is a delivery with its attempts, oldest first.
type deliveryView struct {
	ID        int64  `json:"id"`
	EventID   int64  `json:"eventId"`
	EventType string `json:"eventType"`
	// MessageID is the webhook-id header of every attempt.
	MessageID    string `json:"messageId"`
	Status       string `json:"status"`
	AttemptCount int    `json:"attemptCount"`
	// NextAttemptAt is when the next attempt is due; null unless pending.
	NextAttemptAt  *time.Time      `json:"nextAttemptAt"`
	LastStatusCode *int            `json:"lastStatusCode"`
	LastError      *string         `json:"lastError"`
	Payload        json.RawMessage `json:"payload"`
	Attempts       []attemptView   `json:"attempts"`
	CreatedAt      time.Time       `json:"createdAt"`
	UpdatedAt      time.Time       `json:"updatedAt"`
}

// attemptView is one HTTP attempt of a delivery.
type attemptView struct {
	ID              int64     `json:"id"`
	At              time.Time `json:"at"`
	StatusCode      *int      `json:"statusCode"` // null: no response
	LatencyMs       float64   `json:"latencyMs"`
	Error           *string   `json:"error"`
	ResponseExcerpt string    `json:"responseExcerpt"`
}

type deliveryList struct {
	Deliveries []deliveryView `json:"deliveries"`
	NextCursor *string        `json:"nextCursor"`
}

func optionalInt(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

func optionalString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deliveryViewOf(d core.WebhookDelivery, attempts []core.WebhookAttempt) deliveryView {
	v := deliveryView{
		ID: d.ID, EventID: d.EventID, EventType: d.EventType, MessageID: d.MessageID, Status: d.Status,
		AttemptCount: d.Attempts, LastStatusCode: optionalInt(d.LastStatusCode), LastError: optionalString(d.LastError),
		Payload: d.Payload, Attempts: make([]attemptView, len(attempts)),
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
	}
	if d.Status == core.DeliveryPending {
		at := d.NextAttemptAt.UTC()
		v.NextAttemptAt = &at
	}
	for i, a := range attempts {
		v.Attempts[i] = attemptView{
			ID: a.ID, At: a.At.UTC(), StatusCode: optionalInt(a.StatusCode),
			LatencyMs: float64(a.Latency.Microseconds()) / 1000, Error: optionalString(a.Error),
			ResponseExcerpt: a.ResponseExcerpt,
		}
	}
	return v
}
