package openapi_test

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

// importOperations are the operations TestImportMatchesDocument covers.
var importOperations = covers("TestImportMatchesDocument", "POST /api/v1/users/import")

// TestImportMatchesDocument drives the NDJSON import through the document.
// libopenapi-validator decodes an application/x-ndjson body as one JSON
// value, so a body of several lines cannot be validated whole: doNDJSON
// validates each request line and each response line on its own against
// the document's line schemas. Problem answers are plain JSON and go
// through the usual exchange.
func TestImportMatchesDocument(t *testing.T) {
	c := newContract(t)
	env, _ := newServer(t, core.HashPoolConfig{})
	acme := env.NewTenant(t, "Acme")
	_, readOnly, err := env.Service.CreateAPIKey(t.Context(), core.OperatorFor(acme.Tenant),
		core.CreateAPIKey{Name: "read", Scopes: []string{core.ScopeUsersRead}})
	if err != nil {
		t.Fatal(err)
	}
	ndjson := []string{"Authorization", "Bearer " + acme.APIKey, "Content-Type", "application/x-ndjson"}
	const bcryptHash = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"

	for _, ex := range []exchange{
		{name: "import: every field", method: "POST", path: "/api/v1/users/import", headers: ndjson, status: 200,
			body: `{"email":"one@example.com","name":"One","password_hash":"` + bcryptHash + `","role":"clientAdmin","active":true,` +
				`"emailFilteringEnabled":false,"notifications":true,"language":"pt-BR","timezone":"Europe/Paris","phone":"+5511999999999",` +
				`"imageUrl":"https://example.com/one.png","externalId":"00u1","external_system_reference1":"crm-1","string1":"s1",` +
				`"notificationPreferences":[{"event":"user_created","deliveryPref":["email"]}]}` + "\n" +
				`{"email":"two@example.com","displayName":"Two","password":"two-password-1","role_id":1}` + "\n"},
		{name: "import: by externalId, one unchanged, one refused", method: "POST", path: "/api/v1/users/import?match=externalId", headers: ndjson, status: 200,
			body: `{"email":"one@example.com","externalId":"00u1"}` + "\n" + `{"email":"three@example.com"}` + "\n"},
	} {
		c.doNDJSON(t, env.URL, ex)
	}
	// A bad line is that line's result: its request line breaks the
	// document (an unknown member), its result line follows it.
	c.doNDJSON(t, env.URL, exchange{name: "import: a line with an unknown member", method: "POST", path: "/api/v1/users/import",
		headers: ndjson, status: 200, body: `{"email":"four@example.com","displayname":"Typo"}` + "\n", invalid: true})

	for _, ex := range []exchange{
		{name: "import: no credential", method: "POST", path: "/api/v1/users/import", headers: []string{"Content-Type", "application/x-ndjson"},
			body: `{"email":"x@example.com"}`, status: 401, invalid: true},
		{name: "import: read-only key", method: "POST", path: "/api/v1/users/import",
			headers: []string{"Authorization", "Bearer " + readOnly, "Content-Type", "application/x-ndjson"}, body: `{"email":"x@example.com"}`, status: 403},
		{name: "import: a JSON body", method: "POST", path: "/api/v1/users/import", headers: apitest.Bearer(acme.APIKey),
			body: `{"email":"x@example.com"}`, status: 415, invalid: true},
		{name: "import: unknown match", method: "POST", path: "/api/v1/users/import?match=phone", headers: ndjson,
			body: `{"email":"x@example.com"}`, status: 400, invalid: true},
	} {
		c.do(t, env.URL, ex)
	}
	c.wantExercised(t, importOperations)
	env.AssertNoSecrets(t, acme.APIKey, readOnly, bcryptHash, "two-password-1")
}

// doNDJSON sends ex, whose body is NDJSON, checks the status and the media
// type, and validates each body line (request and response) against the
// document as if it were the whole body. ex.invalid says some request line
// breaks the document.
func (c *contract) doNDJSON(t *testing.T, baseURL string, ex exchange) {
	t.Helper()
	res, err := http.DefaultClient.Do(buildRequest(t, baseURL, ex))
	if err != nil {
		t.Fatalf("%s: %v", ex.name, err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatalf("%s: read the response: %v", ex.name, err)
	}
	if res.StatusCode != ex.status || res.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("%s: got %d %s, want %d application/x-ndjson; body %s", ex.name, res.StatusCode, res.Header.Get("Content-Type"), ex.status, body)
	}
	lineOf := func(line string) exchange {
		one := ex
		one.body = line
		return one
	}
	anyInvalid := false
	for line := range strings.SplitSeq(strings.TrimSpace(ex.body), "\n") {
		ok, errs := c.validator.ValidateHttpRequest(buildRequest(t, baseURL, lineOf(line)))
		if !ok && !ex.invalid {
			t.Errorf("%s: the document refuses the request line %s:\n%s", ex.name, line, describe(errs))
		}
		anyInvalid = anyInvalid || !ok
	}
	if ex.invalid && !anyInvalid {
		t.Errorf("%s: the document accepts every request line, which the server refuses", ex.name)
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	lines := 0
	for sc.Scan() {
		lines++
		req := buildRequest(t, baseURL, lineOf(`{"email":"line@example.com"}`))
		one := *res
		one.Body = io.NopCloser(bytes.NewReader(sc.Bytes()))
		one.Request = req
		if ok, errs := c.validator.ValidateHttpResponse(req, &one); !ok {
			t.Errorf("%s: the response line %s does not match the document:\n%s", ex.name, sc.Text(), describe(errs))
		}
	}
	if lines < 2 {
		t.Errorf("%s: got %d response lines, want results and a summary", ex.name, lines)
	}
	route, err := c.router.FindRoute(buildRequest(t, baseURL, ex))
	if err != nil || route.Operation == nil {
		t.Fatalf("%s: %s %s is not a documented operation (%v)", ex.name, ex.method, ex.path, err)
	}
	c.mu.Lock()
	c.exercised[strings.ToUpper(route.Method)+" "+route.Path] = true
	c.mu.Unlock()
}
