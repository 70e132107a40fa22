package core

// ImportMatch says how an import row finds the user it updates.
type ImportMatch string

// Import match modes.
const (
	// MatchEmail matches a row to the user with its email (the default).
	MatchEmail ImportMatch = "email"
	// MatchExternalID matches a row to the tenant's user with its
	// externalId; the row's email may then change the user's email.
	MatchExternalID ImportMatch = "externalId"
)

// MaxImportBatch is the most rows one ImportUsers call takes: a batch is
// one transaction, and its rows are held in memory.
const MaxImportBatch = 5000

// ImportUser is one row of an import: a user to create, or the changes to
// make to the user it matches. It carries CreateUser's fields (validated by
// the same rules; ClientID is ignored) and may carry, instead of Password,
// an existing hash in one of the formats ValidateImportedHash accepts.
//
// On an update only the fields a row sets change: empty strings and nil
// pointers leave the stored values alone (an import never clears a field),
// Role "" keeps the role, and in MatchEmail mode the email is the key and is
// not rewritten.
type ImportUser struct {
	CreateUser
	PasswordHash string
}

// Import row statuses.
const (
	ImportCreated   = "created"
	ImportUpdated   = "updated"
	ImportUnchanged = "unchanged"
	ImportError     = "error"
)

// ImportResult is what happened to one row. ID is set for created, updated
// and unchanged rows; Err (a *Error, safe to show: it never holds a
// password or hash) for refused ones.
type ImportResult struct {
	Status string
	ID     int64
	Email  string // normalized when valid, else as given
	Err    *Error
}
