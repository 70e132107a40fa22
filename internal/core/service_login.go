package core

import (
	"context"
	"fmt"
	"sync"
)

// errInvalidLogin is the one answer to every failed login: an unknown email,
// a wrong password, an inactive user, a user without a password and a
// malformed email all look the same to the caller.
func errInvalidLogin() error { return Errorf(Unauthenticated, "invalid email or password") }

// dummyHashes holds, per hash pool, an argon2id hash of a random string made
// at the pool's parameters. Login verifies against it when there is no real
// hash to check, so that a login for an unknown email costs what a login for
// a known one does.
var dummyHashes sync.Map // *HashPool -> string

// dummyHash returns the pool's dummy hash, making it on first use. Errors:
// Busy, the context's error.
func (s *Service) dummyHash(ctx context.Context) (string, error) {
	if h, ok := dummyHashes.Load(s.hashes); ok {
		return h.(string), nil
	}
	secret, err := randomBase62(32)
	if err != nil {
		return "", err
	}
	h, err := s.hashes.Hash(ctx, secret)
	if err != nil {
		return "", err
	}
	// Two first logins racing both hash; the first stored hash wins, and
	// either is as good.
	stored, _ := dummyHashes.LoadOrStore(s.hashes, h)
	return stored.(string), nil
}

// Login checks an email and password and returns the user, as seen from its
// home tenant, and that tenant.
//
// Every failure — unknown or malformed email, wrong password, inactive user,
// user without a password — returns the same Unauthenticated error after the
// same work: when there is no hash to check, a dummy hash is verified. A hash
// made at older parameters is redone at the current ones on success.
//
// Errors: Unauthenticated ("invalid email or password"), Busy when the hash
// pool is saturated, the context's error; anything else is Internal.
func (s *Service) Login(ctx context.Context, email, password string) (User, Tenant, error) {
	u, found, err := s.loginCandidate(ctx, email)
	if err != nil {
		return User{}, Tenant{}, err
	}
	hash := u.PasswordHash
	if !found || hash == "" {
		if hash, err = s.dummyHash(ctx); err != nil {
			return User{}, Tenant{}, err
		}
	}
	ok, stale, err := s.hashes.Verify(ctx, password, hash)
	if err != nil {
		if code := ErrorCodeOf(err); code == Busy || ctx.Err() != nil {
			return User{}, Tenant{}, err
		}
		// An unreadable stored hash is the operator's problem, not the
		// caller's: it is logged as an internal error.
		return User{}, Tenant{}, fmt.Errorf("login: verify the password of user %d: %w", u.ID, err)
	}
	if !ok || !found || u.PasswordHash == "" || !u.Active {
		return User{}, Tenant{}, errInvalidLogin()
	}
	t, err := s.store.GetTenant(ctx, u.TenantID)
	if err != nil {
		if ErrorCodeOf(err) == NotFound { // deleted since the lookup
			return User{}, Tenant{}, errInvalidLogin()
		}
		return User{}, Tenant{}, fmt.Errorf("login: load tenant %d: %w", u.TenantID, err)
	}
	if stale {
		if err := s.upgradeHash(ctx, u, password); err != nil {
			return User{}, Tenant{}, err
		}
	}
	return u, t, nil
}

// loginCandidate finds the user an email names. found is false for a
// malformed or unknown email; err is only for a store failure.
func (s *Service) loginCandidate(ctx context.Context, email string) (u User, found bool, err error) {
	if _, err := ValidateEmail(email); err != nil {
		return User{}, false, nil
	}
	u, err = s.store.GetUserByEmail(ctx, NormalizeEmail(email))
	switch {
	case err == nil:
		return u, true, nil
	case ErrorCodeOf(err) == NotFound:
		return User{}, false, nil
	default:
		return User{}, false, fmt.Errorf("login: look up user by email: %w", err)
	}
}

// upgradeHash re-hashes password at the current parameters and saves it,
// unless the stored hash changed since it was verified (a concurrent password
// change wins).
//
// No event is written and updatedBy/updatedAt stay as they were: the user's
// password is the same, only its storage changed, so nothing a tenant or a
// webhook consumer sees has changed.
//
// A saturated hash pool skips the upgrade (the next login retries it) rather
// than failing a login whose password was right.
func (s *Service) upgradeHash(ctx context.Context, u User, password string) error {
	hash, err := s.hashes.Hash(ctx, password)
	if err != nil {
		if ErrorCodeOf(err) == Busy {
			return nil
		}
		return err
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		cur, err := tx.GetUser(ctx, u.TenantID, u.ID)
		if ErrorCodeOf(err) == NotFound { // deleted meanwhile: nothing to upgrade
			return nil
		}
		if err != nil {
			return err
		}
		if cur.PasswordHash != u.PasswordHash {
			return nil
		}
		cur.PasswordHash = hash
		return tx.UpdateUser(ctx, &cur)
	})
	if err != nil {
		return fmt.Errorf("login: upgrade the password hash of user %d: %w", u.ID, err)
	}
	return nil
}
