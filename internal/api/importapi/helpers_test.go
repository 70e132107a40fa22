package importapi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

const importPath = "/api/v1/users/import"

// resultLine is one NDJSON line of the answer: a row's result, the summary,
// or the error that ended the stream.
type resultLine struct {
	Line    *int   `json:"line"`
	Email   string `json:"email"`
	Status  string `json:"status"`
	ID      int64  `json:"id"`
	Error   any    `json:"error"`
	Field   string `json:"field"`
	Summary *struct {
		Created   int `json:"created"`
		Updated   int `json:"updated"`
		Unchanged int `json:"unchanged"`
		Error     int `json:"error"`
	} `json:"summary"`
}

// ndjson joins lines into an NDJSON body.
func ndjson(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// doImport posts body as NDJSON with key and returns the response.
func doImport(t *testing.T, env *apitest.Env, key, query, body string) apitest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, importPath+query, body,
		"Authorization", "Bearer "+key, "Content-Type", "application/x-ndjson")
}

// parseResults splits a 200 NDJSON answer into its lines, strictly.
func parseResults(t *testing.T, r apitest.Response) []resultLine {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("got status %d %s, want 200", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Fatalf("got Content-Type %q, want application/x-ndjson", ct)
	}
	var out []resultLine
	sc := bufio.NewScanner(bytes.NewReader(r.Body))
	for sc.Scan() {
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		var l resultLine
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("result line %q: %v", sc.Text(), err)
		}
		out = append(out, l)
	}
	return out
}

// rowsAndSummary checks that the last line is the summary and returns the
// row lines.
func rowsAndSummary(t *testing.T, lines []resultLine) ([]resultLine, resultLine) {
	t.Helper()
	if len(lines) == 0 || lines[len(lines)-1].Summary == nil {
		t.Fatalf("got %d lines without a summary last: %+v", len(lines), lines)
	}
	return lines[:len(lines)-1], lines[len(lines)-1]
}

// statusesOf returns "line:status[:field]" for each row line.
func statusesOf(rows []resultLine) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		s := r.Status
		if r.Field != "" {
			s += ":" + r.Field
		}
		line := -1
		if r.Line != nil {
			line = *r.Line
		}
		out[i] = itoa(line) + ":" + s
	}
	return out
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// login posts to /api/auth/login and returns the status.
func login(t *testing.T, env *apitest.Env, email, password string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	return env.Do(t, http.MethodPost, "/api/auth/login", string(body)).Status
}

// storedByEmail returns the tenant's user with that email.
func storedByEmail(t *testing.T, env *apitest.Env, tenantID int64, email string) core.User {
	t.Helper()
	list, err := env.Store.ListUsers(t.Context(), tenantID, core.UserFilter{Email: email, Limit: 1})
	if err != nil || len(list) != 1 {
		t.Fatalf("user %s of tenant %d: got %d users, %v", email, tenantID, len(list), err)
	}
	return list[0]
}
