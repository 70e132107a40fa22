package core

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password length limits, in characters (NIST SP 800-63B: no composition
// rules). A longer password is refused, never silently truncated.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 256
)

// ValidatePassword checks a new password against the rules and the user's
// email, returning an Invalid error naming field "password".
func ValidatePassword(password, email string) error {
	if !utf8.ValidString(password) {
		return FieldError(Invalid, "password", "must be valid UTF-8")
	}
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return FieldError(Invalid, "password", "must be at least %d characters", MinPasswordLen)
	case n > MaxPasswordLen:
		return FieldError(Invalid, "password", "must be at most %d characters", MaxPasswordLen)
	case email != "" && strings.EqualFold(strings.TrimSpace(password), strings.TrimSpace(email)):
		return FieldError(Invalid, "password", "must not be the email address")
	}
	return nil
}

// Argon2Params are argon2id's cost parameters. The defaults are OWASP's
// (m=19 MiB, t=2, p=1).
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
	SaltLen   uint32
	KeyLen    uint32
}

// DefaultArgon2Params are OWASP's recommended argon2id parameters.
var DefaultArgon2Params = Argon2Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Validate refuses parameters too weak or too large to be a mistake.
func (p Argon2Params) Validate() error {
	switch {
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > 4*1024*1024:
		return fmt.Errorf("argon2 memory %d KiB: must be between 8*threads and 4 GiB", p.MemoryKiB)
	case p.Time < 1 || p.Time > 100:
		return fmt.Errorf("argon2 time %d: must be between 1 and 100", p.Time)
	case p.Threads < 1:
		return fmt.Errorf("argon2 threads %d: must be at least 1", p.Threads)
	case p.SaltLen < 8 || p.KeyLen < 16:
		return fmt.Errorf("argon2 salt %d / key %d bytes: must be at least 8 / 16", p.SaltLen, p.KeyLen)
	}
	return nil
}

var b64 = base64.RawStdEncoding

// hashArgon2id returns password's argon2id hash in PHC string form:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func hashArgon2id(password string, p Argon2Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// phcArgon2 is a parsed argon2 PHC string.
type phcArgon2 struct {
	variant string // "argon2id" or "argon2i"
	params  Argon2Params
	salt    []byte
	key     []byte
}

func parseArgon2PHC(s string) (phcArgon2, error) {
	var h phcArgon2
	parts := strings.Split(s, "$")
	// "", variant, "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" {
		return h, fmt.Errorf("not a PHC argon2 string")
	}
	h.variant = parts[1]
	if h.variant != "argon2id" && h.variant != "argon2i" {
		return h, fmt.Errorf("unsupported variant %q", h.variant)
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return h, fmt.Errorf("unsupported argon2 version %q", parts[2])
	}
	var threads uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.params.MemoryKiB, &h.params.Time, &threads); err != nil || threads == 0 || threads > 255 {
		return h, fmt.Errorf("bad argon2 parameters %q", parts[3])
	}
	h.params.Threads = uint8(threads)
	var err error
	if h.salt, err = b64.DecodeString(parts[4]); err != nil {
		return h, fmt.Errorf("bad argon2 salt: %w", err)
	}
	if h.key, err = b64.DecodeString(parts[5]); err != nil || len(h.key) == 0 {
		return h, fmt.Errorf("bad argon2 hash")
	}
	h.params.SaltLen, h.params.KeyLen = uint32(len(h.salt)), uint32(len(h.key))
	if err := h.params.Validate(); err != nil {
		return h, err
	}
	return h, nil
}

// verifyArgon2 checks password against an argon2id or argon2i PHC string.
// It reports whether the password matches and whether the hash should be
// redone at the current parameters.
func verifyArgon2(password, encoded string, current Argon2Params) (ok, stale bool, err error) {
	h, err := parseArgon2PHC(encoded)
	if err != nil {
		return false, false, err
	}
	var key []byte
	if h.variant == "argon2id" {
		key = argon2.IDKey([]byte(password), h.salt, h.params.Time, h.params.MemoryKiB, h.params.Threads, h.params.KeyLen)
	} else {
		key = argon2.Key([]byte(password), h.salt, h.params.Time, h.params.MemoryKiB, h.params.Threads, h.params.KeyLen)
	}
	ok = subtle.ConstantTimeCompare(key, h.key) == 1
	stale = h.variant != "argon2id" || h.params.MemoryKiB != current.MemoryKiB ||
		h.params.Time != current.Time || h.params.Threads != current.Threads || h.params.KeyLen != current.KeyLen
	return ok, stale, nil
}
