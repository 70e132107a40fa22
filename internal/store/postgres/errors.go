package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/rosterhq/roster/internal/core"
)

// SQLSTATE codes the store translates into core errors.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// violated reports whether err is a PostgreSQL error with the SQLSTATE code
// and, if so, the name of the constraint it names.
func violated(err error, code string) (constraint string, ok bool) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == code {
		return pgErr.ConstraintName, true
	}
	return "", false
}

// conflict returns a Conflict about field, keeping err as its cause for logs.
func conflict(field string, err error) error {
	e := core.FieldError(core.Conflict, field, "is already taken")
	e.Err = err
	return e
}
