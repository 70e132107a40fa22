package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

// TestCrossTenantSweep is DESIGN.md §7's "every route is tried with another
// tenant's credentials": it reads every operation documented in
// openapi/openapi.json (paths only: webhooks documents outgoing
// deliveries) and sends each one as tenant B, with tenant A's ids in the
// path. A route added to the document is swept without touching this
// test; a path parameter it cannot fill fails the test by name.
//
// B sends every operation with its API key and with its clientAdmin's
// login token; the public routes (health, document, JWKS, OAuth metadata,
// login, password, token) once without a credential. Every answer must be
// free of A's data; every answer to a path naming A's object must be 404,
// and every other (B's own lists and creates) a success.
//
// What catches what (checked by running the sweep with A's key as B's,
// which made every one of these fail, and by breaking scoping in thought):
//   - a by-id read that forgets the tenant (GET /api/v1/groups/{id} loading
//     the group by id alone) answers 200: wantRefused fails, and
//     assertNoTenantAData fails on A's group name and ids in the body;
//   - a by-id write that forgets the tenant (PATCH /api/v1/teams/{id})
//     answers 200 and renames A's team: wantRefused fails, and the
//     snapshot of A's objects taken again after the sweep differs (the
//     team, and A's audit log, which gets a team_renamed event);
//   - a list that forgets the tenant (GET /api/v1/events) shows A's rows:
//     assertNoTenantAData fails on A's user id as a subject or A's email;
//   - Idempotency-Key records shared across tenants: B's POST with the
//     key A used replays A's answer, and assertNoTenantAData fails on it;
//   - the subdomain or account header trusted instead of the credential:
//     the foreign-header sweep wants 403 and gets 2xx.
func TestCrossTenantSweep(t *testing.T) {
	ops := documentedOperations(t)
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		a := newVictim(t, env)
		b := newAttacker(t, env)
		b.victimUserID = a.userID
		before := a.snapshot(t, env)

		swept := 0
		for _, op := range ops {
			path, ok := a.fillPath(op.path)
			if !ok {
				t.Errorf("%s %s: a path parameter has no tenant A fixture; add one to fillPath so the route is swept", op.method, op.path)
				continue
			}
			path += a.query(op)
			if publicRoutes[op.key()] {
				// No credential: these routes take none (or, for the token
				// endpoint, B's client credentials in the body).
				body, ct := requestBody(op, facePlain, b)
				var headers []string
				if ct != "" {
					headers = []string{"Content-Type", ct}
				}
				res := env.Do(t, op.method, path, body, headers...)
				swept++
				if res.Status >= 500 {
					t.Errorf("%s %s: status %d, want no server error; body %s", op.method, path, res.Status, res.Body)
				}
				a.assertNoTenantAData(t, op.method+" "+path, res)
				continue
			}
			for i, cred := range b.credentials() {
				for _, face := range facesOf(op) {
					name := fmt.Sprintf("%s %s as B (%s, %s)", op.method, path, cred.name, face)
					headers := append(apitest.Bearer(cred.value), b.faceHeaders(face)...)
					body, ct := requestBody(op, face, b)
					key := idempotencyKey(op, face) // the key A used on the same route
					if i > 0 {
						// Distinct values and key, so that the second
						// credential's creates run rather than conflict or
						// replay the first's.
						body = strings.NewReplacer("b-", "b2-", "B ", "B2 ", "/b/", "/b2/").Replace(body)
						key += "-" + strconv.Itoa(i)
					}
					headers = append(headers, "Idempotency-Key", key)
					if ct != "" {
						headers = append(headers, "Content-Type", ct)
					}
					res := env.Do(t, op.method, path, body, headers...)
					swept++
					if res.Status >= 500 {
						t.Errorf("%s: status %d, want no server error; body %s", name, res.Status, res.Body)
					}
					if op.hasPathParams() {
						wantRefused(t, name, res, http.StatusNotFound)
					} else if res.Status < 200 || res.Status > 299 {
						// B's own lists and creates must work, or the sweep
						// tests input validation instead of the route: give
						// the route a body in requestBody.
						t.Errorf("%s: status %d, want 2xx for B's own request; body %s", name, res.Status, res.Body)
					}
					a.assertNoTenantAData(t, name, res)
				}
			}
		}

		// The headers that name a tenant, set to A's, with B's credential:
		// refused whatever the path, never data.
		for _, op := range ops {
			for _, face := range facesOf(op) {
				if face != faceJSONAPI && face != faceAccounts {
					continue
				}
				path, _ := a.fillPath(op.path)
				for _, cred := range b.credentials() {
					name := fmt.Sprintf("%s %s as B (%s) with A's %s header", op.method, path, cred.name, face)
					headers := append(apitest.Bearer(cred.value), a.faceHeaders(face)...)
					body, ct := requestBody(op, face, b)
					if ct != "" {
						headers = append(headers, "Content-Type", ct)
					}
					res := env.Do(t, op.method, path, body, headers...)
					swept++
					wantRefused(t, name, res, http.StatusForbidden)
					a.assertNoTenantAData(t, name, res)
				}
			}
		}

		// Public routes the document does not list.
		for _, path := range []string{"/docs"} {
			res := env.Do(t, "GET", path, "")
			swept++
			a.assertNoTenantAData(t, "GET "+path, res)
		}

		after := a.snapshot(t, env)
		for _, k := range slices.Sorted(maps.Keys(before)) {
			if !bytes.Equal(before[k], after[k]) {
				t.Errorf("tenant A's %s changed during B's sweep:\nbefore %s\nafter  %s", k, before[k], after[k])
			}
		}
		t.Logf("%d documented operations, %d requests", len(ops), swept)
	})
}

// publicRoutes take no credential; they are swept once without one, and
// only the absence of A's data is asserted.
var publicRoutes = map[string]bool{
	"GET /healthz": true, "GET /readyz": true, "GET /openapi.json": true,
	"GET /.well-known/jwks.json": true, "GET /.well-known/oauth-authorization-server": true,
	"POST /api/auth/login": true, "POST /api/auth/password": true, "POST /oauth/token": true,
}

// operation is one path × method of the OpenAPI document.
type operation struct{ method, path string }

func (o operation) key() string { return o.method + " " + o.path }

func (o operation) hasPathParams() bool { return strings.Contains(o.path, "{") }

// documentedOperations lists every operation under paths in the served
// document, sorted so that the DELETEs come last (a wrongly allowed
// delete must not hide the reads of the same object from the sweep).
func documentedOperations(t *testing.T) []operation {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("openapi", "openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	var ops []operation
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "patch", "delete", "head", "options", "trace":
				ops = append(ops, operation{strings.ToUpper(method), path})
			}
		}
	}
	rank := func(o operation) int {
		if o.method == "DELETE" {
			return 1
		}
		return 0
	}
	slices.SortFunc(ops, func(x, y operation) int {
		if r := rank(x) - rank(y); r != 0 {
			return r
		}
		return strings.Compare(x.key(), y.key())
	})
	if len(ops) < 50 {
		t.Fatalf("openapi.json documents %d operations; the sweep expects the whole API", len(ops))
	}
	return ops
}

// The faces a request can be for; /api/users is shared by two of them.
const (
	facePlain    = "bearer"
	faceClient   = "client"
	faceJSONAPI  = "jsonapi"
	faceAccounts = "accounts"
)

// facesOf lists the faces that serve op: both faces of /api/users and
// /api/users/{id}, each swept on its own.
func facesOf(op operation) []string {
	switch {
	case op.path == "/api/users" || op.path == "/api/users/{id}":
		return []string{faceClient, faceJSONAPI}
	case op.path == "/users" || strings.HasPrefix(op.path, "/users/"):
		return []string{faceAccounts}
	}
	return []string{facePlain}
}

func idempotencyKey(op operation, face string) string {
	return "sweep-" + face + "-" + strings.ToLower(op.method) + strings.NewReplacer("/", "-", "{", "", "}", "").Replace(op.path)
}

// requestBody is a small valid body of B's for op (content type "" for
// application/json), or none for the operations that take none.
func requestBody(op operation, face string, b *attacker) (body, contentType string) {
	switch op.key() {
	case "POST /api/users":
		if face == faceJSONAPI {
			return `{"data":{"type":"users","attributes":{"email":"b-jsonapi@example.net","name":"B JSON"}}}`, "application/vnd.api+json"
		}
		return `{"email":"b-client@example.net","displayName":"B Client","password":"securepassword123"}`, ""
	case "PATCH /api/users/{id}":
		if face == faceJSONAPI {
			return `{"data":{"type":"users","id":"` + b.victimUserID + `","attributes":{"name":"Pwned"}}}`, "application/vnd.api+json"
		}
		return `{"displayName":"Pwned"}`, ""
	case "POST /_api/client/users":
		return `{"email":"b-zapier@example.net","password":"securepassword123"}`, ""
	case "POST /api/users/add":
		return `{"users":[{"name":"b bulk","email":"b-bulk@example.net","type":"user"}]}`, ""
	case "POST /users":
		return `{"email":"b-accounts@example.net"}`, ""
	case "PATCH /users/{id}":
		return `{"name":"Pwned"}`, ""
	case "POST /api/auth/login":
		return fmt.Sprintf(`{"email":%q,"password":%q}`, b.tn.Admin.Email, b.tn.AdminPassword), ""
	case "POST /api/auth/password":
		return `{"token":"spt_3kT9xQ2mVb7LwZ1cR8nY4pH6sJ0dF5gA2eK9uW7o","password":"a-new-password"}`, ""
	case "POST /oauth/token":
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {b.tn.Tenant.ClientID},
			"client_secret": {b.tn.APIKey}}.Encode(), "application/x-www-form-urlencoded"
	case "POST /api/v1/teams":
		return `{"name":"B Sales"}`, ""
	case "PATCH /api/v1/teams/{id}", "PATCH /api/v1/workspaces/{id}", "PATCH /api/v1/groups/{id}":
		return `{"name":"Pwned"}`, ""
	case "POST /api/v1/roles":
		return `{"key":"b-support","name":"B Support","permissions":["users:read"]}`, ""
	case "POST /api/v1/workspaces":
		return `{"name":"B workspace two"}`, ""
	case "POST /api/v1/groups":
		return fmt.Sprintf(`{"workspace_id":%q,"name":"B group"}`, b.workspaceID), ""
	case "POST /api/v1/users/import":
		return `{"email":"b-import@example.net","name":"B Import"}` + "\n", "application/x-ndjson"
	case "POST /api/v1/webhooks":
		return `{"url":"https://b-hooks.example.net/roster"}`, ""
	case "PATCH /api/v1/webhooks/{id}":
		return `{"enabled":false,"url":"https://b-hooks.example.net/stolen"}`, ""
	case "POST /api/v1/hooks":
		return `{"target_url":"https://hooks.zapier.com/hooks/standard/2/b/","event":"user_created"}`, ""
	}
	if op.method == "POST" || op.method == "PUT" || op.method == "PATCH" {
		// Routes whose body is optional or absent (rotate-secret, test,
		// redeliver, PUT members): {} where a body is read.
		if op.method == "PUT" || strings.HasSuffix(op.path, "/rotate-secret") || strings.HasSuffix(op.path, "/test") ||
			strings.HasSuffix(op.path, "/redeliver") {
			return "", ""
		}
		return `{}`, ""
	}
	return "", ""
}

// wantRefused fails unless res has status want: another tenant's object is
// answered exactly like an unknown one (404), and a header naming another
// tenant is refused (403).
func wantRefused(t *testing.T, name string, res apitest.Response, want int) {
	t.Helper()
	if res.Status != want {
		t.Errorf("%s: status %d, want %d; body %s", name, res.Status, want, res.Body)
	}
}

// credential is one of B's ways in.
type credential struct{ name, value string }

// victim is tenant A and one object of every kind a path can name.
type victim struct {
	tn          core.TenantCreated
	userID      string
	userEmail   string
	userName    string
	otherKey    string // an API key besides the tenant's own
	teamID      string
	teamName    string
	roleID      string
	roleKey     string
	workspaceID string
	groupID     string
	groupName   string
	webhookID   string
	webhookURL  string
	secret      string
	deliveryID  string
	hookID      string
	hookURL     string
}

// attacker is tenant B with its credentials.
type attacker struct {
	tn           core.TenantCreated
	loginToken   string
	workspaceID  string
	victimUserID string // for the JSON:API PATCH body, which names the id
}

func (b *attacker) credentials() []credential {
	return []credential{{"API key", b.tn.APIKey}, {"clientAdmin login", b.loginToken}}
}

// faceHeaders are the headers the face requires, naming B's tenant.
func (b *attacker) faceHeaders(face string) []string { return tenantHeaders(b.tn, face) }

// faceHeaders are the headers of face naming A's tenant.
func (a *victim) faceHeaders(face string) []string { return tenantHeaders(a.tn, face) }

func tenantHeaders(tn core.TenantCreated, face string) []string {
	switch face {
	case faceJSONAPI:
		return []string{"Accept", "application/vnd.api+json", "X-Clarus-Subdomain", tn.Tenant.Subdomain}
	case faceAccounts:
		return []string{"x-account-id", tn.Tenant.AccountID()}
	}
	return nil
}

// newVictim makes tenant A and its objects over HTTP with A's key, each
// create with the Idempotency-Key B's sweep will send to the same route.
func newVictim(t *testing.T, env *apitest.Env) *victim {
	t.Helper()
	a := &victim{tn: env.NewTenant(t, "Victim Corp"), userEmail: "alice.victim@victim-corp.example",
		userName: "Alice Victimfixture", teamName: "Victim Team Zq", roleKey: "victim-auditor",
		workspaceID: "a1a1a1a1a1a1a1a1a1a1a1a1", groupName: "Victim Group Zq",
		webhookURL: "https://victim-hooks.example.org/roster", hookURL: "https://hooks.zapier.com/hooks/standard/1/victim/"}
	create := func(method, path, body string, status int, face string) map[string]any {
		t.Helper()
		headers := append(apitest.Bearer(a.tn.APIKey), "Idempotency-Key", idempotencyKey(operation{method, path}, face))
		res := env.Do(t, method, path, body, headers...)
		if res.Status != status {
			t.Fatalf("tenant A: %s %s: %d %s", method, path, res.Status, res.Body)
		}
		var out map[string]any
		if len(res.Body) > 0 {
			res.JSON(t, &out)
		}
		return out
	}
	user := create("POST", "/api/users", fmt.Sprintf(`{"email":%q,"displayName":%q,"password":"securepassword123"}`, a.userEmail, a.userName), 201, faceClient)
	a.userID = idOf(t, user)
	a.teamID = idOf(t, create("POST", "/api/v1/teams", fmt.Sprintf(`{"name":%q}`, a.teamName), 201, facePlain))
	a.roleID = idOf(t, create("POST", "/api/v1/roles", fmt.Sprintf(`{"key":%q,"name":"Victim Auditor","permissions":["users:read"]}`, a.roleKey), 201, facePlain))
	create("POST", "/api/v1/workspaces", fmt.Sprintf(`{"_id":%q,"name":"Victim Workspace Zq"}`, a.workspaceID), 201, facePlain)
	a.groupID = idOf(t, create("POST", "/api/v1/groups", fmt.Sprintf(`{"workspace_id":%q,"name":%q}`, a.workspaceID, a.groupName), 201, facePlain))
	create("PUT", "/api/v1/groups/"+a.groupID+"/members/"+a.userID, "", 204, facePlain)
	hook := create("POST", "/api/v1/webhooks", fmt.Sprintf(`{"url":%q,"description":"victim endpoint"}`, a.webhookURL), 201, facePlain)
	a.webhookID = idOf(t, hook)
	a.secret, _ = hook["secret"].(string)
	if a.secret == "" {
		t.Fatalf("tenant A's webhook has no secret: %v", hook)
	}
	a.deliveryID = idOf(t, create("POST", "/api/v1/webhooks/"+a.webhookID+"/test", "", 202, facePlain))
	a.hookID = idOf(t, create("POST", "/api/v1/hooks", fmt.Sprintf(`{"target_url":%q,"event":"user_created"}`, a.hookURL), 201, facePlain))
	_, key, err := env.Service.CreateAPIKey(context.Background(), core.OperatorFor(a.tn.Tenant),
		core.CreateAPIKey{Name: "victim second key", Scopes: []string{"users:read", "users:write", "admin"}})
	if err != nil {
		t.Fatal(err)
	}
	a.otherKey = key
	return a
}

// newAttacker makes tenant B with its admin's login token and a workspace
// of its own (for a valid group body).
func newAttacker(t *testing.T, env *apitest.Env) *attacker {
	t.Helper()
	b := &attacker{tn: env.NewTenant(t, "Attacker Inc")}
	res := env.Do(t, "POST", "/api/auth/login", fmt.Sprintf(`{"email":%q,"password":%q}`, b.tn.Admin.Email, b.tn.AdminPassword))
	var login struct {
		AccessToken string `json:"access_token"`
		User        struct {
			Role string `json:"role"`
		} `json:"user"`
	}
	res.JSON(t, &login)
	if res.Status != 200 || login.AccessToken == "" || login.User.Role != "clientAdmin" {
		t.Fatalf("tenant B login: %d %s", res.Status, res.Body)
	}
	b.loginToken = login.AccessToken
	res = env.Do(t, "POST", "/api/v1/workspaces", `{"name":"B workspace"}`, apitest.Bearer(b.tn.APIKey)...)
	var ws map[string]any
	res.JSON(t, &ws)
	if res.Status != 201 {
		t.Fatalf("tenant B workspace: %d %s", res.Status, res.Body)
	}
	b.workspaceID = idOf(t, ws)
	return b
}

// idOf returns the "id" (or "_id") member of a created object as text.
func idOf(t *testing.T, obj map[string]any) string {
	t.Helper()
	for _, k := range []string{"id", "_id"} {
		switch v := obj[k].(type) {
		case string:
			return v
		case float64:
			return strconv.FormatInt(int64(v), 10)
		}
	}
	t.Fatalf("no id in %v", obj)
	return ""
}

// fillPath puts A's ids into path's parameters; false when a parameter
// has no fixture.
func (a *victim) fillPath(path string) (string, bool) {
	ok := true
	filled := pathParam.ReplaceAllStringFunc(path, func(p string) string {
		name := p[1 : len(p)-1]
		switch {
		case name == "userId":
			return a.userID
		case name == "deliveryId":
			return a.deliveryID
		case name != "id":
		case strings.HasPrefix(path, "/api/users/"), strings.HasPrefix(path, "/users/"):
			return a.userID
		case strings.HasPrefix(path, "/api/v1/teams/"):
			return a.teamID
		case strings.HasPrefix(path, "/api/v1/roles/"):
			return a.roleID
		case strings.HasPrefix(path, "/api/v1/workspaces/"):
			return a.workspaceID
		case strings.HasPrefix(path, "/api/v1/groups/"):
			return a.groupID
		case strings.HasPrefix(path, "/api/v1/webhooks/"):
			return a.webhookID
		case strings.HasPrefix(path, "/api/v1/hooks/"):
			return a.hookID
		}
		ok = false
		return p
	})
	return filled, ok
}

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// query is the query string B sends with op: filters set to A's values
// where a list takes them.
func (a *victim) query(op operation) string {
	switch op.key() {
	case "GET /api/v1/groups":
		return "?workspace_id=" + a.workspaceID
	case "GET /api/v1/events":
		return "?subject_type=user&subject_id=" + a.userID
	case "GET /api/v1/hooks/sample":
		return "?event=user_created"
	}
	return ""
}

// assertNoTenantAData fails when res's body holds any of A's secrets or
// identifying values, or a user, delivery or event reference carrying one
// of A's numeric ids.
func (a *victim) assertNoTenantAData(t *testing.T, name string, res apitest.Response) {
	t.Helper()
	body := string(res.Body)
	for label, v := range map[string]string{
		"A's user email": a.userEmail, "A's user name": a.userName, "A's admin email": a.tn.Admin.Email,
		"A's client ID": a.tn.Tenant.ClientID, "A's API key": a.tn.APIKey, "A's second API key": a.otherKey,
		"A's subdomain": a.tn.Tenant.Subdomain, "A's team name": a.teamName, "A's role key": a.roleKey,
		"A's workspace id": a.workspaceID, "A's group id": a.groupID, "A's group name": a.groupName,
		"A's webhook id": a.webhookID, "A's webhook URL": a.webhookURL, "A's webhook secret": a.secret,
		"A's hook URL": a.hookURL, "A's admin password": a.tn.AdminPassword,
	} {
		if strings.Contains(body, v) || strings.Contains(body, strings.ReplaceAll(v, "/", `\/`)) {
			t.Errorf("%s: the body holds %s: %.300s", name, label, body)
		}
	}
	var doc any
	if json.Unmarshal(res.Body, &doc) != nil {
		return // not JSON (the docs page, NDJSON): the strings above suffice
	}
	walkObjects(doc, func(obj map[string]any) {
		_, isUser := obj["email"]
		if typ, _ := obj["type"].(string); typ == "users" {
			isUser = true
		}
		_, isDelivery := obj["messageId"]
		for member, v := range obj {
			s := scalarText(v)
			switch {
			case s == "":
			case (member == "id" && isUser) || member == "userId" || member == "user_id":
				if s == a.userID {
					t.Errorf("%s: the body holds A's user id as %q: %.300s", name, member, body)
				}
			case member == "subject_id" || member == "subjectId":
				if s == a.userID || s == a.teamID || s == a.groupID || s == a.webhookID {
					t.Errorf("%s: the body holds an event about A's object %s: %.300s", name, s, body)
				}
			case member == "id" && isDelivery:
				if s == a.deliveryID {
					t.Errorf("%s: the body holds A's delivery: %.300s", name, body)
				}
			}
		}
	})
}

// walkObjects calls fn for every JSON object in v, depth first.
func walkObjects(v any, fn func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(x)
		for _, m := range x {
			walkObjects(m, fn)
		}
	case []any:
		for _, m := range x {
			walkObjects(m, fn)
		}
	}
}

// scalarText is a JSON string or number as text ("" for anything else).
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatInt(int64(x), 10)
	}
	return ""
}

// snapshot reads, with A's own credentials, everything of A's that B's
// sweep could change: equal snapshots before and after mean B changed
// nothing (A's audit log would also show any change made in A's name).
func (a *victim) snapshot(t *testing.T, env *apitest.Env) map[string][]byte {
	t.Helper()
	reads := map[string][]string{
		"user (Client API)":  {"/api/users/" + a.userID},
		"user (JSON:API)":    {"/api/users/" + a.userID, "Accept", "application/vnd.api+json", "X-Clarus-Subdomain", a.tn.Tenant.Subdomain},
		"user (Accounts)":    {"/users/" + a.userID, "x-account-id", a.tn.Tenant.AccountID()},
		"users":              {"/api/users?limit=100"},
		"team":               {"/api/v1/teams/" + a.teamID},
		"role":               {"/api/v1/roles/" + a.roleID},
		"workspace":          {"/api/v1/workspaces/" + a.workspaceID},
		"group":              {"/api/v1/groups/" + a.groupID},
		"group members":      {"/api/v1/groups/" + a.groupID + "/members"},
		"webhook endpoints":  {"/api/v1/webhooks"},
		"webhook endpoint":   {"/api/v1/webhooks/" + a.webhookID},
		"webhook deliveries": {"/api/v1/webhooks/" + a.webhookID + "/deliveries"},
		"delivery":           {"/api/v1/webhooks/" + a.webhookID + "/deliveries/" + a.deliveryID},
		"audit log":          {"/api/v1/events?limit=200"},
	}
	out := map[string][]byte{}
	for what, r := range reads {
		// Both of A's keys: the second must still work after the sweep.
		for _, key := range []string{a.tn.APIKey, a.otherKey} {
			res := env.Do(t, "GET", r[0], "", append(apitest.Bearer(key), r[1:]...)...)
			if res.Status != 200 {
				t.Fatalf("tenant A reads its %s (%s): %d %s", what, r[0], res.Status, res.Body)
			}
			out[what] = res.Body
		}
	}
	return out
}
