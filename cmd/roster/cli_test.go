package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
	"github.com/rosterhq/roster/internal/store/postgres/pgtest"
)

// cheapHashing keeps argon2id fast in CLI tests; the parameters are still
// carried through the real flags.
var cheapHashing = []string{"--argon2-memory", "64", "--argon2-time", "1"}

// databases returns the database URLs the CLI tests run against: a SQLite
// file always, PostgreSQL when ROSTER_TEST_POSTGRES_URL is set.
func forEachDatabase(t *testing.T, fn func(t *testing.T, db string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "roster.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgtest.URL(t)) })
}

// roster runs the CLI in process and returns its exit code and output.
func roster(t *testing.T, db string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	full := append([]string{"--database", db}, cheapHashing...)
	code = run(context.Background(), append(full, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func mustRoster(t *testing.T, db string, args ...string) string {
	t.Helper()
	code, out, errOut := roster(t, db, args...)
	if code != 0 {
		t.Fatalf("roster %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func TestTenantCreateJSON(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, db string) {
		out := mustRoster(t, db, "tenant", "create", "--name", "Acme Corp", "--json")

		// Exactly the documented keys, no more.
		var keys map[string]any
		if err := json.Unmarshal([]byte(out), &keys); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, out)
		}
		want := []string{"accountId", "adminEmail", "adminPassword", "apiKey", "clientId", "subdomain"}
		if len(keys) != len(want) {
			t.Fatalf("keys: got %v, want %v", keys, want)
		}
		for _, k := range want {
			if s, ok := keys[k].(string); !ok || s == "" {
				t.Fatalf("key %q: got %#v, want a non-empty string", k, keys[k])
			}
		}
		var res tenantCreatedJSON
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		if !core.ValidClientID(res.ClientID) || res.Subdomain != "acme-corp" || !core.LooksLikeAPIKey(res.APIKey) {
			t.Fatalf("values: %+v", res)
		}
		if _, err := strconv.ParseInt(res.AccountID, 10, 64); err != nil {
			t.Fatalf("accountId %q is not a decimal string", res.AccountID)
		}

		// The printed key is accepted by the store, for that tenant; the
		// printed password is the clientAdmin's.
		svc := openTestService(t, db)
		actor, err := svc.AuthenticateAPIKey(context.Background(), res.APIKey)
		if err != nil {
			t.Fatalf("printed key refused: %v", err)
		}
		if actor.ClientID != res.ClientID {
			t.Fatalf("key's tenant: got %s, want %s", actor.ClientID, res.ClientID)
		}
		page, err := svc.ListUsers(context.Background(), actor, core.UserFilter{Email: res.AdminEmail})
		if err != nil || len(page.Users) != 1 {
			t.Fatalf("admin user: %v, %v", page.Users, err)
		}
		admin := page.Users[0]
		if admin.Role != core.RoleClientAdmin {
			t.Fatalf("admin role: got %s, want clientAdmin", admin.Role)
		}
		ok, _, err := svc.Hashes().Verify(context.Background(), res.AdminPassword, admin.PasswordHash)
		if err != nil || !ok {
			t.Fatalf("printed admin password does not verify: %v, %v", ok, err)
		}
	})
}

func TestTenantCreateRefusals(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	mustRoster(t, db, "tenant", "create", "--name", "Acme", "--subdomain", "acme")
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"MissingName", []string{"tenant", "create"}, `"name" not set`},
		{"BadSubdomain", []string{"tenant", "create", "--name", "X", "--subdomain", "Not_Valid"}, "subdomain"},
		{"TakenSubdomain", []string{"tenant", "create", "--name", "X", "--subdomain", "acme"}, "subdomain"},
		{"BadArgon2", []string{"--argon2-time", "0", "tenant", "create", "--name", "X"}, "argon2 time"},
		{"UnknownTenant", []string{"apikey", "list", "--tenant", "clt_000000000000000000000"}, "no such tenant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := roster(t, db, tt.args...)
			if code == 0 || !strings.Contains(errOut, tt.wantErr) {
				t.Fatalf("exit %d, stderr %q; want failure mentioning %q", code, errOut, tt.wantErr)
			}
		})
	}
}

func TestBadEnvironmentIsReported(t *testing.T) {
	t.Setenv("ROSTER_HASH_WORKERS", "many")
	code, _, errOut := roster(t, filepath.Join(t.TempDir(), "r.db"), "migrate")
	if code == 0 || !strings.Contains(errOut, "ROSTER_HASH_WORKERS") {
		t.Fatalf("exit %d, stderr %q; want a failure naming ROSTER_HASH_WORKERS", code, errOut)
	}
}

func TestAPIKeyLifecycle(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, db string) {
		var tenant tenantCreatedJSON
		if err := json.Unmarshal([]byte(mustRoster(t, db, "tenant", "create", "--name", "Keys", "--json")), &tenant); err != nil {
			t.Fatal(err)
		}
		var created apiKeyJSON
		out := mustRoster(t, db, "apikey", "create", "--tenant", tenant.ClientID, "--name", "zapier", "--scopes", "users:write,users:read", "--json")
		if err := json.Unmarshal([]byte(out), &created); err != nil {
			t.Fatal(err)
		}
		if !core.LooksLikeAPIKey(created.Key) || strings.Join(created.Scopes, ",") != "users:read,users:write" {
			t.Fatalf("created key: %+v", created)
		}

		var listed []apiKeyJSON
		if err := json.Unmarshal([]byte(mustRoster(t, db, "apikey", "list", "--tenant", tenant.ClientID, "--json")), &listed); err != nil {
			t.Fatal(err)
		}
		if len(listed) != 2 || listed[1].ID != created.ID || listed[1].Key != "" {
			t.Fatalf("listed keys: %+v; want 2, the new one last, no plaintext", listed)
		}
		if text := mustRoster(t, db, "apikey", "list", "--tenant", tenant.ClientID); strings.Contains(text, created.Key) || strings.Contains(text, tenant.APIKey) {
			t.Fatalf("apikey list prints a whole key:\n%s", text)
		}

		mustRoster(t, db, "apikey", "revoke", "--tenant", tenant.ClientID, "--id", strconv.FormatInt(created.ID, 10))
		svc := openTestService(t, db)
		if _, err := svc.AuthenticateAPIKey(context.Background(), created.Key); core.ErrorCodeOf(err) != core.Unauthenticated {
			t.Fatalf("revoked key: got %v, want unauthenticated", err)
		}
		if _, err := svc.AuthenticateAPIKey(context.Background(), tenant.APIKey); err != nil {
			t.Fatalf("the other key stopped working: %v", err)
		}

		// Another tenant cannot revoke this tenant's key.
		var other tenantCreatedJSON
		if err := json.Unmarshal([]byte(mustRoster(t, db, "tenant", "create", "--name", "Other", "--json")), &other); err != nil {
			t.Fatal(err)
		}
		code, _, _ := roster(t, db, "apikey", "revoke", "--tenant", other.ClientID, "--id", strconv.FormatInt(listed[0].ID, 10))
		if code == 0 {
			t.Fatal("revoking another tenant's key succeeded")
		}
		if _, err := svc.AuthenticateAPIKey(context.Background(), tenant.APIKey); err != nil {
			t.Fatalf("key revoked through another tenant: %v", err)
		}
	})
}

func TestVersion(t *testing.T) {
	out := mustRoster(t, filepath.Join(t.TempDir(), "r.db"), "version")
	if !strings.HasPrefix(out, "roster ") {
		t.Fatalf("version: got %q", out)
	}
}

// openTestService opens db as the CLI does, for assertions.
func openTestService(t *testing.T, db string) *core.Service {
	t.Helper()
	st, err := store.OpenMigrated(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pool, err := core.NewHashPool(core.HashPoolConfig{Params: core.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	return core.NewService(st, pool)
}
