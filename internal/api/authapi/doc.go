// Package authapi owns the Auth face's login route (POST /api/auth/login),
// which trades a user's email and password for an access token, and the
// JWKS document (GET /.well-known/jwks.json) that publishes the keys those
// tokens are verified with, and the OAuth 2.0 client credentials grant
// (POST /oauth/token) with its authorization server metadata
// (GET /.well-known/oauth-authorization-server). Its errors take the OAuth 2.0 shape
// {"error", "error_description"} (RFC 6749 §5.2).
package authapi
