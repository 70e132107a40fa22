package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rosterhq/roster/internal/core"
)

// GetPasswordToken returns the token with that hash, spent or expired ones
// included, or NotFound.
func (r reader) GetPasswordToken(ctx context.Context, hash []byte) (core.PasswordToken, error) {
	var pt core.PasswordToken
	err := r.q.QueryRow(ctx, `
		SELECT hash, user_id, tenant_id, expires_at, spent_at, created_at
		FROM password_tokens WHERE hash = $1`, hash).Scan(&pt.Hash, &pt.UserID, &pt.TenantID,
		&pt.ExpiresAt, &pt.SpentAt, &pt.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return core.PasswordToken{}, core.Errorf(core.NotFound, "password token not found")
	}
	if err != nil {
		return core.PasswordToken{}, fmt.Errorf("get password token: %w", err)
	}
	pt.ExpiresAt, pt.CreatedAt, pt.SpentAt = pt.ExpiresAt.UTC(), pt.CreatedAt.UTC(), utcPtr(pt.SpentAt)
	return pt, nil
}

// InsertPasswordToken stores pt. Conflict when its hash exists; NotFound
// when its user or tenant does not.
func (t *tx) InsertPasswordToken(ctx context.Context, pt *core.PasswordToken) error {
	err := t.savepoint(ctx, func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO password_tokens (hash, user_id, tenant_id, expires_at, spent_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			pt.Hash, pt.UserID, pt.TenantID, pt.ExpiresAt, pt.SpentAt, pt.CreatedAt)
		return err
	})
	if _, ok := violated(err, uniqueViolation); ok {
		return core.Errorf(core.Conflict, "password token exists")
	}
	if _, ok := violated(err, foreignKeyViolation); ok {
		return core.Errorf(core.NotFound, "user %d not found", pt.UserID)
	}
	if err != nil {
		return fmt.Errorf("insert password token of user %d: %w", pt.UserID, err)
	}
	return nil
}

// SpendPasswordToken marks the token spent at at when it is unspent and
// expires after at; NotFound otherwise. A concurrent spender waits for the
// row lock and then finds the token spent.
func (t *tx) SpendPasswordToken(ctx context.Context, hash []byte, at time.Time) error {
	tag, err := t.tx.Exec(ctx, `
		UPDATE password_tokens SET spent_at = $2
		WHERE hash = $1 AND spent_at IS NULL AND expires_at > $2`, hash, at)
	if err != nil {
		return fmt.Errorf("spend password token: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return core.Errorf(core.NotFound, "password token not found")
	}
	return nil
}

// SpendPasswordTokensOfUser marks every unspent token of the user spent at
// at.
func (t *tx) SpendPasswordTokensOfUser(ctx context.Context, userID int64, at time.Time) error {
	if _, err := t.tx.Exec(ctx, `
		UPDATE password_tokens SET spent_at = $2 WHERE user_id = $1 AND spent_at IS NULL`, userID, at); err != nil {
		return fmt.Errorf("spend password tokens of user %d: %w", userID, err)
	}
	return nil
}
