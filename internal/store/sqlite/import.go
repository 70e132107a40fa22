package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/rosterhq/roster/internal/core"
)

// The batch writes of bulk import. SQLite has one writer at a time and no
// network round trip: what a row costs is mostly the statement executing
// it, so a batch is written with multi-row INSERTs in the caller's
// transaction.

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

// userInsertColumns are the columns InsertUsers writes, in userValues'
// order followed by home_tenant_id.
const userInsertColumns = `email, email_normalized, name, password_hash, active,
    email_filtering_enabled, notifications, notification_preferences, language,
    timezone, phone, image_url, team_id, external_id,
    external_ref1, external_ref2, external_ref3,
    string1, string2, string3, string4, string5,
    created_by, updated_by, created_at, updated_at,
    home_tenant_id, version`

// insertChunk is how many rows one multi-row INSERT writes: 100 users use
// 2,700 host parameters, well under SQLite's limit of 32,766.
const insertChunk = 100

// valuesList returns n groups of "(?, ..., ?<suffix>)" with params
// placeholders each.
func valuesList(n, params int, suffix string) string {
	group := "(" + strings.TrimSuffix(strings.Repeat("?, ", params), ", ") + suffix + ")"
	return strings.TrimSuffix(strings.Repeat(group+", ", n), ", ")
}

// InsertUsers stores the users and their memberships with multi-row
// INSERTs of insertChunk rows: one statement per chunk and table rather
// than one per row, which is most of the cost of a row in SQLite. A
// statement is atomic, and there is one writer, so a chunk's rows get
// consecutive ids ending at the last inserted one (AUTOINCREMENT). A chunk
// that meets a constraint is undone by SQLite and inserted again row by
// row, so that only the refused rows fail (their errors in rowErrs); a
// failed statement does not end a SQLite transaction.
func (t *tx) InsertUsers(ctx context.Context, users []core.User) ([]error, error) {
	rowErrs := make([]error, len(users))
	for from := 0; from < len(users); from += insertChunk {
		chunk := users[from:min(from+insertChunk, len(users))]
		ok, err := t.insertUserChunk(ctx, chunk)
		if err != nil {
			return nil, err
		}
		if !ok {
			if err := t.insertUsersOneByOne(ctx, chunk, rowErrs[from:]); err != nil {
				return nil, err
			}
		}
	}
	return rowErrs, nil
}

// insertUserChunk inserts users and their memberships in two statements.
// ok is false, with nothing written, when a constraint refused the chunk.
func (t *tx) insertUserChunk(ctx context.Context, users []core.User) (ok bool, err error) {
	args := make([]any, 0, len(users)*27)
	for i := range users {
		values, err := userValues(&users[i])
		if err != nil {
			return false, fmt.Errorf("insert users: %w", err)
		}
		args = append(append(args, values...), users[i].TenantID)
	}
	res, err := t.q.ExecContext(ctx, `INSERT INTO users (`+userInsertColumns+`) VALUES `+valuesList(len(users), 27, ", 1"), args...)
	if isUniqueViolation(err) || isForeignKeyViolation(err) || isTriggerViolation(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("insert %d users: %w", len(users), err)
	}
	last, err := res.LastInsertId()
	if err != nil {
		return false, fmt.Errorf("insert %d users: %w", len(users), err)
	}
	first := last - int64(len(users)) + 1
	args = args[:0]
	for i := range users {
		u := &users[i]
		args = append(args, u.TenantID, first+int64(i), u.RoleID, true, u.AccountAdmin, formatTime(u.CreatedAt))
	}
	_, err = t.q.ExecContext(ctx, `
INSERT INTO memberships (tenant_id, user_id, role_id, is_primary, account_admin, created_at)
VALUES `+valuesList(len(users), 6, ""), args...)
	if err != nil {
		// Only a role that does not exist gets here (the core resolved
		// every role): undo the chunk's users and let the row by row path
		// name the rows.
		if _, delErr := t.q.ExecContext(ctx, `DELETE FROM users WHERE id BETWEEN ? AND ?`, first, last); delErr != nil {
			return false, fmt.Errorf("insert users: undo users %d..%d: %w", first, last, delErr)
		}
		if isForeignKeyViolation(err) {
			return false, nil
		}
		return false, fmt.Errorf("insert memberships of users %d..%d: %w", first, last, err)
	}
	for i := range users {
		users[i].ID, users[i].HomeTenantID, users[i].IsPrimary, users[i].Version = first+int64(i), users[i].TenantID, true, 1
	}
	return true, nil
}

// insertUsersOneByOne inserts each user and its membership with two
// prepared statements, recording each refusal in rowErrs.
func (t *tx) insertUsersOneByOne(ctx context.Context, users []core.User, rowErrs []error) error {
	sqlTx, ok := t.q.(*sql.Tx)
	if !ok {
		return fmt.Errorf("insert users: not in a write transaction")
	}
	insertUser, err := sqlTx.PrepareContext(ctx, `INSERT INTO users (`+userInsertColumns+`) VALUES `+valuesList(1, 27, ", 1"))
	if err != nil {
		return fmt.Errorf("insert users: prepare: %w", err)
	}
	defer insertUser.Close()
	insertMembership, err := sqlTx.PrepareContext(ctx, `
INSERT INTO memberships (tenant_id, user_id, role_id, is_primary, account_admin, created_at)
VALUES (?, ?, ?, 1, ?, ?)`)
	if err != nil {
		return fmt.Errorf("insert users: prepare: %w", err)
	}
	defer insertMembership.Close()

	for i := range users {
		u := &users[i]
		values, err := userValues(u)
		if err != nil {
			return fmt.Errorf("insert users: %w", err)
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
			return fmt.Errorf("insert users: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("insert users: %w", err)
		}
		if _, err := insertMembership.ExecContext(ctx, u.TenantID, id, u.RoleID, u.AccountAdmin, formatTime(u.CreatedAt)); err != nil {
			if isForeignKeyViolation(err) {
				// Undo the user row, so that the refusal leaves nothing.
				if _, delErr := sqlTx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id); delErr != nil {
					return fmt.Errorf("insert users: undo user %d: %w", id, delErr)
				}
				rowErrs[i] = userWriteError("insert membership", err)
				continue
			}
			return fmt.Errorf("insert membership of user %d in tenant %d: %w", id, u.TenantID, err)
		}
		u.ID, u.HomeTenantID, u.IsPrimary, u.Version = id, u.TenantID, true, 1
	}
	return nil
}

// narrowChunk is how many rows of a narrow table (events, password tokens,
// group memberships: at most 8 parameters each) one INSERT writes.
const narrowChunk = 500

// InsertEvents appends the events with multi-row INSERTs; a statement's
// rows get consecutive ids, as in InsertUsers.
func (t *tx) InsertEvents(ctx context.Context, events []*core.Event) error {
	for from := 0; from < len(events); from += narrowChunk {
		chunk := events[from:min(from+narrowChunk, len(events))]
		args := make([]any, 0, len(chunk)*7)
		for _, e := range chunk {
			payload := string(e.Payload)
			if len(e.Payload) == 0 {
				payload = "{}"
			}
			args = append(args, e.TenantID, e.Type, e.Actor, e.SubjectType, e.SubjectID, payload, formatTime(e.CreatedAt))
		}
		res, err := t.q.ExecContext(ctx, `
INSERT INTO events (tenant_id, type, actor, subject_type, subject_id, payload, created_at)
VALUES `+valuesList(len(chunk), 7, ""), args...)
		if err != nil {
			return fmt.Errorf("insert %d events: %w", len(chunk), err)
		}
		last, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("insert %d events: %w", len(chunk), err)
		}
		for i, e := range chunk {
			e.ID = last - int64(len(chunk)) + 1 + int64(i)
		}
	}
	return nil
}

// InsertPasswordTokens stores the tokens with multi-row INSERTs.
func (t *tx) InsertPasswordTokens(ctx context.Context, tokens []core.PasswordToken) error {
	for from := 0; from < len(tokens); from += narrowChunk {
		chunk := tokens[from:min(from+narrowChunk, len(tokens))]
		args := make([]any, 0, len(chunk)*6)
		for _, pt := range chunk {
			args = append(args, pt.Hash, pt.UserID, pt.TenantID, formatTime(pt.ExpiresAt), formatNullTime(pt.SpentAt), formatTime(pt.CreatedAt))
		}
		_, err := t.q.ExecContext(ctx, `
INSERT INTO password_tokens (hash, user_id, tenant_id, expires_at, spent_at, created_at)
VALUES `+valuesList(len(chunk), 6, ""), args...)
		if err != nil {
			return fmt.Errorf("insert %d password tokens: %w", len(chunk), err)
		}
	}
	return nil
}

// InsertUserGroups adds the memberships with multi-row INSERTs. A refused
// statement is undone by SQLite; the transaction goes on.
func (t *tx) InsertUserGroups(ctx context.Context, tenantID int64, members []core.GroupMember) error {
	for from := 0; from < len(members); from += narrowChunk {
		chunk := members[from:min(from+narrowChunk, len(members))]
		args := make([]any, 0, len(chunk)*3)
		for _, m := range chunk {
			args = append(args, tenantID, m.UserID, m.GroupID)
		}
		_, err := t.q.ExecContext(ctx, `
INSERT INTO user_groups (tenant_id, user_id, group_id)
VALUES `+valuesList(len(chunk), 3, "")+` ON CONFLICT DO NOTHING`, args...)
		if isForeignKeyViolation(err) {
			return core.FieldError(core.Invalid, "groups", "is not a group of this tenant")
		}
		if err != nil {
			return fmt.Errorf("insert %d group memberships: %w", len(chunk), err)
		}
	}
	return nil
}
