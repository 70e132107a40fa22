package core

import (
	"encoding/json"
	"time"
)

// Event types. The names follow the seed 002 catalogue.
const (
	EventUserCreated    = "user_created"
	EventUserUpdated    = "user_updated"
	EventUserDeleted    = "user_deleted"
	EventAPIKeyCreated  = "api_key_created"
	EventAPIKeyDeleted  = "api_key_deleted"
	EventAccountCreated = "account_created"
	EventAccountUpdated = "account_updated"
	EventAccountDeleted = "account_deleted"

	EventUserPasswordChanged = "user_password_changed"
	EventRoleCreated         = "role_created"
	EventRoleDeleted         = "role_deleted"
	EventTeamCreated         = "team_created"
	EventTeamUpdated         = "team_updated"
	EventTeamDeleted         = "team_deleted"
)

// Event is an append-only record of a change, written in the same
// transaction as the change. Its payload never holds a secret.
type Event struct {
	ID          int64
	TenantID    int64
	Type        string
	Actor       string // "api-key:<prefix>", a user's email, or "operator"
	SubjectType string // "user", "api_key", "tenant"
	SubjectID   string
	Payload     json.RawMessage
	CreatedAt   time.Time
}

// EventFilter selects events for listing, oldest first. Empty strings and
// zero times are unset: they select everything.
type EventFilter struct {
	AfterID     int64 // only events with a larger id
	Limit       int
	Type        string    // exact
	Actor       string    // exact
	SubjectType string    // exact
	SubjectID   string    // exact
	Since       time.Time // only events created at or after Since
	Until       time.Time // only events created before Until
}
