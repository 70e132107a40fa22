package core

import (
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// fieldPasswordHash is the import field carrying an existing hash.
const fieldPasswordHash = "password_hash"

// SupportedHashFormats names, for error messages, the hash formats an
// import accepts.
const SupportedHashFormats = "bcrypt ($2a$, $2b$, $2y$), argon2id or argon2i (PHC), scrypt (PHC), " +
	"pbkdf2-sha256 or pbkdf2-sha512 (PHC or passlib) and firebase-scrypt"

// bcryptAlphabet is bcrypt's base64 alphabet.
const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// ValidateImportedHash checks that encoded parses as one of the hash
// formats Roster verifies at login, with parameters inside the bounds the
// verifiers accept, without verifying anything (no password is at hand, and
// nothing slow runs). Errors: Invalid (field "password_hash"); the message
// names the format but never repeats the hash.
func ValidateImportedHash(encoded string) error {
	format, err := parseHashFormat(encoded)
	switch {
	case format == "":
		return FieldError(Invalid, fieldPasswordHash, "is not in a supported format: %s", SupportedHashFormats)
	case err != nil:
		return FieldError(Invalid, fieldPasswordHash, "is not a valid %s hash, or its cost is out of the accepted bounds", format)
	}
	return nil
}

// parseHashFormat names the format of encoded ("" when none matches) and
// parses it.
func parseHashFormat(encoded string) (format string, err error) {
	switch {
	case strings.HasPrefix(encoded, "$argon2id$"), strings.HasPrefix(encoded, "$argon2i$"):
		_, err = parseArgon2PHC(encoded)
		return "argon2", err
	case strings.HasPrefix(encoded, "$2a$"), strings.HasPrefix(encoded, "$2b$"), strings.HasPrefix(encoded, "$2y$"):
		return "bcrypt", parseBcrypt(encoded)
	case strings.HasPrefix(encoded, "$scrypt$"):
		_, err = parseScryptPHC(encoded)
		return "scrypt", err
	case strings.HasPrefix(encoded, "$pbkdf2-sha256$"), strings.HasPrefix(encoded, "$pbkdf2-sha512$"):
		_, err = parsePBKDF2(encoded)
		return "PBKDF2", err
	case strings.HasPrefix(encoded, "$firebase-scrypt$"):
		_, err = parseFirebaseScrypt(encoded)
		return "firebase-scrypt", err
	}
	return "", nil
}

// parseBcrypt checks a bcrypt string's shape: $2x$NN$ then 53 characters of
// bcrypt's base64 (22 of salt, 31 of hash), and a cost the verifier
// accepts.
func parseBcrypt(encoded string) error {
	if len(encoded) != 60 || encoded[6] != '$' {
		return fmt.Errorf("bad bcrypt length or layout")
	}
	cost, err := bcrypt.Cost([]byte(encoded))
	if err != nil {
		return fmt.Errorf("bad bcrypt cost: %w", err)
	}
	if cost < bcrypt.MinCost || cost > maxBcryptCost {
		return fmt.Errorf("bcrypt cost %d: must be between %d and %d", cost, bcrypt.MinCost, maxBcryptCost)
	}
	for _, c := range encoded[7:] {
		if !strings.ContainsRune(bcryptAlphabet, c) {
			return fmt.Errorf("bad bcrypt character")
		}
	}
	return nil
}
