// Package core owns Roster's domain: tenants, users, memberships, roles, API
// keys and events, and the rules every face shares (tenant isolation, email
// and password rules, role limits, events written with the change they
// record). It knows nothing of HTTP or SQL: faces translate their dialect into
// the commands here, and a Store implementation persists what the Service
// decides.
package core
