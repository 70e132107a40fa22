// Package accountsapi is the Accounts face (seed 002): POST /users with only
// an email required, GET /users (cursor-paginated), and GET, PATCH and
// DELETE /users/{id}, authenticated by any bearer credential and confirmed
// by the x-account-id header, which must be the credential's own account
// (it is checked, never used to choose the tenant). Users are rendered as
// seed 002's User (accounts, flatRolesList, flatPermissionsList, createdBy,
// notificationPreferences as a list, and the set-password token once, in
// the 201 of a user created without a password); errors are shaped
// {"error","status","message"}.
//
// It also serves the tenant's Teams admin routes (/api/v1/teams), whose
// errors are RFC 9457 problem details, until the Admin API has a package of
// its own.
package accountsapi
