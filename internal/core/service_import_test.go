package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/postgres/pgtest"
	"github.com/rosterhq/roster/internal/store/sqlite"
)

// importRow is an import row with an email, a name and optionally a
// plaintext password.
func importRow(email, name, password string) core.ImportUser {
	r := core.ImportUser{CreateUser: core.CreateUser{Email: email, Name: name}}
	if password != "" {
		r.Password = &password
	}
	return r
}

// statuses returns each result's status, or "error:<field>" for a refusal.
func statuses(results []core.ImportResult) []string {
	out := make([]string, len(results))
	for i, r := range results {
		out[i] = r.Status
		if r.Err != nil {
			out[i] += ":" + r.Err.Field
		}
	}
	return out
}

func mustImport(t *testing.T, svc *core.Service, a core.Actor, match core.ImportMatch, rows ...core.ImportUser) []core.ImportResult {
	t.Helper()
	results, err := svc.ImportUsers(t.Context(), a, match, rows)
	if err != nil {
		t.Fatalf("ImportUsers: %v", err)
	}
	if len(results) != len(rows) {
		t.Fatalf("got %d results for %d rows", len(results), len(rows))
	}
	return results
}

func bcryptOf(t *testing.T, password string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// Importing creates, running the same rows again changes nothing, and a
// changed field updates the user with one event naming it.
func TestImportUsers_CreateThenUnchangedThenUpdated(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		hash := bcryptOf(t, "imported-password-1")
		withHash := importRow("Hashed@Example.com", "Hashed", "")
		withHash.PasswordHash = hash
		withHash.ExternalID = "ext-1"
		rows := []core.ImportUser{
			withHash,
			importRow("plain@example.com", "Plain", "plain-password-1"),
			importRow("nopassword@example.com", "", ""),
		}
		rows[1].Role = "admin"

		first := mustImport(t, svc, acme.key, "", rows...)
		if got, want := statuses(first), []string{"created", "created", "created"}; !slices.Equal(got, want) {
			t.Fatalf("first import: got %v, want %v", got, want)
		}
		if first[0].Email != "Hashed@Example.com" || first[0].ID == 0 {
			t.Errorf("result 0: got email %q id %d, want Hashed@Example.com and an id", first[0].Email, first[0].ID)
		}
		created := events(t, st, acme.Tenant.ID, core.EventUserCreated)
		if len(created) != 4 { // the admin, then the three
			t.Fatalf("user_created events: got %d, want 4", len(created))
		}
		for i, e := range created[1:] {
			if p := decodeUserEvent(t, e); p.User.ID != first[i].ID || e.Actor != acme.key.Label() {
				t.Errorf("event %d: got user %d actor %q, want %d %q", i, p.User.ID, e.Actor, first[i].ID, acme.key.Label())
			}
			wantNoSecrets(t, "event payload", string(e.Payload), hash, "plain-password-1")
		}
		u0, err := st.GetUser(t.Context(), acme.Tenant.ID, first[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if u0.PasswordHash != hash || u0.ExternalID != "ext-1" || u0.Role != core.RoleClientUser || !u0.Active || u0.CreatedBy != acme.key.Label() {
			t.Errorf("hashed user: got hash kept %v, externalId %q, role %q, active %v, createdBy %q",
				u0.PasswordHash == hash, u0.ExternalID, u0.Role, u0.Active, u0.CreatedBy)
		}
		u1, _ := st.GetUser(t.Context(), acme.Tenant.ID, first[1].ID)
		if !strings.HasPrefix(u1.PasswordHash, "$argon2id$") || !verifies(t, svc, "plain-password-1", u1.PasswordHash) || u1.Role != core.RoleClientAdmin {
			t.Errorf("plaintext user: got hash prefix %q role %q, want an argon2id hash of the password and clientAdmin", u1.PasswordHash[:min(10, len(u1.PasswordHash))], u1.Role)
		}
		u2, _ := st.GetUser(t.Context(), acme.Tenant.ID, first[2].ID)
		if u2.PasswordHash != "" {
			t.Errorf("user without password: got a hash, want none")
		}

		eventsBefore := len(events(t, st, acme.Tenant.ID, ""))
		again := mustImport(t, svc, acme.key, core.MatchEmail, rows...)
		if got, want := statuses(again), []string{"unchanged", "unchanged", "unchanged"}; !slices.Equal(got, want) {
			t.Fatalf("second import: got %v, want %v", got, want)
		}
		for i := range again {
			if again[i].ID != first[i].ID {
				t.Errorf("row %d: got id %d, want %d", i, again[i].ID, first[i].ID)
			}
		}
		if got := len(events(t, st, acme.Tenant.ID, "")); got != eventsBefore {
			t.Errorf("events after an unchanged import: got %d, want %d (none new)", got, eventsBefore)
		}
		if u, _ := st.GetUser(t.Context(), acme.Tenant.ID, first[1].ID); u.PasswordHash != u1.PasswordHash {
			t.Errorf("the plaintext row was rehashed, want the stored hash kept")
		}

		rows[0].Name = "Renamed"
		rows[2].Password = ptr("new-password-123")
		third := mustImport(t, svc, acme.key, core.MatchEmail, rows...)
		if got, want := statuses(third), []string{"updated", "unchanged", "updated"}; !slices.Equal(got, want) {
			t.Fatalf("third import: got %v, want %v", got, want)
		}
		updated := events(t, st, acme.Tenant.ID, core.EventUserUpdated)
		if len(updated) != 2 {
			t.Fatalf("user_updated events: got %d, want 2", len(updated))
		}
		if p := decodeUserEvent(t, updated[0]); p.User.ID != first[0].ID || !slices.Equal(p.Changed, []string{"name"}) {
			t.Errorf("update event 0: got user %d changed %v, want %d [name]", p.User.ID, p.Changed, first[0].ID)
		}
		if p := decodeUserEvent(t, updated[1]); p.User.ID != first[2].ID || !slices.Equal(p.Changed, []string{"password"}) {
			t.Errorf("update event 1: got user %d changed %v, want %d [password]", p.User.ID, p.Changed, first[2].ID)
		}
		if u, _ := st.GetUser(t.Context(), acme.Tenant.ID, first[0].ID); u.Name != "Renamed" || u.PasswordHash != hash || u.Version != 2 {
			t.Errorf("renamed user: got name %q, hash kept %v, version %d; want Renamed, kept, 2", u.Name, u.PasswordHash == hash, u.Version)
		}

		// A role change records user_roles_updated too, as on every face.
		rows[1].Role = "user"
		fourth := mustImport(t, svc, acme.key, core.MatchEmail, rows...)
		if got, want := statuses(fourth), []string{"unchanged", "updated", "unchanged"}; !slices.Equal(got, want) {
			t.Fatalf("fourth import: got %v, want %v", got, want)
		}
		roles := events(t, st, acme.Tenant.ID, core.EventUserRolesUpdated)
		if len(roles) != 1 || roles[0].SubjectID != strconv.FormatInt(first[1].ID, 10) {
			t.Fatalf("user_roles_updated events: got %+v, want one about user %d", roles, first[1].ID)
		}
		var p struct{ Roles, PreviousRoles []string }
		if err := json.Unmarshal(roles[0].Payload, &p); err != nil || !slices.Equal(p.Roles, []string{core.RoleClientUser}) || !slices.Equal(p.PreviousRoles, []string{core.RoleClientAdmin}) {
			t.Errorf("user_roles_updated payload %s (%v): want roles [clientUser], previousRoles [clientAdmin]", roles[0].Payload, err)
		}
	})
}

// A row naming another tenant's user is refused as a create would be, and
// that user is left exactly as it was; ids of the batch stay in the
// actor's tenant.
func TestImportUsers_CrossTenant(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		acme, globex := createTenant(t, svc, "Acme"), createTenant(t, svc, "Globex")
		theirs := createUser(t, svc, globex, core.CreateUser{Email: "theirs@example.com", Name: "Theirs", ExternalID: "shared-ext"})
		before := takeCensus(t, st, globex.Tenant.ID)

		rows := []core.ImportUser{importRow("THEIRS@example.com", "Stolen", "stolen-password-1"), importRow("mine@example.com", "Mine", "")}
		rows[1].ExternalID = "shared-ext" // another tenant's externalId is no collision
		results := mustImport(t, svc, acme.key, core.MatchEmail, rows...)
		if got, want := statuses(results), []string{"error:email", "created"}; !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		if results[0].Err.Code != core.Conflict || results[0].Err.Message != "is already taken" || results[0].ID != 0 {
			t.Errorf("row 0: got %v id %d, want the create conflict and no id", results[0].Err, results[0].ID)
		}
		wantSameCensus(t, st, before)
		if got := storedUser(t, st, theirs); got.Name != "Theirs" || got.PasswordHash != theirs.PasswordHash || got.Version != theirs.Version {
			t.Errorf("another tenant's user changed: name %q version %d", got.Name, got.Version)
		}
		// By externalId, another tenant's externalId matches nothing: a
		// create, whose email is then taken.
		row := importRow("theirs@example.com", "", "")
		row.ExternalID = "shared-ext-2"
		results = mustImport(t, svc, acme.key, core.MatchExternalID, row)
		if got, want := statuses(results), []string{"error:email"}; !slices.Equal(got, want) {
			t.Errorf("by externalId: got %v, want %v", got, want)
		}
		wantSameCensus(t, st, before)
	})
}

func TestImportUsers_ByExternalID(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		u := createUser(t, svc, acme, core.CreateUser{Email: "old@example.com", Name: "Old", ExternalID: "00u1"})

		moved := importRow("new@example.com", "New", "")
		moved.ExternalID = "00u1"
		fresh := importRow("fresh@example.com", "", "")
		fresh.ExternalID = "00u2"
		missing := importRow("noext@example.com", "", "")
		results := mustImport(t, svc, acme.key, core.MatchExternalID, moved, fresh, missing)
		if got, want := statuses(results), []string{"updated", "created", "error:externalId"}; !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		if results[0].ID != u.ID {
			t.Errorf("row 0: got id %d, want %d", results[0].ID, u.ID)
		}
		got := storedUser(t, st, u)
		if got.Email != "new@example.com" || got.Name != "New" {
			t.Errorf("got email %q name %q, want new@example.com New", got.Email, got.Name)
		}
		upd := events(t, st, acme.Tenant.ID, core.EventUserUpdated)
		if len(upd) != 1 || !slices.Equal(decodeUserEvent(t, upd[0]).Changed, []string{"email", "name"}) {
			t.Errorf("user_updated: got %d events, want one naming [email name]", len(upd))
		}
		// Matching by email, a row whose externalId belongs to another user
		// of the tenant is refused.
		clash := importRow("fresh@example.com", "", "")
		clash.ExternalID = "00u1"
		results = mustImport(t, svc, acme.key, core.MatchEmail, clash)
		if got, want := statuses(results), []string{"error:externalId"}; !slices.Equal(got, want) {
			t.Errorf("externalId clash: got %v, want %v", got, want)
		}
	})
}

// Bad rows are refused one by one, naming the field, and never stop the
// rows around them; a refused hash is never repeated.
func TestImportUsers_BadRows(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		acme, globex := createTenant(t, svc, "Acme"), createTenant(t, svc, "Globex")
		team, err := svc.CreateTeam(t.Context(), globex.key, "Theirs")
		if err != nil {
			t.Fatal(err)
		}
		const badHash = "$2b$10$notavalidbcrypthashatallnotavalidbcrypthash"
		both := importRow("both@example.com", "", "both-password-1")
		both.PasswordHash = bcryptOf(t, "x-password-1")
		bad := importRow("badhash@example.com", "", "")
		bad.PasswordHash = badHash
		unknown := importRow("unknownhash@example.com", "", "")
		unknown.PasswordHash = "$md5$secretsalt$secretdigest"
		foreignTeam := importRow("team@example.com", "", "")
		foreignTeam.TeamID = &team.ID
		role := importRow("role@example.com", "", "")
		role.Role = "superuser"
		lang := importRow("lang@example.com", "", "")
		lang.Language = "en_US"
		rows := []core.ImportUser{
			importRow("ok1@example.com", "", ""),
			importRow("not-an-email", "", ""),
			importRow("short@example.com", "", "short"),
			both, bad, unknown, foreignTeam, role, lang,
			importRow("OK1@example.com", "", ""), // repeats row 0
			importRow("ok2@example.com", "", ""),
		}
		results := mustImport(t, svc, acme.key, core.MatchEmail, rows...)
		want := []string{"created", "error:email", "error:password", "error:password_hash", "error:password_hash",
			"error:password_hash", "error:teamId", "error:role", "error:language", "error:email", "created"}
		if got := statuses(results); !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		for _, r := range results {
			if r.Err == nil {
				continue
			}
			for _, secret := range []string{badHash, "secretsalt", "secretdigest", "short"} {
				if strings.Contains(r.Err.Message, secret) {
					t.Errorf("error %q repeats %q", r.Err.Message, secret)
				}
			}
		}
		if !strings.Contains(results[5].Err.Message, "bcrypt") || !strings.Contains(results[4].Err.Message, "bcrypt") {
			t.Errorf("hash errors: got %q and %q, want them to name the formats", results[4].Err.Message, results[5].Err.Message)
		}
		if got := len(allUsers(t, st, acme.Tenant.ID)); got != 3 {
			t.Errorf("users: got %d, want the admin and two imported", got)
		}
	})
}

func TestImportUsers_Refusals(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		_, readKey, err := svc.CreateAPIKey(t.Context(), acme.key, core.CreateAPIKey{Name: "read", Scopes: []string{core.ScopeUsersRead}})
		if err != nil {
			t.Fatal(err)
		}
		reader, err := svc.AuthenticateAPIKey(t.Context(), readKey)
		if err != nil {
			t.Fatal(err)
		}
		before := takeCensus(t, st, acme.Tenant.ID)
		rows := []core.ImportUser{importRow("a@example.com", "", "")}
		_, err = svc.ImportUsers(t.Context(), reader, core.MatchEmail, rows)
		wantError(t, err, core.Forbidden, "")
		_, err = svc.ImportUsers(t.Context(), acme.key, "phone", rows)
		wantError(t, err, core.Invalid, "match")
		_, err = svc.ImportUsers(t.Context(), acme.key, core.MatchEmail, make([]core.ImportUser, core.MaxImportBatch+1))
		wantError(t, err, core.Invalid, "users")
		wantSameCensus(t, st, before)
	})
}

// BenchmarkImportUsersBatch imports one batch of 1,000 users with
// pre-hashed (bcrypt) passwords through the core per iteration, on each
// store.
func BenchmarkImportUsersBatch(b *testing.B) {
	const batch = 1000
	hash := "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"
	forEachBenchStore(b, func(b *testing.B, st core.Store) {
		pool, err := core.NewHashPool(core.HashPoolConfig{Params: cheapArgon2})
		if err != nil {
			b.Fatal(err)
		}
		svc := core.NewService(st, pool)
		out, err := svc.CreateTenant(b.Context(), core.CreateTenant{Name: "Bench"})
		if err != nil {
			b.Fatal(err)
		}
		actor := core.OperatorFor(out.Tenant)
		b.Logf("batch=%d users, pre-hashed bcrypt, cores=%d", batch, runtime.NumCPU())
		rows := make([]core.ImportUser, batch)
		n := 0
		for b.Loop() {
			for i := range rows {
				rows[i] = core.ImportUser{CreateUser: core.CreateUser{Email: fmt.Sprintf("u%d@bench.example", n), Name: "Bench User"}, PasswordHash: hash}
				n++
			}
			results, err := svc.ImportUsers(b.Context(), actor, core.MatchEmail, rows)
			if err != nil {
				b.Fatal(err)
			}
			if results[batch-1].Status != core.ImportCreated {
				b.Fatalf("last row: got %s, want created", results[batch-1].Status)
			}
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "users/s")
	})
}

// forEachBenchStore runs fn on a fresh SQLite file and on a fresh
// PostgreSQL database (when ROSTER_TEST_POSTGRES_URL is set).
func forEachBenchStore(b *testing.B, fn func(b *testing.B, st core.Store)) {
	b.Run("sqlite", func(b *testing.B) {
		st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		if err := st.Migrate(context.Background()); err != nil {
			b.Fatal(err)
		}
		fn(b, st)
	})
	b.Run("postgres", func(b *testing.B) { fn(b, pgtest.OpenStore(b)) })
}
