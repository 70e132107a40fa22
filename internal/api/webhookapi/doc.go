// Package webhookapi is the Admin API of a tenant's webhooks and the
// Zapier REST Hooks routes:
//
//   - /api/v1/webhooks: endpoints (list, create, get, update, delete),
//     their secret's rotation, a test event, and their deliveries with
//     every attempt (list, get, redeliver). Admin scope.
//   - /api/v1/hooks: Zapier's REST Hooks subscribe, unsubscribe and
//     sample routes, with the tenant's API key (users:read for user_*
//     events, admin for the others).
//
// It speaks JSON with camelCase members (the REST Hooks routes keep
// Zapier's target_url) and answers errors as RFC 9457 problem details,
// like the rest of the Admin API. An endpoint's secret appears only in the
// responses that make it (create, rotate-secret).
package webhookapi
