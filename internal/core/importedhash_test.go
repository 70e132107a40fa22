package core

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"
)

// Firebase's published example (github.com/firebase/scrypt README): the
// project's hash parameters, one exported user's salt, password and hash.
const (
	firebaseSignerKey     = "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA=="
	firebaseSaltSeparator = "Bw=="
	firebaseRounds        = 8
	firebaseMemCost       = 14
	firebaseSalt          = "42xEC+ixf3L2lw=="
	firebasePassword      = "user1password"
	firebaseHash          = "lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ=="
)

func firebaseVector(t testing.TB) string {
	t.Helper()
	dec := func(s string) []byte {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("decode %q: %v", s, err)
		}
		return b
	}
	return encodeFirebaseScrypt(firebaseRounds, firebaseMemCost,
		dec(firebaseSaltSeparator), dec(firebaseSignerKey), dec(firebaseSalt), dec(firebaseHash))
}

// phcB64 is PHC base64 (no padding).
func phcB64(b []byte) string { return base64.RawStdEncoding.EncodeToString(b) }

type hashVector struct {
	name, password, hash string
}

// importedVectors returns, for each imported format, hashes of known
// passwords: fixed literals from public sources, and hashes made here with
// the reference libraries.
func importedVectors(t testing.TB) []hashVector {
	t.Helper()
	salt := []byte("0123456789abcdef")
	const pw = "correct horse battery staple"

	var out []hashVector
	// crypt_blowfish's test vector (OpenWall).
	out = append(out, hashVector{"bcrypt literal", "U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"})
	for _, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
		h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		// x/crypto makes $2a$; the three prefixes differ only in how old
		// implementations handled 8-bit characters.
		out = append(out, hashVector{"bcrypt generated " + prefix, pw, prefix + string(h[4:])})
	}

	// passlib's scrypt documentation example.
	out = append(out, hashVector{"scrypt literal", "password", "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E"})
	key, err := scrypt.Key([]byte(pw), salt, 1<<10, 8, 2, 32)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, hashVector{"scrypt generated", pw, fmt.Sprintf("$scrypt$ln=10,r=8,p=2$%s$%s", phcB64(salt), phcB64(key))})

	// passlib's pbkdf2_sha256 documentation examples (adapted base64; the
	// second has a '.').
	out = append(out,
		hashVector{"pbkdf2 passlib literal", "password", "$pbkdf2-sha256$6400$0ZrzXitFSGltTQnBWOsdAw$Y11AchqV4b0sUisdZd0Xr97KWoymNE0LNNrnEgY4H9M"},
		hashVector{"pbkdf2 passlib literal salt 10", "password", "$pbkdf2-sha256$8000$XAuBMIYQQogxRg$tRRlz8hYn63B9LYiCd6PRo6FMiunY9ozmMMI3srxeRE"},
		hashVector{"pbkdf2 passlib literal ab64", "toomanysecrets", "$pbkdf2-sha256$29000$N2YMIWQsBWBMae09x1jrPQ$1t8iyB2A.WF/Z5JZv.lfCIhXXN33N23OSgQYThBYRfk"},
	)
	k256, err := pbkdf2.Key(sha256.New, pw, salt, 1000, 32)
	if err != nil {
		t.Fatal(err)
	}
	k512, err := pbkdf2.Key(sha512.New, pw, salt, 1000, 64)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out,
		hashVector{"pbkdf2-sha256 PHC generated", pw, fmt.Sprintf("$pbkdf2-sha256$i=1000$%s$%s", phcB64(salt), phcB64(k256))},
		hashVector{"pbkdf2-sha256 PHC generated with l", pw, fmt.Sprintf("$pbkdf2-sha256$i=1000,l=32$%s$%s", phcB64(salt), phcB64(k256))},
		hashVector{"pbkdf2-sha512 PHC generated", pw, fmt.Sprintf("$pbkdf2-sha512$i=1000$%s$%s", phcB64(salt), phcB64(k512))},
		hashVector{"pbkdf2-sha512 passlib generated", pw, fmt.Sprintf("$pbkdf2-sha512$1000$%s$%s",
			strings.ReplaceAll(phcB64(salt), "+", "."), strings.ReplaceAll(phcB64(k512), "+", "."))},
	)

	out = append(out, hashVector{"firebase-scrypt literal", firebasePassword, firebaseVector(t)})
	return out
}

func TestVerifyPassword_ImportedFormats(t *testing.T) {
	t.Parallel()
	for _, v := range importedVectors(t) {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			ok, stale, err := verifyPassword(v.password, v.hash, DefaultArgon2Params)
			if err != nil || !ok || !stale {
				t.Errorf("verify(right password): got ok=%v stale=%v err=%v, want ok, stale", ok, stale, err)
			}
			ok, stale, err = verifyPassword(v.password+"x", v.hash, DefaultArgon2Params)
			if err != nil || ok || !stale {
				t.Errorf("verify(wrong password): got ok=%v stale=%v err=%v, want not ok, stale", ok, stale, err)
			}
		})
	}
}

func TestVerifyPassword_BcryptRefusesLongPasswords(t *testing.T) {
	t.Parallel()
	pw72 := strings.Repeat("a", 72)
	h, err := bcrypt.GenerateFromPassword([]byte(pw72), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if ok, stale, err := verifyPassword(pw72, string(h), DefaultArgon2Params); !ok || !stale || err != nil {
		t.Errorf("72-byte password: got ok=%v stale=%v err=%v, want ok, stale", ok, stale, err)
	}
	// bcrypt alone would accept this: it only reads 72 bytes.
	if ok, _, err := verifyPassword(pw72+"b", string(h), DefaultArgon2Params); ok || err != nil {
		t.Errorf("73-byte password with the hash's 72-byte prefix: got ok=%v err=%v, want not ok", ok, err)
	}
}

func TestFirebaseScrypt_RoundTrip(t *testing.T) {
	t.Parallel()
	f := firebaseScrypt{rounds: 8, memCost: 10, saltSeparator: []byte{7}, signerKey: []byte(strings.Repeat("k", 64)), salt: []byte("salty salt")}
	h, err := firebaseScryptHash("hunter2hunter2", f)
	if err != nil {
		t.Fatal(err)
	}
	enc := encodeFirebaseScrypt(f.rounds, f.memCost, f.saltSeparator, f.signerKey, f.salt, h)
	if ok, stale, err := verifyPassword("hunter2hunter2", enc, DefaultArgon2Params); !ok || !stale || err != nil {
		t.Errorf("got ok=%v stale=%v err=%v, want ok, stale", ok, stale, err)
	}
}

func TestVerifyPassword_RefusesMalformedAndCostly(t *testing.T) {
	t.Parallel()
	salt, key := phcB64([]byte("0123456789abcdef")), phcB64(make([]byte, 32))
	for _, enc := range []string{
		"",
		"plaintext",
		"$md5$abc",
		"$1$saltsalt$hash",
		"$2a$",
		"$2a$10$short",
		"$2a$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", // cost too high
		"$scrypt$",
		"$scrypt$ln=16,r=8$" + salt + "$" + key,
		"$scrypt$ln=16,r=8,p=1,ln=3$" + salt + "$" + key,
		"$scrypt$ln=21,r=8,p=1$" + salt + "$" + key,
		"$scrypt$ln=20,r=16,p=1$" + salt + "$" + key, // 2 GiB
		"$scrypt$ln=16,r=8,p=1000$" + salt + "$" + key,
		"$scrypt$ln=0,r=8,p=1$" + salt + "$" + key,
		"$scrypt$ln=16,r=8,p=1$" + salt + "$",
		"$scrypt$ln=16,r=8,p=1$!!$" + key,
		"$pbkdf2-sha256$i=10000001$" + salt + "$" + key,
		"$pbkdf2-sha256$99999999999$" + salt + "$" + key,
		"$pbkdf2-sha256$-1$" + salt + "$" + key,
		"$pbkdf2-sha256$i=10,l=16$" + salt + "$" + key,
		"$pbkdf2-sha256$i=10,x=1$" + salt + "$" + key,
		"$pbkdf2-sha1$i=10$" + salt + "$" + key,
		"$pbkdf2-sha256$i=10$" + salt,
		"$firebase-scrypt$rounds=8,mem=14$Bw$" + key + "$" + salt,
		"$firebase-scrypt$rounds=8,mem=30$Bw$" + key + "$" + salt + "$" + key,
		"$firebase-scrypt$rounds=8$Bw$" + key + "$" + salt + "$" + key,
		"$firebase-scrypt$rounds=8,mem=14$Bw$$" + salt + "$" + key,
	} {
		ok, _, err := verifyPassword("password", enc, DefaultArgon2Params)
		if ok || err == nil {
			t.Errorf("verify(%q): got ok=%v err=%v, want an error", enc, ok, err)
		}
	}
}

func FuzzVerifyPassword(f *testing.F) {
	for _, v := range importedVectors(f) {
		f.Add(v.password, v.hash)
	}
	argon, err := hashArgon2id("password", Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("password", argon)
	f.Add("password", "$unknown$x")
	f.Fuzz(func(t *testing.T, password, encoded string) {
		if tooCostlyToFuzz(encoded) {
			t.Skip()
		}
		ok, stale, err := verifyPassword(password, encoded, DefaultArgon2Params)
		if err != nil && (ok || stale) {
			t.Errorf("verify(%q, %q): error %v with ok=%v stale=%v", password, encoded, err, ok, stale)
		}
		if ok && !strings.HasPrefix(encoded, "$argon2id$") && !stale {
			t.Errorf("verify(%q, %q): an imported hash verified but is not stale", password, encoded)
		}
	})
}

// tooCostlyToFuzz reports whether encoded names costs the bounds allow but
// that take too long for fuzzing (seconds, or gigabytes): a work factor in
// its second or third '$' field above a small limit.
func tooCostlyToFuzz(encoded string) bool {
	parts := strings.SplitN(encoded, "$", 5)
	for i, field := range parts {
		if i != 2 && i != 3 {
			continue
		}
		for kv := range strings.SplitSeq(field, ",") {
			k, v, found := strings.Cut(kv, "=")
			if !found {
				k, v = "", kv
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				continue
			}
			limit := 30000
			switch {
			case k == "ln" || k == "mem":
				limit = 14
			case k == "t" || k == "p" || k == "rounds" || k == "r":
				limit = 8
			case k == "" && i == 2 && strings.HasPrefix(encoded, "$2"): // bcrypt cost
				limit = 8
			case k == "m":
				limit = 1 << 16
			}
			if n > limit || n < 0 {
				return true
			}
		}
	}
	return false
}
