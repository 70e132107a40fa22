package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/rosterhq/roster/internal/core"
)

// The batch writes of bulk import. SQLite has one writer at a time and no
// network round trip, so a batch is fast as prepared statements run in the
// caller's transaction: parsed once, executed per row.

// LookupUsersByEmail returns the users with those normalized emails, as
// seen from their home tenants, keyed by normalized email.
func (r reader) LookupUsersByEmail(ctx context.Context, normalizedEmails []string) (map[string]core.User, error) {
	out := make(map[string]core.User, len(normalizedEmails))
	err := r.lookupUsers(ctx, normalizedEmails, `u.email_normalized IN (%s) AND m.tenant_id = u.home_tenant_id`, nil,
		func(u core.User) { out[core.NormalizeEmail(u.Email)] = u })
	if err != nil {
		return nil, fmt.Errorf("look up users by email: %w", err)
	}
	return out, nil
}

// LookupUsersByExternalID returns the users of home tenant tenantID with
// those externalIds, keyed by externalId.
func (r reader) LookupUsersByExternalID(ctx context.Context, tenantID int64, externalIDs []string) (map[string]core.User, error) {
	out := make(map[string]core.User, len(externalIDs))
	err := r.lookupUsers(ctx, externalIDs, `u.external_id IN (%s) AND u.home_tenant_id = ? AND m.tenant_id = u.home_tenant_id`,
		[]any{tenantID}, func(u core.User) { out[u.ExternalID] = u })
	if err != nil {
		return nil, fmt.Errorf("look up users of tenant %d by externalId: %w", tenantID, err)
	}
	return out, nil
}

// lookupChunk bounds the host parameters of one IN list, well under
// SQLite's limit (32766).
const lookupChunk = 500

// lookupUsers runs userSelect with where (whose %s takes the IN list's
// placeholders, followed by extra's) over keys in chunks, calling found for
// each user.
func (r reader) lookupUsers(ctx context.Context, keys []string, where string, extra []any, found func(core.User)) error {
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), lookupChunk)]
		keys = keys[len(chunk):]
		args := make([]any, 0, len(chunk)+len(extra))
		for _, k := range chunk {
			args = append(args, k)
		}
		args = append(args, extra...)
		placeholders := strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")
		rows, err := r.q.QueryContext(ctx, userSelect+"\nWHERE "+fmt.Sprintf(where, placeholders), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				rows.Close()
				return err
			}
			found(u)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// InsertUsers stores each user and its membership with two prepared
// statements. A user refused by a constraint gets its error in rowErrs and
// the others carry on: a failed statement does not end a SQLite
// transaction.
func (t *tx) InsertUsers(ctx context.Context, users []core.User) ([]error, error) {
	sqlTx, ok := t.q.(*sql.Tx)
	if !ok {
		return nil, fmt.Errorf("insert users: not in a write transaction")
	}
	insertUser, err := sqlTx.PrepareContext(ctx, `
INSERT INTO users (
    email, email_normalized, name, password_hash, active,
    email_filtering_enabled, notifications, notification_preferences, language,
    timezone, phone, image_url, team_id, external_id,
    external_ref1, external_ref2, external_ref3,
    string1, string2, string3, string4, string5,
    created_by, updated_by, created_at, updated_at,
    home_tenant_id, version
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`)
	if err != nil {
		return nil, fmt.Errorf("insert users: prepare: %w", err)
	}
	defer insertUser.Close()
	insertMembership, err := sqlTx.PrepareContext(ctx, `
INSERT INTO memberships (tenant_id, user_id, role_id, is_primary, account_admin, created_at)
VALUES (?, ?, ?, 1, ?, ?)`)
	if err != nil {
		return nil, fmt.Errorf("insert users: prepare: %w", err)
	}
	defer insertMembership.Close()

	rowErrs := make([]error, len(users))
	for i := range users {
		u := &users[i]
		values, err := userValues(u)
		if err != nil {
			return nil, fmt.Errorf("insert users: %w", err)
		}
		res, err := insertUser.ExecContext(ctx, append(values, u.TenantID)...)
		switch {
		case isForeignKeyViolation(err):
			rowErrs[i] = notFound("tenant")
			continue
		case isUniqueViolation(err):
			rowErrs[i] = t.userConflict(ctx, u)
			continue
		case isTriggerViolation(err):
			rowErrs[i] = userWriteError("insert user", err)
			continue
		case err != nil:
			return nil, fmt.Errorf("insert users: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return nil, fmt.Errorf("insert users: %w", err)
		}
		if _, err := insertMembership.ExecContext(ctx, u.TenantID, id, u.RoleID, u.AccountAdmin, formatTime(u.CreatedAt)); err != nil {
			if isForeignKeyViolation(err) {
				// The user row stays without a membership unless removed:
				// undo it so the refusal leaves nothing behind.
				if _, delErr := sqlTx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id); delErr != nil {
					return nil, fmt.Errorf("insert users: undo user %d: %w", id, delErr)
				}
				rowErrs[i] = userWriteError("insert membership", err)
				continue
			}
			return nil, fmt.Errorf("insert membership of user %d in tenant %d: %w", id, u.TenantID, err)
		}
		u.ID, u.HomeTenantID, u.IsPrimary, u.Version = id, u.TenantID, true, 1
	}
	return rowErrs, nil
}

// InsertEvents appends the events with one prepared statement.
func (t *tx) InsertEvents(ctx context.Context, events []*core.Event) error {
	sqlTx, ok := t.q.(*sql.Tx)
	if !ok {
		return fmt.Errorf("insert events: not in a write transaction")
	}
	stmt, err := sqlTx.PrepareContext(ctx, `
INSERT INTO events (tenant_id, type, actor, subject_type, subject_id, payload, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("insert events: prepare: %w", err)
	}
	defer stmt.Close()
	for _, e := range events {
		payload := string(e.Payload)
		if len(e.Payload) == 0 {
			payload = "{}"
		}
		res, err := stmt.ExecContext(ctx, e.TenantID, e.Type, e.Actor, e.SubjectType, e.SubjectID, payload, formatTime(e.CreatedAt))
		if err != nil {
			return fmt.Errorf("insert %s event: %w", e.Type, err)
		}
		if e.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert %s event: %w", e.Type, err)
		}
	}
	return nil
}
