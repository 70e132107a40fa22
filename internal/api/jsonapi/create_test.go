package jsonapi_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/api/jsonapi"
	"github.com/rosterhq/roster/internal/core"
)

// clientToken trades the tenant's API key for an access token (OAuth 2.0
// client credentials), as seed 001's clients authenticate.
func clientToken(t *testing.T, env *apitest.Env, tenant core.TenantCreated) string {
	t.Helper()
	basic := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(tenant.Tenant.ClientID) + ":" + url.QueryEscape(tenant.APIKey)))
	res := env.Do(t, "POST", "/oauth/token", "grant_type=client_credentials",
		"Content-Type", "application/x-www-form-urlencoded", "Authorization", "Basic "+basic)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	res.JSON(t, &tok)
	if res.Status != 200 || tok.AccessToken == "" {
		t.Fatalf("token: %d %s", res.Status, res.Body)
	}
	return tok.AccessToken
}

// jsonType names the JSON type of a decoded value.
func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// TestCreateUserSeedExample sends seed 001's example request as documented
// (a client-credentials token, application/json, X-Clarus-Subdomain) with
// only its placeholders filled in, and holds the answer to the documented
// response: every attribute present with the documented JSON type.
func TestCreateUserSeedExample(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		role := customRole(t, env, acme, "support")
		token := clientToken(t, env, acme)
		body := seedRequest(t, "seed001_create.json", "john.smith@example.com", role.ID)

		res := env.Do(t, "POST", "/api/users", body,
			"Authorization", "Bearer "+token,
			"Content-Type", "application/json",
			"X-Clarus-Subdomain", acme.Tenant.Subdomain)
		if res.Status != 201 {
			t.Fatalf("got %d, want 201; body %s", res.Status, res.Body)
		}
		checkDocument(t, res)

		var got, documented map[string]any
		res.JSON(t, &got)
		if err := json.Unmarshal([]byte(fixture(t, "seed001_response.json")), &documented); err != nil {
			t.Fatal(err)
		}
		data := got["data"].(map[string]any)
		want := documented["data"].(map[string]any)
		for _, key := range []string{"id", "type"} {
			if jsonType(data[key]) != jsonType(want[key]) {
				t.Errorf("data.%s: got %v (%s), want a %s as documented", key, data[key], jsonType(data[key]), jsonType(want[key]))
			}
		}
		if data["type"] != "users" {
			t.Errorf("data.type: got %v, want users", data["type"])
		}
		attrs := data["attributes"].(map[string]any)
		wantAttrs := want["attributes"].(map[string]any)
		if len(attrs) != len(wantAttrs) {
			t.Errorf("attributes: got %d (%v), want exactly the %d documented", len(attrs), attrs, len(wantAttrs))
		}
		var sent struct {
			Data struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(body), &sent); err != nil {
			t.Fatal(err)
		}
		for key, w := range wantAttrs {
			g, ok := attrs[key]
			if !ok {
				t.Errorf("attribute %s is missing", key)
				continue
			}
			if jsonType(g) != jsonType(w) {
				t.Errorf("attribute %s: got %v (%s), want a %s as documented", key, g, jsonType(g), jsonType(w))
			}
			if s := sent.Data.Attributes[key]; !reflect.DeepEqual(g, s) {
				t.Errorf("attribute %s: got %v, want %v as sent", key, g, s)
			}
		}

		id := int64(data["id"].(float64))
		self := fmt.Sprintf("/api/users/%d", id)
		if loc := res.Header.Get("Location"); loc != self {
			t.Errorf("Location: got %q, want %q", loc, self)
		}
		links, _ := data["links"].(map[string]any)
		if links["self"] != self {
			t.Errorf("data.links.self: got %v, want %s", links["self"], self)
		}

		// The stored user is what the response says.
		again := env.Do(t, "GET", self, "", headers(acme)...)
		if again.Status != 200 {
			t.Fatalf("get: %d %s", again.Status, again.Body)
		}
		checkDocument(t, again)
		var read map[string]any
		again.JSON(t, &read)
		if !reflect.DeepEqual(read["data"], got["data"]) {
			t.Errorf("get: got %v, want the created %v", read["data"], got["data"])
		}
		env.AssertNoSecrets(t, acme.APIKey, token, acme.AdminPassword)
	})
}

// TestCreateUserRequestStructure sends seed 001's "Request Structure"
// example, role_id 5 being a built-in role here (editor).
func TestCreateUserRequestStructure(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		body := seedRequest(t, "seed001_request_structure.json", "john.smith@example.com", core.RoleIDEditor)
		res := env.Do(t, "POST", "/api/users", body, headers(acme)...)
		if res.Status != 201 {
			t.Fatalf("got %d, want 201; body %s", res.Status, res.Body)
		}
		checkDocument(t, res)
		var doc userDoc
		res.JSON(t, &doc)
		want := map[string]any{
			"email": "john.smith@example.com", "name": "John Smith", "role_id": float64(core.RoleIDEditor), "is_active": true,
			"language": "", "timezone": "", "external_system_reference1": "", "external_system_reference2": "",
			"external_system_reference3": "", "string1": "", "string2": "", "string3": "", "string4": "", "string5": "",
		}
		if !reflect.DeepEqual(doc.Data.Attributes, want) {
			t.Errorf("attributes: got %v, want %v (unset strings as \"\")", doc.Data.Attributes, want)
		}
	})
}

func TestCreateUserDefaults(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		doc := create(t, env, acme, `"email":"min@example.com","name":"Min","@ext":{"ignored":true}`)
		a := doc.Data.Attributes
		if a["is_active"] != true || a["role_id"] != float64(core.RoleIDClientUser) {
			t.Errorf("defaults: got is_active %v role_id %v, want true and %d", a["is_active"], a["role_id"], core.RoleIDClientUser)
		}
		inactive := create(t, env, acme, `"email":"off@example.com","name":"Off","is_active":false,"role_id":null,"language":null`)
		if inactive.Data.Attributes["is_active"] != false || inactive.Data.Attributes["language"] != "" {
			t.Errorf("got %v, want an inactive user without language", inactive.Data.Attributes)
		}
	})
}

// TestCreateUserRefusals: each refusal names where the problem is, and
// every problem with the attributes is reported at once.
func TestCreateUserRefusals(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		other := env.NewTenant(t, "Other")
		foreignRole := customRole(t, env, other, "foreign")
		create(t, env, acme, `"email":"taken@example.com","name":"Taken"`)
		_, readOnly, err := env.Service.CreateAPIKey(t.Context(), core.OperatorFor(acme.Tenant),
			core.CreateAPIKey{Name: "ro", Scopes: []string{core.ScopeUsersRead}})
		if err != nil {
			t.Fatal(err)
		}
		doc := func(attrs string) string { return `{"data":{"type":"users","attributes":{` + attrs + `}}}` }
		tests := []struct {
			name    string
			body    string
			headers []string
			status  int
			sources []string
		}{
			{"MissingEmailAndName", doc(`"is_active":true`), nil, 422, []string{"/data/attributes", "/data/attributes"}},
			{"NoAttributes", `{"data":{"type":"users"}}`, nil, 422, []string{"/data", "/data"}},
			{"UnknownAttribute", doc(`"email":"a@example.com","displayname":"typo"`), nil, 422,
				[]string{"/data/attributes/displayname", "/data/attributes"}},
			{"WrongTypes", doc(`"email":42,"name":"N","is_active":"yes","role_id":"3","language":5,"string1":[]`), nil, 422,
				[]string{"/data/attributes/email", "/data/attributes/is_active", "/data/attributes/role_id",
					"/data/attributes/language", "/data/attributes/string1"}},
			{"FractionalRoleID", doc(`"email":"a@example.com","name":"N","role_id":1.5`), nil, 422, []string{"/data/attributes/role_id"}},
			{"EmptyName", doc(`"email":"a@example.com","name":"  "`), nil, 422, []string{"/data/attributes/name"}},
			{"NullEmail", doc(`"email":null,"name":"N"`), nil, 422, []string{"/data/attributes/email"}},
			{"InvalidEmail", doc(`"email":"not an email","name":"N"`), nil, 422, []string{"/data/attributes/email"}},
			{"InvalidLanguage", doc(`"email":"a@example.com","name":"N","language":"not a tag!"`), nil, 422, []string{"/data/attributes/language"}},
			{"InvalidTimezone", doc(`"email":"a@example.com","name":"N","timezone":"Mars/Olympus"`), nil, 422, []string{"/data/attributes/timezone"}},
			{"TooLongString", doc(`"email":"a@example.com","name":"N","string3":"` + strings.Repeat("x", 256) + `"`), nil, 422, []string{"/data/attributes/string3"}},
			{"UnknownRole", doc(`"email":"a@example.com","name":"N","role_id":999`), nil, 422, []string{"/data/attributes/role_id"}},
			{"AnotherTenantsRole", doc(fmt.Sprintf(`"email":"a@example.com","name":"N","role_id":%d`, foreignRole.ID)), nil, 422, []string{"/data/attributes/role_id"}},
			{"EmailTaken", doc(`"email":"TAKEN@example.com","name":"N"`), nil, 409, []string{"/data/attributes/email"}},
			{"WrongType", `{"data":{"type":"people","attributes":{"email":"a@example.com","name":"N"}}}`, nil, 409, []string{"/data/type"}},
			{"ClientGeneratedID", `{"data":{"type":"users","id":"7","attributes":{"email":"a@example.com","name":"N"}}}`, nil, 403, []string{"/data/id"}},
			{"NoType", `{"data":{"attributes":{"email":"a@example.com","name":"N"}}}`, nil, 400, []string{"/data"}},
			{"DataArray", `{"data":[{"type":"users"}]}`, nil, 400, []string{"/data"}},
			{"DataNull", `{"data":null}`, vnd, 400, []string{"/data"}},
			{"NoData", `{"meta":{}}`, vnd, 400, []string{""}},
			{"TopLevelMember", `{"data":{"type":"users","attributes":{"email":"a@example.com","name":"N"}},"included":[]}`, nil, 400, []string{"/included"}},
			{"ResourceMember", `{"data":{"type":"users","attributes":{"email":"a@example.com","name":"N"},"email":"x"}}`, nil, 400, []string{"/data/email"}},
			{"Relationship", `{"data":{"type":"users","attributes":{"email":"a@example.com","name":"N"},"relationships":{"team":{"data":null}}}}`, nil, 400,
				[]string{"/data/relationships/team"}},
			{"DuplicateMember", `{"data":{"type":"users","attributes":{"email":"a@example.com","email":"b@example.com","name":"N"}}}`, nil, 400,
				[]string{"/data/attributes/email"}},
			{"NotJSON", `{"data":`, vnd, 400, []string{""}},
			{"Array", `[]`, vnd, 400, []string{""}},
			{"MediaTypeParameter", doc(`"email":"a@example.com","name":"N"`), []string{"Content-Type", jsonapi.MediaType + "; charset=utf-8"}, 415,
				[]string{"header:Content-Type"}},
			{"Extension", doc(`"email":"a@example.com","name":"N"`), []string{"Content-Type", jsonapi.MediaType + `; ext="https://jsonapi.org/ext/atomic"`}, 415,
				[]string{"header:Content-Type"}},
			{"NotJSONMediaType", doc(`"email":"a@example.com","name":"N"`), []string{"Content-Type", "text/plain"}, 415, []string{"header:Content-Type"}},
			{"AcceptWithParameter", doc(`"email":"a@example.com","name":"N"`), []string{"Accept", jsonapi.MediaType + "; charset=utf-8"}, 406,
				[]string{"header:Accept"}},
			{"TooLarge", doc(`"email":"a@example.com","name":"` + strings.Repeat("x", 1<<20) + `"`), nil, 413, []string{""}},
			{"QueryParameter", "", nil, 400, []string{"?include"}},
			{"ReadOnlyKey", doc(`"email":"a@example.com","name":"N"`), []string{"Authorization", "Bearer " + readOnly}, 403, []string{""}},
			{"NoCredential", doc(`"email":"a@example.com","name":"N"`), []string{"Authorization", ""}, 401, []string{""}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				path, body := "/api/users", tt.body
				if tt.name == "QueryParameter" {
					path, body = "/api/users?include=team", doc(`"email":"a@example.com","name":"N"`)
				}
				res := env.Do(t, "POST", path, body, headers(acme, tt.headers...)...)
				wantErrors(t, res, tt.status, tt.sources...)
				if tt.status == 401 && res.Header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			})
		}
		// Nothing was created by the refusals.
		list := env.Do(t, "GET", "/api/users?filter[email]=a@example.com", "", headers(acme)...)
		var page struct {
			Meta struct{ Total int } `json:"meta"`
		}
		list.JSON(t, &page)
		if page.Meta.Total != 0 {
			t.Errorf("a refused request created a user: %s", list.Body)
		}
		env.AssertNoSecrets(t, acme.APIKey, other.APIKey, readOnly)
	})
}

func TestCreateUserIdempotency(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		body := `{"data":{"type":"users","attributes":{"email":"idem@example.com","name":"Idem"}}}`
		first := env.Do(t, "POST", "/api/users", body, headers(acme, "Idempotency-Key", "k-1")...)
		if first.Status != 201 {
			t.Fatalf("first: %d %s", first.Status, first.Body)
		}
		replay := env.Do(t, "POST", "/api/users", body, headers(acme, "Idempotency-Key", "k-1")...)
		if replay.Status != 201 || string(replay.Body) != string(first.Body) || replay.Header.Get("Idempotent-Replayed") != "true" ||
			replay.Header.Get("Location") != first.Header.Get("Location") {
			t.Fatalf("replay: %d %v %s, want the first answer %s with Idempotent-Replayed and the same Location", replay.Status, replay.Header, replay.Body, first.Body)
		}
		checkDocument(t, replay)
		other := env.Do(t, "POST", "/api/users", strings.Replace(body, "idem@", "other@", 1), headers(acme, "Idempotency-Key", "k-1")...)
		wantErrors(t, other, 422, "header:Idempotency-Key")
		bad := env.Do(t, "POST", "/api/users", body, headers(acme, "Idempotency-Key", "has space")...)
		wantErrors(t, bad, 400, "header:Idempotency-Key")
	})
}
