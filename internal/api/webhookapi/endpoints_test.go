package webhookapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

func TestEndpointCRUD(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		auth := apitest.Bearer(acme.APIKey)

		res := env.Do(t, "GET", "/api/v1/webhooks", "", auth...)
		if res.Status != 200 || string(res.Body) != `{"webhooks":[]}`+"\n" && string(res.Body) != `{"webhooks":[]}` {
			t.Fatalf("empty list: %d %s", res.Status, res.Body)
		}

		created := createEndpoint(t, env, acme.APIKey,
			`{"url":"https://hooks.example.com/roster","description":" CRM sync ","eventTypes":["user_created","user_deleted"]}`)
		if !strings.HasPrefix(created.ID, "whe_") || len(created.ID) != 28 {
			t.Errorf("id %q: want whe_ + 24 characters", created.ID)
		}
		if !strings.HasPrefix(*created.Secret, "whsec_") {
			t.Errorf("secret %q: want whsec_...", *created.Secret)
		}
		if created.URL != "https://hooks.example.com/roster" || created.Description != "CRM sync" || !created.Enabled ||
			created.Kind != "webhook" || !slices.Equal(created.EventTypes, []string{"user_created", "user_deleted"}) ||
			created.DisabledReason != nil || created.PreviousSecretExpiresAt != nil {
			t.Errorf("created: %+v", created)
		}
		secret := *created.Secret

		// The secret is never shown again: not in GET, list, PATCH, events.
		for _, path := range []string{"/api/v1/webhooks", "/api/v1/webhooks/" + created.ID, "/api/v1/events"} {
			res := env.Do(t, "GET", path, "", auth...)
			if res.Status != 200 || strings.Contains(string(res.Body), secret) || strings.Contains(string(res.Body), `"secret"`) {
				t.Errorf("GET %s: %d, shows the secret: %s", path, res.Status, res.Body)
			}
		}
		var got endpoint
		env.Do(t, "GET", "/api/v1/webhooks/"+created.ID, "", auth...).JSON(t, &got)
		created.Secret = nil
		if fmt.Sprint(got) != fmt.Sprint(created) {
			t.Errorf("get: got %+v, want %+v", got, created)
		}

		// PATCH changes only what it names.
		res = env.Do(t, "PATCH", "/api/v1/webhooks/"+created.ID, `{"enabled":false,"eventTypes":[]}`, auth...)
		var patched endpoint
		res.JSON(t, &patched)
		if res.Status != 200 || patched.Enabled || len(patched.EventTypes) != 0 || patched.URL != created.URL || patched.Description != "CRM sync" || patched.Secret != nil {
			t.Fatalf("patch: %d %s", res.Status, res.Body)
		}
		res = env.Do(t, "PATCH", "/api/v1/webhooks/"+created.ID, `{"url":"https://other.example.com/x","description":"","enabled":true}`, auth...)
		res.JSON(t, &patched)
		if res.Status != 200 || !patched.Enabled || patched.URL != "https://other.example.com/x" || patched.Description != "" {
			t.Fatalf("patch 2: %d %s", res.Status, res.Body)
		}

		// Events: created, updated twice (naming the changes), deleted.
		res = env.Do(t, "DELETE", "/api/v1/webhooks/"+created.ID, "", auth...)
		if res.Status != 204 {
			t.Fatalf("delete: %d %s", res.Status, res.Body)
		}
		wantProblem(t, env.Do(t, "GET", "/api/v1/webhooks/"+created.ID, "", auth...), 404)
		wantProblem(t, env.Do(t, "DELETE", "/api/v1/webhooks/"+created.ID, "", auth...), 404)
		page, err := env.Service.ListEvents(context.Background(), core.OperatorFor(acme.Tenant), core.EventFilter{SubjectType: "webhook"})
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range page.Events {
			kinds = append(kinds, e.Type)
			if strings.Contains(string(e.Payload), secret) || strings.Contains(string(e.Payload), "hooks.example.com") {
				t.Errorf("%s payload holds the secret or the URL: %s", e.Type, e.Payload)
			}
		}
		want := []string{"webhook_created", "webhook_updated", "webhook_updated", "webhook_deleted"}
		if !slices.Equal(kinds, want) {
			t.Errorf("events: got %v, want %v", kinds, want)
		}
		var updated struct{ Changed []string }
		if err := json.Unmarshal(page.Events[1].Payload, &updated); err != nil || !slices.Equal(updated.Changed, []string{"eventTypes", "enabled"}) {
			t.Errorf("first webhook_updated: %s", page.Events[1].Payload)
		}
		env.AssertNoSecrets(t, secret)
	})
}

func TestEndpointBadInput(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		auth := apitest.Bearer(acme.APIKey)
		for _, tc := range []struct {
			name, body string
			status     int
			pointers   []string
		}{
			{"FTP", `{"url":"ftp://hooks.example.com/x"}`, 422, []string{"/url"}},
			{"HTTPWithoutSetting", `{"url":"http://hooks.example.com/x"}`, 422, []string{"/url"}},
			{"Loopback", `{"url":"https://127.0.0.1/"}`, 422, []string{"/url"}},
			{"LoopbackV6", `{"url":"https://[::1]/"}`, 422, []string{"/url"}},
			{"Private", `{"url":"https://10.0.0.1/"}`, 422, []string{"/url"}},
			{"Metadata", `{"url":"https://169.254.169.254/latest/meta-data/"}`, 422, []string{"/url"}},
			{"Localhost", `{"url":"https://localhost/"}`, 422, []string{"/url"}},
			{"UserInfo", `{"url":"https://user:hunter2@hooks.example.com/"}`, 422, []string{"/url"}},
			{"Relative", `{"url":"/hooks"}`, 422, []string{"/url"}},
			{"Missing", `{}`, 422, []string{"/url"}},
			{"TooLong", `{"url":"https://hooks.example.com/` + strings.Repeat("a", core.MaxWebhookURLLength) + `"}`, 422, []string{"/url"}},
			{"UnknownEvent", `{"url":"https://hooks.example.com/","eventTypes":["user_created","lead_created"]}`, 422, []string{"/eventTypes/1"}},
			{"Typo", `{"url":"https://hooks.example.com/","eventTypes":["user_creatd"]}`, 422, []string{"/eventTypes/0"}},
			{"Twice", `{"url":"https://hooks.example.com/","eventTypes":["user_created","user_created"]}`, 422, []string{"/eventTypes/1"}},
			{"TooManyEvents", `{"url":"https://hooks.example.com/","eventTypes":[` + strings.Repeat(`"user_created",`, core.MaxWebhookEventTypes) + `"user_created"]}`, 422, []string{"/eventTypes"}},
			{"DescriptionTooLong", `{"url":"https://hooks.example.com/","description":"` + strings.Repeat("d", core.MaxWebhookDescription+1) + `"}`, 422, []string{"/description"}},
			{"DescriptionControl", `{"url":"https://hooks.example.com/","description":"a\u0007b"}`, 422, []string{"/description"}},
			{"UnknownMember", `{"url":"https://hooks.example.com/","secret":"whsec_mine"}`, 400, []string{"/secret"}},
			{"WrongType", `{"url":"https://hooks.example.com/","enabled":"yes"}`, 400, []string{"/enabled"}},
			{"NotJSON", `{"url":`, 400, []string{"/url"}},
			{"NullEnabled", `{"url":"https://hooks.example.com/","enabled":null}`, 422, []string{"/enabled"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := env.Do(t, "POST", "/api/v1/webhooks", tc.body, auth...)
				p := wantProblem(t, res, tc.status, tc.pointers...)
				if strings.Contains(p.Detail, "hunter2") {
					t.Errorf("detail repeats the URL's password: %q", p.Detail)
				}
			})
		}
		// Nothing was made.
		if list, _ := env.Service.ListWebhookEndpoints(context.Background(), core.OperatorFor(acme.Tenant)); len(list) != 0 {
			t.Fatalf("bad input made %d endpoints", len(list))
		}
		// The same checks guard PATCH, which changes nothing on refusal.
		e := createEndpoint(t, env, acme.APIKey, `{"url":"https://hooks.example.com/ok"}`)
		wantProblem(t, env.Do(t, "PATCH", "/api/v1/webhooks/"+e.ID, `{"url":"https://10.0.0.1/","description":"changed"}`, auth...), 422, "/url")
		wantProblem(t, env.Do(t, "PATCH", "/api/v1/webhooks/"+e.ID, `{"eventTypes":["nope"]}`, auth...), 422, "/eventTypes/0")
		wantProblem(t, env.Do(t, "PATCH", "/api/v1/webhooks/"+e.ID, `{"kind":"zapier"}`, auth...), 400, "/kind")
		wantProblem(t, env.Do(t, "PATCH", "/api/v1/webhooks/"+e.ID, `{"description":"changed","url":null}`, auth...), 422, "/url")
		var got endpoint
		env.Do(t, "GET", "/api/v1/webhooks/"+e.ID, "", auth...).JSON(t, &got)
		if got.URL != "https://hooks.example.com/ok" || got.Description != "" {
			t.Errorf("after refused patches: %+v", got)
		}
		env.AssertNoSecrets(t, "hunter2")
	})
}

func TestEndpointHTTPAllowedBySetting(t *testing.T) {
	env := apitest.New(t, openSQLite(t), core.HashPoolConfig{})
	env.Service.SetEgressPolicy(egressAllowAll())
	acme := env.NewTenant(t, "Acme")
	for _, url := range []string{"http://hooks.example.com/x", "http://127.0.0.1:9/x"} {
		createEndpoint(t, env, acme.APIKey, `{"url":"`+url+`"}`)
	}
}

func TestEndpointLimit(t *testing.T) {
	env := apitest.New(t, openSQLite(t), core.HashPoolConfig{})
	acme := env.NewTenant(t, "Acme")
	for i := range core.MaxWebhookEndpoints {
		createEndpoint(t, env, acme.APIKey, fmt.Sprintf(`{"url":"https://hooks.example.com/%d"}`, i))
	}
	wantProblem(t, env.Do(t, "POST", "/api/v1/webhooks", `{"url":"https://hooks.example.com/one-more"}`, apitest.Bearer(acme.APIKey)...), 409)
}

func TestRotateSecret(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		auth := apitest.Bearer(acme.APIKey)
		e := createEndpoint(t, env, acme.APIKey, `{"url":"https://hooks.example.com/x"}`)
		res := env.Do(t, "POST", "/api/v1/webhooks/"+e.ID+"/rotate-secret", "", auth...)
		var rotated endpoint
		res.JSON(t, &rotated)
		if res.Status != 200 || rotated.Secret == nil || *rotated.Secret == *e.Secret || !strings.HasPrefix(*rotated.Secret, "whsec_") {
			t.Fatalf("rotate: %d %s", res.Status, res.Body)
		}
		if rotated.PreviousSecretExpiresAt == nil || time.Until(*rotated.PreviousSecretExpiresAt) < 23*time.Hour || time.Until(*rotated.PreviousSecretExpiresAt) > 24*time.Hour {
			t.Errorf("previousSecretExpiresAt %v, want about 24 h from now", rotated.PreviousSecretExpiresAt)
		}
		// Both secrets sign for now (the dispatcher's view).
		stored, err := env.Store.GetWebhookEndpoint(context.Background(), acme.Tenant.ID, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := stored.SigningSecrets(time.Now()); !slices.Equal(got, []string{*rotated.Secret, *e.Secret}) {
			t.Errorf("signing secrets after rotation: %d of them, want the new one then the old one", len(got))
		}
		res = env.Do(t, "GET", "/api/v1/webhooks/"+e.ID, "", auth...)
		if strings.Contains(string(res.Body), *rotated.Secret) || strings.Contains(string(res.Body), *e.Secret) {
			t.Errorf("GET after rotation shows a secret: %s", res.Body)
		}
		env.AssertNoSecrets(t, *e.Secret, *rotated.Secret)
	})
}

// TestCrossTenant: every route answers another tenant's endpoint and
// delivery ids exactly like unknown ones, and changes nothing.
func TestCrossTenant(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme, other := env.NewTenant(t, "Acme"), env.NewTenant(t, "Other")
		e := createEndpoint(t, env, acme.APIKey, `{"url":"https://hooks.example.com/x"}`)
		res := env.Do(t, "POST", "/api/v1/webhooks/"+e.ID+"/test", "", apitest.Bearer(acme.APIKey)...)
		var d delivery
		res.JSON(t, &d)
		if res.Status != 202 {
			t.Fatalf("test: %d %s", res.Status, res.Body)
		}
		hook := env.Do(t, "POST", "/api/v1/hooks", fixture(t, "zapier_subscribe.json"), apitest.Bearer(acme.APIKey)...)
		var h struct{ ID string }
		hook.JSON(t, &h)

		unknownEndpoint := "whe_000000000000000000000000"
		for _, id := range []string{e.ID, unknownEndpoint, "not-an-id"} {
			for _, rt := range []struct{ method, path, body string }{
				{"GET", "/api/v1/webhooks/" + id, ""},
				{"PATCH", "/api/v1/webhooks/" + id, `{"enabled":false}`},
				{"DELETE", "/api/v1/webhooks/" + id, ""},
				{"POST", "/api/v1/webhooks/" + id + "/rotate-secret", ""},
				{"POST", "/api/v1/webhooks/" + id + "/test", ""},
				{"GET", "/api/v1/webhooks/" + id + "/deliveries", ""},
				{"GET", fmt.Sprintf("/api/v1/webhooks/%s/deliveries/%d", id, d.ID), ""},
				{"POST", fmt.Sprintf("/api/v1/webhooks/%s/deliveries/%d/redeliver", id, d.ID), ""},
			} {
				res := env.Do(t, rt.method, rt.path, rt.body, apitest.Bearer(other.APIKey)...)
				if res.Status != 404 {
					t.Errorf("%s %s as another tenant: %d %s, want 404", rt.method, rt.path, res.Status, res.Body)
				}
			}
		}
		// Another tenant's delivery id under one's own endpoint is unknown too.
		own := createEndpoint(t, env, other.APIKey, `{"url":"https://hooks.example.com/y"}`)
		for _, path := range []string{
			fmt.Sprintf("/api/v1/webhooks/%s/deliveries/%d", own.ID, d.ID),
			fmt.Sprintf("/api/v1/webhooks/%s/deliveries/%d/redeliver", own.ID, d.ID),
			fmt.Sprintf("/api/v1/webhooks/%s/deliveries/abc", own.ID),
		} {
			method := "GET"
			if strings.HasSuffix(path, "redeliver") {
				method = "POST"
			}
			wantProblem(t, env.Do(t, method, path, "", apitest.Bearer(other.APIKey)...), 404)
		}
		wantProblem(t, env.Do(t, "DELETE", "/api/v1/hooks/"+h.ID, "", apitest.Bearer(other.APIKey)...), 404)

		// Acme's endpoint, delivery and hook are untouched.
		var got endpoint
		env.Do(t, "GET", "/api/v1/webhooks/"+e.ID, "", apitest.Bearer(acme.APIKey)...).JSON(t, &got)
		if !got.Enabled || got.PreviousSecretExpiresAt != nil {
			t.Errorf("acme's endpoint changed: %+v", got)
		}
		if list := listDeliveries(t, env, acme.APIKey, e.ID); len(list) != 1 {
			t.Errorf("acme's deliveries: %d, want 1", len(list))
		}
		if res := env.Do(t, "DELETE", "/api/v1/hooks/"+h.ID, "", apitest.Bearer(acme.APIKey)...); res.Status != 204 {
			t.Errorf("acme unsubscribes its hook: %d %s", res.Status, res.Body)
		}
	})
}

// TestScopes: the webhook routes need the admin scope.
func TestScopes(t *testing.T) {
	env := apitest.New(t, openSQLite(t), core.HashPoolConfig{})
	acme := env.NewTenant(t, "Acme")
	usersKey := keyWithScopes(t, env, acme, core.ScopeUsersRead, core.ScopeUsersWrite)
	e := createEndpoint(t, env, acme.APIKey, `{"url":"https://hooks.example.com/x"}`)
	for _, rt := range []struct{ method, path, body string }{
		{"GET", "/api/v1/webhooks", ""},
		{"POST", "/api/v1/webhooks", `{"url":"https://hooks.example.com/y"}`},
		{"GET", "/api/v1/webhooks/" + e.ID, ""},
		{"POST", "/api/v1/webhooks/" + e.ID + "/rotate-secret", ""},
		{"POST", "/api/v1/webhooks/" + e.ID + "/test", ""},
		{"GET", "/api/v1/webhooks/" + e.ID + "/deliveries", ""},
	} {
		wantProblem(t, env.Do(t, rt.method, rt.path, rt.body, apitest.Bearer(usersKey)...), 403)
	}
	wantProblem(t, env.Do(t, "GET", "/api/v1/webhooks", ""), 401)
}

// TestCreateReplayKeepsNoSecret: an Idempotency-Key replay of a create
// answers the endpoint without its secret, which is never stored in the
// idempotency record (DESIGN §2: a secret appears only in the answer that
// creates it).
func TestCreateReplayKeepsNoSecret(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		headers := append(apitest.Bearer(acme.APIKey), "Idempotency-Key", "create-once")
		body := `{"url":"https://hooks.example.com/replay"}`

		first := env.Do(t, "POST", "/api/v1/webhooks", body, headers...)
		var created endpoint
		first.JSON(t, &created)
		if first.Status != 201 || created.Secret == nil || !strings.HasPrefix(*created.Secret, "whsec_") {
			t.Fatalf("create: %d %s", first.Status, first.Body)
		}
		replay := env.Do(t, "POST", "/api/v1/webhooks", body, headers...)
		var replayed endpoint
		replay.JSON(t, &replayed)
		if replay.Status != 201 || replay.Header.Get("Idempotent-Replayed") != "true" || replayed.ID != created.ID {
			t.Fatalf("replay: %d %v %s; want 201, replayed, id %s", replay.Status, replay.Header, replay.Body, created.ID)
		}
		if loc := replay.Header.Get("Location"); loc != "/api/v1/webhooks/"+created.ID || loc != first.Header.Get("Location") {
			t.Errorf("replay Location %q, want the first answer's %q", loc, first.Header.Get("Location"))
		}
		if strings.Contains(string(replay.Body), *created.Secret) || strings.Contains(string(replay.Body), `"secret"`) {
			t.Errorf("the replay shows the secret: %s", replay.Body)
		}
		env.AssertNoSecrets(t, *created.Secret)
	})
}
