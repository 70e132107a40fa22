// Package pgtest gives tests a PostgreSQL database of their own: a fresh,
// randomly named database on the server named by ROSTER_TEST_POSTGRES_URL,
// dropped when the test ends. Without that variable the tests skip; with it
// set but unreachable they fail.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rosterhq/roster/internal/store/postgres"
)

// EnvURL names the environment variable holding the URL of a PostgreSQL
// server tests may create databases on.
const EnvURL = "ROSTER_TEST_POSTGRES_URL"

// timeout bounds connecting and creating or dropping a database.
const timeout = 10 * time.Second

// URL returns the URL of a new, empty database on the server named by
// ROSTER_TEST_POSTGRES_URL, dropped (WITH (FORCE)) when t ends. It skips t
// when the variable is unset, and fails t when the server cannot be
// reached or the database cannot be created.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Skip(EnvURL + " not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	dbURL, name, err := createDatabase(ctx, base)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if err := dropDatabase(ctx, base, name); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return dbURL
}

// OpenStore returns a migrated store on a new database (see URL), closed
// and then dropped when t ends.
func OpenStore(t testing.TB) *postgres.Store {
	t.Helper()
	dbURL := URL(t) // registers the drop first, so it runs after Close
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return s
}

// connect opens one connection to the server at rawURL, giving up after
// timeout (or ctx's deadline, if sooner).
func connect(ctx context.Context, rawURL string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", EnvURL, err)
	}
	if cfg.ConnectTimeout == 0 || cfg.ConnectTimeout > timeout {
		cfg.ConnectTimeout = timeout
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", EnvURL, err)
	}
	return conn, nil
}

// createDatabase creates a database named roster_test_<16 hex digits> on
// the server at base and returns its name and a URL for it: base with its
// path replaced.
func createDatabase(ctx context.Context, base string) (dbURL, name string, err error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", "", fmt.Errorf("%s must be a postgres:// URL", EnvURL)
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	name = "roster_test_" + hex.EncodeToString(b[:])

	conn, err := connect(ctx, base)
	if err != nil {
		return "", "", err
	}
	defer conn.Close(context.Background())
	// template0: template1 may be in use, and CREATE DATABASE refuses a
	// template with other sessions.
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()+` TEMPLATE template0`); err != nil {
		return "", "", fmt.Errorf("create database %s: %w", name, err)
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), name, nil
}

// dropDatabase drops the database name on the server at base, closing any
// session still connected to it.
func dropDatabase(ctx context.Context, base, name string) error {
	conn, err := connect(ctx, base)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}
