package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/rosterhq/roster/internal/core"
)

// userSelect reads a user as seen from one tenant: the person from users,
// the per-tenant view (role, primary, admin) from that tenant's membership.
const userSelect = `
	SELECT u.id, m.tenant_id, u.home_tenant_id, u.email, u.name, u.password_hash,
	       m.role_id, r.key, m.is_primary, m.account_admin,
	       u.active, u.email_filtering_enabled, u.notifications, u.notification_preferences,
	       u.language, u.timezone, u.phone, u.image_url, u.team_id, u.external_id,
	       u.external_ref1, u.external_ref2, u.external_ref3,
	       u.string1, u.string2, u.string3, u.string4, u.string5,
	       u.created_by, u.updated_by, u.created_at, u.updated_at, u.version
	FROM memberships m
	JOIN users u ON u.id = m.user_id
	JOIN roles r ON r.id = m.role_id`

func scanUser(row pgx.Row) (core.User, error) {
	var (
		u            core.User
		passwordHash *string
		prefs        []byte
	)
	err := row.Scan(&u.ID, &u.TenantID, &u.HomeTenantID, &u.Email, &u.Name, &passwordHash,
		&u.RoleID, &u.Role, &u.IsPrimary, &u.AccountAdmin,
		&u.Active, &u.EmailFilteringEnabled, &u.Notifications, &prefs,
		&u.Language, &u.Timezone, &u.Phone, &u.ImageURL, &u.TeamID, &u.ExternalID,
		&u.ExternalRefs[0], &u.ExternalRefs[1], &u.ExternalRefs[2],
		&u.Strings[0], &u.Strings[1], &u.Strings[2], &u.Strings[3], &u.Strings[4],
		&u.CreatedBy, &u.UpdatedBy, &u.CreatedAt, &u.UpdatedAt, &u.Version)
	if err != nil {
		return core.User{}, err
	}
	if passwordHash != nil {
		u.PasswordHash = *passwordHash
	}
	if err := json.Unmarshal(prefs, &u.NotificationPreferences); err != nil {
		return core.User{}, fmt.Errorf("decode notification preferences of user %d: %w", u.ID, err)
	}
	if len(u.NotificationPreferences) == 0 {
		u.NotificationPreferences = nil
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, nil
}

// GetUser returns the user as a member of tenantID, or NotFound (also when
// the user exists but is not a member of that tenant).
func (r reader) GetUser(ctx context.Context, tenantID, userID int64) (core.User, error) {
	u, err := scanUser(r.q.QueryRow(ctx, userSelect+`
		WHERE m.tenant_id = $1 AND m.user_id = $2`+r.lockFor("u", "m"), tenantID, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return core.User{}, core.Errorf(core.NotFound, "user %d not found", userID)
	}
	if err != nil {
		return core.User{}, fmt.Errorf("get user %d: %w", userID, err)
	}
	return u, nil
}

// GetUserByEmail returns the user with that normalized email, platform-wide,
// as seen from the user's home tenant; NotFound when there is none.
func (r reader) GetUserByEmail(ctx context.Context, normalizedEmail string) (core.User, error) {
	u, err := scanUser(r.q.QueryRow(ctx, userSelect+`
		WHERE u.email_normalized = $1 AND m.tenant_id = u.home_tenant_id`+r.lockFor("u", "m"),
		core.NormalizeEmail(normalizedEmail)))
	if errors.Is(err, pgx.ErrNoRows) {
		return core.User{}, core.Errorf(core.NotFound, "user not found")
	}
	if err != nil {
		return core.User{}, fmt.Errorf("get user by email: %w", err)
	}
	return u, nil
}

// ListUsers returns a page of the members of tenantID in id order: those
// with an id above f.AfterID, matching f.Email (normalized) when it is set,
// skipping f.Offset of them, at most f.Limit of them (100 when f.Limit <= 0).
func (r reader) ListUsers(ctx context.Context, tenantID int64, f core.UserFilter) ([]core.User, error) {
	where := []string{"m.tenant_id = $1", "m.user_id > $2"}
	args := []any{tenantID, f.AfterID}
	if f.Email != "" {
		args = append(args, core.NormalizeEmail(f.Email))
		where = append(where, "u.email_normalized = $"+strconv.Itoa(len(args)))
	}
	args = append(args, pageSize(f.Limit), max(f.Offset, 0))
	rows, err := r.q.Query(ctx, userSelect+`
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY m.user_id
		LIMIT $`+strconv.Itoa(len(args)-1)+` OFFSET $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("list users of tenant %d: %w", tenantID, err)
	}
	us, err := collect(rows, scanUser)
	if err != nil {
		return nil, fmt.Errorf("list users of tenant %d: %w", tenantID, err)
	}
	return us, nil
}

// CountUsers counts the members of tenantID, only those matching f.Email
// (normalized) when it is set.
func (r reader) CountUsers(ctx context.Context, tenantID int64, f core.UserFilter) (int, error) {
	query := `SELECT count(*) FROM memberships m WHERE m.tenant_id = $1`
	args := []any{tenantID}
	if f.Email != "" {
		query = `
			SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.tenant_id = $1 AND u.email_normalized = $2`
		args = append(args, core.NormalizeEmail(f.Email))
	}
	var n int
	if err := r.q.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users of tenant %d: %w", tenantID, err)
	}
	return n, nil
}

// InsertUser stores u with its membership of u.TenantID, which becomes its
// home and primary tenant, and sets u.ID, u.HomeTenantID, u.IsPrimary,
// u.Role (from u.RoleID) and u.Version. Conflict (field "email") when the
// normalized email is taken anywhere on the platform; NotFound when the
// tenant does not exist; Invalid (field "role") when the role does not,
// (field "teamId") when u.TeamID names no team.
func (t *tx) InsertUser(ctx context.Context, u *core.User) error {
	prefs, err := preferencesJSON(u.NotificationPreferences)
	if err != nil {
		return err
	}
	var id int64
	var role string
	err = t.savepoint(ctx, func(q querier) error {
		return q.QueryRow(ctx, `
			WITH u AS (
				INSERT INTO users (
					home_tenant_id, email, email_normalized, name, password_hash,
					active, email_filtering_enabled, notifications, notification_preferences,
					language, timezone, phone, image_url, team_id, external_id,
					external_ref1, external_ref2, external_ref3,
					string1, string2, string3, string4, string5,
					created_by, updated_by, created_at, updated_at, version)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
				        $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, 1)
				RETURNING id
			)
			INSERT INTO memberships (tenant_id, user_id, role_id, is_primary, account_admin, created_at)
			SELECT $1, u.id, $28, TRUE, $29, $26 FROM u
			RETURNING user_id, (SELECT r.key FROM roles r WHERE r.id = role_id)`,
			u.TenantID, u.Email, core.NormalizeEmail(u.Email), u.Name, nullString(u.PasswordHash),
			u.Active, u.EmailFilteringEnabled, u.Notifications, prefs,
			u.Language, u.Timezone, u.Phone, u.ImageURL, u.TeamID, u.ExternalID,
			u.ExternalRefs[0], u.ExternalRefs[1], u.ExternalRefs[2],
			u.Strings[0], u.Strings[1], u.Strings[2], u.Strings[3], u.Strings[4],
			u.CreatedBy, u.UpdatedBy, u.CreatedAt, u.UpdatedAt,
			u.RoleID, u.AccountAdmin,
		).Scan(&id, &role)
	})
	if err != nil {
		return userWriteError(fmt.Sprintf("insert user into tenant %d", u.TenantID), u.TenantID, err)
	}
	u.ID, u.HomeTenantID, u.IsPrimary, u.Role, u.Version = id, u.TenantID, true, role, 1
	return nil
}

// UpdateUser saves every field of u except ID, HomeTenantID and Version:
// the person's columns and the role, primary flag and admin flag of its
// membership of u.TenantID. It bumps the version and sets u.Version and
// u.Role (from u.RoleID). NotFound when the user is not a member of
// u.TenantID; Conflict and Invalid as for InsertUser.
func (t *tx) UpdateUser(ctx context.Context, u *core.User) error {
	prefs, err := preferencesJSON(u.NotificationPreferences)
	if err != nil {
		return err
	}
	var version int64
	var role string
	err = t.savepoint(ctx, func(q querier) error {
		err := q.QueryRow(ctx, `
			WITH m AS (
				UPDATE memberships
				SET role_id = $3, is_primary = $4, account_admin = $5
				WHERE tenant_id = $1 AND user_id = $2
				RETURNING user_id, role_id
			)
			UPDATE users u
			SET email = $6, email_normalized = $7, name = $8, password_hash = $9,
			    active = $10, email_filtering_enabled = $11, notifications = $12,
			    notification_preferences = $13, language = $14, timezone = $15, phone = $16,
			    image_url = $17, team_id = $18, external_id = $19,
			    external_ref1 = $20, external_ref2 = $21, external_ref3 = $22,
			    string1 = $23, string2 = $24, string3 = $25, string4 = $26, string5 = $27,
			    created_by = $28, updated_by = $29, created_at = $30, updated_at = $31,
			    version = u.version + 1
			FROM m
			JOIN roles r ON r.id = m.role_id
			WHERE u.id = m.user_id
			RETURNING u.version, r.key`,
			u.TenantID, u.ID, u.RoleID, u.IsPrimary, u.AccountAdmin,
			u.Email, core.NormalizeEmail(u.Email), u.Name, nullString(u.PasswordHash),
			u.Active, u.EmailFilteringEnabled, u.Notifications,
			prefs, u.Language, u.Timezone, u.Phone,
			u.ImageURL, u.TeamID, u.ExternalID,
			u.ExternalRefs[0], u.ExternalRefs[1], u.ExternalRefs[2],
			u.Strings[0], u.Strings[1], u.Strings[2], u.Strings[3], u.Strings[4],
			u.CreatedBy, u.UpdatedBy, u.CreatedAt, u.UpdatedAt,
		).Scan(&version, &role)
		if errors.Is(err, pgx.ErrNoRows) {
			return core.Errorf(core.NotFound, "user %d not found", u.ID)
		}
		return err
	})
	if err != nil {
		return userWriteError(fmt.Sprintf("update user %d", u.ID), u.TenantID, err)
	}
	u.Version, u.Role = version, role
	return nil
}

// externalIDKey is the unique index of (home_tenant_id, external_id).
const externalIDKey = "users_home_tenant_id_external_id_key"

// userWriteError turns constraint violations into core errors and wraps
// anything else except core errors.
func userWriteError(op string, tenantID int64, err error) error {
	if constraint, ok := violated(err, uniqueViolation); ok {
		if constraint == externalIDKey {
			return conflict("externalId", err)
		}
		return conflict("email", err)
	}
	if constraint, ok := violated(err, foreignKeyViolation); ok {
		switch constraint {
		case "memberships_role_id_fkey":
			e := core.FieldError(core.Invalid, "role", "does not exist")
			e.Err = err
			return e
		case "users_team_id_fkey":
			e := core.FieldError(core.Invalid, "teamId", "is not a team of this tenant")
			e.Err = err
			return e
		}
		return core.Errorf(core.NotFound, "tenant %d not found", tenantID)
	}
	if core.AsError(err) != nil {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}

// DeleteUser removes the user from tenantID: the whole user (with every
// membership) when it is the user's home tenant, else only the membership.
// NotFound when the user is not a member of tenantID.
func (t *tx) DeleteUser(ctx context.Context, tenantID, userID int64) error {
	var home int64
	err := t.tx.QueryRow(ctx, `
		DELETE FROM memberships m
		WHERE m.tenant_id = $1 AND m.user_id = $2
		RETURNING (SELECT u.home_tenant_id FROM users u WHERE u.id = m.user_id)`,
		tenantID, userID).Scan(&home)
	if errors.Is(err, pgx.ErrNoRows) {
		return core.Errorf(core.NotFound, "user %d not found", userID)
	}
	if err != nil {
		return fmt.Errorf("delete user %d from tenant %d: %w", userID, tenantID, err)
	}
	if home != tenantID {
		return nil
	}
	if _, err := t.tx.Exec(ctx, `DELETE FROM users WHERE id = $1 AND home_tenant_id = $2`, userID, tenantID); err != nil {
		return fmt.Errorf("delete user %d: %w", userID, err)
	}
	return nil
}

// preferencesJSON encodes notification preferences for the JSONB column:
// "[]" when there are none.
func preferencesJSON(prefs []core.NotificationPreference) (string, error) {
	if len(prefs) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(prefs)
	if err != nil {
		return "", fmt.Errorf("encode notification preferences: %w", err)
	}
	return string(b), nil
}

// nullString maps "" to NULL.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
