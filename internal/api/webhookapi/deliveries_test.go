package webhookapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

func TestTestEventAndDeliveries(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		acme := env.NewTenant(t, "Acme")
		auth := apitest.Bearer(acme.APIKey)
		e := createEndpoint(t, env, acme.APIKey, `{"url":"https://hooks.example.com/x","eventTypes":["user_deleted"]}`)
		bystander := createEndpoint(t, env, acme.APIKey, `{"url":"https://hooks.example.com/all"}`)
		fanOut(t, env) // the webhook_created events

		// The test event reaches that endpoint only, whatever its filter.
		res := env.Do(t, "POST", "/api/v1/webhooks/"+e.ID+"/test", "", auth...)
		var d delivery
		res.JSON(t, &d)
		if res.Status != 202 || d.EventType != "webhook_test" || d.Status != "pending" || d.AttemptCount != 0 ||
			!strings.HasPrefix(d.MessageID, "msg_") || d.NextAttemptAt == nil || len(d.Attempts) != 0 {
			t.Fatalf("test: %d %s", res.Status, res.Body)
		}
		if loc := res.Header.Get("Location"); loc != fmt.Sprintf("/api/v1/webhooks/%s/deliveries/%d", e.ID, d.ID) {
			t.Errorf("Location %q", loc)
		}
		fanOut(t, env)
		if list := listDeliveries(t, env, acme.APIKey, e.ID); len(list) != 1 || list[0].ID != d.ID {
			t.Fatalf("deliveries of the tested endpoint: %+v, want exactly the test one", list)
		}
		for _, other := range listDeliveries(t, env, acme.APIKey, bystander.ID) {
			if other.EventType == "webhook_test" {
				t.Fatalf("the other endpoint got the test event")
			}
		}

		// The dispatcher's attempts show, oldest first.
		claim := func() {
			t.Helper()
			c, err := env.Service.ClaimDeliveries(ctx, "w", 100, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			for _, cd := range c {
				if cd.Delivery.ID != d.ID {
					if err := env.Service.RecordDeliveryAttempt(ctx, "w", cd.Delivery.ID, core.WebhookAttempt{StatusCode: 200}, core.DeliveryOutcome{Succeeded: true}); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		claim()
		if err := env.Service.RecordDeliveryAttempt(ctx, "w", d.ID,
			core.WebhookAttempt{StatusCode: 503, Latency: 1500 * time.Microsecond, Error: "status 503", ResponseExcerpt: "try later"},
			core.DeliveryOutcome{NextAttemptAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		claim()
		if err := env.Service.RecordDeliveryAttempt(ctx, "w", d.ID,
			core.WebhookAttempt{Latency: 15 * time.Second, Error: "timeout"}, core.DeliveryOutcome{GiveUp: true}); err != nil {
			t.Fatal(err)
		}
		var got delivery
		res = env.Do(t, "GET", fmt.Sprintf("/api/v1/webhooks/%s/deliveries/%d", e.ID, d.ID), "", auth...)
		res.JSON(t, &got)
		if res.Status != 200 || got.Status != "failed" || got.AttemptCount != 2 || got.LastStatusCode != nil ||
			got.LastError == nil || *got.LastError != "timeout" || got.NextAttemptAt != nil || got.MessageID != d.MessageID {
			t.Fatalf("after two attempts: %d %s", res.Status, res.Body)
		}
		if len(got.Attempts) != 2 {
			t.Fatalf("attempts: %s", res.Body)
		}
		a0, a1 := got.Attempts[0], got.Attempts[1]
		if a0.StatusCode == nil || *a0.StatusCode != 503 || a0.LatencyMs != 1.5 || *a0.Error != "status 503" || a0.ResponseExcerpt != "try later" {
			t.Errorf("first attempt: %+v", a0)
		}
		if a1.StatusCode != nil || a1.LatencyMs != 15000 || *a1.Error != "timeout" {
			t.Errorf("second attempt: %+v", a1)
		}

		// Giving up disabled the endpoint: test and redeliver are refused.
		var ep endpoint
		env.Do(t, "GET", "/api/v1/webhooks/"+e.ID, "", auth...).JSON(t, &ep)
		if ep.Enabled || ep.DisabledReason == nil {
			t.Fatalf("endpoint after giving up: %+v", ep)
		}
		wantProblem(t, env.Do(t, "POST", "/api/v1/webhooks/"+e.ID+"/test", "", auth...), 409, "/enabled")
		redeliver := fmt.Sprintf("/api/v1/webhooks/%s/deliveries/%d/redeliver", e.ID, d.ID)
		wantProblem(t, env.Do(t, "POST", redeliver, "", auth...), 409, "/enabled")

		// Enabled again (the reason goes), a redelivery keeps the message
		// id, starts a fresh schedule, and keeps the attempts listed.
		res = env.Do(t, "PATCH", "/api/v1/webhooks/"+e.ID, `{"enabled":true}`, auth...)
		res.JSON(t, &ep)
		if !ep.Enabled || ep.DisabledReason != nil {
			t.Fatalf("re-enabled: %s", res.Body)
		}
		res = env.Do(t, "POST", redeliver, "", auth...)
		var again delivery
		res.JSON(t, &again)
		if res.Status != 202 || again.ID != d.ID || again.MessageID != d.MessageID || again.Status != "pending" ||
			again.AttemptCount != 0 || len(again.Attempts) != 2 || again.NextAttemptAt == nil {
			t.Fatalf("redeliver: %d %s", res.Status, res.Body)
		}
		c, err := env.Service.ClaimDeliveries(ctx, "w2", 100, time.Minute)
		if err != nil || len(c) != 1 || c[0].Delivery.ID != d.ID || c[0].Delivery.MessageID != d.MessageID {
			t.Fatalf("claim after redeliver: %+v, %v", c, err)
		}
	})
}

func TestDeliveryPaging(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		auth := apitest.Bearer(acme.APIKey)
		e := createEndpoint(t, env, acme.APIKey, `{"url":"https://hooks.example.com/x"}`)
		var ids []int64
		for range 5 {
			var d delivery
			env.Do(t, "POST", "/api/v1/webhooks/"+e.ID+"/test", "", auth...).JSON(t, &d)
			ids = append(ids, d.ID)
		}
		var seen []int64
		path := "/api/v1/webhooks/" + e.ID + "/deliveries?limit=2"
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatalf("paging does not end")
			}
			res := env.Do(t, "GET", path, "", auth...)
			var page struct {
				Deliveries []delivery `json:"deliveries"`
				NextCursor *string    `json:"nextCursor"`
			}
			res.JSON(t, &page)
			if res.Status != 200 || len(page.Deliveries) > 2 {
				t.Fatalf("page: %d %s", res.Status, res.Body)
			}
			for _, d := range page.Deliveries {
				seen = append(seen, d.ID)
			}
			if page.NextCursor == nil {
				break
			}
			path = "/api/v1/webhooks/" + e.ID + "/deliveries?limit=2&cursor=" + *page.NextCursor
		}
		want := []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}
		if fmt.Sprint(seen) != fmt.Sprint(want) {
			t.Fatalf("pages: got %v, want %v (newest first)", seen, want)
		}
		for _, q := range []string{"limit=0", "limit=201", "limit=x", "cursor=zzz"} {
			p := wantProblem(t, env.Do(t, "GET", "/api/v1/webhooks/"+e.ID+"/deliveries?"+q, "", auth...), 400)
			if name, _, _ := strings.Cut(q, "="); !strings.HasPrefix(p.Detail, name+":") {
				t.Errorf("%s: detail %q does not name the parameter", q, p.Detail)
			}
		}
	})
}
