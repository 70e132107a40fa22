package openapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/api/openapi"
	"github.com/rosterhq/roster/internal/core"
)

// webhooksOperations are the operations TestWebhooksMatchDocument covers.
var webhooksOperations = covers("TestWebhooksMatchDocument",
	"GET /api/v1/webhooks", "POST /api/v1/webhooks",
	"GET /api/v1/webhooks/{id}", "PATCH /api/v1/webhooks/{id}", "DELETE /api/v1/webhooks/{id}",
	"POST /api/v1/webhooks/{id}/rotate-secret", "POST /api/v1/webhooks/{id}/test",
	"GET /api/v1/webhooks/{id}/deliveries", "GET /api/v1/webhooks/{id}/deliveries/{deliveryId}",
	"POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver",
	"POST /api/v1/hooks", "GET /api/v1/hooks/sample", "DELETE /api/v1/hooks/{id}",
)

// TestWebhooksMatchDocument drives the webhook Admin API and the Zapier
// REST Hooks routes through the document.
func TestWebhooksMatchDocument(t *testing.T) {
	ctx := context.Background()
	c := newContract(t)
	env, _ := newServer(t, core.HashPoolConfig{})
	acme, other := env.NewTenant(t, "Acme"), env.NewTenant(t, "Other")
	_, usersOnly, err := env.Service.CreateAPIKey(ctx, core.OperatorFor(acme.Tenant),
		core.CreateAPIKey{Name: "users", Scopes: []string{core.ScopeUsersRead}})
	if err != nil {
		t.Fatal(err)
	}
	bearer := apitest.Bearer(acme.APIKey)
	do := func(ex exchange) result { t.Helper(); return c.do(t, env.URL, ex) }
	decode := func(r result, v any) {
		t.Helper()
		if err := json.Unmarshal(r.Body, v); err != nil {
			t.Fatalf("not JSON: %s", r.Body)
		}
	}

	var ep struct{ ID, Secret string }
	decode(do(exchange{name: "create", method: "POST", path: "/api/v1/webhooks", headers: append(bearer, "Idempotency-Key", "wh-1"), status: 201,
		body: `{"url":"https://crm.example.com/roster-hooks","description":"CRM sync","eventTypes":["user_created","user_deleted"]}`}), &ep)
	epPath := "/api/v1/webhooks/" + ep.ID
	do(exchange{name: "create replayed", method: "POST", path: "/api/v1/webhooks", headers: append(bearer, "Idempotency-Key", "wh-1"), status: 201,
		body: `{"url":"https://crm.example.com/roster-hooks","description":"CRM sync","eventTypes":["user_created","user_deleted"]}`})
	do(exchange{name: "create a user", method: "POST", path: "/api/users", headers: bearer, status: 201,
		body: seedFixture(t, "seed000_create.json")})
	fanOutAll(t, env)

	var test struct{ ID int64 }
	decode(do(exchange{name: "test", method: "POST", path: epPath + "/test", headers: bearer, status: 202}), &test)
	// One failed attempt, so that attempts show in every shape.
	claimed, err := env.Service.ClaimDeliveries(ctx, "drift", 100, time.Minute)
	if err != nil || len(claimed) == 0 {
		t.Fatalf("claim: %v, %v", claimed, err)
	}
	for _, cd := range claimed {
		if err := env.Service.RecordDeliveryAttempt(ctx, "drift", cd.Delivery.ID,
			core.WebhookAttempt{StatusCode: 503, Latency: 12 * time.Millisecond, Error: "status 503", ResponseExcerpt: "busy"},
			core.DeliveryOutcome{NextAttemptAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	deliveryPath := fmt.Sprintf("%s/deliveries/%d", epPath, test.ID)

	for _, ex := range []exchange{
		{name: "list", method: "GET", path: "/api/v1/webhooks", headers: bearer, status: 200},
		{name: "get", method: "GET", path: epPath, headers: bearer, status: 200},
		{name: "patch", method: "PATCH", path: epPath, body: `{"description":"CRM","eventTypes":["user_created"],"enabled":true}`, headers: bearer, status: 200},
		{name: "patch: bad url", method: "PATCH", path: epPath, body: `{"url":"https://10.0.0.1/"}`, headers: bearer, status: 422},
		{name: "patch: unknown member", method: "PATCH", path: epPath, body: `{"kind":"zapier"}`, headers: bearer, status: 400, invalid: true},
		{name: "rotate", method: "POST", path: epPath + "/rotate-secret", headers: bearer, status: 200},
		{name: "deliveries", method: "GET", path: epPath + "/deliveries", headers: bearer, status: 200},
		{name: "deliveries: a page of one", method: "GET", path: epPath + "/deliveries?limit=1", headers: bearer, status: 200},
		{name: "deliveries: limit 0", method: "GET", path: epPath + "/deliveries?limit=0", headers: bearer, status: 400, invalid: true},
		{name: "deliveries: bad cursor", method: "GET", path: epPath + "/deliveries?cursor=nope", headers: bearer, status: 400},
		{name: "delivery", method: "GET", path: deliveryPath, headers: bearer, status: 200},
		{name: "redeliver", method: "POST", path: deliveryPath + "/redeliver", headers: bearer, status: 202},
		{name: "create: ftp", method: "POST", path: "/api/v1/webhooks", body: `{"url":"ftp://x.example.com/"}`, headers: bearer, status: 422},
		{name: "create: private address", method: "POST", path: "/api/v1/webhooks", body: `{"url":"https://169.254.169.254/"}`, headers: bearer, status: 422},
		{name: "create: unknown event", method: "POST", path: "/api/v1/webhooks", body: `{"url":"https://x.example.com/","eventTypes":["lead_created"]}`, headers: bearer, status: 422, invalid: true},
		{name: "create: no url", method: "POST", path: "/api/v1/webhooks", body: `{}`, headers: bearer, status: 422, invalid: true},
		{name: "create: unknown member", method: "POST", path: "/api/v1/webhooks", body: `{"url":"https://x.example.com/","secret":"x"}`, headers: bearer, status: 400, invalid: true},
		{name: "create: text body", method: "POST", path: "/api/v1/webhooks", body: `url`, headers: append(bearer, "Content-Type", "text/plain"), status: 415, invalid: true},
		{name: "list: without admin", method: "GET", path: "/api/v1/webhooks", headers: apitest.Bearer(usersOnly), status: 403},
		{name: "list: no credential", method: "GET", path: "/api/v1/webhooks", status: 401, invalid: true},
		{name: "get: another tenant's", method: "GET", path: epPath, headers: apitest.Bearer(other.APIKey), status: 404},
		{name: "patch: another tenant's", method: "PATCH", path: epPath, body: `{"enabled":false}`, headers: apitest.Bearer(other.APIKey), status: 404},
		{name: "rotate: another tenant's", method: "POST", path: epPath + "/rotate-secret", headers: apitest.Bearer(other.APIKey), status: 404},
		{name: "test: another tenant's", method: "POST", path: epPath + "/test", headers: apitest.Bearer(other.APIKey), status: 404},
		{name: "deliveries: another tenant's", method: "GET", path: epPath + "/deliveries", headers: apitest.Bearer(other.APIKey), status: 404},
		{name: "delivery: another tenant's", method: "GET", path: deliveryPath, headers: apitest.Bearer(other.APIKey), status: 404},
		{name: "redeliver: another tenant's", method: "POST", path: deliveryPath + "/redeliver", headers: apitest.Bearer(other.APIKey), status: 404},
		{name: "delete: another tenant's", method: "DELETE", path: epPath, headers: apitest.Bearer(other.APIKey), status: 404},
		{name: "disable", method: "PATCH", path: epPath, body: `{"enabled":false}`, headers: bearer, status: 200},
		{name: "test: disabled", method: "POST", path: epPath + "/test", headers: bearer, status: 409},
		{name: "redeliver: disabled", method: "POST", path: deliveryPath + "/redeliver", headers: bearer, status: 409},
	} {
		do(ex)
	}

	// Zapier.
	zap := apitest.Bearer(usersOnly)
	var hook struct{ ID string }
	decode(do(exchange{name: "hooks: subscribe", method: "POST", path: "/api/v1/hooks", headers: zap, status: 201,
		body: `{"target_url":"https://hooks.zapier.com/hooks/standard/1234567/abcdef/","event":"user_created"}`}), &hook)
	for _, ex := range []exchange{
		{name: "hooks: sample", method: "GET", path: "/api/v1/hooks/sample?event=user_created", headers: zap, status: 200},
		{name: "hooks: sample, none yet", method: "GET", path: "/api/v1/hooks/sample?event=user_deleted", headers: zap, status: 200},
		{name: "hooks: sample, unknown event", method: "GET", path: "/api/v1/hooks/sample?event=lead_created", headers: zap, status: 422, invalid: true},
		{name: "hooks: sample, extra parameter", method: "GET", path: "/api/v1/hooks/sample?event=user_created&limit=3", headers: zap, status: 400, invalid: true},
		{name: "hooks: sample, admin event", method: "GET", path: "/api/v1/hooks/sample?event=api_key_created", headers: zap, status: 403},
		{name: "hooks: subscribe, bad target", method: "POST", path: "/api/v1/hooks", headers: zap, status: 422,
			body: `{"target_url":"http://hooks.zapier.com/x","event":"user_created"}`},
		{name: "hooks: subscribe, camelCase", method: "POST", path: "/api/v1/hooks", headers: zap, status: 400, invalid: true,
			body: `{"targetUrl":"https://hooks.zapier.com/x","event":"user_created"}`},
		{name: "hooks: unsubscribe, another tenant", method: "DELETE", path: "/api/v1/hooks/" + hook.ID, headers: apitest.Bearer(other.APIKey), status: 404},
		{name: "hooks: unsubscribe", method: "DELETE", path: "/api/v1/hooks/" + hook.ID, headers: zap, status: 204},
		{name: "hooks: unsubscribe again", method: "DELETE", path: "/api/v1/hooks/" + hook.ID, headers: zap, status: 404},
		{name: "delete", method: "DELETE", path: epPath, headers: bearer, status: 204},
		{name: "get: deleted", method: "GET", path: epPath, headers: bearer, status: 404},
	} {
		do(ex)
	}

	c.wantExercised(t, webhooksOperations)
	env.AssertNoSecrets(t, acme.APIKey, other.APIKey, usersOnly, ep.Secret)
}

// fanOutAll runs the dispatcher's fan-out until no event is left.
func fanOutAll(t *testing.T, env *apitest.Env) {
	t.Helper()
	for {
		n, err := env.Service.FanOutEvents(context.Background(), 100)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// webhookSchema returns the request body schema of the document's webhook
// named event, or nil.
func webhookSchema(t *testing.T, event string) *base.Schema {
	t.Helper()
	doc, err := libopenapi.NewDocument(openapi.Document())
	if err != nil {
		t.Fatal(err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	if model.Model.Webhooks == nil {
		t.Fatal("the document has no webhooks")
	}
	item, ok := model.Model.Webhooks.Get(event)
	if !ok || item.Post == nil || item.Post.RequestBody == nil {
		return nil
	}
	mt, ok := item.Post.RequestBody.Content.Get("application/json")
	if !ok || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Schema()
}

// TestEveryEmittedEventIsDocumented: each event type Roster records (the
// core's EmittedEvents, which the core's own test checks against its Event*
// constants) has a webhook in the document, its documented example
// envelope validates against that webhook's schema, and the document
// documents no other.
func TestEveryEmittedEventIsDocumented(t *testing.T) {
	doc, err := libopenapi.NewDocument(openapi.Document())
	if err != nil {
		t.Fatal(err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for name := range model.Model.Webhooks.KeysFromOldest() {
		documented = append(documented, name)
	}
	slices.Sort(documented)
	emitted := slices.Sorted(slices.Values(core.EmittedEvents))
	if !slices.Equal(documented, emitted) {
		t.Fatalf("documented webhooks %v, emitted events %v", documented, emitted)
	}
	v := schema_validation.NewSchemaValidator()
	for _, typ := range core.EmittedEvents {
		t.Run(typ, func(t *testing.T) {
			schema := webhookSchema(t, typ)
			if schema == nil {
				t.Fatalf("no request body schema")
			}
			e, ok := core.ExampleEvent(typ)
			if !ok {
				t.Fatalf("no example")
			}
			body, err := core.WebhookPayload(e, core.ExampleClientID)
			if err != nil {
				t.Fatal(err)
			}
			if ok, errs := v.ValidateSchemaBytes(schema, body); !ok {
				t.Errorf("the example %s does not match the documented schema:\n%s", body, describe(errs))
			}
			// The schema is strict: an extra member is refused.
			extra := strings.Replace(string(body), `"data":{`, `"data":{"password":"x",`, 1)
			if ok, _ := v.ValidateSchemaBytes(schema, []byte(extra)); ok {
				t.Errorf("the schema accepts an undocumented data member")
			}
		})
	}
}

// TestLiveDeliveriesMatchWebhookSchemas: the deliveries real changes make
// validate against their documented webhook.
func TestLiveDeliveriesMatchWebhookSchemas(t *testing.T) {
	ctx := context.Background()
	env, _ := newServer(t, core.HashPoolConfig{})
	acme := env.NewTenant(t, "Acme")
	bearer := apitest.Bearer(acme.APIKey)
	var ep struct{ ID string }
	res := env.Do(t, "POST", "/api/v1/webhooks", `{"url":"https://crm.example.com/all"}`, bearer...)
	if err := json.Unmarshal(res.Body, &ep); err != nil || res.Status != 201 {
		t.Fatalf("create endpoint: %d %s", res.Status, res.Body)
	}
	var user struct{ ID int64 }
	res = env.Do(t, "POST", "/api/users", seedFixture(t, "seed000_create.json"), bearer...)
	if err := json.Unmarshal(res.Body, &user); err != nil || res.Status != 201 {
		t.Fatalf("create user: %d %s", res.Status, res.Body)
	}
	for _, step := range []struct{ method, path, body string }{
		{"PATCH", fmt.Sprintf("/api/users/%d", user.ID), `{"displayName":"Johnny Doe"}`},
		{"DELETE", fmt.Sprintf("/api/users/%d", user.ID), ""},
		{"POST", "/api/v1/roles", `{"key":"auditor","permissions":["users:read"]}`},
		{"POST", "/api/v1/webhooks/" + ep.ID + "/rotate-secret", ""},
		{"PATCH", "/api/v1/webhooks/" + ep.ID, `{"description":"all of it"}`},
		{"POST", "/api/v1/webhooks/" + ep.ID + "/test", ""},
	} {
		if res := env.Do(t, step.method, step.path, step.body, bearer...); res.Status >= 300 {
			t.Fatalf("%s %s: %d %s", step.method, step.path, res.Status, res.Body)
		}
	}
	fanOutAll(t, env)
	page, err := env.Service.ListWebhookDeliveries(ctx, core.OperatorFor(acme.Tenant), ep.ID, 0, core.MaxPageSize)
	if err != nil {
		t.Fatal(err)
	}
	v := schema_validation.NewSchemaValidator()
	seen := map[string]bool{}
	for _, d := range page.Deliveries {
		seen[d.Delivery.EventType] = true
		schema := webhookSchema(t, d.Delivery.EventType)
		if schema == nil {
			t.Errorf("%s is delivered but not documented", d.Delivery.EventType)
			continue
		}
		if ok, errs := v.ValidateSchemaBytes(schema, d.Delivery.Payload); !ok {
			t.Errorf("the live %s %s does not match the document:\n%s", d.Delivery.EventType, d.Delivery.Payload, describe(errs))
		}
	}
	for _, want := range []string{"user_created", "user_updated", "user_deleted", "role_created", "webhook_secret_rotated", "webhook_updated", "webhook_test"} {
		if !seen[want] {
			t.Errorf("no %s delivery was made (got %v)", want, seen)
		}
	}
}
