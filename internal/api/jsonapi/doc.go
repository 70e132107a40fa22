// Package jsonapi is the JSON:API face (seed 001): users as JSON:API 1.1
// resources of type "users" on /api/users, with numeric ids as the seed
// documents them, page-numbered listing with links and meta.total, and
// errors as a JSON:API errors array whose entries point into the request
// with source.pointer, source.parameter or source.header.
//
// The face shares /api/users with the Client API; internal/api decides which
// face a request is for (see its dispatch rules) and this package serves the
// ones it is given. Every request must carry X-Clarus-Subdomain (or its
// alias X-Tenant-Subdomain) naming the credential's own tenant: missing is
// 400, another tenant's is 403, and the header never selects a tenant.
//
// What the seed leaves open, decided here (docs/jsonapi.md says it for
// users of the API):
//
//   - Every attribute is always rendered: strings as "" when unset (never
//     null), role_id as a number, is_active as a boolean.
//   - Links are relative references ("/api/users/42"), as JSON:API 1.1
//     allows: they never echo a client-sent Host header.
//   - A document that cannot be read as a users document is 400; a users
//     document whose attributes break a rule (missing, unknown, wrongly
//     typed or invalid) is 422, with one error per attribute; a type other
//     than "users" is 409; a client-generated id is 403.
//   - A missing attribute's pointer is the attributes object (or /data when
//     there is none): JSON:API 1.1 requires pointers to name a value that
//     exists. The detail names the attribute.
package jsonapi
