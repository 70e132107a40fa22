package core

import "time"

// SigningKey is a key that signs Roster's access tokens. The private half is
// kept in the store (PKCS #8 DER) so that every process of a deployment signs
// and verifies with the same keys; the public half is published in the JWKS.
type SigningKey struct {
	ID         string // the JWT "kid"
	Algorithm  string // "ES256"
	PrivateKey []byte // PKCS #8 DER
	CreatedAt  time.Time
	// RetiredAt is when the key stopped signing (a newer key took over). It
	// still verifies, and stays published, until the tokens it signed expire.
	RetiredAt *time.Time
}
