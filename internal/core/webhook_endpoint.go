package core

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"
)

// Webhook endpoint kinds: a plain endpoint made through the Admin API, or a
// Zapier REST Hooks subscription (POST /api/v1/hooks).
const (
	WebhookKindWebhook = "webhook"
	WebhookKindZapier  = "zapier"
)

// EndedBy reports whether an answer with statusCode ends the endpoint at
// once, whatever the retry schedule has left, and why. Only a Zapier
// subscription ends so: the REST Hooks convention is that a target answering
// 410 Gone has been unsubscribed (a Zap turned off or deleted) and must not
// be sent to again. A plain endpoint's 410 is retried like any failure,
// since a receiver may answer it about one message.
func (e WebhookEndpoint) EndedBy(statusCode int) (reason string, ended bool) {
	if e.Kind == WebhookKindZapier && statusCode == statusGone {
		return "the Zapier target answered 410 Gone: the Zap unsubscribed (REST Hooks)", true
	}
	return "", false
}

// statusGone is HTTP's 410 Gone (the core knows status codes, not net/http).
const statusGone = 410

// WebhookSecretOverlap is how long the previous secret keeps signing after
// a rotation, so that receivers can switch without losing a delivery.
const WebhookSecretOverlap = 24 * time.Hour

const (
	webhookEndpointIDPrefix = "whe_"
	webhookEndpointIDLen    = 24 // base62 characters after the prefix
	webhookSecretPrefix     = "whsec_"
	webhookSecretBytes      = 24
	webhookMessageIDPrefix  = "msg_"
	webhookMessageIDLen     = 24
)

// WebhookEndpoint is a URL of a tenant's that receives signed deliveries of
// the tenant's events.
type WebhookEndpoint struct {
	ID          string // "whe_" + 24 base62
	TenantID    int64
	URL         string
	Description string
	EventTypes  []string // empty: every event
	Enabled     bool
	Kind        string // WebhookKindWebhook or WebhookKindZapier
	// Secret signs deliveries: "whsec_" + base64 of 24 random bytes. It is
	// shown once, when made (at creation or rotation), and never logged.
	Secret string
	// PreviousSecret still signs until PreviousSecretExpiresAt (24 h after
	// a rotation); empty when there is none.
	PreviousSecret          string
	PreviousSecretExpiresAt time.Time
	// DisabledReason says why Roster disabled the endpoint (its deliveries
	// kept failing); empty when enabled or disabled by the tenant.
	DisabledReason string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// SigningSecrets returns the secrets that sign a message sent at t: the
// current one, plus the previous one while it is valid.
func (e WebhookEndpoint) SigningSecrets(t time.Time) []string {
	out := []string{e.Secret}
	if e.PreviousSecret != "" && t.Before(e.PreviousSecretExpiresAt) {
		out = append(out, e.PreviousSecret)
	}
	return out
}

// Matches reports whether the endpoint's filter lets an event of type typ
// through (an empty filter lets every event through).
func (e WebhookEndpoint) Matches(typ string) bool {
	if len(e.EventTypes) == 0 {
		return true
	}
	for _, t := range e.EventTypes {
		if t == typ {
			return true
		}
	}
	return false
}

// IsWebhookEndpointID reports whether s has the shape of an endpoint id.
// Faces may use it to answer NotFound early; it says nothing of existence.
func IsWebhookEndpointID(s string) bool {
	if len(s) != len(webhookEndpointIDPrefix)+webhookEndpointIDLen || s[:len(webhookEndpointIDPrefix)] != webhookEndpointIDPrefix {
		return false
	}
	for _, c := range s[len(webhookEndpointIDPrefix):] {
		if !isBase62(c) {
			return false
		}
	}
	return true
}

func newWebhookEndpointID() (string, error) {
	s, err := randomBase62(webhookEndpointIDLen)
	if err != nil {
		return "", fmt.Errorf("new webhook endpoint id: %w", err)
	}
	return webhookEndpointIDPrefix + s, nil
}

func newWebhookSecret() (string, error) {
	b := make([]byte, webhookSecretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new webhook secret: %w", err)
	}
	return webhookSecretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

func newWebhookMessageID() (string, error) {
	s, err := randomBase62(webhookMessageIDLen)
	if err != nil {
		return "", fmt.Errorf("new webhook message id: %w", err)
	}
	return webhookMessageIDPrefix + s, nil
}
