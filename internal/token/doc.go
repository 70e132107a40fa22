// Package token owns Roster's access tokens: ES256 JWTs signed with keys kept
// in the store (so every process of a deployment signs and verifies with the
// same ones), their verification with the algorithm pinned, the published key
// set (JWKS), and key rotation. It knows nothing of HTTP; the faces call it.
package token
