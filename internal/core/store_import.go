package core

import "context"

// importWriter holds the batch writes that bulk import and the bulk face
// use. Each method handles a whole batch in a few statements (COPY on
// PostgreSQL, multi-row statements on SQLite), so that importing costs per
// batch, not per row.
type importWriter interface {
	// LookupUsersByExternalID returns the users whose home tenant is
	// tenantID and whose externalId is in externalIDs, keyed by externalId.
	// Locked as LookupUsersByEmail (in a transaction).
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
	// InsertPasswordTokens stores every token, as InsertPasswordToken does.
	InsertPasswordTokens(ctx context.Context, tokens []PasswordToken) error
	// InsertUserGroups adds each member to its group in the tenant; a
	// membership that exists already is left as it is. Invalid (field
	// "groups") when a group is not the tenant's or a user not its member;
	// the transaction can go on after that error.
	InsertUserGroups(ctx context.Context, tenantID int64, members []GroupMember) error
}

// GroupMember is one user's membership of one group, as InsertUserGroups
// takes it.
type GroupMember struct {
	UserID  int64
	GroupID string
}
