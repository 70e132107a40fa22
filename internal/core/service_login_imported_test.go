package core_test

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/rosterhq/roster/internal/core"
)

// An imported bcrypt hash logs in and is redone as argon2id at the first
// successful login; a wrong password leaves it as it was.
func TestLogin_UpgradesImportedBcryptHash(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		u := createUser(t, svc, acme, core.CreateUser{Email: "imported@example.com"})

		const password = "imported-password-123"
		h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
		if err != nil {
			t.Fatalf("bcrypt: %v", err)
		}
		err = st.Write(t.Context(), func(tx core.Tx) error {
			u.PasswordHash = string(h)
			return tx.UpdateUser(t.Context(), &u)
		})
		if err != nil {
			t.Fatalf("store the imported hash: %v", err)
		}
		imported := storedUser(t, st, u)
		if imported.PasswordHash != string(h) {
			t.Fatalf("got stored hash %q, want the bcrypt hash", imported.PasswordHash)
		}

		if _, _, err := svc.Login(t.Context(), u.Email, "wrong-password-123"); core.ErrorCodeOf(err) != core.Unauthenticated {
			t.Fatalf("Login(wrong password): got %v, want unauthenticated", err)
		}
		if got := storedUser(t, st, u); got.PasswordHash != imported.PasswordHash {
			t.Errorf("after a failed login the hash changed, want it unchanged")
		}

		got, _, err := svc.Login(t.Context(), u.Email, password)
		if err != nil {
			t.Fatalf("Login: %v", err)
		}
		if got.ID != u.ID {
			t.Errorf("got user %d, want %d", got.ID, u.ID)
		}
		upgraded := storedUser(t, st, u)
		if !strings.HasPrefix(upgraded.PasswordHash, "$argon2id$") {
			t.Errorf("got stored hash with prefix %q, want $argon2id$", upgraded.PasswordHash[:7])
		}
		if !verifies(t, svc, password, upgraded.PasswordHash) {
			t.Errorf("the upgraded hash does not verify the password")
		}
		if _, _, err := svc.Login(t.Context(), u.Email, password); err != nil {
			t.Fatalf("Login after upgrade: %v", err)
		}
	})
}
