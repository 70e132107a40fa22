// Package bulkapi is the Bulk face (seed 003): POST /api/users/add creates
// or updates many users of the credential's tenant in one request, atomic
// by default (?atomic=false commits each user on its own), and answers
// {"message", "status", "results"} with one result per user. It decodes
// seed 003's names strictly (_id, workspace_id, page_id,
// confirm_password), checks that a token in the body is the bearer token
// of the header, and maps every error to HTTP in one place (errors.go).
package bulkapi
