package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

// GetPasswordToken returns the token with that hash, spent or expired ones
// included, or NotFound.
func (r reader) GetPasswordToken(ctx context.Context, hash []byte) (core.PasswordToken, error) {
	var pt core.PasswordToken
	err := r.q.QueryRowContext(ctx, `
SELECT hash, user_id, tenant_id, expires_at, spent_at, created_at
FROM password_tokens WHERE hash = ?`, hash).Scan(&pt.Hash, &pt.UserID, &pt.TenantID,
		timeDest{&pt.ExpiresAt}, nullTimeDest{&pt.SpentAt}, timeDest{&pt.CreatedAt})
	if err != nil {
		return core.PasswordToken{}, getError(err, "password token", "get password token")
	}
	return pt, nil
}

// InsertPasswordToken stores pt. Conflict when its hash exists; NotFound
// when its user or tenant does not.
func (t *tx) InsertPasswordToken(ctx context.Context, pt *core.PasswordToken) error {
	_, err := t.q.ExecContext(ctx, `
INSERT INTO password_tokens (hash, user_id, tenant_id, expires_at, spent_at, created_at)
VALUES (?, ?, ?, ?, ?, ?)`,
		pt.Hash, pt.UserID, pt.TenantID, formatTime(pt.ExpiresAt), formatNullTime(pt.SpentAt), formatTime(pt.CreatedAt))
	switch {
	case isUniqueViolation(err):
		return core.Errorf(core.Conflict, "password token exists")
	case isForeignKeyViolation(err):
		return notFound("user")
	case err != nil:
		return fmt.Errorf("insert password token of user %d: %w", pt.UserID, err)
	}
	return nil
}

// SpendPasswordToken marks the token spent at at when it is unspent and
// expires after at; NotFound otherwise.
func (t *tx) SpendPasswordToken(ctx context.Context, hash []byte, at time.Time) error {
	res, err := t.q.ExecContext(ctx, `
UPDATE password_tokens SET spent_at = ?
WHERE hash = ? AND spent_at IS NULL AND expires_at > ?`, formatTime(at), hash, formatTime(at))
	if err != nil {
		return fmt.Errorf("spend password token: %w", err)
	}
	return mustChange(res, "password token", "spend password token")
}

// SpendPasswordTokensOfUser marks every unspent token of the user spent at
// at.
func (t *tx) SpendPasswordTokensOfUser(ctx context.Context, userID int64, at time.Time) error {
	if _, err := t.q.ExecContext(ctx, `
UPDATE password_tokens SET spent_at = ? WHERE user_id = ? AND spent_at IS NULL`, formatTime(at), userID); err != nil {
		return fmt.Errorf("spend password tokens of user %d: %w", userID, err)
	}
	return nil
}
