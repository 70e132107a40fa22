// Package postgres owns Roster's PostgreSQL store: it implements core.Store
// with pgx, applies the PostgreSQL migrations, and turns driver errors into
// core errors (unique violations into Conflict, missing rows into NotFound)
// by their SQLSTATE, never by message text.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/rosterhq/roster/internal/core"
)

// Store is the PostgreSQL implementation of core.Store. Its Reader methods
// run on the pool, outside any transaction; Write runs a transaction, in
// which the single-row Get methods also lock the rows they return until it
// ends.
type Store struct {
	reader
	pool *pgxpool.Pool
}

var _ core.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string) and pings it. It does not migrate: call Migrate.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse postgres url: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ping postgres: %w", err)
	}
	return &Store{reader: reader{q: pool}, pool: pool}, nil
}

// Ping reports whether the database is reachable.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping postgres: %w", err)
	}
	return nil
}

// Close closes every connection of the pool. It always returns nil.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Write runs fn in one transaction (READ COMMITTED): committed when fn
// returns nil, rolled back otherwise, in which case fn's error is returned
// unchanged. A failed commit is returned wrapped.
func (s *Store) Write(ctx context.Context, fn func(tx core.Tx) error) error {
	t, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	// A no-op after Commit; otherwise the error worth returning is fn's.
	defer func() { _ = t.Rollback(ctx) }()

	if err := fn(&tx{reader: reader{q: t, inTx: true}, tx: t}); err != nil {
		return err
	}
	if err := t.Commit(ctx); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

// querier is what both *pgxpool.Pool and pgx.Tx offer, so that the Reader
// methods are written once and run on either.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

var (
	_ querier = (*pgxpool.Pool)(nil)
	_ querier = pgx.Tx(nil)
)

// reader implements core.Reader on a querier.
type reader struct {
	q querier
	// inTx is set inside a write transaction, where a single-row read locks
	// what it reads (see lockFor).
	inTx bool
}

// lockFor returns the locking clause that ends a single-row read: none on
// the pool, and FOR NO KEY UPDATE (of the named tables, if any) inside a
// transaction. The core reads a row inside Write to change it (re-read,
// merge, update); at READ COMMITTED a plain read would let two such writers
// read the same version and the later update silently undo the earlier.
// Locking makes the second writer wait and read the first one's result, as
// it would on SQLite, whose writers run one at a time. NO KEY UPDATE is the
// lock an UPDATE takes anyway, and unlike FOR UPDATE it does not block
// inserts whose foreign keys point at the row.
func (r reader) lockFor(tables ...string) string {
	if !r.inTx {
		return ""
	}
	if len(tables) == 0 {
		return "\n\t\tFOR NO KEY UPDATE"
	}
	return "\n\t\tFOR NO KEY UPDATE OF " + strings.Join(tables, ", ")
}

// tx implements core.Tx on one pgx transaction.
type tx struct {
	reader
	tx pgx.Tx
}

var _ core.Tx = (*tx)(nil)

// savepoint runs fn inside a savepoint of the transaction. PostgreSQL aborts
// the whole transaction on any failed statement; rolling back to the
// savepoint instead keeps it usable, so a caller that handles a Conflict
// (say, by trying another subdomain) can carry on, as it can on SQLite.
func (t *tx) savepoint(ctx context.Context, fn func(q querier) error) error {
	sp, err := t.tx.Begin(ctx)
	if err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	if err := fn(sp); err != nil {
		if rbErr := sp.Rollback(ctx); rbErr != nil {
			return errors.Join(err, fmt.Errorf("rollback to savepoint: %w", rbErr))
		}
		return err
	}
	if err := sp.Commit(ctx); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}
