package core

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// errInvalidPasswordToken is the one answer to an unknown, expired, spent or
// malformed set-password token.
func errInvalidPasswordToken() error {
	return Errorf(Unauthenticated, "the token is invalid or expired")
}

// passwordChangedPayload is what user_password_changed says: never the
// password, its hash or the token.
type passwordChangedPayload struct {
	User userPayload `json:"user"`
	Via  string      `json:"via"` // "token" or "change"
}

// selfActor is u acting on its own account in u.TenantID.
func selfActor(u User) Actor {
	return Actor{Kind: ActorUser, TenantID: u.TenantID, UserID: u.ID, Email: u.Email, Role: u.Role}
}

// SetPasswordWithToken sets the password of the user a set-password token
// was made for, spends the token (and any other of the user's) and records
// user_password_changed, by the user.
//
// Errors: Unauthenticated ("the token is invalid or expired") for an
// unknown, malformed, expired or spent token, or one whose user is gone;
// Invalid (field "password") when the new password breaks the rules (the
// token is then not spent); Busy when hashing is saturated.
func (s *Service) SetPasswordWithToken(ctx context.Context, token, newPassword string) error {
	if !looksLikePasswordToken(token) {
		return errInvalidPasswordToken()
	}
	tokenHash := HashPasswordToken(token)
	pt, err := s.store.GetPasswordToken(ctx, tokenHash)
	if ErrorCodeOf(err) == NotFound {
		return errInvalidPasswordToken()
	}
	if err != nil {
		return fmt.Errorf("set password: look up the token: %w", err)
	}
	if pt.SpentAt != nil || !s.now().Before(pt.ExpiresAt) {
		return errInvalidPasswordToken()
	}
	u, err := s.store.GetUser(ctx, pt.TenantID, pt.UserID)
	if ErrorCodeOf(err) == NotFound {
		return errInvalidPasswordToken()
	}
	if err != nil {
		return fmt.Errorf("set password: load user %d: %w", pt.UserID, err)
	}
	if err := ValidatePassword(newPassword, u.Email); err != nil {
		return err
	}
	hash, err := s.hashes.Hash(ctx, newPassword)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.store.Write(ctx, func(tx Tx) error {
		// Spending first, in the transaction, is what makes the token
		// single-use: of two concurrent calls, one finds it spent.
		if err := tx.SpendPasswordToken(ctx, tokenHash, now); err != nil {
			if ErrorCodeOf(err) == NotFound {
				return errInvalidPasswordToken()
			}
			return err
		}
		return setPassword(ctx, tx, pt.TenantID, pt.UserID, "", hash, "token", now)
	})
	if err != nil {
		return fmt.Errorf("set password with token: %w", err)
	}
	return nil
}

// setPassword saves hash as the user's password, spends the user's other
// tokens and records user_password_changed by the user. With wantOld set,
// it refuses (errInvalidLogin) when the stored hash is no longer wantOld.
func setPassword(ctx context.Context, tx Tx, tenantID, userID int64, wantOld, hash, via string, now time.Time) error {
	u, err := tx.GetUser(ctx, tenantID, userID)
	if ErrorCodeOf(err) == NotFound {
		if via == "token" {
			return errInvalidPasswordToken()
		}
		return errInvalidLogin()
	}
	if err != nil {
		return err
	}
	if wantOld != "" && u.PasswordHash != wantOld {
		return errInvalidLogin() // changed meanwhile: the given current password may be stale
	}
	u.PasswordHash, u.UpdatedBy, u.UpdatedAt = hash, u.Email, now
	if err := tx.UpdateUser(ctx, &u); err != nil {
		return err
	}
	if err := tx.SpendPasswordTokensOfUser(ctx, userID, now); err != nil {
		return err
	}
	return insertEvent(ctx, tx, selfActor(u), EventUserPasswordChanged, "user", strconv.FormatInt(userID, 10),
		passwordChangedPayload{User: payloadOf(u).User, Via: via}, now)
}

// ChangePassword changes a user's password given the current one, and
// records user_password_changed, by the user.
//
// Errors: Unauthenticated ("invalid email or password"): the same answer,
// after the same work, as Login gives for an unknown or malformed email, a
// wrong password, an inactive user or one without a password; Invalid
// (field "password") for a new password that breaks the rules; Busy.
func (s *Service) ChangePassword(ctx context.Context, email, currentPassword, newPassword string) error {
	u, found, err := s.loginCandidate(ctx, email)
	if err != nil {
		return err
	}
	hash := u.PasswordHash
	if !found || hash == "" {
		if hash, err = s.dummyHash(ctx); err != nil {
			return err
		}
	}
	ok, _, err := s.hashes.Verify(ctx, currentPassword, hash)
	if err != nil {
		if code := ErrorCodeOf(err); code == Busy || ctx.Err() != nil {
			return err
		}
		return fmt.Errorf("change password: verify the password of user %d: %w", u.ID, err)
	}
	if !ok || !found || u.PasswordHash == "" || !u.Active {
		return errInvalidLogin()
	}
	if err := ValidatePassword(newPassword, u.Email); err != nil {
		return err
	}
	newHash, err := s.hashes.Hash(ctx, newPassword)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.store.Write(ctx, func(tx Tx) error {
		return setPassword(ctx, tx, u.TenantID, u.ID, u.PasswordHash, newHash, "change", now)
	})
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	return nil
}
