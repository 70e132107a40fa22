// Package storetest is the conformance suite every core.Store implementation
// runs: one set of expectations, so that SQLite and PostgreSQL behave alike.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

// Opener returns a fresh, migrated, empty store, closed by t.Cleanup.
type Opener func(t *testing.T) core.Store

// Run runs the whole suite against stores made by open.
func Run(t *testing.T, open Opener) {
	t.Run("Tenants", func(t *testing.T) { testTenants(t, open(t)) })
	t.Run("Users", func(t *testing.T) { testUsers(t, open(t)) })
	t.Run("UserFieldsRoundTrip", func(t *testing.T) { testUserFieldsRoundTrip(t, open(t)) })
	t.Run("DuplicateEmailRace", func(t *testing.T) { testDuplicateEmailRace(t, open(t)) })
	t.Run("UserCountAndOffset", func(t *testing.T) { testUserCountAndOffset(t, open(t)) })
	t.Run("Roles", func(t *testing.T) { testRoles(t, open(t)) })
	t.Run("Teams", func(t *testing.T) { testTeams(t, open(t)) })
	t.Run("PasswordTokens", func(t *testing.T) { testPasswordTokens(t, open(t)) })
	t.Run("PasswordTokenSpendRace", func(t *testing.T) { testPasswordTokenSpendRace(t, open(t)) })
	t.Run("APIKeys", func(t *testing.T) { testAPIKeys(t, open(t)) })
	t.Run("Events", func(t *testing.T) { testEvents(t, open(t)) })
	t.Run("EventFilters", func(t *testing.T) { testEventFilters(t, open(t)) })
	t.Run("CursorListingDuringInserts", func(t *testing.T) { testCursorListingDuringInserts(t, open(t)) })
	t.Run("DeleteTenantCascades", func(t *testing.T) { testDeleteTenantCascades(t, open(t)) })
	t.Run("SigningKeys", func(t *testing.T) { testSigningKeys(t, open(t)) })
	t.Run("IdempotencyRecords", func(t *testing.T) { testIdempotencyRecords(t, open(t)) })
	t.Run("IdempotencyExpiry", func(t *testing.T) { testIdempotencyExpiry(t, open(t)) })
	t.Run("IdempotencyKeyRace", func(t *testing.T) { testIdempotencyKeyRace(t, open(t)) })
	t.Run("IdempotencyReadLocks", func(t *testing.T) { testIdempotencyReadLocks(t, open(t)) })
	runGroupTests(t, open)
	runImportTests(t, open)
	runWebhookTests(t, open)
	t.Run("Ping", func(t *testing.T) {
		if err := open(t).Ping(context.Background()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
	})
}

// now returns the current time as the core stores it: UTC, microseconds.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// newTenant returns an unsaved tenant with unique identifiers.
func newTenant() core.Tenant {
	suffix := randomHex(6)
	ts := now()
	return core.Tenant{
		ClientID:  "clt_" + (suffix + "abcdefghijklmnopqrstu")[:21],
		Subdomain: "t-" + suffix,
		Name:      "Tenant " + suffix,
		CreatedAt: ts,
		UpdatedAt: ts,
	}
}

// newUser returns an unsaved clientUser of tenant with the given email.
func newUser(tenantID int64, email string) core.User {
	ts := now()
	return core.User{
		TenantID:              tenantID,
		Email:                 email,
		Name:                  "User " + email,
		PasswordHash:          "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
		RoleID:                core.RoleIDClientUser,
		Role:                  core.RoleClientUser,
		IsPrimary:             true,
		Active:                true,
		EmailFilteringEnabled: true,
		CreatedBy:             "test",
		UpdatedBy:             "test",
		CreatedAt:             ts,
		UpdatedAt:             ts,
	}
}

func mustCreateTenant(t *testing.T, s core.Store) core.Tenant {
	t.Helper()
	tn := newTenant()
	if err := s.Write(context.Background(), func(tx core.Tx) error {
		return tx.InsertTenant(context.Background(), &tn)
	}); err != nil {
		t.Fatalf("insert tenant: %v", err)
	}
	return tn
}

func mustCreateUser(t *testing.T, s core.Store, tenantID int64, email string) core.User {
	t.Helper()
	u := newUser(tenantID, email)
	if err := s.Write(context.Background(), func(tx core.Tx) error {
		return tx.InsertUser(context.Background(), &u)
	}); err != nil {
		t.Fatalf("insert user %s: %v", email, err)
	}
	return u
}

// wantCode fails the test unless err carries the core error code want (and,
// when field is not empty, names that field).
func wantCode(t *testing.T, err error, want core.ErrorCode, field string) {
	t.Helper()
	if got := core.ErrorCodeOf(err); got != want {
		t.Fatalf("error code: got %q (%v), want %q", got, err, want)
	}
	if field != "" {
		if e := core.AsError(err); e.Field != field {
			t.Fatalf("error field: got %q, want %q", e.Field, field)
		}
	}
}

func mustCreateTeam(t *testing.T, s core.Store, tenantID int64, name string) core.Team {
	t.Helper()
	ts := now()
	tm := core.Team{TenantID: tenantID, Name: name, Active: true, CreatedAt: ts, UpdatedAt: ts}
	if err := s.Write(context.Background(), func(tx core.Tx) error {
		return tx.InsertTeam(context.Background(), &tm)
	}); err != nil {
		t.Fatalf("insert team %q: %v", name, err)
	}
	return tm
}
