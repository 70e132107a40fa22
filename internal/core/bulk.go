package core

// MaxBulkUsers is the most users one BulkAddUsers request may carry
// (DESIGN §2).
const MaxBulkUsers = 10000

// BulkUser is one user of a bulk request, in seed 003's terms. Empty
// strings mean "not given": on an update they leave the stored value.
type BulkUser struct {
	Name            string
	Email           string
	Password        string // "": no password (a new user gets a set-password token)
	ConfirmPassword string // must equal Password
	ImageURL        string
	Type            string // "user", "editor" or "admin"; "": clientUser for a new user
	Notifications   *bool  // nil: false for a new user, unchanged on an update
	// Update lets the row update the tenant's user that has the email;
	// without it an existing email is refused.
	Update bool
	// Groups are group ids of the tenant; they replace the user's groups.
	// nil: not given (a new user has none, an update keeps them).
	Groups []string
}

// BulkAddUsers is the command to create or update many users at once.
type BulkAddUsers struct {
	Users []BulkUser
	// Atomic stores every user or none: one failed row fails them all.
	// Otherwise each row commits on its own.
	Atomic bool
}

// BulkStatus is what happened to one row.
type BulkStatus string

// Row outcomes.
const (
	BulkCreated   BulkStatus = "created"
	BulkUpdated   BulkStatus = "updated"
	BulkUnchanged BulkStatus = "unchanged"
	BulkFailed    BulkStatus = "error"
)

// BulkRow is the outcome of one row.
type BulkRow struct {
	Index  int
	Email  string // as sent
	Status BulkStatus
	UserID int64 // when not failed
	// PasswordToken is the one-time set-password token of a user created
	// without a password: its only copy.
	PasswordToken string
	// Err is the row's own error (Status BulkFailed). Nil on a failed row
	// means NotAdded.
	Err *Error
	// NotAdded: the row was fine, but the request was atomic and another
	// row failed, so nothing was stored.
	NotAdded bool
}

// BulkResult is the outcome of a bulk request: one row per user, in order.
type BulkResult struct {
	Rows   []BulkRow
	Atomic bool
	Failed int // rows that failed on their own (not counting NotAdded)
}
