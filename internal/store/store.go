// Package store chooses and opens Roster's persistence: PostgreSQL for a
// postgres:// URL, an embedded SQLite file for anything else. The contract
// every implementation meets is core.Store, checked by the storetest suite.
package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/postgres"
	"github.com/rosterhq/roster/internal/store/sqlite"
)

// DefaultURL is the zero-configuration database: a SQLite file in the
// working directory.
const DefaultURL = "./roster.db"

// Store is a core.Store that can bring its own schema up to date.
type Store interface {
	core.Store
	// Migrate applies every pending migration.
	Migrate(ctx context.Context) error
}

var (
	_ Store = (*sqlite.Store)(nil)
	_ Store = (*postgres.Store)(nil)
)

// IsPostgresURL reports whether url names a PostgreSQL database.
func IsPostgresURL(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// Open opens the store url names, without migrating it.
func Open(ctx context.Context, url string) (Store, error) {
	if url == "" {
		url = DefaultURL
	}
	if IsPostgresURL(url) {
		s, err := postgres.Open(ctx, url)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		return s, nil
	}
	s, err := sqlite.Open(ctx, url)
	if err != nil {
		return nil, err // already says "open sqlite <path>"
	}
	return s, nil
}

// OpenMigrated opens the store url names and applies pending migrations.
func OpenMigrated(ctx context.Context, url string) (Store, error) {
	s, err := Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return s, nil
}
