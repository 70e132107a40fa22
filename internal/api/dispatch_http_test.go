package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
)

// TestUsersDispatch drives the real server: the same paths answer as the
// Client API or as JSON:API by the rules of dispatchUsers.
func TestUsersDispatch(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		auth := apitest.Bearer(acme.APIKey)
		with := func(pairs ...string) []string { return append(append([]string{}, auth...), pairs...) }
		sub := []string{"X-Clarus-Subdomain", acme.Tenant.Subdomain}

		// shape tells the faces apart by their bodies and content types.
		shape := func(res apitest.Response) string {
			t.Helper()
			var top map[string]json.RawMessage
			if len(res.Body) > 0 {
				res.JSON(t, &top)
			}
			ct := res.Header.Get("Content-Type")
			switch {
			case ct == "application/vnd.api+json" && (top["data"] != nil || top["errors"] != nil):
				return "jsonapi"
			case ct == "application/json":
				return "client"
			case len(res.Body) == 0:
				return "empty"
			}
			return "unknown " + ct
		}

		client := env.Do(t, "POST", "/api/users", `{"email":"flat@example.com","displayName":"Flat"}`, auth...)
		if client.Status != 201 || shape(client) != "client" {
			t.Fatalf("Client API create: %d %s", client.Status, client.Body)
		}
		var flat struct{ ID int64 }
		client.JSON(t, &flat)
		doc := env.Do(t, "POST", "/api/users", `{"data":{"type":"users","attributes":{"email":"doc@example.com","name":"Doc"}}}`, with(sub...)...)
		if doc.Status != 201 || shape(doc) != "jsonapi" {
			t.Fatalf("JSON:API create: %d %s", doc.Status, doc.Body)
		}
		flatPath := "/api/users/" + strings.TrimSpace(string(mustJSON(t, flat.ID)))

		for _, tt := range []struct {
			name, method, path, body string
			headers                  []string
			status                   int
			face                     string
		}{
			{"ClientList", "GET", "/api/users?limit=1", "", auth, 200, "client"},
			{"ListWithPage", "GET", "/api/users?page[size]=1", "", with(sub...), 200, "jsonapi"},
			{"ListWithPageButNoSubdomain", "GET", "/api/users?page[size]=1", "", auth, 400, "jsonapi"},
			{"ListAcceptingJSONAPI", "GET", "/api/users", "", with(append([]string{"Accept", "application/vnd.api+json"}, sub...)...), 200, "jsonapi"},
			{"ListWithSubdomain", "GET", "/api/users", "", with(sub...), 200, "jsonapi"},
			{"ClientGet", "GET", flatPath, "", auth, 200, "client"},
			{"GetWithSubdomain", "GET", flatPath, "", with(sub...), 200, "jsonapi"},
			{"ClientPatch", "PATCH", flatPath, `{"displayName":"Flatter"}`, auth, 200, "client"},
			{"PatchWithDocument", "PATCH", flatPath, `{"data":{"type":"users","id":"` + strings.TrimPrefix(flatPath, "/api/users/") + `","attributes":{"name":"Doc"}}}`, with(sub...), 200, "jsonapi"},
			{"ClientUnknownField", "POST", "/api/users", `{"email":"x@example.com","dat":{}}`, auth, 400, "client"},
			{"ClientTooLarge", "POST", "/api/users", `{"email":"x@example.com","displayName":"` + strings.Repeat("x", 1<<20) + `"}`, auth, 413, "client"},
			{"DocumentTooLarge", "POST", "/api/users", `{"data":{"type":"users","attributes":{"name":"` + strings.Repeat("x", 1<<20) + `"}}}`, with(sub...), 413, "jsonapi"},
			{"ClientNotJSON", "POST", "/api/users", `{}`, with("Content-Type", "text/plain"), 415, "client"},
			{"ClientSeedPath", "POST", "/_api/client/users", `{"data":{}}`, auth, 400, "client"},
			{"ClientDelete", "DELETE", flatPath, "", auth, 204, "empty"},
		} {
			res := env.Do(t, tt.method, tt.path, tt.body, tt.headers...)
			if res.Status != tt.status || shape(res) != tt.face {
				t.Errorf("%s: got %d from %s, want %d from %s; body %.300s", tt.name, res.Status, shape(res), tt.status, tt.face, res.Body)
			}
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
