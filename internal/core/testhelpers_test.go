package core_test

import (
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/postgres/pgtest"
	"github.com/rosterhq/roster/internal/store/sqlite"
)

// cheapArgon2 keeps hashing fast in tests; production uses OWASP's
// parameters.
var cheapArgon2 = core.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// newService returns a service over st that hashes with cheapArgon2.
func newService(t *testing.T, st core.Store) *core.Service {
	t.Helper()
	pool, err := core.NewHashPool(core.HashPoolConfig{Params: cheapArgon2})
	if err != nil {
		t.Fatalf("NewHashPool: %v", err)
	}
	return core.NewService(st, pool)
}

// forEachStore runs body as the subtests "sqlite" (a file in t.TempDir())
// and "postgres" (a fresh database from pgtest; skipped when
// ROSTER_TEST_POSTGRES_URL is unset). The two run in parallel.
func forEachStore(t *testing.T, body func(t *testing.T, st core.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		body(t, openSQLite(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		body(t, pgtest.OpenStore(t))
	})
}

// openSQLite returns a migrated SQLite store in t.TempDir(), closed when t
// ends.
func openSQLite(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "roster.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close sqlite store: %v", err)
		}
	})
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatalf("sqlite Migrate: %v", err)
	}
	return st
}

// tenant is a tenant made through the service, with its default API key
// authenticated as an actor.
type tenant struct {
	core.TenantCreated
	key core.Actor // the default key's actor (every scope)
}

// createTenant makes a tenant named name and authenticates its API key.
func createTenant(t *testing.T, svc *core.Service, name string) tenant {
	t.Helper()
	out, err := svc.CreateTenant(t.Context(), core.CreateTenant{Name: name})
	if err != nil {
		t.Fatalf("CreateTenant(%q): %v", name, err)
	}
	key, err := svc.AuthenticateAPIKey(t.Context(), out.APIKey)
	if err != nil {
		t.Fatalf("AuthenticateAPIKey(key of %q): %v", name, err)
	}
	return tenant{TenantCreated: out, key: key}
}

// createUser creates a user with the tenant's API key.
func createUser(t *testing.T, svc *core.Service, tn tenant, cmd core.CreateUser) core.User {
	t.Helper()
	created, err := svc.CreateUser(t.Context(), tn.key, cmd)
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", cmd.Email, err)
	}
	return created.User
}

// userActor is u acting on its tenant tn, as after a login.
func userActor(tn tenant, u core.User) core.Actor {
	return core.Actor{
		Kind: core.ActorUser, TenantID: tn.Tenant.ID, ClientID: tn.Tenant.ClientID,
		UserID: u.ID, Email: u.Email, Role: u.Role,
	}
}

// wantError reports whether err is a core error with code and field, and
// fails t (without stopping it) when it is not.
func wantError(t *testing.T, err error, code core.ErrorCode, field string) bool {
	t.Helper()
	if err == nil {
		t.Errorf("got no error, want %s (field %q)", code, field)
		return false
	}
	e := core.AsError(err)
	if e == nil {
		t.Errorf("got error %v (not a core error), want %s (field %q)", err, code, field)
		return false
	}
	ok := true
	if e.Code != code {
		t.Errorf("got code %s (%v), want %s", e.Code, err, code)
		ok = false
	}
	if e.Field != field {
		t.Errorf("got field %q (%v), want %q", e.Field, err, field)
		ok = false
	}
	return ok
}

// allUsers returns every member of a tenant, straight from the store.
func allUsers(t *testing.T, st core.Store, tenantID int64) []core.User {
	t.Helper()
	users, err := st.ListUsers(t.Context(), tenantID, core.UserFilter{Limit: 100000})
	if err != nil {
		t.Fatalf("store ListUsers(tenant %d): %v", tenantID, err)
	}
	return users
}

// events returns a tenant's events, oldest first, only of typ unless typ is
// empty.
func events(t *testing.T, st core.Store, tenantID int64, typ string) []core.Event {
	t.Helper()
	list, err := st.ListEvents(t.Context(), tenantID, core.EventFilter{Limit: 100000, Type: typ})
	if err != nil {
		t.Fatalf("store ListEvents(tenant %d): %v", tenantID, err)
	}
	return list
}

// eventTypes returns the types of events, in order.
func eventTypes(list []core.Event) []string {
	types := make([]string, len(list))
	for i, e := range list {
		types[i] = e.Type
	}
	return types
}

// census counts each tenant's users, events and API keys.
type census map[int64][3]int

// takeCensus counts the users, events and API keys of the given tenants,
// so that a test can show a refused command stored nothing.
func takeCensus(t *testing.T, st core.Store, tenantIDs ...int64) census {
	t.Helper()
	c := census{}
	for _, id := range tenantIDs {
		keys, err := st.ListAPIKeys(t.Context(), id)
		if err != nil {
			t.Fatalf("store ListAPIKeys(tenant %d): %v", id, err)
		}
		c[id] = [3]int{len(allUsers(t, st, id)), len(events(t, st, id, "")), len(keys)}
	}
	return c
}

// wantSameCensus fails t when anything was stored since before was taken.
func wantSameCensus(t *testing.T, st core.Store, before census) {
	t.Helper()
	after := takeCensus(t, st, slices.Collect(maps.Keys(before))...)
	if !maps.Equal(after, before) {
		t.Errorf("got census (users, events, keys per tenant) %v, want %v unchanged", after, before)
	}
}

// userEvent is the payload of the user_* events.
type userEvent struct {
	User struct {
		ID                    int64  `json:"id"`
		Email                 string `json:"email"`
		Name                  string `json:"name"`
		Role                  string `json:"role"`
		Active                bool   `json:"active"`
		EmailFilteringEnabled bool   `json:"emailFilteringEnabled"`
	} `json:"user"`
	Changed []string `json:"changed"`
}

func decodeUserEvent(t *testing.T, e core.Event) userEvent {
	t.Helper()
	var p userEvent
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		t.Fatalf("decode %s payload %s: %v", e.Type, e.Payload, err)
	}
	return p
}

// wantNoSecrets fails t when text holds any of the secrets or an argon2
// hash, or, when it is JSON, an object key naming a password, hash or
// secret.
func wantNoSecrets(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s %q contains the secret %q", what, text, s)
		}
	}
	if strings.Contains(text, "$argon2") {
		t.Errorf("%s %q contains an argon2 hash", what, text)
	}
	var v any
	if json.Unmarshal([]byte(text), &v) != nil {
		return
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				lk := strings.ToLower(k)
				if strings.Contains(lk, "password") || strings.Contains(lk, "hash") || strings.Contains(lk, "secret") {
					t.Errorf("%s %q has a key %q", what, text, k)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
}

// sameUser fails t when two views of a user differ in a stored field.
func sameUser(t *testing.T, got, want core.User) {
	t.Helper()
	type view struct {
		ID, TenantID, HomeTenantID, RoleID, Version           int64
		Email, Name, PasswordHash, Role, CreatedBy, UpdatedBy string
		IsPrimary, AccountAdmin, Active, EFE, Notifications   bool
		CreatedAt, UpdatedAt                                  time.Time
	}
	v := func(u core.User) view {
		return view{u.ID, u.TenantID, u.HomeTenantID, u.RoleID, u.Version,
			u.Email, u.Name, u.PasswordHash, u.Role, u.CreatedBy, u.UpdatedBy,
			u.IsPrimary, u.AccountAdmin, u.Active, u.EmailFilteringEnabled, u.Notifications,
			u.CreatedAt.UTC(), u.UpdatedAt.UTC()}
	}
	if g, w := v(got), v(want); g != w {
		t.Errorf("got user %+v, want %+v", g, w)
	}
}

// verifies reports whether password matches the PHC hash.
func verifies(t *testing.T, svc *core.Service, password, hash string) bool {
	t.Helper()
	ok, _, err := svc.Hashes().Verify(t.Context(), password, hash)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return ok
}

func ptr[T any](v T) *T { return &v }
