package importapi_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

// Upsert by email: the first import creates, the same lines again change
// nothing, a changed line updates; results come one per line with ids.
func TestImport_UpsertByEmail(t *testing.T) {
	t.Parallel()
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		body := ndjson(
			`{"email":"Ann@Example.com","name":"Ann","password":"ann-password-1","role":"clientAdmin","externalId":"00u1"}`,
			`{"email":"bob@example.com","displayName":"Bob","active":false,"language":"pt-BR"}`,
		)
		rows, sum := rowsAndSummary(t, parseResults(t, doImport(t, env, acme.APIKey, "", body)))
		if got, want := statusesOf(rows), []string{"1:created", "2:created"}; !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		if s := sum.Summary; s.Created != 2 || s.Updated != 0 || s.Unchanged != 0 || s.Error != 0 {
			t.Errorf("summary: got %+v, want 2 created", *sum.Summary)
		}
		ann := storedByEmail(t, env, acme.Tenant.ID, "ann@example.com")
		if rows[0].ID != ann.ID || rows[0].Email != "Ann@Example.com" || ann.Role != core.RoleClientAdmin || ann.ExternalID != "00u1" {
			t.Errorf("ann: result id %d email %q, stored role %q externalId %q", rows[0].ID, rows[0].Email, ann.Role, ann.ExternalID)
		}
		bob := storedByEmail(t, env, acme.Tenant.ID, "bob@example.com")
		if bob.Name != "Bob" || bob.Active || bob.Language != "pt-BR" {
			t.Errorf("bob: got name %q active %v language %q", bob.Name, bob.Active, bob.Language)
		}
		if got := login(t, env, "ann@example.com", "ann-password-1"); got != http.StatusOK {
			t.Errorf("ann's login: got %d, want 200", got)
		}

		rows, _ = rowsAndSummary(t, parseResults(t, doImport(t, env, acme.APIKey, "?match=email", body)))
		if got, want := statusesOf(rows), []string{"1:unchanged", "2:unchanged"}; !slices.Equal(got, want) {
			t.Fatalf("again: got %v, want %v", got, want)
		}
		rows, _ = rowsAndSummary(t, parseResults(t, doImport(t, env, acme.APIKey, "",
			ndjson(`{"email":"bob@example.com","name":"Robert","active":true}`))))
		if got, want := statusesOf(rows), []string{"1:updated"}; !slices.Equal(got, want) || rows[0].ID != bob.ID {
			t.Fatalf("update: got %v id %d, want %v id %d", got, rows[0].ID, want, bob.ID)
		}
		updated, err := env.Store.ListEvents(t.Context(), acme.Tenant.ID, core.EventFilter{Type: core.EventUserUpdated, Limit: 10})
		if err != nil || len(updated) != 1 {
			t.Fatalf("user_updated events: got %d, %v; want 1", len(updated), err)
		}
		var p struct {
			Changed []string `json:"changed"`
		}
		if err := json.Unmarshal(updated[0].Payload, &p); err != nil || !slices.Equal(p.Changed, []string{"name", "active"}) {
			t.Errorf("changed: got %v (%v), want [name active]", p.Changed, err)
		}
		env.AssertNoSecrets(t, "ann-password-1")
	})
}

func TestImport_UpsertByExternalID(t *testing.T) {
	t.Parallel()
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		parseResults(t, doImport(t, env, acme.APIKey, "", ndjson(`{"email":"old@example.com","externalId":"okta-7"}`)))
		old := storedByEmail(t, env, acme.Tenant.ID, "old@example.com")
		rows, _ := rowsAndSummary(t, parseResults(t, doImport(t, env, acme.APIKey, "?match=externalId", ndjson(
			`{"email":"new@example.com","externalId":"okta-7","name":"Renamed"}`,
			`{"email":"other@example.com","externalId":"okta-8"}`,
			`{"email":"noid@example.com"}`,
		))))
		if got, want := statusesOf(rows), []string{"1:updated", "2:created", "3:error:externalId"}; !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		if rows[0].ID != old.ID {
			t.Errorf("row 1: got id %d, want %d", rows[0].ID, old.ID)
		}
		if got := storedByEmail(t, env, acme.Tenant.ID, "new@example.com"); got.ID != old.ID || got.Name != "Renamed" {
			t.Errorf("got id %d name %q, want %d Renamed", got.ID, got.Name, old.ID)
		}
		if rows[2].Error != "is required when matching by externalId" {
			t.Errorf("row 3 error: got %v", rows[2].Error)
		}
	})
}

// A line naming another tenant's user is that line's error, exactly as a
// create would be refused, and the other tenant's user is untouched; the
// other lines go on.
func TestImport_CrossTenant(t *testing.T) {
	t.Parallel()
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme, globex := env.NewTenant(t, "Acme"), env.NewTenant(t, "Globex")
		victim := globex.Admin
		before := storedByEmail(t, env, globex.Tenant.ID, victim.Email)
		body := ndjson(
			fmt.Sprintf(`{"email":%q,"name":"Hijacked","password":"hijack-password-1","role":"clientAdmin"}`, strings.ToUpper(victim.Email)),
			`{"email":"mine@example.com"}`,
		)
		for _, query := range []string{"", "?match=email"} {
			rows, _ := rowsAndSummary(t, parseResults(t, doImport(t, env, acme.APIKey, query, body)))
			if got := statusesOf(rows); got[0] != "1:error:email" || rows[0].Error != "is already taken" || rows[0].ID != 0 {
				t.Fatalf("row 1: got %v %q id %d, want the create conflict", got, rows[0].Error, rows[0].ID)
			}
		}
		after := storedByEmail(t, env, globex.Tenant.ID, victim.Email)
		if after.Name != before.Name || after.PasswordHash != before.PasswordHash || after.Version != before.Version || after.Role != before.Role {
			t.Errorf("another tenant's user changed")
		}
		if got := login(t, env, victim.Email, "hijack-password-1"); got != http.StatusUnauthorized {
			t.Errorf("login with the imported password: got %d, want 401", got)
		}
		// Globex's own import cannot see Acme's users either.
		rows, _ := rowsAndSummary(t, parseResults(t, doImport(t, env, globex.APIKey, "", ndjson(`{"email":"mine@example.com","name":"Stolen"}`))))
		if got := statusesOf(rows); !slices.Equal(got, []string{"1:error:email"}) {
			t.Errorf("globex importing acme's user: got %v, want the conflict", got)
		}
	})
}

// Bad lines are each their own error result, naming the field where there
// is one, and never end the stream; blank lines are skipped but counted.
func TestImport_BadLines(t *testing.T) {
	t.Parallel()
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		long := `{"email":"long@example.com","name":"` + strings.Repeat("x", 70_000) + `"}`
		body := ndjson(
			`{"email":"ok1@example.com"}`,
			`not json at all`,
			``,
			`{"email":"typo@example.com","displayname":"Typo"}`,
			`{"email":"type@example.com","active":"yes"}`,
			long,
			`{"email":"hash@example.com","password_hash":"$2b$10$tooshort"}`,
			`{"email":"both@example.com","password":"password-123","password_hash":"$2b$10$tooshort"}`,
			`["an","array"]`,
			`{"email":"ok1@example.com","name":"Again"}`,
			`{"email":"bad@","name":"x"}`,
			`{"email":"ok2@example.com"}`,
		)
		rows, sum := rowsAndSummary(t, parseResults(t, doImport(t, env, acme.APIKey, "", body)))
		want := []string{"1:created", "2:error", "4:error:displayname", "5:error:active", "6:error", "7:error:password_hash",
			"8:error:password_hash", "9:error", "10:error:email", "11:error:email", "12:created"}
		if got := statusesOf(rows); !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		wantErrors := map[int]string{
			2:  "the line is not valid JSON",
			4:  "is not a known field",
			5:  "must be true or false",
			6:  "the line is longer than the limit of 65536 bytes",
			9:  "the line must be a JSON object",
			10: "is already used by an earlier row of this import",
		}
		for _, r := range rows {
			if w, ok := wantErrors[*r.Line]; ok && r.Error != w {
				t.Errorf("line %d: got error %q, want %q", *r.Line, r.Error, w)
			}
			if s, _ := r.Error.(string); strings.Contains(s, "tooshort") {
				t.Errorf("line %d: the error repeats the hash", *r.Line)
			}
		}
		if sum.Summary.Created != 2 || sum.Summary.Error != 9 {
			t.Errorf("summary: got %+v, want 2 created, 9 errors", *sum.Summary)
		}
	})
}

// Refusals before the stream starts are problems, and store nothing.
func TestImport_RequestErrors(t *testing.T) {
	t.Parallel()
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		_, readKey, err := env.Service.CreateAPIKey(t.Context(), core.OperatorFor(acme.Tenant), core.CreateAPIKey{Name: "read", Scopes: []string{core.ScopeUsersRead}})
		if err != nil {
			t.Fatal(err)
		}
		body := ndjson(`{"email":"x@example.com"}`)
		cases := []struct {
			name       string
			headers    []string
			query      string
			wantStatus int
			wantDetail string
		}{
			{"no credentials", []string{"Content-Type", "application/x-ndjson"}, "", 401, ""},
			{"read-only key", []string{"Authorization", "Bearer " + readKey, "Content-Type", "application/x-ndjson"}, "", 403, "the credential lacks scope users:write"},
			{"JSON body", []string{"Authorization", "Bearer " + acme.APIKey, "Content-Type", "application/json"}, "", 415, "Content-Type must be application/x-ndjson: one JSON user per line"},
			{"bad match", []string{"Authorization", "Bearer " + acme.APIKey, "Content-Type", "application/x-ndjson"}, "?match=phone", 400, "match: must be email or externalId"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := env.Do(t, http.MethodPost, importPath+c.query, body, c.headers...)
				if r.Status != c.wantStatus || r.Header.Get("Content-Type") != "application/problem+json" {
					t.Fatalf("got %d %s %s, want %d problem+json", r.Status, r.Header.Get("Content-Type"), r.Body, c.wantStatus)
				}
				var p struct {
					Status int    `json:"status"`
					Detail string `json:"detail"`
				}
				r.JSON(t, &p)
				if p.Status != c.wantStatus || (c.wantDetail != "" && p.Detail != c.wantDetail) {
					t.Errorf("got problem %+v, want status %d detail %q", p, c.wantStatus, c.wantDetail)
				}
			})
		}
		if n, err := env.Store.CountUsers(t.Context(), acme.Tenant.ID, core.UserFilter{}); err != nil || n != 1 {
			t.Errorf("users: got %d, %v; want only the admin", n, err)
		}
	})
}

// More lines than a batch: every line gets its result, in order, and the
// first batch's results arrive while the body is still being sent.
func TestImport_StreamsBatches(t *testing.T) {
	t.Parallel()
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		const first, total = 500, 1203
		pr, pw := io.Pipe()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, env.URL+importPath, pr)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+acme.APIKey)
		req.Header.Set("Content-Type", "application/x-ndjson")
		write := func(from, to int) {
			for i := from; i < to; i++ {
				if _, err := fmt.Fprintf(pw, `{"email":"user%d@example.com","password_hash":"$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"}`+"\n", i); err != nil {
					t.Error(err)
					return
				}
			}
		}
		go write(0, first)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for i := range first {
			if !sc.Scan() {
				t.Fatalf("line %d of the first batch did not arrive: %v", i+1, sc.Err())
			}
		}
		// Only now is the rest of the body sent.
		go func() {
			write(first, total)
			pw.Close()
		}()
		n := first
		var last string
		for sc.Scan() {
			n++
			last = sc.Text()
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		if n != total+1 {
			t.Fatalf("got %d lines, want %d results and a summary", n, total+1)
		}
		if want := fmt.Sprintf(`{"summary":{"created":%d,"updated":0,"unchanged":0,"error":0}}`, total); last != want {
			t.Errorf("last line: got %s, want %s", last, want)
		}
		if c, err := env.Store.CountUsers(t.Context(), acme.Tenant.ID, core.UserFilter{}); err != nil || c != total+1 {
			t.Errorf("users: got %d, %v; want %d", c, err, total+1)
		}
	})
}
