// Package adminapi is Roster's own Admin API under /api/v1: for now a
// tenant's roles (GET and POST /api/v1/roles, GET and DELETE
// /api/v1/roles/{id}), so that JSON:API's role_id has something to point at,
// and the audit log (GET /api/v1/events: the tenant's events, cursor-paged
// in id order, filtered by type, actor, subject and time).
// It needs the admin scope (or a clientAdmin's token), speaks JSON with
// camelCase members and numeric ids, and answers errors as RFC 9457
// problem details (internal/api/problem).
package adminapi
