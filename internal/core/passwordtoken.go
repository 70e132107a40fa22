package core

import (
	"crypto/sha256"
	"strings"
	"time"
)

// PasswordToken is a one-time set-password token, as stored: only the
// SHA-256 of the token is kept.
type PasswordToken struct {
	Hash      []byte // SHA-256 of the whole token
	UserID    int64
	TenantID  int64 // the user's tenant when the token was made
	ExpiresAt time.Time
	SpentAt   *time.Time
	CreatedAt time.Time
}

const (
	passwordTokenPrefix    = "spt_"
	passwordTokenRandomLen = 40 // base62 characters after the prefix (>= 32 required)

	// DefaultPasswordTokenTTL is how long a set-password token stays valid.
	DefaultPasswordTokenTTL = 72 * time.Hour
)

// newPasswordToken returns a fresh plaintext token and its hash.
func newPasswordToken() (plaintext string, hash []byte, err error) {
	s, err := randomBase62(passwordTokenRandomLen)
	if err != nil {
		return "", nil, err
	}
	plaintext = passwordTokenPrefix + s
	return plaintext, HashPasswordToken(plaintext), nil
}

// HashPasswordToken returns the stored form of a set-password token.
func HashPasswordToken(plaintext string) []byte {
	sum := sha256.Sum256([]byte(plaintext))
	return sum[:]
}

// looksLikePasswordToken reports whether s has the shape of a set-password
// token; it says nothing of validity.
func looksLikePasswordToken(s string) bool {
	if !strings.HasPrefix(s, passwordTokenPrefix) || len(s) < len(passwordTokenPrefix)+32 || len(s) > 128 {
		return false
	}
	for _, c := range s[len(passwordTokenPrefix):] {
		if !isBase62(c) {
			return false
		}
	}
	return true
}
