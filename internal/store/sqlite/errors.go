package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/rosterhq/roster/internal/core"
)

// isUniqueViolation reports whether err is SQLite refusing a duplicate in a
// UNIQUE index or a primary key, judged by the driver's extended result code.
func isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return true
	}
	return false
}

// isForeignKeyViolation reports whether err is SQLite refusing a row whose
// foreign key points at nothing, judged by the driver's extended result code.
func isForeignKeyViolation(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// isTriggerViolation reports whether err is a trigger's RAISE(ABORT) (the
// users.team_id triggers), judged by the driver's extended result code.
func isTriggerViolation(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_TRIGGER
}

// notFound is the core's NotFound for one kind of object ("user", ...).
func notFound(what string) error {
	return core.Errorf(core.NotFound, "%s not found", what)
}

// getError turns a single-row query's error into NotFound (no row) or a
// wrapped driver error naming the lookup ("get user 7").
func getError(err error, what, lookup string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(what)
	}
	return fmt.Errorf("%s: %w", lookup, err)
}

// mustChange returns NotFound unless res reports a changed row.
func mustChange(res sql.Result, what, op string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if n == 0 {
		return notFound(what)
	}
	return nil
}
