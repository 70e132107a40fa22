package importapi_test

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"

	"github.com/rosterhq/roster/internal/api/apitest"
)

// hashVector is a password and its hash in one imported format.
type hashVector struct{ name, password, hash string }

var phc = base64.RawStdEncoding

// knownHashes returns, per supported format, a hash of a known password:
// the public literals of internal/core's verifier tests (OpenWall's
// crypt_blowfish vector, passlib's documentation examples, Firebase's
// published scrypt example) and hashes made here with the reference
// libraries.
func knownHashes(t *testing.T) []hashVector {
	t.Helper()
	const pw = "correct horse battery staple"
	salt := []byte("0123456789abcdef")
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	bc := must(bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost))
	sc := must(scrypt.Key([]byte(pw), salt, 1<<10, 8, 2, 32))
	p256 := must(pbkdf2.Key(sha256.New, pw, salt, 1000, 32))
	p512 := must(pbkdf2.Key(sha512.New, pw, salt, 1000, 64))
	// argon2 at parameters other than the server's, so that login must
	// redo them.
	a2id := argon2.IDKey([]byte(pw), salt, 1, 128, 1, 32)
	a2i := argon2.Key([]byte(pw), salt, 1, 128, 1, 32)
	dec := func(s string) []byte { return must(base64.StdEncoding.DecodeString(s)) }
	firebase := fmt.Sprintf("$firebase-scrypt$rounds=%d,mem=%d$%s$%s$%s$%s", 8, 14,
		phc.EncodeToString(dec("Bw==")),
		phc.EncodeToString(dec("jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==")),
		phc.EncodeToString(dec("42xEC+ixf3L2lw==")),
		phc.EncodeToString(dec("lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==")))
	return []hashVector{
		{"argon2id", pw, fmt.Sprintf("$argon2id$v=19$m=128,t=1,p=1$%s$%s", phc.EncodeToString(salt), phc.EncodeToString(a2id))},
		{"argon2i", pw, fmt.Sprintf("$argon2i$v=19$m=128,t=1,p=1$%s$%s", phc.EncodeToString(salt), phc.EncodeToString(a2i))},
		{"bcrypt-2a-literal", "U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"},
		{"bcrypt-2b", pw, "$2b$" + string(bc[4:])},
		{"bcrypt-2y", pw, "$2y$" + string(bc[4:])},
		{"scrypt", pw, fmt.Sprintf("$scrypt$ln=10,r=8,p=2$%s$%s", phc.EncodeToString(salt), phc.EncodeToString(sc))},
		{"pbkdf2-sha256-passlib-literal", "password", "$pbkdf2-sha256$6400$0ZrzXitFSGltTQnBWOsdAw$Y11AchqV4b0sUisdZd0Xr97KWoymNE0LNNrnEgY4H9M"},
		{"pbkdf2-sha256", pw, fmt.Sprintf("$pbkdf2-sha256$i=1000,l=32$%s$%s", phc.EncodeToString(salt), phc.EncodeToString(p256))},
		{"pbkdf2-sha512", pw, fmt.Sprintf("$pbkdf2-sha512$i=1000$%s$%s", phc.EncodeToString(salt), phc.EncodeToString(p512))},
		{"firebase-scrypt-literal", "user1password", firebase},
	}
}

// Each supported format, imported over HTTP: the known password logs in, a
// wrong one does not, and after the login the stored hash is argon2id at
// the server's parameters. The hash never reaches a log line or a result.
func TestImport_HashFormatsLogIn(t *testing.T) {
	t.Parallel()
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		vectors := knownHashes(t)
		var lines []string
		for i, v := range vectors {
			b, err := json.Marshal(map[string]string{"email": fmt.Sprintf("hash%d@example.com", i), "name": v.name, "password_hash": v.hash})
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, string(b))
		}
		rows, sum := rowsAndSummary(t, parseResults(t, doImport(t, env, acme.APIKey, "", ndjson(lines...))))
		if sum.Summary.Created != len(vectors) || sum.Summary.Error != 0 {
			t.Fatalf("summary: got %+v, want %d created; rows %v", *sum.Summary, len(vectors), statusesOf(rows))
		}
		for i, v := range vectors {
			t.Run(v.name, func(t *testing.T) {
				email := fmt.Sprintf("hash%d@example.com", i)
				if got := storedByEmail(t, env, acme.Tenant.ID, email).PasswordHash; got != v.hash {
					t.Fatalf("stored hash differs from the imported one")
				}
				if got := login(t, env, email, v.password+"-wrong"); got != http.StatusUnauthorized {
					t.Errorf("wrong password: got %d, want 401", got)
				}
				if got := storedByEmail(t, env, acme.Tenant.ID, email).PasswordHash; got != v.hash {
					t.Errorf("a failed login changed the hash")
				}
				if got := login(t, env, email, v.password); got != http.StatusOK {
					t.Fatalf("right password: got %d, want 200", got)
				}
				want := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$", apitest.CheapArgon2.MemoryKiB, apitest.CheapArgon2.Time, apitest.CheapArgon2.Threads)
				if got := storedByEmail(t, env, acme.Tenant.ID, email).PasswordHash; !strings.HasPrefix(got, want) {
					t.Errorf("after login the stored hash starts %q, want %q", got[:min(len(got), len(want))], want)
				}
				if got := login(t, env, email, v.password); got != http.StatusOK {
					t.Errorf("login after the upgrade: got %d, want 200", got)
				}
			})
		}
		secrets := []string{}
		for _, v := range vectors {
			secrets = append(secrets, v.hash)
		}
		env.AssertNoSecrets(t, secrets...)
	})
}
