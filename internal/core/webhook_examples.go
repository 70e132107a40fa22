package core

import (
	"encoding/json"
	"fmt"
	"time"
)

// ExampleClientID is the tenant of the example events (seed 000's).
const ExampleClientID = "clt_SNHRbI6ttrOckf925lbaX"

// exampleTime is when every example event happened.
var exampleTime = time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)

// ExampleEvent returns a documented example event of type typ, built with
// the payload types the service records, so that examples cannot drift
// from the real thing. ok is false for a type Roster does not emit.
func ExampleEvent(typ string) (e Event, ok bool) {
	user := User{ID: 7, Email: "john.doe@example.com", Name: "John Doe", Role: RoleClientUser,
		Active: true, EmailFilteringEnabled: true}
	key := APIKey{ID: 3, Name: "zapier", Prefix: "bdk_AbCd1234", Scopes: []string{ScopeUsersRead, ScopeUsersWrite}}
	team := Team{ID: 4, Name: "Support", Active: true}
	role := Role{ID: 1000, Key: "auditor", Name: "Auditor", Permissions: []string{"users:read"}}
	workspace := Workspace{ID: "6567745179549784d96513ae", Name: "Internal Employees"}
	group := Group{ID: "756676a679549784d96514a2", WorkspaceID: workspace.ID, Name: "Basic Users"}
	hook := WebhookEndpoint{ID: "whe_4kQ1b9Zx2LmN7pR0sT3uV5wY", Kind: WebhookKindWebhook,
		Description: "CRM sync", EventTypes: []string{EventUserCreated}, Enabled: true}
	e = Event{ID: 41, Type: typ, Actor: "api-key:bdk_AbCd1234", CreatedAt: exampleTime}
	var payload any
	switch typ {
	case EventUserCreated, EventUserDeleted:
		e.SubjectType, e.SubjectID, payload = "user", "7", payloadOf(user)
	case EventUserUpdated:
		e.SubjectType, e.SubjectID, payload = "user", "7", payloadOf(user, "name")
	case EventUserPasswordChanged:
		e.Actor = user.Email
		e.SubjectType, e.SubjectID, payload = "user", "7", passwordChangedPayload{User: payloadOf(user).User, Via: "change"}
	case EventUserRolesUpdated:
		admin := user
		admin.Role = RoleClientAdmin
		e.SubjectType, e.SubjectID = "user", "7"
		payload = rolesUpdatedPayload{User: payloadOf(admin).User, Roles: []string{RoleClientAdmin}, PreviousRoles: []string{RoleClientUser}}
	case EventWorkspaceCreated, EventWorkspaceDeleted:
		e.SubjectType, e.SubjectID, payload = "workspace", workspace.ID, workspacePayloadOf(workspace)
	case EventWorkspaceUpdated:
		e.SubjectType, e.SubjectID, payload = "workspace", workspace.ID, workspacePayloadOf(workspace, "name")
	case EventGroupCreated, EventGroupDeleted:
		e.SubjectType, e.SubjectID, payload = "group", group.ID, groupPayloadOf(group)
	case EventGroupUpdated:
		e.SubjectType, e.SubjectID, payload = "group", group.ID, groupPayloadOf(group, "name")
	case EventAccountCreated:
		e.Actor = "operator"
		e.SubjectType, e.SubjectID = "tenant", "1001"
		payload = map[string]string{"clientId": ExampleClientID, "subdomain": "acme", "name": "Acme"}
	case EventAccountUpdated:
		e.Actor = "operator"
		limit := 600
		e.SubjectType, e.SubjectID = "tenant", "1001"
		payload = tenantUpdatedPayload{ClientID: ExampleClientID, RateLimit: &limit, Changed: []string{"rateLimit"}}
	case EventAPIRateLimited:
		e.SubjectType, e.SubjectID = "api_key", "3"
		payload = rateLimitedPayload{Credential: "key:3", Limit: 600, Burst: 60, PeriodSeconds: 60}
	case EventAPIKeyCreated, EventAPIKeyDeleted:
		e.SubjectType, e.SubjectID, payload = "api_key", "3", apiKeyPayloadOf(key)
	case EventTeamCreated, EventTeamDeleted:
		e.SubjectType, e.SubjectID, payload = "team", "4", teamPayloadOf(team)
	case EventTeamUpdated:
		e.SubjectType, e.SubjectID, payload = "team", "4", teamPayloadOf(team, "name")
	case EventRoleCreated, EventRoleDeleted:
		e.SubjectType, e.SubjectID, payload = "role", "1000", rolePayloadOf(role)
	case EventWebhookCreated, EventWebhookDeleted, EventWebhookSecretRotated:
		e.SubjectType, e.SubjectID, payload = webhookEndpointSubject, hook.ID, webhookEventPayload{Webhook: webhookFieldsOf(hook)}
	case EventWebhookUpdated:
		e.SubjectType, e.SubjectID = webhookEndpointSubject, hook.ID
		payload = webhookEventPayload{Webhook: webhookFieldsOf(hook), Changed: []string{"eventTypes"}}
	case EventWebhookTest:
		e.SubjectType, e.SubjectID = webhookEndpointSubject, hook.ID
		payload = webhookTestPayload{Webhook: webhookFieldsOf(hook), Message: webhookTestMessage}
	case EventWebhookDeliveryFailed:
		e.Actor = systemActorLabel
		hook.Enabled = false
		hook.DisabledReason = "delivery 12 (user_created) failed on every attempt of the retry schedule"
		failed := WebhookDelivery{ID: 12, MessageID: "msg_2fTq8Yh1kPzW3nB6cR9dX0vL", EventID: 40, EventType: EventUserCreated,
			Attempts: 8, LastStatusCode: 503}
		e.SubjectType, e.SubjectID, payload = webhookEndpointSubject, hook.ID, deliveryFailedPayloadOf(hook, failed)
	default:
		return Event{}, false
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		panic(fmt.Sprintf("encode example %s: %v", typ, err)) // static values: unreachable
	}
	e.Payload = raw
	return e, true
}
