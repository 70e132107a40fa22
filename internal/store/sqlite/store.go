// Package sqlite implements core.Store on an embedded SQLite file (pure Go, no
// cgo), with modernc.org/sqlite.
//
// The file is in WAL mode. Writes go through one connection and start with
// BEGIN IMMEDIATE, so writers in this process queue for that connection and
// writers in other processes wait up to the busy timeout for the file's write
// lock instead of failing with SQLITE_BUSY. Reads use a separate pool of
// read-only connections and run concurrently with each other and with the
// writer.
//
// Constraint violations are recognised by the driver's typed error codes,
// never by message text, and returned as core errors.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/migrations"
)

// busyTimeoutMS is how long a connection waits for a lock another process
// holds before SQLite gives up with SQLITE_BUSY.
const busyTimeoutMS = 10000

// Store is a core.Store on one SQLite file. Its Reader methods read through
// the read-only pool: inside Write, read through the core.Tx instead to see
// the transaction's own changes.
type Store struct {
	reader         // on read
	read   *sql.DB // a pool of query_only connections
	write  *sql.DB // exactly one connection; every transaction is BEGIN IMMEDIATE
}

var _ core.Store = (*Store)(nil)

// querier is what the store's queries need; *sql.DB and *sql.Tx both have it,
// so the Reader methods are written once for the Store and for its Tx.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// reader implements core.Reader on a querier.
type reader struct{ q querier }

// tx implements core.Tx on one write transaction.
type tx struct{ reader }

var _ core.Tx = (*tx)(nil)

// Open opens (creating if needed) the SQLite file at path. It does not
// migrate: call Migrate. path is a file name; ":memory:" and "file:" URIs are
// refused, because the store's reads and writes use separate connections
// that must share one database.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("open sqlite: %q is not a file path", path)
	}
	// A file: URI, so that a path holding '?' or '#' stays a path.
	name := "file:" + (&url.URL{Path: path}).EscapedPath()
	pragmas := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)", busyTimeoutMS)

	write, err := sql.Open("sqlite", name+"?"+pragmas+
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	// Connecting the writer first creates the file and turns WAL on (a
	// property of the file) before any reader connects.
	var mode string
	if err := write.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: journal mode is %q, want wal (is the file on a network file system?)", path, mode)
	}

	read, err := sql.Open("sqlite", name+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	n := max(4, runtime.NumCPU())
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	if err := read.PingContext(ctx); err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &Store{reader: reader{q: read}, read: read, write: write}, nil
}

// Migrate applies the pending SQLite migrations.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, s.write, migrations.SQLite(),
		goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Write runs fn in one transaction on the single writer connection: committed
// when fn returns nil, rolled back otherwise, with fn's error returned as is.
// A Write waits for the one before it. fn must not call s.Write (it would
// wait for itself forever); reads through s from inside fn do not see the
// transaction's changes.
func (s *Store) Write(ctx context.Context, fn func(tx core.Tx) error) error {
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	defer func() { _ = sqlTx.Rollback() }() // a no-op once committed
	if err := fn(&tx{reader{q: sqlTx}}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Ping reports whether both the reader pool and the writer answer.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite reader: %w", err)
	}
	if err := s.write.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite writer: %w", err)
	}
	return nil
}

// Close closes every connection.
func (s *Store) Close() error {
	return errors.Join(s.read.Close(), s.write.Close())
}

// limitOrDefault turns a page size of zero or less into the default.
func limitOrDefault(limit int) int {
	if limit <= 0 {
		return 100
	}
	return limit
}
