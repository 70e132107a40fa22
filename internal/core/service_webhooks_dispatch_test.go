package core_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

// deliveriesOf returns every delivery of the endpoint, newest first.
func deliveriesOf(t *testing.T, svc *core.Service, a core.Actor, endpointID string) []core.DeliveryWithAttempts {
	t.Helper()
	page, err := svc.ListWebhookDeliveries(t.Context(), a, endpointID, 0, core.MaxPageSize)
	if err != nil {
		t.Fatalf("ListWebhookDeliveries(%s): %v", endpointID, err)
	}
	return page.Deliveries
}

func deliveryTypes(list []core.DeliveryWithAttempts) []string {
	var types []string
	for _, d := range list {
		types = append(types, d.Delivery.EventType)
	}
	slices.Sort(types)
	return types
}

func mustCreateEndpoint(t *testing.T, svc *core.Service, a core.Actor, cmd core.CreateWebhookEndpoint) core.WebhookEndpoint {
	t.Helper()
	ep, err := svc.CreateWebhookEndpoint(t.Context(), a, cmd)
	if err != nil {
		t.Fatalf("CreateWebhookEndpoint(%+v): %v", cmd, err)
	}
	return ep
}

// webhookService returns a service whose egress policy lets tests use
// loopback http URLs, with a clock tests can move.
func webhookService(t *testing.T, st core.Store) (*core.Service, *time.Time) {
	t.Helper()
	svc := newService(t, st)
	clock := time.Now().UTC()
	svc.SetClock(func() time.Time { return clock })
	return svc, &clock
}

func TestWebhookDispatchFlow(t *testing.T) {
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		svc, clock := webhookService(t, st)
		a, b := createTenant(t, svc, "Acme"), createTenant(t, svc, "Globex")
		// Events from before an endpoint existed never reach it.
		if _, err := svc.FanOutEvents(ctx, 1000); err != nil {
			t.Fatalf("drain: %v", err)
		}
		*clock = clock.Add(time.Second)
		disabled := false
		all := mustCreateEndpoint(t, svc, a.key, core.CreateWebhookEndpoint{URL: "https://a.example.com/all"})
		deletes := mustCreateEndpoint(t, svc, a.key, core.CreateWebhookEndpoint{URL: "https://a.example.com/del", EventTypes: []string{core.EventUserDeleted}})
		off := mustCreateEndpoint(t, svc, a.key, core.CreateWebhookEndpoint{URL: "https://a.example.com/off", Enabled: &disabled})
		other := mustCreateEndpoint(t, svc, b.key, core.CreateWebhookEndpoint{URL: "https://b.example.com/all"})
		u := createUser(t, svc, a, core.CreateUser{Email: "john.doe@example.com", Name: "John Doe", Password: ptr("securepassword123")})

		n, err := svc.FanOutEvents(ctx, 1000)
		if err != nil {
			t.Fatalf("FanOutEvents: %v", err)
		}
		if n != 5 { // four webhook_created and one user_created
			t.Errorf("FanOutEvents took %d events, want 5", n)
		}
		if n, err := svc.FanOutEvents(ctx, 1000); err != nil || n != 0 {
			t.Fatalf("second FanOutEvents: %d, %v; want 0 (all dispatched)", n, err)
		}
		wantTypes := map[string][]string{
			all.ID:     {core.EventUserCreated, core.EventWebhookCreated, core.EventWebhookCreated, core.EventWebhookCreated},
			deletes.ID: nil,
			off.ID:     nil,
		}
		for id, want := range wantTypes {
			if got := deliveryTypes(deliveriesOf(t, svc, a.key, id)); !slices.Equal(got, want) {
				t.Errorf("deliveries of %s: got %v, want %v", id, got, want)
			}
		}
		if got := deliveryTypes(deliveriesOf(t, svc, b.key, other.ID)); !slices.Equal(got, []string{core.EventWebhookCreated}) {
			t.Errorf("other tenant's endpoint got %v, want only its own webhook_created", got)
		}

		// The envelope: type, timestamp, data with the event id, tenant,
		// actor, subject and the payload.
		list := deliveriesOf(t, svc, a.key, all.ID)
		created := list[0].Delivery
		if created.EventType != core.EventUserCreated {
			t.Fatalf("newest delivery is %s, want user_created", created.EventType)
		}
		var env struct {
			Type      string `json:"type"`
			Timestamp string `json:"timestamp"`
			Data      struct {
				ID     int64             `json:"id"`
				Tenant map[string]string `json:"tenant"`
				Actor  string            `json:"actor"`
				Subj   map[string]string `json:"subject"`
				User   struct {
					ID    int64  `json:"id"`
					Email string `json:"email"`
				} `json:"user"`
			} `json:"data"`
		}
		if err := json.Unmarshal(created.Payload, &env); err != nil {
			t.Fatalf("payload %s: %v", created.Payload, err)
		}
		if env.Type != core.EventUserCreated || env.Data.ID != created.EventID ||
			env.Data.Tenant["clientId"] != a.Tenant.ClientID || env.Data.Actor != a.key.Label() ||
			env.Data.Subj["type"] != "user" || env.Data.Subj["id"] != strconv.FormatInt(u.ID, 10) ||
			env.Data.User.Email != "john.doe@example.com" || env.Data.User.ID != u.ID {
			t.Errorf("envelope: got %+v from %s", env, created.Payload)
		}
		if _, err := time.Parse(time.RFC3339Nano, env.Timestamp); err != nil {
			t.Errorf("timestamp %q: %v", env.Timestamp, err)
		}
		if !strings.HasPrefix(created.MessageID, "msg_") || created.Status != core.DeliveryPending || created.Attempts != 0 {
			t.Errorf("new delivery: %+v", created)
		}
		wantNoSecrets(t, "delivery payload", string(created.Payload), all.Secret, other.Secret, "securepassword123")

		// Claims: every due delivery once, with its endpoint.
		claimed, err := svc.ClaimDeliveries(ctx, "w1", 100, time.Minute)
		if err != nil {
			t.Fatalf("ClaimDeliveries: %v", err)
		}
		if len(claimed) != 5 {
			t.Fatalf("claimed %d deliveries, want 5 (4 of Acme, 1 of Globex)", len(claimed))
		}
		for _, c := range claimed {
			if c.Endpoint.ID != c.Delivery.EndpointID || c.Endpoint.Secret == "" || c.Endpoint.TenantID != c.Delivery.TenantID {
				t.Errorf("claimed delivery %d came with endpoint %s (tenant %d)", c.Delivery.ID, c.Endpoint.ID, c.Endpoint.TenantID)
			}
		}
		if again, err := svc.ClaimDeliveries(ctx, "w2", 100, time.Minute); err != nil || len(again) != 0 {
			t.Fatalf("claim during the lease: %d, %v; want none", len(again), err)
		}

		// A worker without the lease cannot record.
		err = svc.RecordDeliveryAttempt(ctx, "w2", created.ID, core.WebhookAttempt{StatusCode: 200}, core.DeliveryOutcome{Succeeded: true})
		wantError(t, err, core.NotFound, "")

		// A failure: attempts+1, pending, due at the retry time, lease freed.
		retryAt := clock.Add(time.Hour)
		long := strings.Repeat("é", core.MaxResponseExcerpt) + "\x00\xff"
		err = svc.RecordDeliveryAttempt(ctx, "w1", created.ID,
			core.WebhookAttempt{StatusCode: 500, Latency: 42 * time.Millisecond, ResponseExcerpt: long, Error: "status 500"},
			core.DeliveryOutcome{NextAttemptAt: retryAt})
		if err != nil {
			t.Fatalf("record failure: %v", err)
		}
		got, err := svc.GetWebhookDelivery(ctx, a.key, all.ID, created.ID)
		if err != nil {
			t.Fatalf("GetWebhookDelivery: %v", err)
		}
		d := got.Delivery
		if d.Status != core.DeliveryPending || d.Attempts != 1 || d.LastStatusCode != 500 || d.LastError != "status 500" || !d.NextAttemptAt.Equal(retryAt.Truncate(time.Microsecond)) {
			t.Errorf("after a failure: %+v", d)
		}
		if len(got.Attempts) != 1 || got.Attempts[0].StatusCode != 500 || got.Attempts[0].Latency != 42*time.Millisecond {
			t.Fatalf("attempts: %+v", got.Attempts)
		}
		if ex := got.Attempts[0].ResponseExcerpt; len(ex) > core.MaxResponseExcerpt || !strings.HasPrefix(ex, "éé") || strings.ContainsRune(ex, 0) {
			t.Errorf("excerpt: %d bytes %q, want at most %d valid bytes", len(ex), ex[:8], core.MaxResponseExcerpt)
		}
		// Recording freed the lease: the same worker cannot record twice.
		err = svc.RecordDeliveryAttempt(ctx, "w1", created.ID, core.WebhookAttempt{StatusCode: 200}, core.DeliveryOutcome{Succeeded: true})
		wantError(t, err, core.NotFound, "")
		// Not due before retryAt; due after it.
		if c, _ := svc.ClaimDeliveries(ctx, "w3", 100, time.Minute); len(c) != 0 {
			t.Errorf("claimed %d before the retry time, want none", len(c))
		}
		*clock = retryAt.Add(time.Second)
		c, err := svc.ClaimDeliveries(ctx, "w3", 100, time.Minute)
		if err != nil || len(c) != 5 {
			// The four others' leases (one minute) have expired too.
			t.Fatalf("claim after the retry time: %d, %v; want 5", len(c), err)
		}

		// Success on one, give up on another.
		if err := svc.RecordDeliveryAttempt(ctx, "w3", created.ID, core.WebhookAttempt{StatusCode: 204}, core.DeliveryOutcome{Succeeded: true}); err != nil {
			t.Fatalf("record success: %v", err)
		}
		if got, _ := svc.GetWebhookDelivery(ctx, a.key, all.ID, created.ID); got.Delivery.Status != core.DeliverySucceeded || got.Delivery.Attempts != 2 {
			t.Errorf("after success: %+v", got.Delivery)
		}
		otherD := deliveriesOf(t, svc, b.key, other.ID)[0].Delivery
		if err := svc.RecordDeliveryAttempt(ctx, "w3", otherD.ID, core.WebhookAttempt{Error: "connection refused"}, core.DeliveryOutcome{GiveUp: true}); err != nil {
			t.Fatalf("record give-up: %v", err)
		}
		ep, err := svc.GetWebhookEndpoint(ctx, b.key, other.ID)
		if err != nil {
			t.Fatalf("GetWebhookEndpoint: %v", err)
		}
		if ep.Enabled || !strings.Contains(ep.DisabledReason, strconv.FormatInt(otherD.ID, 10)) {
			t.Errorf("after giving up: enabled %v, reason %q", ep.Enabled, ep.DisabledReason)
		}
		if got, _ := svc.GetWebhookDelivery(ctx, b.key, other.ID, otherD.ID); got.Delivery.Status != core.DeliveryFailed || got.Delivery.LastError != "connection refused" {
			t.Errorf("given-up delivery: %+v", got.Delivery)
		}
		page, err := svc.ListEvents(ctx, b.key, core.EventFilter{Type: core.EventWebhookDeliveryFailed})
		if err != nil || len(page.Events) != 1 {
			t.Fatalf("webhook_delivery_failed events: %v, %v; want 1", page.Events, err)
		}
		failed := page.Events[0]
		if failed.Actor != "system" || failed.SubjectType != "webhook" || failed.SubjectID != other.ID {
			t.Errorf("webhook_delivery_failed: %+v", failed)
		}
		wantNoSecrets(t, "webhook_delivery_failed payload", string(failed.Payload), other.Secret, other.URL)
		// A disabled endpoint's pending deliveries wait: nothing to claim.
		*clock = clock.Add(time.Hour)
		for _, c := range mustClaim(t, svc, "w4") {
			if c.Endpoint.ID == other.ID {
				t.Errorf("claimed delivery %d of a disabled endpoint", c.Delivery.ID)
			}
		}
	})
}

func mustClaim(t *testing.T, svc *core.Service, worker string) []core.ClaimedDelivery {
	t.Helper()
	c, err := svc.ClaimDeliveries(t.Context(), worker, 100, time.Minute)
	if err != nil {
		t.Fatalf("ClaimDeliveries: %v", err)
	}
	return c
}

func TestWebhookDispatchBadInput(t *testing.T) {
	svc := newService(t, openSQLite(t))
	ctx := t.Context()
	for name, err := range map[string]error{
		"FanOutLimit":   func() error { _, err := svc.FanOutEvents(ctx, 0); return err }(),
		"ClaimWorker":   func() error { _, err := svc.ClaimDeliveries(ctx, "", 1, time.Second); return err }(),
		"ClaimLimit":    func() error { _, err := svc.ClaimDeliveries(ctx, "w", 0, time.Second); return err }(),
		"ClaimLease":    func() error { _, err := svc.ClaimDeliveries(ctx, "w", 1, 0); return err }(),
		"RecordUnknown": svc.RecordDeliveryAttempt(ctx, "w", 12345, core.WebhookAttempt{}, core.DeliveryOutcome{}),
	} {
		want := core.Invalid
		if name == "RecordUnknown" {
			want = core.NotFound
		}
		if got := core.ErrorCodeOf(err); got != want {
			t.Errorf("%s: got %v, want %s", name, err, want)
		}
	}
}

// TestConcurrentFanOut: fan-outs running at once (two processes on one
// PostgreSQL, say) take disjoint events: each event gets exactly one
// delivery per endpoint, and nobody fails on a duplicate.
func TestConcurrentFanOut(t *testing.T) {
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		svc := newService(t, st)
		a := createTenant(t, svc, "Acme")
		ep := mustCreateEndpoint(t, svc, a.key, core.CreateWebhookEndpoint{URL: "https://a.example.com/h", EventTypes: []string{core.EventAPIRateLimited}})
		const events = 150
		for range events {
			if err := svc.RecordRateLimited(ctx, a.key, core.RateLimitRefusal{Credential: "key:1", Limit: 1, Burst: 1, Period: time.Minute}); err != nil {
				t.Fatal(err)
			}
		}
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				for {
					n, err := svc.FanOutEvents(ctx, 7)
					if err != nil || n == 0 {
						errs <- err
						return
					}
				}
			}()
		}
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatalf("FanOutEvents: %v", err)
			}
		}
		list := deliveriesOf(t, svc, a.key, ep.ID)
		seen := map[int64]bool{}
		for _, d := range list {
			if seen[d.Delivery.EventID] {
				t.Fatalf("event %d delivered twice", d.Delivery.EventID)
			}
			seen[d.Delivery.EventID] = true
		}
		if len(list) != events {
			t.Fatalf("%d deliveries, want %d", len(list), events)
		}
	})
}
