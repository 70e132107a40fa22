package jsonapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/jsonschema/v6"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/api/jsonapi"
	"github.com/rosterhq/roster/internal/core"
)

// fixture reads testdata/name.
func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// placeholder is the seed's "<string>" with the attribute it stands for.
var placeholder = regexp.MustCompile(`"(\w+)": "<string>"`)

// seedValues are valid values for the seed's "<string>" placeholders.
var seedValues = map[string]string{
	"name":                       "John Smith",
	"language":                   "en-US",
	"timezone":                   "Europe/Paris",
	"external_system_reference1": "crm-1001",
	"external_system_reference2": "erp-2002",
	"external_system_reference3": "hr-3003",
	"string1":                    "one",
	"string2":                    "two",
	"string3":                    "three",
	"string4":                    "four",
	"string5":                    "five",
}

// obfuscatedEmail is what the seed shows for every email: the
// documentation site's obfuscation, with a no-break space.
const obfuscatedEmail = "[email\u00a0protected]"

// seedRequest is a seed fixture with only its placeholders replaced: the
// obfuscated email, each "<string>" by a valid value for its attribute, and
// the example role_id by roleID.
func seedRequest(t *testing.T, name, email string, roleID int64) string {
	t.Helper()
	s := fixture(t, name)
	s = strings.ReplaceAll(s, obfuscatedEmail, email)
	s = placeholder.ReplaceAllStringFunc(s, func(m string) string {
		attr := placeholder.FindStringSubmatch(m)[1]
		v, ok := seedValues[attr]
		if !ok {
			t.Fatalf("no value for the placeholder of %s", attr)
		}
		return `"` + attr + `": "` + v + `"`
	})
	id := strconv.FormatInt(roleID, 10)
	s = strings.Replace(s, `"role_id": 123,`, `"role_id": `+id+`,`, 1)
	s = strings.Replace(s, `"role_id": 5,`, `"role_id": `+id+`,`, 1)
	return s
}

// headers are a tenant's JSON:API request headers: its API key and its
// subdomain, plus extra name/value pairs.
func headers(tenant core.TenantCreated, extra ...string) []string {
	return append([]string{"Authorization", "Bearer " + tenant.APIKey, jsonapi.SubdomainHeader, tenant.Tenant.Subdomain}, extra...)
}

// vnd sends a body as application/vnd.api+json.
var vnd = []string{"Content-Type", jsonapi.MediaType}

var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
	schemaErr  error
)

// checkDocument validates a response body against the official JSON:API 1.1
// schema, after checking that resource ids are JSON numbers (seed 001's
// choice) and writing them as strings (JSON:API's), which is the one
// difference allowed.
func checkDocument(t *testing.T, res apitest.Response) {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); ct != jsonapi.MediaType {
		t.Errorf("Content-Type: got %q, want %q", ct, jsonapi.MediaType)
	}
	schemaOnce.Do(func() {
		f, err := os.Open(filepath.Join("testdata", "jsonapi-1.1.schema.json"))
		if err != nil {
			schemaErr = err
			return
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			schemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		const id = "https://jsonapi.org/schemas/spec/v1.1/draft"
		if schemaErr = c.AddResource(id, doc); schemaErr == nil {
			schema, schemaErr = c.Compile(id)
		}
	})
	if schemaErr != nil {
		t.Fatalf("the JSON:API schema: %v", schemaErr)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(res.Body))
	if err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, res.Body)
	}
	top, ok := inst.(map[string]any)
	if !ok {
		t.Fatalf("response is not a JSON object: %s", res.Body)
	}
	stringify := func(r any) {
		obj, ok := r.(map[string]any)
		if !ok {
			return
		}
		id, ok := obj["id"].(json.Number)
		if !ok {
			t.Errorf("resource id %v (%T) is not a JSON number", obj["id"], obj["id"])
			return
		}
		obj["id"] = id.String()
	}
	switch data := top["data"].(type) {
	case map[string]any:
		stringify(data)
	case []any:
		for _, r := range data {
			stringify(r)
		}
	}
	if err := schema.Validate(inst); err != nil {
		t.Errorf("the response breaks the JSON:API 1.1 schema: %v\n%s", err, res.Body)
	}
}

// userDoc is a document with one user.
type userDoc struct {
	Data  resource `json:"data"`
	Links struct {
		Self string `json:"self"`
	} `json:"links"`
}

type resource struct {
	ID         json.Number    `json:"id"`
	Type       string         `json:"type"`
	Attributes map[string]any `json:"attributes"`
	Links      struct {
		Self string `json:"self"`
	} `json:"links"`
}

// errorDoc is an error document.
type errorDoc struct {
	Errors []struct {
		Status string `json:"status"`
		Code   string `json:"code"`
		Title  string `json:"title"`
		Detail string `json:"detail"`
		Source *struct {
			Pointer   *string `json:"pointer"`
			Parameter *string `json:"parameter"`
			Header    *string `json:"header"`
		} `json:"source"`
	} `json:"errors"`
}

// wantErrors asserts the status, a valid error document, and that its
// errors point at wantSources ("/data/attributes/email", "?page[size]" for a
// parameter, "header:X-Clarus-Subdomain" for a header, "" for none), in
// order.
func wantErrors(t *testing.T, res apitest.Response, status int, wantSources ...string) errorDoc {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status: got %d, want %d; body %s", res.Status, status, res.Body)
	}
	checkDocument(t, res)
	var doc errorDoc
	res.JSON(t, &doc)
	var got []string
	for _, e := range doc.Errors {
		if e.Status == "" || e.Code == "" || e.Title == "" || e.Detail == "" {
			t.Errorf("error %+v lacks status, code, title or detail", e)
		}
		switch {
		case e.Source == nil:
			got = append(got, "")
		case e.Source.Pointer != nil:
			got = append(got, *e.Source.Pointer)
		case e.Source.Parameter != nil:
			got = append(got, "?"+*e.Source.Parameter)
		case e.Source.Header != nil:
			got = append(got, "header:"+*e.Source.Header)
		default:
			got = append(got, "")
		}
	}
	if strings.Join(got, " ") != strings.Join(wantSources, " ") || len(got) != len(wantSources) {
		t.Fatalf("error sources: got %q, want %q; body %s", got, wantSources, res.Body)
	}
	return doc
}

// create makes a user through the face and returns its document.
func create(t *testing.T, env *apitest.Env, tenant core.TenantCreated, attrs string) userDoc {
	t.Helper()
	res := env.Do(t, "POST", "/api/users", `{"data":{"type":"users","attributes":{`+attrs+`}}}`, headers(tenant, vnd...)...)
	if res.Status != 201 {
		t.Fatalf("create: got %d, want 201; body %s", res.Status, res.Body)
	}
	var doc userDoc
	res.JSON(t, &doc)
	return doc
}

// customRole makes a custom role in the tenant.
func customRole(t *testing.T, env *apitest.Env, tenant core.TenantCreated, key string) core.Role {
	t.Helper()
	r, err := env.Service.CreateRole(context.Background(), core.OperatorFor(tenant.Tenant),
		core.CreateRole{Key: key, Name: key, Permissions: []string{core.PermissionContentRead}})
	if err != nil {
		t.Fatalf("create role %s: %v", key, err)
	}
	return r
}
