package core

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"
)

// Imported password hashes.
//
// Users imported from another system keep their existing hash until their
// first successful login, when it is redone as argon2id: every verifier here
// reports stale=true, whether or not the password matched. The formats are:
//
//   - bcrypt: $2a$, $2b$, $2y$ (modular crypt form). bcrypt ignores bytes past
//     the 72nd, so a longer password is refused (ok=false) rather than
//     verified by the accident of truncation. Costs above maxBcryptCost are
//     refused as a denial-of-service risk.
//   - scrypt, PHC form: $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>.
//   - PBKDF2, PHC form: $pbkdf2-sha256$i=<iter>[,l=<keylen>]$<salt>$<hash>
//     (and -sha512), and passlib's form $pbkdf2-sha256$<rounds>$<salt>$<hash>.
//   - Firebase scrypt, a Roster encoding the importer writes, as Firebase's
//     hash cannot be checked without the project's parameters:
//     $firebase-scrypt$rounds=<r>,mem=<log2 N>$<salt separator>$<signer key>$<salt>$<hash>.
//
// Salts and hashes are base64 without padding (PHC); passlib's "adapted"
// base64 ('.' for '+') and trailing '=' padding are accepted too.
//
// Cost parameters are bounded (scrypt and Firebase memory at most
// maxScryptMemory, PBKDF2 at most maxPBKDF2Iterations) so that a stored
// hash cannot make a login take unbounded time or memory.

const (
	maxBcryptCost       = 16
	maxScryptLogN       = 20
	maxScryptR          = 32
	maxScryptP          = 16
	maxScryptMemory     = 1 << 30 // bytes: 128 * r * N
	maxPBKDF2Iterations = 10_000_000
	minImportedKeyLen   = 16
	maxImportedKeyLen   = 128
	maxImportedSaltLen  = 1024
	bcryptMaxPassword   = 72 // bytes
)

// verifyImported dispatches an imported hash by prefix. handled is false
// when encoded is in none of the imported formats.
func verifyImported(password, encoded string) (ok bool, handled bool, err error) {
	switch {
	case strings.HasPrefix(encoded, "$2a$"), strings.HasPrefix(encoded, "$2b$"), strings.HasPrefix(encoded, "$2y$"):
		ok, err = verifyBcrypt(password, encoded)
	case strings.HasPrefix(encoded, "$scrypt$"):
		ok, err = verifyScryptPHC(password, encoded)
	case strings.HasPrefix(encoded, "$pbkdf2-sha256$"), strings.HasPrefix(encoded, "$pbkdf2-sha512$"):
		ok, err = verifyPBKDF2(password, encoded)
	case strings.HasPrefix(encoded, "$firebase-scrypt$"):
		ok, err = verifyFirebaseScrypt(password, encoded)
	default:
		return false, false, nil
	}
	return ok, true, err
}

// verifyBcrypt checks password against a bcrypt hash. A password longer
// than 72 bytes never matches: bcrypt would only compare its first 72.
func verifyBcrypt(password, encoded string) (bool, error) {
	cost, err := bcrypt.Cost([]byte(encoded))
	if err != nil {
		return false, fmt.Errorf("bad bcrypt hash: %w", err)
	}
	if cost > maxBcryptCost {
		return false, fmt.Errorf("bcrypt cost %d: at most %d is accepted", cost, maxBcryptCost)
	}
	if len(password) > bcryptMaxPassword {
		return false, nil
	}
	switch err := bcrypt.CompareHashAndPassword([]byte(encoded), []byte(password)); {
	case err == nil:
		return true, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, nil
	default:
		return false, fmt.Errorf("bad bcrypt hash: %w", err)
	}
}

// decodeB64 decodes PHC base64, also accepting padding and passlib's
// adapted alphabet ('.' for '+').
func decodeB64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.ReplaceAll(s, ".", "+"), "=")
	return b64.DecodeString(s)
}

// phcParams parses "k=v,k=v" with integer values; every key must be in
// allowed, and none may repeat.
func phcParams(s string, allowed ...string) (map[string]int, error) {
	out := map[string]int{}
	for kv := range strings.SplitSeq(s, ",") {
		k, v, found := strings.Cut(kv, "=")
		if !found || out[k] != 0 {
			return nil, fmt.Errorf("bad parameter %q", kv)
		}
		known := false
		for _, a := range allowed {
			known = known || a == k
		}
		n, err := strconv.Atoi(v)
		if !known || err != nil || n <= 0 {
			return nil, fmt.Errorf("bad parameter %q", kv)
		}
		out[k] = n
	}
	return out, nil
}

// checkScryptCost bounds scrypt's parameters.
func checkScryptCost(logN, r, p int) error {
	if logN < 1 || logN > maxScryptLogN || r < 1 || r > maxScryptR || p < 1 || p > maxScryptP ||
		128*r*(1<<logN) > maxScryptMemory {
		return fmt.Errorf("scrypt parameters ln=%d,r=%d,p=%d: out of bounds (ln 1..%d, r 1..%d, p 1..%d, memory at most %d bytes)",
			logN, r, p, maxScryptLogN, maxScryptR, maxScryptP, maxScryptMemory)
	}
	return nil
}

// saltAndKey decodes a salt and a derived key, bounding their lengths.
func saltAndKey(salt, key string) ([]byte, []byte, error) {
	s, err := decodeB64(salt)
	if err != nil || len(s) > maxImportedSaltLen {
		return nil, nil, fmt.Errorf("bad salt")
	}
	k, err := decodeB64(key)
	if err != nil || len(k) < minImportedKeyLen || len(k) > maxImportedKeyLen {
		return nil, nil, fmt.Errorf("bad hash (want %d..%d bytes of base64)", minImportedKeyLen, maxImportedKeyLen)
	}
	return s, k, nil
}

// scryptPHC is a parsed $scrypt$ string.
type scryptPHC struct {
	logN, r, p int
	salt, key  []byte
}

func parseScryptPHC(encoded string) (scryptPHC, error) {
	var h scryptPHC
	parts := strings.Split(encoded, "$")
	// "", "scrypt", "ln=..,r=..,p=..", salt, hash
	if len(parts) != 5 || parts[0] != "" {
		return h, fmt.Errorf("not a PHC scrypt string")
	}
	params, err := phcParams(parts[2], "ln", "r", "p")
	if err != nil || len(params) != 3 {
		return h, fmt.Errorf("bad scrypt parameters")
	}
	h.logN, h.r, h.p = params["ln"], params["r"], params["p"]
	if err := checkScryptCost(h.logN, h.r, h.p); err != nil {
		return h, err
	}
	if h.salt, h.key, err = saltAndKey(parts[3], parts[4]); err != nil {
		return h, fmt.Errorf("scrypt: %w", err)
	}
	return h, nil
}

func verifyScryptPHC(password, encoded string) (bool, error) {
	h, err := parseScryptPHC(encoded)
	if err != nil {
		return false, err
	}
	got, err := scrypt.Key([]byte(password), h.salt, 1<<h.logN, h.r, h.p, len(h.key))
	if err != nil {
		return false, fmt.Errorf("scrypt: %w", err)
	}
	return subtle.ConstantTimeCompare(got, h.key) == 1, nil
}

// pbkdf2Hash is a parsed PBKDF2 string, PHC or passlib.
type pbkdf2Hash struct {
	h          func() hash.Hash
	iterations int
	salt, key  []byte
}

func parsePBKDF2(encoded string) (pbkdf2Hash, error) {
	var out pbkdf2Hash
	parts := strings.Split(encoded, "$")
	// "", "pbkdf2-sha256", "i=N[,l=N]" or "N", salt, hash
	if len(parts) != 5 || parts[0] != "" {
		return out, fmt.Errorf("not a PBKDF2 hash string")
	}
	switch parts[1] {
	case "pbkdf2-sha256":
		out.h = sha256.New
	case "pbkdf2-sha512":
		out.h = sha512.New
	default:
		return out, fmt.Errorf("unsupported PBKDF2 variant")
	}
	var keyLen int
	if strings.Contains(parts[2], "=") { // PHC
		params, err := phcParams(parts[2], "i", "l")
		if err != nil || params["i"] == 0 {
			return out, fmt.Errorf("bad PBKDF2 parameters")
		}
		out.iterations, keyLen = params["i"], params["l"]
	} else { // passlib
		n, err := strconv.Atoi(parts[2])
		if err != nil {
			return out, fmt.Errorf("bad PBKDF2 rounds")
		}
		out.iterations = n
	}
	if out.iterations < 1 || out.iterations > maxPBKDF2Iterations {
		return out, fmt.Errorf("PBKDF2 iterations %d: must be between 1 and %d", out.iterations, maxPBKDF2Iterations)
	}
	var err error
	if out.salt, out.key, err = saltAndKey(parts[3], parts[4]); err != nil {
		return out, fmt.Errorf("PBKDF2: %w", err)
	}
	if keyLen != 0 && keyLen != len(out.key) {
		return out, fmt.Errorf("PBKDF2: l=%d but the hash has %d bytes", keyLen, len(out.key))
	}
	return out, nil
}

func verifyPBKDF2(password, encoded string) (bool, error) {
	p, err := parsePBKDF2(encoded)
	if err != nil {
		return false, err
	}
	got, err := pbkdf2.Key(p.h, password, p.salt, p.iterations, len(p.key))
	if err != nil {
		return false, fmt.Errorf("PBKDF2: %w", err)
	}
	return subtle.ConstantTimeCompare(got, p.key) == 1, nil
}

// firebaseScrypt is a parsed $firebase-scrypt$ string.
type firebaseScrypt struct {
	rounds, memCost int // scrypt r and log2 N
	saltSeparator   []byte
	signerKey       []byte
	salt            []byte
	hash            []byte
}

func parseFirebaseScrypt(encoded string) (firebaseScrypt, error) {
	var f firebaseScrypt
	parts := strings.Split(encoded, "$")
	// "", "firebase-scrypt", "rounds=..,mem=..", separator, signer key, salt, hash
	if len(parts) != 7 || parts[0] != "" {
		return f, fmt.Errorf("not a firebase-scrypt string")
	}
	params, err := phcParams(parts[2], "rounds", "mem")
	if err != nil || len(params) != 2 {
		return f, fmt.Errorf("bad firebase-scrypt parameters")
	}
	f.rounds, f.memCost = params["rounds"], params["mem"]
	if err := checkScryptCost(f.memCost, f.rounds, 1); err != nil {
		return f, err
	}
	if f.saltSeparator, err = decodeB64(parts[3]); err != nil || len(f.saltSeparator) > maxImportedSaltLen {
		return f, fmt.Errorf("bad firebase-scrypt salt separator")
	}
	if f.signerKey, err = decodeB64(parts[4]); err != nil || len(f.signerKey) < minImportedKeyLen || len(f.signerKey) > maxImportedKeyLen {
		return f, fmt.Errorf("bad firebase-scrypt signer key")
	}
	if f.salt, f.hash, err = saltAndKey(parts[5], parts[6]); err != nil {
		return f, fmt.Errorf("firebase-scrypt: %w", err)
	}
	return f, nil
}

// firebaseScryptHash is Firebase's modified scrypt: the scrypt key of
// password and salt+separator (N=2^memCost, r=rounds, p=1, 32 bytes)
// AES-256-CTR-encrypts the signer key under a zero IV.
func firebaseScryptHash(password string, f firebaseScrypt) ([]byte, error) {
	salt := append(append([]byte{}, f.salt...), f.saltSeparator...)
	key, err := scrypt.Key([]byte(password), salt, 1<<f.memCost, f.rounds, 1, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(f.signerKey))
	cipher.NewCTR(block, make([]byte, aes.BlockSize)).XORKeyStream(out, f.signerKey)
	return out, nil
}

func verifyFirebaseScrypt(password, encoded string) (bool, error) {
	f, err := parseFirebaseScrypt(encoded)
	if err != nil {
		return false, err
	}
	got, err := firebaseScryptHash(password, f)
	if err != nil {
		return false, fmt.Errorf("firebase-scrypt: %w", err)
	}
	return subtle.ConstantTimeCompare(got, f.hash) == 1, nil
}

// encodeFirebaseScrypt writes the $firebase-scrypt$ string an importer
// stores for a Firebase user: the project's parameters, signer key and
// salt separator, and the user's salt and hash (all as raw bytes).
func encodeFirebaseScrypt(rounds, memCost int, saltSeparator, signerKey, salt, hash []byte) string {
	return fmt.Sprintf("$firebase-scrypt$rounds=%d,mem=%d$%s$%s$%s$%s", rounds, memCost,
		b64.EncodeToString(saltSeparator), b64.EncodeToString(signerKey), b64.EncodeToString(salt), b64.EncodeToString(hash))
}
