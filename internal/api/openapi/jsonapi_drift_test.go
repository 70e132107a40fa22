package openapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/api/openapi"
	"github.com/rosterhq/roster/internal/core"
)

// rolesOperations are the operations TestRolesMatchDocument covers.
var rolesOperations = covers("TestRolesMatchDocument",
	"GET /api/v1/roles", "POST /api/v1/roles", "GET /api/v1/roles/{id}", "DELETE /api/v1/roles/{id}")

// jsonapiOperations are the operations TestJSONAPIMatchesDocument calls in
// their JSON:API form. TestServerMatchesDocument calls them too, as the
// Client API: both faces of each are held to the document.
var jsonapiOperations = []string{
	"POST /api/users", "GET /api/users", "GET /api/users/{id}", "PATCH /api/users/{id}", "DELETE /api/users/{id}",
}

const vndAPI = "application/vnd.api+json"

var seedPlaceholder = regexp.MustCompile(`"(\w+)": "<string>"`)

// seed001Create is seed 001's example request (kept byte for byte by the
// JSON:API face's tests) with its placeholders filled in: a real address,
// a valid value for each "<string>" and roleID for its example role_id.
func seed001Create(t *testing.T, email string, roleID int64) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "jsonapi", "testdata", "seed001_create.json"))
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{"name": "John Smith", "language": "en-US", "timezone": "Europe/Paris",
		"external_system_reference1": "crm-1001", "external_system_reference2": "erp-2002", "external_system_reference3": "hr-3003",
		"string1": "one", "string2": "two", "string3": "three", "string4": "four", "string5": "five"}
	s := strings.ReplaceAll(string(b), "[email\u00a0protected]", email)
	s = seedPlaceholder.ReplaceAllStringFunc(s, func(m string) string {
		attr := seedPlaceholder.FindStringSubmatch(m)[1]
		return fmt.Sprintf("%q: %q", attr, values[attr])
	})
	return strings.Replace(s, `"role_id": 123,`, fmt.Sprintf(`"role_id": %d,`, roleID), 1)
}

// TestJSONAPISeedExampleIsTheRequestExample: POST /api/users's JSON:API
// example is seed 001's example request, filled in as the tests fill it.
func TestJSONAPISeedExampleIsTheRequestExample(t *testing.T) {
	var doc struct {
		Components struct {
			RequestBodies map[string]struct {
				Content map[string]struct {
					Examples map[string]struct {
						Value any `json:"value"`
					} `json:"examples"`
				} `json:"content"`
			} `json:"requestBodies"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openapi.Document(), &doc); err != nil {
		t.Fatal(err)
	}
	var want any
	if err := json.Unmarshal([]byte(seed001Create(t, "john.smith@example.com", core.RoleIDEditor)), &want); err != nil {
		t.Fatal(err)
	}
	for _, mt := range []string{"application/json", vndAPI} {
		got := doc.Components.RequestBodies["CreateUserOrJsonApiDocument"].Content[mt].Examples["seed001"].Value
		if !reflect.DeepEqual(got, want) {
			t.Errorf("the %s example is %v, want seed 001's example request %v", mt, got, want)
		}
	}
}

// TestJSONAPIMatchesDocument drives the JSON:API face through the document:
// every request and answer is validated, and requests the server refuses
// for breaking the contract must be refused by the document too.
func TestJSONAPIMatchesDocument(t *testing.T) {
	c := newContract(t)
	env, _ := newServer(t, core.HashPoolConfig{})
	acme := env.NewTenant(t, "Acme")
	other := env.NewTenant(t, "Other")
	do := func(ex exchange) result { t.Helper(); return c.do(t, env.URL, ex) }

	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(acme.Tenant.ClientID)+":"+url.QueryEscape(acme.APIKey)))
	issued := do(exchange{name: "token for JSON:API", method: "POST", path: "/oauth/token", body: "grant_type=client_credentials",
		headers: []string{"Content-Type", "application/x-www-form-urlencoded", "Authorization", basic}, status: 200})
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(issued.Body, &tok); err != nil {
		t.Fatal(err)
	}
	auth := []string{"Authorization", "Bearer " + tok.AccessToken, "X-Clarus-Subdomain", acme.Tenant.Subdomain}
	with := func(pairs ...string) []string { return append(slices.Clone(auth), pairs...) }
	vnd := with("Content-Type", vndAPI)
	otherAuth := []string{"Authorization", "Bearer " + other.APIKey, "X-Clarus-Subdomain", other.Tenant.Subdomain}
	doc := func(attrs string) string { return `{"data":{"type":"users","attributes":{` + attrs + `}}}` }

	created := do(exchange{name: "json:api create (seed example)", method: "POST", path: "/api/users",
		body: seed001Create(t, "john.smith@example.com", core.RoleIDEditor), headers: with("Idempotency-Key", "jsonapi-seed-1"), status: 201})
	var john struct {
		Data struct {
			ID    int64 `json:"id"`
			Links struct {
				Self string `json:"self"`
			} `json:"links"`
		} `json:"data"`
	}
	if err := json.Unmarshal(created.Body, &john); err != nil || john.Data.ID == 0 {
		t.Fatalf("create: %s", created.Body)
	}
	self := john.Data.Links.Self
	id := fmt.Sprint(john.Data.ID)

	for _, ex := range []exchange{
		{name: "json:api create replayed", method: "POST", path: "/api/users", body: seed001Create(t, "john.smith@example.com", core.RoleIDEditor),
			headers: with("Idempotency-Key", "jsonapi-seed-1"), status: 201},
		{name: "json:api create (vnd.api+json, alias header)", method: "POST", path: "/api/users", body: doc(`"email":"jane@example.com","name":"Jane"`),
			headers: []string{"Authorization", "Bearer " + acme.APIKey, "X-Tenant-Subdomain", acme.Tenant.Subdomain, "Content-Type", vndAPI}, status: 201},
		{name: "json:api create: missing email and name", method: "POST", path: "/api/users", body: doc(`"is_active":true`), headers: vnd, status: 422, invalid: true},
		{name: "json:api create: unknown attribute", method: "POST", path: "/api/users", body: doc(`"email":"a@example.com","name":"A","displayname":"x"`),
			headers: vnd, status: 422, invalid: true},
		{name: "json:api create: invalid email (a rule the schema cannot say)", method: "POST", path: "/api/users",
			body: doc(`"email":"not an email","name":"A"`), headers: vnd, status: 422},
		{name: "json:api create: unknown role", method: "POST", path: "/api/users", body: doc(`"email":"a@example.com","name":"A","role_id":999`),
			headers: vnd, status: 422},
		{name: "json:api create: email taken", method: "POST", path: "/api/users", body: doc(`"email":"JANE@example.com","name":"A"`), headers: vnd, status: 409},
		{name: "json:api create: another type", method: "POST", path: "/api/users", body: `{"data":{"type":"people","attributes":{"email":"a@example.com","name":"A"}}}`,
			headers: vnd, status: 409, invalid: true},
		{name: "json:api create: client-generated id", method: "POST", path: "/api/users",
			body: `{"data":{"type":"users","id":"9","attributes":{"email":"a@example.com","name":"A"}}}`, headers: vnd, status: 403, invalid: true},
		{name: "json:api create: no data", method: "POST", path: "/api/users", body: `{"meta":{}}`, headers: vnd, status: 400, invalid: true},
		{name: "json:api create: no subdomain header", method: "POST", path: "/api/users", body: doc(`"email":"a@example.com","name":"A"`),
			headers: []string{"Authorization", "Bearer " + acme.APIKey, "Content-Type", vndAPI}, status: 400},
		{name: "json:api create: another tenant's subdomain", method: "POST", path: "/api/users", body: doc(`"email":"a@example.com","name":"A"`),
			headers: []string{"Authorization", "Bearer " + acme.APIKey, "X-Clarus-Subdomain", other.Tenant.Subdomain}, status: 403},
		{name: "json:api create: media type parameter", method: "POST", path: "/api/users", body: doc(`"email":"a@example.com","name":"A"`),
			headers: with("Content-Type", vndAPI+"; charset=utf-8"), status: 415},
		{name: "json:api create: Accept with a parameter", method: "POST", path: "/api/users", body: doc(`"email":"a@example.com","name":"A"`),
			headers: with("Accept", vndAPI+"; charset=utf-8"), status: 406},
		{name: "json:api create: Idempotency-Key reused", method: "POST", path: "/api/users", body: doc(`"email":"b@example.com","name":"B"`),
			headers: with("Idempotency-Key", "jsonapi-seed-1"), status: 422},
		{name: "json:api create: body over 1 MiB", method: "POST", path: "/api/users", body: doc(`"email":"a@example.com","name":"` + strings.Repeat("x", 1<<20) + `"`),
			headers: vnd, status: 413, invalid: true},
		{name: "json:api create: no credential", method: "POST", path: "/api/users", body: doc(`"email":"a@example.com","name":"A"`),
			headers: []string{"X-Clarus-Subdomain", acme.Tenant.Subdomain, "Content-Type", vndAPI}, status: 401, invalid: true},

		{name: "json:api list, a page", method: "GET", path: "/api/users?page[number]=1&page[size]=1", headers: auth, status: 200},
		{name: "json:api list by email", method: "GET", path: "/api/users?filter[email]=JOHN.SMITH@example.com", headers: auth, status: 200},
		{name: "json:api list (Accept)", method: "GET", path: "/api/users", headers: with("Accept", vndAPI), status: 200},
		{name: "json:api list: page size over 100", method: "GET", path: "/api/users?page[size]=101", headers: auth, status: 400, invalid: true},
		{name: "json:api list: Accept with a parameter", method: "GET", path: "/api/users", headers: with("Accept", vndAPI+"; charset=utf-8"), status: 406},

		{name: "json:api get", method: "GET", path: self, headers: auth, status: 200},
		{name: "json:api get: another tenant's user", method: "GET", path: self, headers: otherAuth, status: 404},
		{name: "json:api get: no subdomain header", method: "GET", path: self, headers: []string{"Authorization", "Bearer " + acme.APIKey, "Accept", vndAPI}, status: 400},
		{name: "json:api get: Accept with an extension", method: "GET", path: self, headers: with("Accept", vndAPI+`; ext="https://jsonapi.org/ext/atomic"`), status: 406},

		{name: "json:api patch", method: "PATCH", path: self,
			body:    `{"data":{"type":"users","id":"` + id + `","attributes":{"name":"Johnny Smith","is_active":false,"language":null}}}`,
			headers: vnd, status: 200},
		{name: "json:api patch: id of another resource", method: "PATCH", path: self, body: `{"data":{"type":"users","id":"999999","attributes":{}}}`,
			headers: vnd, status: 409},
		{name: "json:api patch: unknown attribute", method: "PATCH", path: self,
			body: `{"data":{"type":"users","id":"` + id + `","attributes":{"password":"a-new-password"}}}`, headers: vnd, status: 422, invalid: true},
		{name: "json:api patch: invalid timezone (a rule the schema cannot say)", method: "PATCH", path: self,
			body: `{"data":{"type":"users","id":"` + id + `","attributes":{"timezone":"Mars/Olympus"}}}`, headers: vnd, status: 422},
		{name: "json:api patch: Accept with a parameter", method: "PATCH", path: self, body: `{"data":{"type":"users","id":"` + id + `"}}`,
			headers: append(slices.Clone(vnd), "Accept", vndAPI+"; charset=utf-8"), status: 406},

		{name: "json:api delete: another tenant's user", method: "DELETE", path: self, headers: otherAuth, status: 404},
		{name: "json:api delete: no subdomain header", method: "DELETE", path: self, headers: []string{"Authorization", "Bearer " + acme.APIKey, "Accept", vndAPI}, status: 400},
		{name: "json:api delete: Accept with a parameter", method: "DELETE", path: self, headers: with("Accept", vndAPI+"; charset=utf-8"), status: 406},
		{name: "json:api delete", method: "DELETE", path: self, headers: auth, status: 204},
		{name: "json:api delete again", method: "DELETE", path: self, headers: auth, status: 404},
	} {
		do(ex)
	}
	c.wantExercised(t, jsonapiOperations)
	env.AssertNoSecrets(t, acme.APIKey, other.APIKey, tok.AccessToken, "a-new-password")
}

// TestRolesMatchDocument drives the roles routes of the Admin API through
// the document.
func TestRolesMatchDocument(t *testing.T) {
	c := newContract(t)
	env, _ := newServer(t, core.HashPoolConfig{})
	acme := env.NewTenant(t, "Acme")
	other := env.NewTenant(t, "Other")
	_, usersOnly, err := env.Service.CreateAPIKey(context.Background(), core.OperatorFor(acme.Tenant),
		core.CreateAPIKey{Name: "users only", Scopes: []string{core.ScopeUsersRead, core.ScopeUsersWrite}})
	if err != nil {
		t.Fatal(err)
	}
	bearer := apitest.Bearer(acme.APIKey)
	with := func(pairs ...string) []string { return append(slices.Clone(bearer), pairs...) }
	do := func(ex exchange) result { t.Helper(); return c.do(t, env.URL, ex) }

	do(exchange{name: "roles: list", method: "GET", path: "/api/v1/roles", headers: bearer, status: 200})
	body := `{"key":"support","name":"Support","permissions":["users:read"]}`
	res := do(exchange{name: "roles: create", method: "POST", path: "/api/v1/roles", body: body, headers: with("Idempotency-Key", "role-1"), status: 201})
	var role struct{ ID int64 }
	if err := json.Unmarshal(res.Body, &role); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/roles/%d", role.ID)
	do(exchange{name: "json:api create with the custom role", method: "POST", path: "/api/users",
		body:    fmt.Sprintf(`{"data":{"type":"users","attributes":{"email":"s@example.com","name":"S","role_id":%d}}}`, role.ID),
		headers: with("X-Clarus-Subdomain", acme.Tenant.Subdomain), status: 201})
	for _, ex := range []exchange{
		{name: "roles: create replayed", method: "POST", path: "/api/v1/roles", body: body, headers: with("Idempotency-Key", "role-1"), status: 201},
		{name: "roles: create, Idempotency-Key reused", method: "POST", path: "/api/v1/roles", body: `{"key":"x"}`, headers: with("Idempotency-Key", "role-1"), status: 422},
		{name: "roles: create, key taken", method: "POST", path: "/api/v1/roles", body: `{"key":"support"}`, headers: bearer, status: 409},
		{name: "roles: create, a built-in key", method: "POST", path: "/api/v1/roles", body: `{"key":"clientAdmin"}`, headers: bearer, status: 409},
		{name: "roles: create, empty key", method: "POST", path: "/api/v1/roles", body: `{"key":""}`, headers: bearer, status: 422, invalid: true},
		{name: "roles: create, unknown field", method: "POST", path: "/api/v1/roles", body: `{"key":"x","permision":[]}`, headers: bearer, status: 400, invalid: true},
		{name: "roles: create, not application/json", method: "POST", path: "/api/v1/roles", body: `{"key":"x"}`,
			headers: with("Content-Type", "text/plain"), status: 415, invalid: true},
		{name: "roles: create, body over 1 MiB", method: "POST", path: "/api/v1/roles", body: `{"key":"` + strings.Repeat("x", 1<<20) + `"}`,
			headers: bearer, status: 413, invalid: true},
		{name: "roles: create, key without admin", method: "POST", path: "/api/v1/roles", body: `{"key":"x"}`, headers: apitest.Bearer(usersOnly), status: 403},
		{name: "roles: list, no credential", method: "GET", path: "/api/v1/roles", status: 401, invalid: true},
		{name: "roles: get", method: "GET", path: path, headers: bearer, status: 200},
		{name: "roles: get a built-in role", method: "GET", path: "/api/v1/roles/3", headers: bearer, status: 200},
		{name: "roles: get, another tenant's", method: "GET", path: path, headers: apitest.Bearer(other.APIKey), status: 404},
		{name: "roles: get, not an id", method: "GET", path: "/api/v1/roles/abc", headers: bearer, status: 404, invalid: true},
		{name: "roles: delete a built-in role", method: "DELETE", path: "/api/v1/roles/1", headers: bearer, status: 403},
		{name: "roles: delete, in use", method: "DELETE", path: path, headers: bearer, status: 409},
	} {
		do(ex)
	}
	if _, err := env.Service.ListUsers(context.Background(), core.OperatorFor(acme.Tenant), core.UserFilter{}); err != nil {
		t.Fatal(err)
	}
	page, err := env.Service.ListUsers(context.Background(), core.OperatorFor(acme.Tenant), core.UserFilter{Email: "s@example.com"})
	if err != nil || len(page.Users) != 1 {
		t.Fatalf("the user with the role: %v %v", page, err)
	}
	if err := env.Service.DeleteUser(context.Background(), core.OperatorFor(acme.Tenant), page.Users[0].ID); err != nil {
		t.Fatal(err)
	}
	do(exchange{name: "roles: delete", method: "DELETE", path: path, headers: bearer, status: 204})
	do(exchange{name: "roles: delete again", method: "DELETE", path: path, headers: bearer, status: 404})
	c.wantExercised(t, rolesOperations)
	env.AssertNoSecrets(t, acme.APIKey, other.APIKey, usersOnly)
}
