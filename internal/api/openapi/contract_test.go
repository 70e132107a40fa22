package openapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/router"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/api/openapi"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/sqlite"
)

// contract holds exchanges with the running server to the document: every
// request and every response is validated, and the documented operations
// that were called are recorded.
type contract struct {
	model     *v3.Document
	validator validator.Validator
	// loose validates GET /openapi.json, whose body is the document itself:
	// strict mode would demand that the document's schema spell out all of
	// OpenAPI. TestDocumentIsValidOpenAPI31 checks that body in depth.
	loose  validator.Validator
	router router.Router

	mu        sync.Mutex
	exercised map[string]bool // "METHOD /template"
}

func newContract(t *testing.T) *contract {
	t.Helper()
	doc, err := libopenapi.NewDocument(openapi.Document())
	if err != nil {
		t.Fatalf("parse the document: %v", err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("build the OpenAPI 3 model: %v", err)
	}
	// Strict mode: a property or a header (request or response) that the
	// document does not declare is an error, so an undocumented field or
	// header cannot creep in. Formats (email, date-time, int64) are checked,
	// and form bodies (the token endpoint's) as well as JSON ones.
	v, errs := validator.NewValidator(doc, config.WithFormatAssertions(), config.WithURLEncodedBodyValidation(), config.WithStrictMode())
	if len(errs) > 0 {
		t.Fatalf("build the validator: %v", errs)
	}
	loose, errs := validator.NewValidator(doc, config.WithFormatAssertions(), config.WithURLEncodedBodyValidation())
	if len(errs) > 0 {
		t.Fatalf("build the validator: %v", errs)
	}
	return &contract{
		model:     &model.Model,
		validator: v,
		loose:     loose,
		router:    router.NewRouter(&model.Model, router.WithPathOnlyMatching()),
		exercised: map[string]bool{},
	}
}

// operations lists the document's operations as "METHOD /template".
func operations(model *v3.Document) []string {
	var ops []string
	for path, item := range model.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().KeysFromOldest() {
			ops = append(ops, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(ops)
	return ops
}

// coveredElsewhere maps documented operations ("METHOD /template") to the
// test, other than TestServerMatchesDocument, that drives them through the
// contract (a file per face, such as accounts_drift_test.go). Each such test
// registers its operations with covers and checks with wantExercised that
// it called every one of them.
var coveredElsewhere = map[string]string{}

// covers records, at package initialization, that test covers ops.
func covers(test string, ops ...string) []string {
	for _, op := range ops {
		coveredElsewhere[op] = test
	}
	return ops
}

// wantExercised fails t for each of ops that c never called.
func (c *contract) wantExercised(t *testing.T, ops []string) {
	t.Helper()
	documented := operations(c.model)
	for _, op := range ops {
		switch {
		case !slices.Contains(documented, op):
			t.Errorf("%s is not a documented operation", op)
		case !c.exercised[op]:
			t.Errorf("documented operation %s was never called (add an exchange for it)", op)
		}
	}
}

// everyResponse are the headers every response may carry without
// declaring them: HTTP's own, and X-Request-Id (described in info).
var everyResponse = map[string]bool{
	"content-type": true, "content-length": true, "date": true, "connection": true,
	"transfer-encoding": true, "x-request-id": true,
}

// exchange is one request to the server and what the test expects of it.
type exchange struct {
	name    string
	method  string
	path    string
	body    string
	headers []string // name/value pairs; Content-Type application/json is added to bodies unless given
	status  int      // the status the server must answer
	// invalid says the request breaks the document (an unknown field, a
	// missing credential, a wrong media type): the validator must refuse it,
	// as the server does. Otherwise the validator must accept it.
	invalid bool
}

// result is a finished exchange.
type result struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends ex to the server at baseURL, checks the status, validates the
// request and the response against the document, and returns the response.
func (c *contract) do(t *testing.T, baseURL string, ex exchange) result {
	t.Helper()
	req := buildRequest(t, baseURL, ex)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %s %s: %v", ex.name, ex.method, ex.path, err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatalf("%s: read the response: %v", ex.name, err)
	}
	if res.StatusCode != ex.status {
		t.Fatalf("%s: %s %s answered %d, want %d; body %s", ex.name, ex.method, ex.path, res.StatusCode, ex.status, body)
	}

	v := c.validator
	if ex.path == "/openapi.json" {
		v = c.loose
	}
	// The validator reads bodies: give it fresh copies.
	vreq := buildRequest(t, baseURL, ex)
	ok, errs := v.ValidateHttpRequest(vreq)
	switch {
	case ex.invalid && ok:
		t.Errorf("%s: the document accepts %s %s, which the server refuses with %d: the document is too loose",
			ex.name, ex.method, ex.path, res.StatusCode)
	case !ex.invalid && !ok:
		t.Errorf("%s: the document refuses %s %s, which the server accepts:\n%s", ex.name, ex.method, ex.path, describe(errs))
	}

	vreq = buildRequest(t, baseURL, ex)
	res.Body = io.NopCloser(bytes.NewReader(body))
	res.Request = vreq
	if ok, errs := v.ValidateHttpResponse(vreq, res); !ok {
		t.Errorf("%s: the %d response to %s %s does not match the document:\n%s\nbody: %s",
			ex.name, res.StatusCode, ex.method, ex.path, describe(errs), truncate(body))
	}

	route, err := c.router.FindRoute(buildRequest(t, baseURL, ex))
	if err != nil || route.Operation == nil {
		t.Errorf("%s: %s %s is not a documented operation (%v)", ex.name, ex.method, ex.path, err)
		return result{Status: res.StatusCode, Header: res.Header, Body: body}
	}
	c.mu.Lock()
	c.exercised[strings.ToUpper(route.Method)+" "+route.Path] = true
	c.mu.Unlock()

	// The validator checks declared headers, and undeclared ones only on
	// responses that declare some: check every response here.
	if documented := route.Operation.Responses.Codes.GetOrZero(strconv.Itoa(res.StatusCode)); documented != nil {
		for name := range res.Header {
			if everyResponse[strings.ToLower(name)] {
				continue
			}
			declared := false
			if documented.Headers != nil {
				for h := range documented.Headers.KeysFromOldest() {
					declared = declared || strings.EqualFold(h, name)
				}
			}
			if !declared {
				t.Errorf("%s: the %d response to %s %s has the header %s, which the document does not declare",
					ex.name, res.StatusCode, ex.method, route.Path, name)
			}
		}
	}
	return result{Status: res.StatusCode, Header: res.Header, Body: body}
}

func buildRequest(t *testing.T, baseURL string, ex exchange) *http.Request {
	t.Helper()
	var rd io.Reader
	if ex.body != "" {
		rd = strings.NewReader(ex.body)
	}
	req, err := http.NewRequestWithContext(context.Background(), ex.method, baseURL+ex.path, rd)
	if err != nil {
		t.Fatalf("%s: %v", ex.name, err)
	}
	if ex.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(ex.headers); i += 2 {
		req.Header.Set(ex.headers[i], ex.headers[i+1])
	}
	return req
}

// describe renders the validator's messages, with the schema failures
// under each.
func describe(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "  - %s: %s", e.Message, e.Reason)
		if e.HowToFix != "" {
			fmt.Fprintf(&b, " (fix: %s)", e.HowToFix)
		}
		if e.SpecLine > 0 {
			fmt.Fprintf(&b, " [openapi.json line %d]", e.SpecLine)
		}
		b.WriteString("\n")
		for _, f := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "      %s", f.Reason)
			if f.FieldPath != "" {
				fmt.Fprintf(&b, " at %s", f.FieldPath)
			}
			if f.KeywordLocation != "" {
				fmt.Fprintf(&b, " (schema %s)", f.KeywordLocation)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func truncate(b []byte) string {
	if len(b) > 500 {
		return string(b[:500]) + "..."
	}
	return string(b)
}

// newServer starts Roster's real handler over a fresh SQLite store.
func newServer(t *testing.T, pool core.HashPoolConfig, opts ...apitest.Option) (*apitest.Env, *sqlite.Store) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "roster.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return apitest.New(t, st, pool, opts...), st
}
