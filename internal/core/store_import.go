package core

import "context"

// importWriter holds the batch writes that bulk import uses. Each method
// handles a whole batch in a few statements (COPY on PostgreSQL, prepared
// statements on SQLite), so that importing costs per batch, not per row.
type importWriter interface {
	// LookupUsersByEmail returns the users whose normalized email is in
	// emails, in any tenant, each as seen from its home tenant, keyed by
	// normalized email. Unknown emails are absent. On PostgreSQL the rows
	// are locked until the transaction ends.
	LookupUsersByEmail(ctx context.Context, normalizedEmails []string) (map[string]User, error)
	// LookupUsersByExternalID returns the users whose home tenant is
	// tenantID and whose externalId is in externalIDs, keyed by externalId.
	// Locked as LookupUsersByEmail.
	LookupUsersByExternalID(ctx context.Context, tenantID int64, externalIDs []string) (map[string]User, error)
	// InsertUsers stores each user with its membership of users[i].TenantID,
	// as InsertUser does, and sets users[i].ID, HomeTenantID, IsPrimary and
	// Version. It returns one error per user: nil when stored, else the
	// error InsertUser would give (Conflict field "email" or "externalId",
	// Invalid field "role" or "teamId"); a refused user does not stop the
	// others. err is for failures that spoil the whole batch.
	InsertUsers(ctx context.Context, users []User) (rowErrs []error, err error)
	// InsertEvents appends every event and sets its ID.
	InsertEvents(ctx context.Context, events []*Event) error
}
