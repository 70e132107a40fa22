package webhookapi_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

// keysOf returns the sorted paths of every member of a JSON object, nested
// objects included ("data.user.email").
func keysOf(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	var keys []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		for k, child := range obj {
			keys = append(keys, prefix+k)
			walk(prefix+k+".", child)
		}
	}
	walk("", v)
	slices.Sort(keys)
	if len(keys) < 10 {
		t.Fatalf("only %d members in %s", len(keys), raw)
	}
	return keys
}

func TestZapierHooks(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		// Zapier authenticates with a tenant API key; users:read is enough
		// for user events.
		zapKey := keyWithScopes(t, env, acme, core.ScopeUsersRead)
		auth := apitest.Bearer(zapKey)

		// No user was deleted yet: the sample is one documented example.
		res := env.Do(t, "GET", "/api/v1/hooks/sample?event=user_deleted", "", auth...)
		var samples []json.RawMessage
		res.JSON(t, &samples)
		if res.Status != 200 || len(samples) != 1 {
			t.Fatalf("sample with no events: %d %s", res.Status, res.Body)
		}
		example := samples[0]

		// Subscribe, as Zapier does.
		res = env.Do(t, "POST", "/api/v1/hooks", fixture(t, "zapier_subscribe.json"), auth...)
		var hook struct {
			ID        string `json:"id"`
			TargetURL string `json:"target_url"`
			Event     string `json:"event"`
		}
		res.JSON(t, &hook)
		if res.Status != 201 || !strings.HasPrefix(hook.ID, "whe_") || hook.TargetURL != "https://hooks.zapier.com/hooks/standard/1234567/abcdef/" || hook.Event != "user_created" {
			t.Fatalf("subscribe: %d %s", res.Status, res.Body)
		}
		if strings.Contains(string(res.Body), "whsec_") {
			t.Errorf("subscribe answer shows a secret: %s", res.Body)
		}
		var ep endpoint
		env.Do(t, "GET", "/api/v1/webhooks/"+hook.ID, "", apitest.Bearer(acme.APIKey)...).JSON(t, &ep)
		if ep.Kind != "zapier" || !slices.Equal(ep.EventTypes, []string{"user_created"}) || !ep.Enabled {
			t.Errorf("the subscription as an endpoint: %+v", ep)
		}

		// The seed 000 user: its user_created goes to the hook.
		res = env.Do(t, "POST", "/api/users", fixture(t, "seed000_create.json"), apitest.Bearer(acme.APIKey)...)
		if res.Status != 201 {
			t.Fatalf("create the seed user: %d %s", res.Status, res.Body)
		}
		fanOut(t, env)
		live := listDeliveries(t, env, acme.APIKey, hook.ID)
		if len(live) != 1 || live[0].EventType != "user_created" {
			t.Fatalf("hook deliveries: %+v, want the one user_created", live)
		}

		// The sample is now that event, byte for byte the live body, and
		// the example had the same members.
		res = env.Do(t, "GET", "/api/v1/hooks/sample?event=user_created", "", auth...)
		samples = nil
		res.JSON(t, &samples)
		// (The tenant's admin, made with the tenant, is the older one.)
		if res.Status != 200 || len(samples) != 2 {
			t.Fatalf("sample: %d %s", res.Status, res.Body)
		}
		if string(samples[0]) != string(live[0].Payload) {
			t.Errorf("sample %s differs from the live delivery %s", samples[0], live[0].Payload)
		}
		var body struct {
			Data struct {
				ID   int64 `json:"id"`
				User struct {
					ID    int64  `json:"id"`
					Email string `json:"email"`
					Name  string `json:"name"`
				} `json:"user"`
			} `json:"data"`
		}
		if err := json.Unmarshal(samples[0], &body); err != nil || body.Data.ID == 0 || body.Data.User.Email != "john.doe@example.com" || body.Data.User.Name != "John Doe" {
			t.Errorf("sample data: %+v (%v)", body, err)
		}
		if strings.Contains(string(samples[0]), "securepassword123") {
			t.Errorf("sample holds the password")
		}

		// A live user_deleted has the members of the example.
		res = env.Do(t, "POST", "/api/v1/hooks", `{"target_url":"https://hooks.zapier.com/hooks/standard/1/del/","event":"user_deleted"}`, auth...)
		var delHook struct{ ID string }
		res.JSON(t, &delHook)
		if res.Status != 201 {
			t.Fatalf("subscribe user_deleted: %d %s", res.Status, res.Body)
		}
		if res := env.Do(t, "DELETE", "/api/users/"+strconv.FormatInt(body.Data.User.ID, 10), "", apitest.Bearer(acme.APIKey)...); res.Status != 204 && res.Status != 200 {
			t.Fatalf("delete the seed user: %d %s", res.Status, res.Body)
		}
		fanOut(t, env)
		deleted := listDeliveries(t, env, acme.APIKey, delHook.ID)
		if len(deleted) != 1 {
			t.Fatalf("user_deleted deliveries: %d, want 1", len(deleted))
		}
		if got, want := keysOf(t, deleted[0].Payload), keysOf(t, example); !slices.Equal(got, want) {
			t.Errorf("live members %v, example members %v", got, want)
		}

		// At most 3 samples, newest first.
		for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
			env.Do(t, "POST", "/api/users", `{"email":"`+email+`","password":"securepassword123"}`, apitest.Bearer(acme.APIKey)...)
		}
		samples = nil
		env.Do(t, "GET", "/api/v1/hooks/sample?event=user_created", "", auth...).JSON(t, &samples)
		if len(samples) != 3 || !strings.Contains(string(samples[0]), "c@example.com") {
			t.Errorf("samples: %d, first %s", len(samples), samples[0])
		}

		// Unsubscribe: 204, then 404; a plain webhook id is not a hook.
		plain := createEndpoint(t, env, acme.APIKey, `{"url":"https://hooks.example.com/plain"}`)
		wantProblem(t, env.Do(t, "DELETE", "/api/v1/hooks/"+plain.ID, "", apitest.Bearer(acme.APIKey)...), 404)
		if res := env.Do(t, "DELETE", "/api/v1/hooks/"+hook.ID, "", auth...); res.Status != 204 {
			t.Fatalf("unsubscribe: %d %s", res.Status, res.Body)
		}
		wantProblem(t, env.Do(t, "DELETE", "/api/v1/hooks/"+hook.ID, "", auth...), 404)
		if res := env.Do(t, "GET", "/api/v1/webhooks/"+plain.ID, "", apitest.Bearer(acme.APIKey)...); res.Status != 200 {
			t.Errorf("the plain endpoint after a refused unsubscribe: %d", res.Status)
		}
	})
}

func TestZapierHooksBadInput(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		readKey := keyWithScopes(t, env, acme, core.ScopeUsersRead)
		writeOnly := keyWithScopes(t, env, acme, core.ScopeUsersWrite)
		for _, tc := range []struct {
			name, key, body string
			status          int
			pointers        []string
		}{
			{"NoEvent", readKey, `{"target_url":"https://hooks.zapier.com/x"}`, 422, []string{"/event"}},
			{"UnknownEvent", readKey, `{"target_url":"https://hooks.zapier.com/x","event":"lead_created"}`, 422, []string{"/event"}},
			{"PrivateTarget", readKey, `{"target_url":"https://10.0.0.1/x","event":"user_created"}`, 422, []string{"/target_url"}},
			{"HTTPTarget", readKey, `{"target_url":"http://hooks.zapier.com/x","event":"user_created"}`, 422, []string{"/target_url"}},
			{"NoTarget", readKey, `{"event":"user_created"}`, 422, []string{"/target_url"}},
			{"CamelCase", readKey, `{"targetUrl":"https://hooks.zapier.com/x","event":"user_created"}`, 400, []string{"/targetUrl"}},
			{"AdminEventWithUsersKey", readKey, `{"target_url":"https://hooks.zapier.com/x","event":"api_key_created"}`, 403, nil},
			{"WithoutUsersRead", writeOnly, `{"target_url":"https://hooks.zapier.com/x","event":"user_created"}`, 403, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantProblem(t, env.Do(t, "POST", "/api/v1/hooks", tc.body, apitest.Bearer(tc.key)...), tc.status, tc.pointers...)
			})
		}
		if list, _ := env.Service.ListWebhookEndpoints(t.Context(), core.OperatorFor(acme.Tenant)); len(list) != 0 {
			t.Fatalf("refused subscriptions made %d endpoints", len(list))
		}
		// The admin key may subscribe to any emitted event.
		if res := env.Do(t, "POST", "/api/v1/hooks", `{"target_url":"https://hooks.zapier.com/x","event":"api_key_created"}`, apitest.Bearer(acme.APIKey)...); res.Status != 201 {
			t.Fatalf("admin subscribes to api_key_created: %d %s", res.Status, res.Body)
		}
		for _, q := range []string{"", "?event=", "?event=lead_created"} {
			wantProblem(t, env.Do(t, "GET", "/api/v1/hooks/sample"+q, "", apitest.Bearer(readKey)...), 422, "/event")
		}
		wantProblem(t, env.Do(t, "GET", "/api/v1/hooks/sample?event=user_created&limit=5", "", apitest.Bearer(readKey)...), 400)
		wantProblem(t, env.Do(t, "GET", "/api/v1/hooks/sample?event=webhook_created", "", apitest.Bearer(readKey)...), 403)
		wantProblem(t, env.Do(t, "GET", "/api/v1/hooks/sample?event=user_created", ""), 401)
	})
}
