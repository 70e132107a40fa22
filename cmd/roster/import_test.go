package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/importer"
)

// crypt_blowfish's test vector: the password "U*U".
const importTestHash = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"

// importCSV has a header, two good rows and three refused ones (a bad
// email, an unknown role, a cell that is not a boolean).
const importCSV = `email,name,password_hash,role,active,externalId
ann@example.com,Ann,` + importTestHash + `,clientAdmin,true,ext-1
bob@example.com,"Bob, Jr.",,,false,
not-an-email,Bad,,,,
carol@example.com,Carol,` + importTestHash + `,superuser,,
dan@example.com,Dan,,,maybe,
`

// importJSONL has three good lines, a blank one and two refused ones.
const importJSONL = `{"email":"erin@example.com","name":"Erin","password_hash":"` + importTestHash + `"}
{"email":"frank@example.com","displayName":"Frank","password":"frank-password-1","externalId":"ext-2"}

not json
{"email":"gina@example.com","nmae":"Typo"}
{"email":"hank@example.com"}
`

// csvRefusals are importCSV's refused rows: "line:field:error".
var csvRefusals = []string{
	"4:email:must be a single email address such as name@example.com",
	"5:role:must be one of clientUser, editor, clientAdmin or a custom role's key",
	"6:active:must be true or false",
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// errorLines reads an errors file.
func errorLines(t *testing.T, path string) []importer.ErrorLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []importer.ErrorLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l importer.ErrorLine
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("errors file line %q: %v", sc.Text(), err)
		}
		out = append(out, l)
	}
	return out
}

// brief is "line:field:error" of each errors file line.
func brief(lines []importer.ErrorLine) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = fmt.Sprintf("%d:%s:%s", l.Line, l.Field, l.Error)
	}
	return out
}

func TestImportCommand(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, db string) {
		var tenant tenantCreatedJSON
		if err := json.Unmarshal([]byte(mustRoster(t, db, "tenant", "create", "--name", "Acme", "--json")), &tenant); err != nil {
			t.Fatal(err)
		}
		svc := openTestService(t, db)
		tn, err := svc.TenantByClientID(context.Background(), tenant.ClientID)
		if err != nil {
			t.Fatal(err)
		}

		t.Run("CSV", func(t *testing.T) {
			path := writeFile(t, "users.csv", importCSV)
			out := mustRoster(t, db, "import", path, "--tenant", tenant.ClientID)
			want := fmt.Sprintf("imported %s: 2 created, 0 updated, 0 unchanged, 3 refused (reasons in %s.errors.jsonl)\n", path, path)
			if out != want {
				t.Errorf("stdout: got %q, want %q", out, want)
			}
			lines := errorLines(t, path+".errors.jsonl")
			if got := brief(lines); !slices.Equal(got, csvRefusals) {
				t.Errorf("errors file: got %q, want %q", got, csvRefusals)
			}
			if lines[1].Email != "carol@example.com" || lines[1].Row["name"] != "Carol" || lines[1].Row["password_hash"] != nil {
				t.Errorf("errors file row: got %+v, want carol's row without its hash", lines[1])
			}
			if b, _ := os.ReadFile(path + ".errors.jsonl"); strings.Contains(string(b), importTestHash) {
				t.Errorf("the errors file holds a password hash")
			}
			if _, err := os.Stat(importer.CheckpointPath(path)); !os.IsNotExist(err) {
				t.Errorf("checkpoint after a complete import: got %v, want none", err)
			}
			page, err := svc.ListUsers(context.Background(), core.OperatorFor(tn), core.UserFilter{Email: "bob@example.com"})
			if err != nil || len(page.Users) != 1 || page.Users[0].Name != "Bob, Jr." || page.Users[0].Active {
				t.Fatalf("bob: got %+v, %v", page.Users, err)
			}
			ann, err := svc.ListUsers(context.Background(), core.OperatorFor(tn), core.UserFilter{Email: "ann@example.com"})
			if err != nil || len(ann.Users) != 1 || ann.Users[0].PasswordHash != importTestHash || ann.Users[0].Role != core.RoleClientAdmin || ann.Users[0].ExternalID != "ext-1" {
				t.Fatalf("ann: got %+v, %v", ann.Users, err)
			}
			// Again: nothing changes.
			out = mustRoster(t, db, "import", path, "--tenant", tenant.ClientID)
			if !strings.Contains(out, ": 0 created, 0 updated, 2 unchanged, 3 refused") {
				t.Errorf("second run: got %q, want 2 unchanged", out)
			}
		})

		t.Run("JSONL", func(t *testing.T) {
			path := writeFile(t, "users.jsonl", importJSONL)
			errorsPath := filepath.Join(t.TempDir(), "refused.jsonl")
			out := mustRoster(t, db, "import", path, "--tenant", tenant.ClientID, "--errors", errorsPath)
			if !strings.Contains(out, ": 3 created, 0 updated, 0 unchanged, 2 refused (reasons in "+errorsPath+")") {
				t.Errorf("stdout: got %q", out)
			}
			got := brief(errorLines(t, errorsPath))
			want := []string{"4::the line is not valid JSON", "5:nmae:is not a known field"}
			if !slices.Equal(got, want) {
				t.Errorf("errors file: got %q, want %q", got, want)
			}
			if b, _ := os.ReadFile(errorsPath); strings.Contains(string(b), "frank-password-1") {
				t.Errorf("the errors file holds a password")
			}
			// By externalId, a line changes frank's email.
			moved := writeFile(t, "moved.ndjson", `{"email":"franklin@example.com","externalId":"ext-2"}`+"\n")
			out = mustRoster(t, db, "import", moved, "--tenant", tenant.ClientID, "--match", "externalId")
			if !strings.Contains(out, ": 0 created, 1 updated, 0 unchanged, 0 refused") {
				t.Errorf("by externalId: got %q", out)
			}
		})

		t.Run("Refusals", func(t *testing.T) {
			path := writeFile(t, "users.jsonl", importJSONL)
			if err := importer.SaveCheckpoint(importer.CheckpointPath(path), importer.Checkpoint{InputSize: int64(len(importJSONL))}); err != nil {
				t.Fatal(err)
			}
			cases := []struct {
				args []string
				want string
			}{
				{[]string{"import", path}, "give either --tenant (import into the store) or --server (import through a server)"},
				{[]string{"import", path, "--tenant", tenant.ClientID, "--server", "http://127.0.0.1:1"}, "give either --tenant"},
				{[]string{"import", path, "--server", "http://127.0.0.1:1"}, "--server needs --api-key"},
				{[]string{"import", path, "--tenant", tenant.ClientID}, "run again with --resume to continue it"},
				{[]string{"import", path, "--tenant", "clt_nosuchtenantnosuchtena"}, "no such tenant"},
				{[]string{"import", path, "--tenant", tenant.ClientID, "--match", "phone"}, `--match "phone": must be email or externalId`},
				{[]string{"import", writeFile(t, "users.txt", "x"), "--tenant", tenant.ClientID}, "use --format csv or --format jsonl"},
				{[]string{"import", writeFile(t, "bad.csv", "email,nmae\n"), "--tenant", tenant.ClientID}, `column 2 "nmae" is not a known field`},
			}
			for _, c := range cases {
				code, _, stderr := roster(t, db, c.args...)
				if code == 0 || !strings.Contains(stderr, c.want) {
					t.Errorf("roster %s: got exit %d, stderr %q; want a failure saying %q", strings.Join(c.args, " "), code, stderr, c.want)
				}
			}
		})
	})
}

// roster import --server streams to POST /api/v1/users/import of a running
// server, with the same results and errors file as against the store.
func TestImportCommandThroughServer(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		path := writeFile(t, "users.csv", importCSV)
		db := filepath.Join(t.TempDir(), "unused.db")
		out := mustRoster(t, db, "import", path, "--server", env.URL, "--api-key", acme.APIKey, "--batch-size", "2")
		if !strings.Contains(out, ": 2 created, 0 updated, 0 unchanged, 3 refused") {
			t.Errorf("stdout: got %q", out)
		}
		if got := brief(errorLines(t, path+".errors.jsonl")); !slices.Equal(got, csvRefusals) {
			t.Errorf("errors file: got %q, want %q", got, csvRefusals)
		}
		if n, err := env.Store.CountUsers(t.Context(), acme.Tenant.ID, core.UserFilter{}); err != nil || n != 3 {
			t.Errorf("users: got %d, %v; want the admin and 2", n, err)
		}
		code, _, stderr := roster(t, db, "import", writeFile(t, "again.csv", importCSV), "--server", env.URL, "--api-key", "bdk_wrongwrongwrongwrongwrongwrongwrong")
		if code == 0 || !strings.Contains(stderr, "the server refused the import (401") {
			t.Errorf("bad key: got exit %d, stderr %q", code, stderr)
		}
		env.AssertNoSecrets(t, acme.APIKey, importTestHash)
	})
}

// A roster import killed with SIGKILL in the middle, then run again with
// --resume, imports every row exactly once: one user and one user_created
// event per good row, and each refused row once in the errors file.
func TestImportKillResume(t *testing.T) {
	bin := rosterBinary(t)
	forEachDatabase(t, func(t *testing.T, db string) {
		tenant := createTenantWithBinary(t, bin, db, "Resume")
		const rows = 20000
		var b strings.Builder
		bad := 0
		for i := range rows {
			if i%997 == 500 {
				fmt.Fprintf(&b, `{"email":"bad-%d@","name":"Bad"}`+"\n", i)
				bad++
				continue
			}
			fmt.Fprintf(&b, `{"email":"user-%d@example.com","name":"User %d","password_hash":"%s"}`+"\n", i, i, importTestHash)
		}
		path := writeFile(t, "users.jsonl", b.String())
		cp := importer.CheckpointPath(path)

		args := append(append([]string{"--database", db}, cheapHashing...), "import", path, "--tenant", tenant.ClientID, "--batch-size", "100")
		cmd := exec.Command(bin, args...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill it once a few batches are committed, mid-import.
		deadline := time.Now().Add(60 * time.Second)
		for {
			if c, ok, _ := importer.LoadCheckpoint(cp); ok && c.Summary.Rows() >= 1000 {
				break
			}
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				t.Fatalf("no checkpoint of 1000 rows within 60s; stderr:\n%s", stderr.String())
			}
			time.Sleep(2 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err == nil {
			t.Fatal("the killed import exited 0")
		}
		before, ok, err := importer.LoadCheckpoint(cp)
		if err != nil || !ok || before.Summary.Rows() >= rows {
			t.Fatalf("checkpoint after the kill: %+v, %v, %v; want one part way", before, ok, err)
		}
		t.Logf("killed after %d rows committed (checkpoint)", before.Summary.Rows())

		out := runBinary(t, bin, db, "import", path, "--tenant", tenant.ClientID, "--resume", "--batch-size", "100")
		var created, unchanged, refused int
		if _, err := fmt.Sscanf(out[strings.Index(out, ": ")+2:], "%d created, 0 updated, %d unchanged, %d refused", &created, &unchanged, &refused); err != nil {
			t.Fatalf("resume output %q: %v", out, err)
		}
		// Rows of a batch committed after the last checkpoint are imported
		// again, as unchanged.
		if created+unchanged != rows-bad || refused != bad || unchanged > 1000 {
			t.Errorf("resume: got %d created, %d unchanged, %d refused; want %d imported once, %d refused", created, unchanged, refused, rows-bad, bad)
		}
		users, events := usersAndCreatedEvents(t, db, tenant.ClientID)
		if len(users) != rows-bad+1 { // and the admin
			t.Errorf("users: got %d, want %d", len(users), rows-bad+1)
		}
		for id, email := range users {
			if events[id] != 1 {
				t.Errorf("user %d (%s): %d user_created events, want 1", id, email, events[id])
			}
		}
		seen := map[int]int{}
		for _, l := range errorLines(t, path+".errors.jsonl") {
			seen[l.Line]++
		}
		if len(seen) != bad {
			t.Errorf("errors file: got %d distinct lines, want %d", len(seen), bad)
		}
		for line, n := range seen {
			if n != 1 {
				t.Errorf("errors file: line %d appears %d times, want once", line, n)
			}
		}
		if _, err := os.Stat(cp); !os.IsNotExist(err) {
			t.Errorf("checkpoint after the resumed import: %v, want none", err)
		}
	})
}
