package core

import "slices"

// EmittedEvents is every event type Roster itself records, in catalogue
// order: the seed 002 names for users, accounts, roles, teams, API keys,
// passwords, webhooks and rate limits, plus Roster's own
// webhook_secret_rotated, user_roles_updated and the workspace and group
// events. A webhook filter or a Zapier subscription may
// only name these (a filter on an event Roster never records would never
// match). quota_exceeded is not among them: seat quotas are not built yet.
var EmittedEvents = []string{
	EventUserCreated,
	EventUserUpdated,
	EventUserDeleted,
	EventUserPasswordChanged,
	EventUserRolesUpdated,
	EventAccountCreated,
	EventAccountUpdated,
	EventAPIRateLimited,
	EventAPIKeyCreated,
	EventAPIKeyDeleted,
	EventTeamCreated,
	EventTeamUpdated,
	EventTeamDeleted,
	EventRoleCreated,
	EventRoleDeleted,
	EventWorkspaceCreated,
	EventWorkspaceUpdated,
	EventWorkspaceDeleted,
	EventGroupCreated,
	EventGroupUpdated,
	EventGroupDeleted,
	EventWebhookCreated,
	EventWebhookUpdated,
	EventWebhookDeleted,
	EventWebhookDeliveryFailed,
	EventWebhookTest,
	EventWebhookSecretRotated,
}

// IsEmittedEvent reports whether Roster records events of type name.
func IsEmittedEvent(name string) bool { return slices.Contains(EmittedEvents, name) }
