package api_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
)

// TestBulkRouteBesideUsers: POST /api/users/add reaches the Bulk face,
// whatever JSON:API signs the request carries (JSON:API has no such route),
// and the paths it shares a prefix with still reach their faces.
func TestBulkRouteBesideUsers(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		auth := apitest.Bearer(acme.APIKey)
		with := func(pairs ...string) []string { return append(append([]string{}, auth...), pairs...) }
		// members names the top-level members of a JSON body.
		members := func(res apitest.Response) string {
			t.Helper()
			var top map[string]json.RawMessage
			res.JSON(t, &top)
			_, bulk := top["results"]
			_, client := top["error"]
			switch {
			case bulk:
				return "bulk"
			case client:
				return "client"
			}
			return fmt.Sprintf("other %s", res.Body)
		}
		for _, tt := range []struct {
			name, method, path, body string
			headers                  []string
			status                   int
			face                     string
		}{
			{"Bulk", "POST", "/api/users/add", `{"users":[{"email":"bulk@example.com"}]}`, auth, 200, "bulk"},
			{"BulkWithSubdomain", "POST", "/api/users/add", `{"users":[{"email":"bulk2@example.com"}]}`,
				with("X-Clarus-Subdomain", acme.Tenant.Subdomain, "Accept", "application/vnd.api+json"), 200, "bulk"},
			{"BulkWithADataMember", "POST", "/api/users/add", `{"data":{}}`, auth, 400, "bulk"},
			{"GetAddIsAClientGet", "GET", "/api/users/add", "", auth, 404, "client"},
			{"ClientCreateStillClient", "POST", "/api/users", `{"email":"flat@example.com"}`, auth, 201, "other"},
		} {
			res := env.Do(t, tt.method, tt.path, tt.body, tt.headers...)
			got := members(res)
			if res.Status != tt.status || (got != tt.face && !(tt.face == "other" && len(got) > 5 && got[:5] == "other")) {
				t.Errorf("%s: got %d from %s, want %d from %s", tt.name, res.Status, got, tt.status, tt.face)
			}
		}
	})
}
