package core_test

import (
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/core"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		createTenant(t, svc, "Globex")

		t.Run("Admin", func(t *testing.T) {
			u, tn, err := svc.Login(t.Context(), acme.Admin.Email, acme.AdminPassword)
			if err != nil {
				t.Fatalf("Login(admin): %v", err)
			}
			sameUser(t, u, acme.Admin)
			if tn.ID != acme.Tenant.ID || tn.ClientID != acme.Tenant.ClientID {
				t.Errorf("got tenant %d %s, want %d %s", tn.ID, tn.ClientID, acme.Tenant.ID, acme.Tenant.ClientID)
			}
			if u.Role != core.RoleClientAdmin {
				t.Errorf("got role %q, want %q", u.Role, core.RoleClientAdmin)
			}
		})

		t.Run("EmailCaseAndSpaces", func(t *testing.T) {
			created := createUser(t, svc, acme, core.CreateUser{Email: "Mixed.Case@Example.com", Password: ptr(seedPassword)})
			u, tn, err := svc.Login(t.Context(), "  mixed.CASE@example.COM ", seedPassword)
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			// A hash at the current parameters is not rewritten: the stored
			// user, version included, is unchanged.
			sameUser(t, u, created)
			if tn.ID != acme.Tenant.ID {
				t.Errorf("got tenant %d, want %d", tn.ID, acme.Tenant.ID)
			}
		})
	})
}

func TestLogin_FailuresAreIdentical(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		createUser(t, svc, acme, core.CreateUser{Email: "inactive@example.com", Password: ptr(seedPassword), Active: ptr(false)})
		createUser(t, svc, acme, core.CreateUser{Email: "nopass@example.com"})
		before := takeCensus(t, st, acme.Tenant.ID)

		tests := []struct {
			name, email, password string
		}{
			{"UnknownEmail", "nobody@example.com", seedPassword},
			{"WrongPassword", acme.Admin.Email, "wrong-password-123"},
			{"OtherUsersPassword", "inactive@example.com", acme.AdminPassword},
			{"InactiveUser", "inactive@example.com", seedPassword},
			{"NoPassword", "nopass@example.com", seedPassword},
			{"NoPasswordEmptyPassword", "nopass@example.com", ""},
			{"EmptyPassword", acme.Admin.Email, ""},
			{"MalformedEmail", "not an email", seedPassword},
			{"DisplayNameEmail", "Admin <" + acme.Admin.Email + ">", acme.AdminPassword},
			{"EmptyEmail", "", acme.AdminPassword},
		}
		var first string
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				u, tn, err := svc.Login(t.Context(), tt.email, tt.password)
				wantError(t, err, core.Unauthenticated, "")
				if err == nil {
					return
				}
				e := core.AsError(err)
				if e.Message != "invalid email or password" || e.Err != nil || e.Retry != 0 {
					t.Errorf("got error %#v, want only the message %q", e, "invalid email or password")
				}
				if first == "" {
					first = err.Error()
				} else if err.Error() != first {
					t.Errorf("got error %q, want %q as for every failure", err, first)
				}
				if u.ID != 0 || u.PasswordHash != "" || tn.ID != 0 {
					t.Errorf("got user %d and tenant %d with the error, want zero values", u.ID, tn.ID)
				}
				wantNoSecrets(t, "login error", err.Error(), tt.password)
			})
		}
		wantSameCensus(t, st, before)
	})
}

func TestLogin_UpgradesStaleHash(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")

		// The user's hash is made at other parameters, as by an older
		// configuration.
		oldPool, err := core.NewHashPool(core.HashPoolConfig{
			Params: core.Argon2Params{MemoryKiB: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32},
		})
		if err != nil {
			t.Fatalf("NewHashPool: %v", err)
		}
		old := createUser(t, core.NewService(st, oldPool), acme, core.CreateUser{Email: "old@example.com", Password: ptr(seedPassword)})
		const oldParams, newParams = "$argon2id$v=19$m=128,t=2,p=1$", "$argon2id$v=19$m=64,t=1,p=1$"
		if !strings.HasPrefix(old.PasswordHash, oldParams) {
			t.Fatalf("got stored hash with prefix %q, want %q", old.PasswordHash[:30], oldParams)
		}
		eventsBefore := len(events(t, st, acme.Tenant.ID, ""))

		// A wrong password upgrades nothing.
		if _, _, err := svc.Login(t.Context(), old.Email, "wrong-password-123"); core.ErrorCodeOf(err) != core.Unauthenticated {
			t.Fatalf("Login(wrong password): got %v, want unauthenticated", err)
		}
		if got := storedUser(t, st, old); got.PasswordHash != old.PasswordHash {
			t.Errorf("after a failed login the hash changed, want it unchanged")
		}

		u, _, err := svc.Login(t.Context(), old.Email, seedPassword)
		if err != nil {
			t.Fatalf("Login: %v", err)
		}
		if u.ID != old.ID {
			t.Errorf("got user %d, want %d", u.ID, old.ID)
		}
		got := storedUser(t, st, old)
		if !strings.HasPrefix(got.PasswordHash, newParams) {
			t.Errorf("got stored hash with prefix %q, want %q", got.PasswordHash[:30], newParams)
		}
		if !verifies(t, svc, seedPassword, got.PasswordHash) {
			t.Errorf("the upgraded hash does not verify the password")
		}
		if got.UpdatedAt != old.UpdatedAt || got.UpdatedBy != old.UpdatedBy {
			t.Errorf("got updated %v by %q, want unchanged %v by %q", got.UpdatedAt, got.UpdatedBy, old.UpdatedAt, old.UpdatedBy)
		}
		if n := len(events(t, st, acme.Tenant.ID, "")); n != eventsBefore {
			t.Errorf("got %d events after the upgrade, want %d (no event for a rehash)", n, eventsBefore)
		}

		// The upgraded hash logs in, and is not rewritten again.
		if _, _, err := svc.Login(t.Context(), old.Email, seedPassword); err != nil {
			t.Fatalf("Login after upgrade: %v", err)
		}
		if again := storedUser(t, st, old); again.PasswordHash != got.PasswordHash || again.Version != got.Version {
			t.Errorf("a current hash was rewritten at login (version %d -> %d)", got.Version, again.Version)
		}
	})
}

// storedUser reads u back from the store.
func storedUser(t *testing.T, st core.Store, u core.User) core.User {
	t.Helper()
	got, err := st.GetUser(t.Context(), u.TenantID, u.ID)
	if err != nil {
		t.Fatalf("store GetUser(%d): %v", u.ID, err)
	}
	return got
}
