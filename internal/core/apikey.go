package core

import (
	"crypto/sha256"
	"strings"
	"time"
)

// APIKey is a tenant's secret for the API. Only its SHA-256 is stored; the
// plaintext is shown once, when it is created.
type APIKey struct {
	ID         int64
	TenantID   int64
	Name       string
	Prefix     string   // the first characters of the key, for display ("bdk_AbCd1234")
	Hash       []byte   // SHA-256 of the whole key
	Scopes     []string // what the key may do; empty means every scope
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Revoked reports whether the key has been revoked.
func (k APIKey) Revoked() bool { return k.RevokedAt != nil }

const (
	apiKeyPrefix     = "bdk_"
	apiKeyRandomLen  = 40 // base62 characters after the prefix (>= 32 required)
	apiKeyDisplayLen = 8  // random characters kept in Prefix
)

// newAPIKey returns a fresh plaintext key, its display prefix and its hash.
func newAPIKey() (plaintext, prefix string, hash []byte, err error) {
	s, err := randomBase62(apiKeyRandomLen)
	if err != nil {
		return "", "", nil, err
	}
	plaintext = apiKeyPrefix + s
	return plaintext, plaintext[:len(apiKeyPrefix)+apiKeyDisplayLen], HashAPIKey(plaintext), nil
}

// HashAPIKey returns the stored form of an API key.
func HashAPIKey(plaintext string) []byte {
	sum := sha256.Sum256([]byte(plaintext))
	return sum[:]
}

// LooksLikeAPIKey reports whether s has the shape of a Roster API key. Faces
// use it to tell a key from a JWT; it says nothing of validity.
func LooksLikeAPIKey(s string) bool {
	if !strings.HasPrefix(s, apiKeyPrefix) || len(s) < len(apiKeyPrefix)+32 || len(s) > 128 {
		return false
	}
	for _, c := range s[len(apiKeyPrefix):] {
		if !isBase62(c) {
			return false
		}
	}
	return true
}
