package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/rosterhq/roster/internal/core"
)

// A user is a users row (the person, owned by its home tenant) seen through
// one membership (tenant_id, role, primary and admin flags).
const userSelect = `
SELECT u.id, m.tenant_id, u.home_tenant_id, u.email, u.name, u.password_hash,
       m.role_id, r.key, m.is_primary, m.account_admin,
       u.active, u.email_filtering_enabled, u.notifications, u.notification_preferences,
       u.language, u.timezone, u.phone, u.image_url, u.team_id, u.external_id,
       u.external_ref1, u.external_ref2, u.external_ref3,
       u.string1, u.string2, u.string3, u.string4, u.string5,
       u.created_by, u.updated_by, u.created_at, u.updated_at, u.version
FROM users u
JOIN memberships m ON m.user_id = u.id
JOIN roles r ON r.id = m.role_id`

func scanUser(row scanner) (core.User, error) {
	var (
		u        core.User
		password sql.NullString
		team     sql.NullInt64
	)
	err := row.Scan(&u.ID, &u.TenantID, &u.HomeTenantID, &u.Email, &u.Name, &password,
		&u.RoleID, &u.Role, &u.IsPrimary, &u.AccountAdmin,
		&u.Active, &u.EmailFilteringEnabled, &u.Notifications, listDest[core.NotificationPreference]{&u.NotificationPreferences},
		&u.Language, &u.Timezone, &u.Phone, &u.ImageURL, &team, &u.ExternalID,
		&u.ExternalRefs[0], &u.ExternalRefs[1], &u.ExternalRefs[2],
		&u.Strings[0], &u.Strings[1], &u.Strings[2], &u.Strings[3], &u.Strings[4],
		&u.CreatedBy, &u.UpdatedBy, timeDest{&u.CreatedAt}, timeDest{&u.UpdatedAt}, &u.Version)
	if err != nil {
		return core.User{}, err
	}
	u.PasswordHash = password.String
	if team.Valid {
		u.TeamID = &team.Int64
	}
	return u, nil
}

// GetUser returns the user as seen from tenantID, or NotFound when the user
// is not a member of that tenant.
func (r reader) GetUser(ctx context.Context, tenantID, userID int64) (core.User, error) {
	u, err := scanUser(r.q.QueryRowContext(ctx, userSelect+`
WHERE m.tenant_id = ? AND u.id = ?`, tenantID, userID))
	if err != nil {
		return core.User{}, getError(err, "user", fmt.Sprintf("get user %d", userID))
	}
	return u, nil
}

// GetUserByEmail returns the user with that normalized email, as seen from
// its home tenant, or NotFound.
func (r reader) GetUserByEmail(ctx context.Context, normalizedEmail string) (core.User, error) {
	u, err := scanUser(r.q.QueryRowContext(ctx, userSelect+`
WHERE u.email_normalized = ? AND m.tenant_id = u.home_tenant_id`, normalizedEmail))
	if err != nil {
		return core.User{}, getError(err, "user", "get user by email")
	}
	return u, nil
}

// ListUsers returns a page of the tenant's members in id order: ids above
// f.AfterID, only f.Email's owner when set, skipping f.Offset of them, at
// most f.Limit (100 when <= 0).
func (r reader) ListUsers(ctx context.Context, tenantID int64, f core.UserFilter) ([]core.User, error) {
	where := []string{"m.tenant_id = ?", "u.id > ?"}
	args := []any{tenantID, f.AfterID}
	if f.Email != "" {
		where = append(where, "u.email_normalized = ?")
		args = append(args, core.NormalizeEmail(f.Email))
	}
	args = append(args, limitOrDefault(f.Limit), max(f.Offset, 0))
	rows, err := r.q.QueryContext(ctx, userSelect+`
WHERE `+strings.Join(where, " AND ")+`
ORDER BY u.id
LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list users of tenant %d: %w", tenantID, err)
	}
	defer rows.Close()
	list := []core.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users of tenant %d: %w", tenantID, err)
		}
		list = append(list, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users of tenant %d: %w", tenantID, err)
	}
	return list, nil
}

// CountUsers counts the tenant's members, only f.Email's owner when set.
func (r reader) CountUsers(ctx context.Context, tenantID int64, f core.UserFilter) (int, error) {
	query := `SELECT count(*) FROM memberships m WHERE m.tenant_id = ?`
	args := []any{tenantID}
	if f.Email != "" {
		query = `
SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.tenant_id = ? AND u.email_normalized = ?`
		args = append(args, core.NormalizeEmail(f.Email))
	}
	var n int
	if err := r.q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users of tenant %d: %w", tenantID, err)
	}
	return n, nil
}

// userValues returns the users columns every write sets, in this order:
// email, email_normalized, name, password_hash, active,
// email_filtering_enabled, notifications, notification_preferences, language,
// timezone, phone, image_url, team_id, external_id, external_ref1..3,
// string1..5, created_by, updated_by, created_at, updated_at.
func userValues(u *core.User) ([]any, error) {
	prefs, err := formatList(u.NotificationPreferences)
	if err != nil {
		return nil, fmt.Errorf("notification preferences: %w", err)
	}
	var password, team any // NULL unless set
	if u.PasswordHash != "" {
		password = u.PasswordHash
	}
	if u.TeamID != nil {
		team = *u.TeamID
	}
	return []any{
		u.Email, core.NormalizeEmail(u.Email), u.Name, password, u.Active,
		u.EmailFilteringEnabled, u.Notifications, prefs, u.Language,
		u.Timezone, u.Phone, u.ImageURL, team, u.ExternalID,
		u.ExternalRefs[0], u.ExternalRefs[1], u.ExternalRefs[2],
		u.Strings[0], u.Strings[1], u.Strings[2], u.Strings[3], u.Strings[4],
		u.CreatedBy, u.UpdatedBy, formatTime(u.CreatedAt), formatTime(u.UpdatedAt),
	}, nil
}

// InsertUser stores u with its membership of u.TenantID, which becomes its
// home and primary tenant, and sets u.ID, u.HomeTenantID, u.IsPrimary and
// u.Version. Conflict (field "email") when the normalized email is taken;
// NotFound when the tenant does not exist; Invalid (field "role") when the
// role does not, (field "teamId") when u.TeamID names no team.
func (t *tx) InsertUser(ctx context.Context, u *core.User) error {
	values, err := userValues(u)
	if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	res, err := t.q.ExecContext(ctx, `
INSERT INTO users (
    email, email_normalized, name, password_hash, active,
    email_filtering_enabled, notifications, notification_preferences, language,
    timezone, phone, image_url, team_id, external_id,
    external_ref1, external_ref2, external_ref3,
    string1, string2, string3, string4, string5,
    created_by, updated_by, created_at, updated_at,
    home_tenant_id, version
) VALUES (
    ?, ?, ?, ?, ?,
    ?, ?, ?, ?,
    ?, ?, ?, ?, ?,
    ?, ?, ?,
    ?, ?, ?, ?, ?,
    ?, ?, ?, ?,
    ?, 1
)`, append(values, u.TenantID)...)
	if isForeignKeyViolation(err) { // the home tenant: the only foreign key of users
		return notFound("tenant")
	}
	if isUniqueViolation(err) {
		return t.userConflict(ctx, u)
	}
	if err != nil {
		return userWriteError("insert user", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	if _, err := t.q.ExecContext(ctx, `
INSERT INTO memberships (tenant_id, user_id, role_id, is_primary, account_admin, created_at)
VALUES (?, ?, ?, 1, ?, ?)`,
		u.TenantID, id, u.RoleID, u.AccountAdmin, formatTime(u.CreatedAt)); err != nil {
		return userWriteError(fmt.Sprintf("insert membership of user %d in tenant %d", id, u.TenantID), err)
	}
	u.ID, u.HomeTenantID, u.IsPrimary, u.Version = id, u.TenantID, true, 1
	return nil
}

// UpdateUser saves every field of u, scoped by u.TenantID: the users row and
// the membership's role and flags. It bumps and sets u.Version. NotFound when
// the user is not a member of u.TenantID; Conflict (field "email") when the
// normalized email is taken.
func (t *tx) UpdateUser(ctx context.Context, u *core.User) error {
	values, err := userValues(u)
	if err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	var version int64
	err = t.q.QueryRowContext(ctx, `
UPDATE users SET
    email = ?, email_normalized = ?, name = ?, password_hash = ?, active = ?,
    email_filtering_enabled = ?, notifications = ?, notification_preferences = ?, language = ?,
    timezone = ?, phone = ?, image_url = ?, team_id = ?, external_id = ?,
    external_ref1 = ?, external_ref2 = ?, external_ref3 = ?,
    string1 = ?, string2 = ?, string3 = ?, string4 = ?, string5 = ?,
    created_by = ?, updated_by = ?, created_at = ?, updated_at = ?,
    version = version + 1
WHERE id = ?
  AND EXISTS (SELECT 1 FROM memberships WHERE tenant_id = ? AND user_id = users.id)
RETURNING version`,
		append(values, u.ID, u.TenantID)...).Scan(&version)
	if isUniqueViolation(err) {
		return t.userConflict(ctx, u)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return userWriteError(fmt.Sprintf("update user %d", u.ID), err)
	}
	if err != nil {
		return notFound("user")
	}
	if _, err := t.q.ExecContext(ctx, `
UPDATE memberships SET role_id = ?, is_primary = ?, account_admin = ?
WHERE tenant_id = ? AND user_id = ?`,
		u.RoleID, u.IsPrimary, u.AccountAdmin, u.TenantID, u.ID); err != nil {
		return userWriteError(fmt.Sprintf("update membership of user %d in tenant %d", u.ID, u.TenantID), err)
	}
	u.Version = version
	return nil
}

// userConflict names the unique index a write of u just violated: the
// email's (Conflict "email") or the tenant's externalId's (Conflict
// "externalId"). SQLite's error code does not say which index it was, and
// its message text is no contract, so the store asks the table.
func (t *tx) userConflict(ctx context.Context, u *core.User) error {
	var taken bool
	err := t.q.QueryRowContext(ctx, `
SELECT EXISTS (SELECT 1 FROM users WHERE email_normalized = ? AND id <> ?)`,
		core.NormalizeEmail(u.Email), u.ID).Scan(&taken)
	if err != nil {
		return fmt.Errorf("find the conflicting user: %w", err)
	}
	if !taken && u.ExternalID != "" {
		return core.FieldError(core.Conflict, "externalId", "is already taken")
	}
	return core.FieldError(core.Conflict, "email", "is already taken")
}

// userWriteError turns the constraint violations a user write can meet into
// core errors: the email's unique index (Conflict "email"), the team_id
// triggers (Invalid "teamId") and the membership's role foreign key (Invalid
// "role"; the tenant's is checked by the core before). Anything else is
// wrapped with op.
func userWriteError(op string, err error) error {
	switch {
	case isUniqueViolation(err):
		return core.FieldError(core.Conflict, "email", "is already taken")
	case isTriggerViolation(err):
		return core.FieldError(core.Invalid, "teamId", "is not a team of this tenant")
	case isForeignKeyViolation(err):
		return core.FieldError(core.Invalid, "role", "does not exist")
	}
	return fmt.Errorf("%s: %w", op, err)
}

// DeleteUser removes the user from tenantID: the whole user (with every
// membership) when it is the user's home tenant, else only the membership.
// NotFound when the user is not a member of tenantID.
func (t *tx) DeleteUser(ctx context.Context, tenantID, userID int64) error {
	res, err := t.q.ExecContext(ctx, `
DELETE FROM users WHERE id = ? AND home_tenant_id = ?`, userID, tenantID)
	if err != nil {
		return fmt.Errorf("delete user %d: %w", userID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete user %d: %w", userID, err)
	} else if n > 0 {
		return nil
	}
	res, err = t.q.ExecContext(ctx, `
DELETE FROM memberships WHERE tenant_id = ? AND user_id = ?`, tenantID, userID)
	if err != nil {
		return fmt.Errorf("delete membership of user %d in tenant %d: %w", userID, tenantID, err)
	}
	return mustChange(res, "user", fmt.Sprintf("delete membership of user %d in tenant %d", userID, tenantID))
}
