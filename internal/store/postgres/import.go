package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/rosterhq/roster/internal/core"
)

// The batch writes of bulk import. A batch costs a handful of round trips
// whatever its size: one query per lookup, one to reserve ids, and COPY for
// users, memberships and events.

// LookupUsersByEmail returns the users with those normalized emails, as
// seen from their home tenants, keyed by normalized email; inside a write
// transaction their rows stay locked until it ends.
func (r reader) LookupUsersByEmail(ctx context.Context, normalizedEmails []string) (map[string]core.User, error) {
	out := make(map[string]core.User, len(normalizedEmails))
	if len(normalizedEmails) == 0 {
		return out, nil
	}
	rows, err := r.q.Query(ctx, userSelect+`
		WHERE u.email_normalized = ANY($1) AND m.tenant_id = u.home_tenant_id
		ORDER BY u.id`+r.lockFor("u", "m"), normalizedEmails)
	if err != nil {
		return nil, fmt.Errorf("look up users by email: %w", err)
	}
	users, err := collect(rows, scanUser)
	if err != nil {
		return nil, fmt.Errorf("look up users by email: %w", err)
	}
	for _, u := range users {
		out[core.NormalizeEmail(u.Email)] = u
	}
	return out, nil
}

// LookupUsersByExternalID returns the users of home tenant tenantID with
// those externalIds, keyed by externalId, locked as LookupUsersByEmail.
func (r reader) LookupUsersByExternalID(ctx context.Context, tenantID int64, externalIDs []string) (map[string]core.User, error) {
	out := make(map[string]core.User, len(externalIDs))
	if len(externalIDs) == 0 {
		return out, nil
	}
	rows, err := r.q.Query(ctx, userSelect+`
		WHERE u.home_tenant_id = $1 AND u.external_id = ANY($2) AND m.tenant_id = u.home_tenant_id
		ORDER BY u.id`+r.lockFor("u", "m"),
		tenantID, externalIDs)
	if err != nil {
		return nil, fmt.Errorf("look up users of tenant %d by externalId: %w", tenantID, err)
	}
	users, err := collect(rows, scanUser)
	if err != nil {
		return nil, fmt.Errorf("look up users of tenant %d by externalId: %w", tenantID, err)
	}
	for _, u := range users {
		out[u.ExternalID] = u
	}
	return out, nil
}

// reserveIDs takes n values of the identity sequence of table's id column,
// so that COPY can write rows whose ids are known beforehand.
func (t *tx) reserveIDs(ctx context.Context, table string, n int) ([]int64, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
	if err != nil {
		return nil, fmt.Errorf("reserve %d %s ids: %w", n, table, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("reserve %d %s ids: %w", n, table, err)
	}
	return ids, nil
}

var userCopyColumns = []string{
	"id", "home_tenant_id", "email", "email_normalized", "name", "password_hash",
	"active", "email_filtering_enabled", "notifications", "notification_preferences",
	"language", "timezone", "phone", "image_url", "team_id", "external_id",
	"external_ref1", "external_ref2", "external_ref3",
	"string1", "string2", "string3", "string4", "string5",
	"created_by", "updated_by", "created_at", "updated_at", "version",
}

// InsertUsers stores the users and their memberships with COPY, inside a
// savepoint. COPY is all or nothing: when it meets a constraint (a
// concurrent writer took an email since the caller looked, say), the
// savepoint is rolled back and the batch is inserted again row by row, each
// row in its own savepoint, so that only the refused rows fail.
func (t *tx) InsertUsers(ctx context.Context, users []core.User) ([]error, error) {
	rowErrs := make([]error, len(users))
	if len(users) == 0 {
		return rowErrs, nil
	}
	ids, err := t.reserveIDs(ctx, "users", len(users))
	if err != nil {
		return nil, err
	}
	userRows := make([][]any, len(users))
	memberRows := make([][]any, len(users))
	for i := range users {
		u := &users[i]
		prefs, err := preferencesJSON(u.NotificationPreferences)
		if err != nil {
			return nil, err
		}
		userRows[i] = []any{
			ids[i], u.TenantID, u.Email, core.NormalizeEmail(u.Email), u.Name, nullString(u.PasswordHash),
			u.Active, u.EmailFilteringEnabled, u.Notifications, prefs,
			u.Language, u.Timezone, u.Phone, u.ImageURL, u.TeamID, u.ExternalID,
			u.ExternalRefs[0], u.ExternalRefs[1], u.ExternalRefs[2],
			u.Strings[0], u.Strings[1], u.Strings[2], u.Strings[3], u.Strings[4],
			u.CreatedBy, u.UpdatedBy, u.CreatedAt, u.UpdatedAt, int64(1),
		}
		memberRows[i] = []any{u.TenantID, ids[i], u.RoleID, true, u.AccountAdmin, u.CreatedAt}
	}
	err = t.savepoint(ctx, func(q querier) error {
		sp := q.(pgx.Tx)
		if _, err := sp.CopyFrom(ctx, pgx.Identifier{"users"}, userCopyColumns, pgx.CopyFromRows(userRows)); err != nil {
			return err
		}
		_, err := sp.CopyFrom(ctx, pgx.Identifier{"memberships"},
			[]string{"tenant_id", "user_id", "role_id", "is_primary", "account_admin", "created_at"}, pgx.CopyFromRows(memberRows))
		return err
	})
	if err == nil {
		for i := range users {
			users[i].ID, users[i].HomeTenantID, users[i].IsPrimary, users[i].Version = ids[i], users[i].TenantID, true, 1
		}
		return rowErrs, nil
	}
	_, unique := violated(err, uniqueViolation)
	_, foreign := violated(err, foreignKeyViolation)
	if !unique && !foreign {
		return nil, fmt.Errorf("copy users: %w", err)
	}
	// Row by row; the reserved ids are left unused (sequences have gaps).
	for i := range users {
		if err := t.InsertUser(ctx, &users[i]); err != nil {
			if core.AsError(err) == nil {
				return nil, err
			}
			rowErrs[i] = err
		}
	}
	return rowErrs, nil
}

// InsertEvents appends the events with COPY, their ids reserved first.
func (t *tx) InsertEvents(ctx context.Context, events []*core.Event) error {
	if len(events) == 0 {
		return nil
	}
	ids, err := t.reserveIDs(ctx, "events", len(events))
	if err != nil {
		return err
	}
	rows := make([][]any, len(events))
	for i, e := range events {
		payload := "{}"
		if len(e.Payload) > 0 {
			payload = string(e.Payload)
		}
		rows[i] = []any{ids[i], e.TenantID, e.Type, e.Actor, e.SubjectType, e.SubjectID, payload, e.CreatedAt}
	}
	_, err = t.tx.CopyFrom(ctx, pgx.Identifier{"events"},
		[]string{"id", "tenant_id", "type", "actor", "subject_type", "subject_id", "payload", "created_at"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("copy %d events: %w", len(events), err)
	}
	for i, e := range events {
		e.ID = ids[i]
	}
	return nil
}

// InsertPasswordTokens stores the tokens with COPY.
func (t *tx) InsertPasswordTokens(ctx context.Context, tokens []core.PasswordToken) error {
	if len(tokens) == 0 {
		return nil
	}
	rows := make([][]any, len(tokens))
	for i, pt := range tokens {
		rows[i] = []any{pt.Hash, pt.UserID, pt.TenantID, pt.ExpiresAt, pt.SpentAt, pt.CreatedAt}
	}
	_, err := t.tx.CopyFrom(ctx, pgx.Identifier{"password_tokens"},
		[]string{"hash", "user_id", "tenant_id", "expires_at", "spent_at", "created_at"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("copy %d password tokens: %w", len(tokens), err)
	}
	return nil
}

// InsertUserGroups adds the memberships in one statement, in a savepoint so
// that a refused batch leaves the transaction usable.
func (t *tx) InsertUserGroups(ctx context.Context, tenantID int64, members []core.GroupMember) error {
	if len(members) == 0 {
		return nil
	}
	users, groups := make([]int64, len(members)), make([]string, len(members))
	for i, m := range members {
		users[i], groups[i] = m.UserID, m.GroupID
	}
	err := t.savepoint(ctx, func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO user_groups (tenant_id, user_id, group_id)
			SELECT $1, m.user_id, m.group_id FROM unnest($2::bigint[], $3::text[]) AS m(user_id, group_id)
			ON CONFLICT DO NOTHING`, tenantID, users, groups)
		return err
	})
	if e := groupRefused(err); e != nil {
		return e
	}
	if err != nil {
		return fmt.Errorf("insert %d group memberships: %w", len(members), err)
	}
	return nil
}
