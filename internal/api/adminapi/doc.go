// Package adminapi is Roster's own Admin API under /api/v1: a tenant's
// roles (GET and POST /api/v1/roles, GET and DELETE /api/v1/roles/{id}), so
// that JSON:API's role_id has something to point at; the audit log (GET
// /api/v1/events: the tenant's events, cursor-paged in id order, filtered by
// type, actor, subject and time); and seed 003's workspaces and groups
// (/api/v1/workspaces, /api/v1/groups and a group's members), which the
// Bulk face references by _id.
// It needs the admin scope (or a clientAdmin's token), speaks JSON with
// camelCase members and numeric ids (seed 003's own names and string ids for
// workspaces and groups), and answers errors as RFC 9457 problem details
// (internal/api/problem).
package adminapi
