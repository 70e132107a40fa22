package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/internal/core"
)

// runWebhookTests runs the conformance tests of webhook endpoints, deliveries and attempts.
func runWebhookTests(t *testing.T, open Opener) {
	t.Run("WebhookEndpoints", func(t *testing.T) { testWebhookEndpoints(t, open(t)) })
	t.Run("WebhookFanOutMarking", func(t *testing.T) { testWebhookFanOutMarking(t, open(t)) })
	t.Run("WebhookDeliveries", func(t *testing.T) { testWebhookDeliveries(t, open(t)) })
	t.Run("WebhookClaimLeases", func(t *testing.T) { testWebhookClaimLeases(t, open(t)) })
	t.Run("WebhookConcurrentClaims", func(t *testing.T) { testWebhookConcurrentClaims(t, open(t)) })
	t.Run("WebhookAttempts", func(t *testing.T) { testWebhookAttempts(t, open(t)) })
	t.Run("WebhookDeleteTenantCascades", func(t *testing.T) { testWebhookDeleteTenantCascades(t, open(t)) })
	t.Run("WebhookLatestEvents", func(t *testing.T) { testWebhookLatestEvents(t, open(t)) })
	t.Run("WebhookDeleteDeliveriesBefore", func(t *testing.T) { testWebhookDeleteDeliveriesBefore(t, open(t)) })
}

var endpointSeq int

// newEndpoint returns an unsaved, enabled endpoint of the tenant with a
// unique id.
func newEndpoint(tenantID int64) core.WebhookEndpoint {
	endpointSeq++
	ts := now()
	return core.WebhookEndpoint{
		ID:       fmt.Sprintf("whe_%024d", endpointSeq),
		TenantID: tenantID, URL: "https://hooks.example.com/" + randomHex(4), Description: "test",
		Enabled: true, Kind: core.WebhookKindWebhook, Secret: "whsec_" + randomHex(24),
		CreatedAt: ts, UpdatedAt: ts,
	}
}

func mustWrite(t *testing.T, s core.Store, what string, fn func(ctx context.Context, tx core.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := s.Write(ctx, func(tx core.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func mustCreateEndpoint(t *testing.T, s core.Store, tenantID int64) core.WebhookEndpoint {
	t.Helper()
	e := newEndpoint(tenantID)
	e.ID = "whe_" + (randomHex(12) + "ABCDEFGHIJKLMNOPQRSTUVWX")[:24]
	mustWrite(t, s, "insert endpoint", func(ctx context.Context, tx core.Tx) error { return tx.InsertWebhookEndpoint(ctx, &e) })
	return e
}

func mustInsertEvent(t *testing.T, s core.Store, tenantID int64, typ string) core.Event {
	t.Helper()
	e := core.Event{TenantID: tenantID, Type: typ, Actor: "test", SubjectType: "user", SubjectID: "1",
		Payload: json.RawMessage(`{"n":1}`), CreatedAt: now()}
	mustWrite(t, s, "insert event", func(ctx context.Context, tx core.Tx) error { return tx.InsertEvent(ctx, &e) })
	return e
}

func mustInsertDelivery(t *testing.T, s core.Store, ep core.WebhookEndpoint, eventID int64, due time.Time) core.WebhookDelivery {
	t.Helper()
	ts := now()
	d := core.WebhookDelivery{
		TenantID: ep.TenantID, EndpointID: ep.ID, EventID: eventID, EventType: core.EventUserCreated,
		MessageID: fmt.Sprintf("msg_%d_%s", eventID, randomHex(4)), Payload: json.RawMessage(`{"type":"user_created","timestamp":"t","data":{"id":1}}`),
		Status: core.DeliveryPending, NextAttemptAt: due, CreatedAt: ts, UpdatedAt: ts,
	}
	mustWrite(t, s, "insert delivery", func(ctx context.Context, tx core.Tx) error { return tx.InsertWebhookDelivery(ctx, &d) })
	return d
}

func testWebhookEndpoints(t *testing.T, s core.Store) {
	ctx := context.Background()
	a, b := mustCreateTenant(t, s), mustCreateTenant(t, s)

	e1 := newEndpoint(a.ID)
	e1.EventTypes = []string{core.EventUserCreated, core.EventUserDeleted}
	e2 := newEndpoint(a.ID)
	e2.CreatedAt = e1.CreatedAt.Add(time.Second)
	e2.Kind = core.WebhookKindZapier
	foreign := newEndpoint(b.ID)
	for _, e := range []*core.WebhookEndpoint{&e1, &e2, &foreign} {
		mustWrite(t, s, "insert endpoint", func(ctx context.Context, tx core.Tx) error { return tx.InsertWebhookEndpoint(ctx, e) })
	}

	got, err := s.GetWebhookEndpoint(ctx, a.ID, e1.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if diff := cmp.Diff(e1, got); diff != "" {
		t.Errorf("get: round trip (-want +got):\n%s", diff)
	}
	list, err := s.ListWebhookEndpoints(ctx, a.ID)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if diff := cmp.Diff([]core.WebhookEndpoint{e1, e2}, list); diff != "" {
		t.Errorf("list (-want +got):\n%s", diff)
	}

	// Every mutable field round-trips, on both stores.
	upd := e1
	upd.URL, upd.Description, upd.EventTypes, upd.Enabled = "https://other.example.com/x", "new", nil, false
	upd.PreviousSecret, upd.PreviousSecretExpiresAt = upd.Secret, now().Add(24*time.Hour)
	upd.Secret, upd.DisabledReason, upd.UpdatedAt = "whsec_new", "failing", now().Add(time.Minute)
	upd.Kind = core.WebhookKindZapier // not saved: the kind is fixed
	mustWrite(t, s, "update", func(ctx context.Context, tx core.Tx) error { return tx.UpdateWebhookEndpoint(ctx, &upd) })
	got, err = s.GetWebhookEndpoint(ctx, a.ID, e1.ID)
	if err != nil {
		t.Fatalf("get after update: %v", err)
	}
	want := upd
	want.Kind = core.WebhookKindWebhook
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after update (-want +got):\n%s", diff)
	}

	// Another tenant's endpoint answers NotFound to every method.
	_, err = s.GetWebhookEndpoint(ctx, a.ID, foreign.ID)
	wantCode(t, err, core.NotFound, "")
	cross := foreign
	cross.TenantID = a.ID
	err = s.Write(ctx, func(tx core.Tx) error { return tx.UpdateWebhookEndpoint(ctx, &cross) })
	wantCode(t, err, core.NotFound, "")
	err = s.Write(ctx, func(tx core.Tx) error { return tx.DeleteWebhookEndpoint(ctx, a.ID, foreign.ID) })
	wantCode(t, err, core.NotFound, "")
	if got, err := s.GetWebhookEndpoint(ctx, b.ID, foreign.ID); err != nil || got.URL != foreign.URL {
		t.Fatalf("foreign endpoint after refused cross-tenant writes: %v, %v", got, err)
	}

	// A taken id is a Conflict; an unknown tenant NotFound.
	dup := newEndpoint(a.ID)
	dup.ID = e1.ID
	err = s.Write(ctx, func(tx core.Tx) error { return tx.InsertWebhookEndpoint(ctx, &dup) })
	wantCode(t, err, core.Conflict, "id")
	orphan := newEndpoint(a.ID + b.ID + 1000)
	err = s.Write(ctx, func(tx core.Tx) error { return tx.InsertWebhookEndpoint(ctx, &orphan) })
	wantCode(t, err, core.NotFound, "")

	mustWrite(t, s, "delete", func(ctx context.Context, tx core.Tx) error { return tx.DeleteWebhookEndpoint(ctx, a.ID, e1.ID) })
	_, err = s.GetWebhookEndpoint(ctx, a.ID, e1.ID)
	wantCode(t, err, core.NotFound, "")
	err = s.Write(ctx, func(tx core.Tx) error { return tx.DeleteWebhookEndpoint(ctx, a.ID, e1.ID) })
	wantCode(t, err, core.NotFound, "")
}

func testWebhookFanOutMarking(t *testing.T, s core.Store) {
	ctx := context.Background()
	a, b := mustCreateTenant(t, s), mustCreateTenant(t, s)
	var ids []int64
	for i := range 5 {
		tenant := a.ID
		if i%2 == 1 {
			tenant = b.ID
		}
		ids = append(ids, mustInsertEvent(t, s, tenant, core.EventUserCreated).ID)
	}
	take := func(limit int) []int64 {
		t.Helper()
		var got []int64
		mustWrite(t, s, "take", func(ctx context.Context, tx core.Tx) error {
			events, err := tx.TakeUndispatchedEvents(ctx, limit)
			for _, e := range events {
				got = append(got, e.ID)
			}
			return err
		})
		return got
	}
	// Every tenant's events, oldest first, at most limit.
	if got := take(3); !slices.Equal(got, ids[:3]) {
		t.Fatalf("take 3: got %v, want %v", got, ids[:3])
	}
	// Taking does not mark: a rolled-back fan-out leaves them to the next.
	mustWrite(t, s, "mark", func(ctx context.Context, tx core.Tx) error {
		return tx.MarkEventsDispatched(ctx, ids[:2], now())
	})
	if got := take(10); !slices.Equal(got, ids[2:]) {
		t.Fatalf("after marking 2: got %v, want %v", got, ids[2:])
	}
	mustWrite(t, s, "mark rest", func(ctx context.Context, tx core.Tx) error {
		return tx.MarkEventsDispatched(ctx, ids[2:], now())
	})
	if got := take(10); len(got) != 0 {
		t.Fatalf("after marking all: got %v, want none", got)
	}
	// A marked event is still in the audit log.
	events, err := s.ListEvents(ctx, a.ID, core.EventFilter{})
	if err != nil || len(events) != 3 {
		t.Fatalf("audit log after fan-out: %d events, %v; want 3", len(events), err)
	}
}

func testWebhookDeliveries(t *testing.T, s core.Store) {
	ctx := context.Background()
	a, b := mustCreateTenant(t, s), mustCreateTenant(t, s)
	ep, other := mustCreateEndpoint(t, s, a.ID), mustCreateEndpoint(t, s, a.ID)
	foreign := mustCreateEndpoint(t, s, b.ID)
	var ds []core.WebhookDelivery
	for i := range 5 {
		ds = append(ds, mustInsertDelivery(t, s, ep, int64(100+i), now()))
	}
	fd := mustInsertDelivery(t, s, foreign, 100, now())

	got, err := s.GetWebhookDelivery(ctx, a.ID, ep.ID, ds[1].ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if diff := cmp.Diff(ds[1], got); diff != "" {
		t.Errorf("get round trip (-want +got):\n%s", diff)
	}
	for name, lookup := range map[string]struct {
		tenant   int64
		endpoint string
		id       int64
	}{
		"ForeignTenant":  {a.ID, foreign.ID, fd.ID},
		"ForeignAsOwn":   {a.ID, ep.ID, fd.ID},
		"OtherEndpoint":  {a.ID, other.ID, ds[0].ID},
		"UnknownID":      {a.ID, ep.ID, fd.ID + 1000},
		"OwnFromForeign": {b.ID, ep.ID, ds[0].ID},
	} {
		_, err := s.GetWebhookDelivery(ctx, lookup.tenant, lookup.endpoint, lookup.id)
		if core.ErrorCodeOf(err) != core.NotFound {
			t.Errorf("%s: got %v, want NotFound", name, err)
		}
	}

	// Newest first, paged by id.
	page, err := s.ListWebhookDeliveries(ctx, a.ID, ep.ID, 0, 2)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if got, want := deliveryIDs(page), []int64{ds[4].ID, ds[3].ID}; !slices.Equal(got, want) {
		t.Fatalf("page 1: got %v, want %v", got, want)
	}
	page, err = s.ListWebhookDeliveries(ctx, a.ID, ep.ID, ds[3].ID, 10)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if got, want := deliveryIDs(page), []int64{ds[2].ID, ds[1].ID, ds[0].ID}; !slices.Equal(got, want) {
		t.Fatalf("page 2: got %v, want %v", got, want)
	}
	if page, err := s.ListWebhookDeliveries(ctx, a.ID, foreign.ID, 0, 10); err != nil || len(page) != 0 {
		t.Fatalf("list another tenant's endpoint: %v, %v; want none", deliveryIDs(page), err)
	}

	// One delivery per (endpoint, event); an unknown endpoint is NotFound.
	dup := ds[0]
	err = s.Write(ctx, func(tx core.Tx) error { return tx.InsertWebhookDelivery(ctx, &dup) })
	wantCode(t, err, core.Conflict, "eventId")
	gone := ds[0]
	gone.EndpointID, gone.EventID = "whe_doesnotexist000000000000", 999
	err = s.Write(ctx, func(tx core.Tx) error { return tx.InsertWebhookDelivery(ctx, &gone) })
	wantCode(t, err, core.NotFound, "")

	// Reset: pending again, due at the given time, no attempts counted.
	done := ds[2]
	done.Status, done.Attempts, done.LastStatusCode = core.DeliveryFailed, 8, 500
	claimAll(t, s, "w1", now().Add(time.Hour))
	done.UpdatedAt = now()
	mustWrite(t, s, "finish", func(ctx context.Context, tx core.Tx) error { return tx.FinishWebhookAttempt(ctx, "w1", &done) })
	at := now().Add(time.Minute)
	mustWrite(t, s, "reset", func(ctx context.Context, tx core.Tx) error { return tx.ResetWebhookDelivery(ctx, a.ID, done.ID, at) })
	got, err = s.GetWebhookDelivery(ctx, a.ID, ep.ID, done.ID)
	if err != nil {
		t.Fatalf("get after reset: %v", err)
	}
	if got.Status != core.DeliveryPending || got.Attempts != 0 || !got.NextAttemptAt.Equal(at) || got.MessageID != ds[2].MessageID || got.LastStatusCode != 500 {
		t.Fatalf("after reset: %+v; want pending, 0 attempts, due %v, same message id, last status kept", got, at)
	}
	err = s.Write(ctx, func(tx core.Tx) error { return tx.ResetWebhookDelivery(ctx, b.ID, done.ID, at) })
	wantCode(t, err, core.NotFound, "")
}

func deliveryIDs(list []core.WebhookDelivery) []int64 {
	ids := make([]int64, len(list))
	for i, d := range list {
		ids[i] = d.ID
	}
	return ids
}

// claimAll claims every claimable delivery for worker as of at.
func claimAll(t *testing.T, s core.Store, worker string, at time.Time) []core.WebhookDelivery {
	t.Helper()
	var got []core.WebhookDelivery
	mustWrite(t, s, "claim", func(ctx context.Context, tx core.Tx) error {
		var err error
		got, err = tx.ClaimWebhookDeliveries(ctx, worker, at, at.Add(time.Minute), 1000)
		return err
	})
	return got
}

func testWebhookClaimLeases(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	ep, disabled := mustCreateEndpoint(t, s, a.ID), mustCreateEndpoint(t, s, a.ID)
	disabled.Enabled = false
	mustWrite(t, s, "disable", func(ctx context.Context, tx core.Tx) error { return tx.UpdateWebhookEndpoint(ctx, &disabled) })
	t0 := now()
	later := mustInsertDelivery(t, s, ep, 1, t0.Add(-time.Second))
	earlier := mustInsertDelivery(t, s, ep, 2, t0.Add(-time.Minute))
	future := mustInsertDelivery(t, s, ep, 3, t0.Add(time.Hour))
	mustInsertDelivery(t, s, disabled, 4, t0.Add(-time.Hour))

	var claimed []core.WebhookDelivery
	mustWrite(t, s, "claim", func(ctx context.Context, tx core.Tx) error {
		var err error
		claimed, err = tx.ClaimWebhookDeliveries(ctx, "w1", t0, t0.Add(30*time.Second), 10)
		return err
	})
	// Due ones of enabled endpoints only, earliest due first.
	if got, want := deliveryIDs(claimed), []int64{earlier.ID, later.ID}; !slices.Equal(got, want) {
		t.Fatalf("claim: got %v, want %v", got, want)
	}
	// While the lease holds nobody else gets them.
	if got := claimAll(t, s, "w2", t0.Add(10*time.Second)); len(got) != 0 {
		t.Fatalf("claim during the lease: got %v, want none", deliveryIDs(got))
	}
	// The holder can read and finish its delivery; another worker cannot.
	err := s.Write(ctx, func(tx core.Tx) error {
		_, err := tx.GetLeasedWebhookDelivery(ctx, "w2", earlier.ID)
		return err
	})
	wantCode(t, err, core.NotFound, "")
	fin := earlier
	fin.Status, fin.Attempts, fin.LastStatusCode, fin.UpdatedAt = core.DeliverySucceeded, 1, 204, now()
	err = s.Write(ctx, func(tx core.Tx) error { return tx.FinishWebhookAttempt(ctx, "w2", &fin) })
	wantCode(t, err, core.NotFound, "")
	mustWrite(t, s, "finish", func(ctx context.Context, tx core.Tx) error {
		d, err := tx.GetLeasedWebhookDelivery(ctx, "w1", earlier.ID)
		if err != nil {
			return err
		}
		if d.MessageID != earlier.MessageID {
			t.Errorf("leased delivery: message id %q, want %q", d.MessageID, earlier.MessageID)
		}
		return tx.FinishWebhookAttempt(ctx, "w1", &fin)
	})
	// Finishing freed the lease: a second finish by the same worker fails.
	err = s.Write(ctx, func(tx core.Tx) error { return tx.FinishWebhookAttempt(ctx, "w1", &fin) })
	wantCode(t, err, core.NotFound, "")
	got, err := s.GetWebhookDelivery(ctx, a.ID, ep.ID, earlier.ID)
	if err != nil || got.Status != core.DeliverySucceeded || got.Attempts != 1 || got.LastStatusCode != 204 {
		t.Fatalf("finished delivery: %+v, %v", got, err)
	}
	// Once the lease expires, a pending delivery is claimable again; a
	// succeeded one never is.
	if got := claimAll(t, s, "w2", t0.Add(31*time.Second)); !slices.Equal(deliveryIDs(got), []int64{later.ID}) {
		t.Fatalf("claim after the lease: got %v, want [%d]", deliveryIDs(got), later.ID)
	}
	// The limit holds, earliest due first.
	mustWrite(t, s, "claim limit", func(ctx context.Context, tx core.Tx) error {
		got, err := tx.ClaimWebhookDeliveries(ctx, "w3", t0.Add(2*time.Hour), t0.Add(3*time.Hour), 1)
		if len(got) != 1 || got[0].ID != later.ID {
			t.Errorf("claim with limit 1: got %v, want [%d]", deliveryIDs(got), later.ID)
		}
		return err
	})
	if got := claimAll(t, s, "w4", t0.Add(2*time.Hour)); !slices.Equal(deliveryIDs(got), []int64{future.ID}) {
		t.Fatalf("claim the rest: got %v, want [%d]", deliveryIDs(got), future.ID)
	}
}

func testWebhookConcurrentClaims(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	ep := mustCreateEndpoint(t, s, a.ID)
	const n = 200
	due := now().Add(-time.Second)
	for i := range n {
		mustInsertDelivery(t, s, ep, int64(i+1), due)
	}
	var (
		mu    sync.Mutex
		owner = map[int64]string{}
		dups  []int64
		wg    sync.WaitGroup
	)
	for w := range 2 {
		worker := fmt.Sprintf("worker-%d", w)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var got []core.WebhookDelivery
				err := s.Write(ctx, func(tx core.Tx) error {
					var err error
					at := now()
					got, err = tx.ClaimWebhookDeliveries(ctx, worker, at, at.Add(time.Hour), 7)
					return err
				})
				if err != nil {
					t.Errorf("%s: claim: %v", worker, err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, d := range got {
					if _, taken := owner[d.ID]; taken {
						dups = append(dups, d.ID)
					}
					owner[d.ID] = worker
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(dups) != 0 {
		t.Fatalf("deliveries claimed twice while leased: %v", dups)
	}
	if len(owner) != n {
		t.Fatalf("claimed %d deliveries, want %d", len(owner), n)
	}
}

func testWebhookAttempts(t *testing.T, s core.Store) {
	ctx := context.Background()
	a, b := mustCreateTenant(t, s), mustCreateTenant(t, s)
	ep, foreign := mustCreateEndpoint(t, s, a.ID), mustCreateEndpoint(t, s, b.ID)
	d1, d2 := mustInsertDelivery(t, s, ep, 1, now()), mustInsertDelivery(t, s, ep, 2, now())
	fd := mustInsertDelivery(t, s, foreign, 1, now())
	want := []core.WebhookAttempt{
		{DeliveryID: d1.ID, TenantID: a.ID, At: now(), StatusCode: 0, Latency: 15 * time.Second, Error: "timeout"},
		{DeliveryID: d2.ID, TenantID: a.ID, At: now(), StatusCode: 500, Latency: 1234 * time.Microsecond, ResponseExcerpt: "oops ünïcode"},
		{DeliveryID: d1.ID, TenantID: a.ID, At: now(), StatusCode: 204, Latency: 3 * time.Millisecond},
	}
	for i := range want {
		mustWrite(t, s, "insert attempt", func(ctx context.Context, tx core.Tx) error { return tx.InsertWebhookAttempt(ctx, &want[i]) })
	}
	fa := core.WebhookAttempt{DeliveryID: fd.ID, TenantID: b.ID, At: now(), StatusCode: 200}
	mustWrite(t, s, "insert foreign attempt", func(ctx context.Context, tx core.Tx) error { return tx.InsertWebhookAttempt(ctx, &fa) })

	got, err := s.ListWebhookAttempts(ctx, a.ID, []int64{d1.ID, d2.ID})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attempts (-want +got):\n%s", diff)
	}
	// Another tenant's delivery ids give nothing.
	if got, err := s.ListWebhookAttempts(ctx, a.ID, []int64{fd.ID}); err != nil || len(got) != 0 {
		t.Fatalf("foreign attempts: %v, %v; want none", got, err)
	}
	if got, err := s.ListWebhookAttempts(ctx, a.ID, nil); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("no ids: %v, %v; want an empty list", got, err)
	}
}

func testWebhookDeleteTenantCascades(t *testing.T, s core.Store) {
	ctx := context.Background()
	a, b := mustCreateTenant(t, s), mustCreateTenant(t, s)
	ep, kept := mustCreateEndpoint(t, s, a.ID), mustCreateEndpoint(t, s, b.ID)
	d := mustInsertDelivery(t, s, ep, 1, now())
	kd := mustInsertDelivery(t, s, kept, 1, now())
	for _, at := range []core.WebhookAttempt{
		{DeliveryID: d.ID, TenantID: a.ID, At: now(), StatusCode: 500},
		{DeliveryID: kd.ID, TenantID: b.ID, At: now(), StatusCode: 200},
	} {
		mustWrite(t, s, "insert attempt", func(ctx context.Context, tx core.Tx) error { return tx.InsertWebhookAttempt(ctx, &at) })
	}
	mustWrite(t, s, "delete tenant", func(ctx context.Context, tx core.Tx) error { return tx.DeleteTenant(ctx, a.ID) })

	_, err := s.GetWebhookEndpoint(ctx, a.ID, ep.ID)
	wantCode(t, err, core.NotFound, "")
	_, err = s.GetWebhookDelivery(ctx, a.ID, ep.ID, d.ID)
	wantCode(t, err, core.NotFound, "")
	if got, err := s.ListWebhookAttempts(ctx, a.ID, []int64{d.ID}); err != nil || len(got) != 0 {
		t.Fatalf("attempts of the deleted tenant: %v, %v; want none", got, err)
	}
	// Nothing of it can be claimed any more; the other tenant's stays.
	if got := claimAll(t, s, "w", now()); !slices.Equal(deliveryIDs(got), []int64{kd.ID}) {
		t.Fatalf("claim after deleting a tenant: got %v, want [%d]", deliveryIDs(got), kd.ID)
	}
	if got, err := s.ListWebhookAttempts(ctx, b.ID, []int64{kd.ID}); err != nil || len(got) != 1 {
		t.Fatalf("other tenant's attempts: %v, %v; want 1", got, err)
	}
}

func testWebhookLatestEvents(t *testing.T, s core.Store) {
	ctx := context.Background()
	a, b := mustCreateTenant(t, s), mustCreateTenant(t, s)
	var want []int64
	for range 4 {
		want = append(want, mustInsertEvent(t, s, a.ID, core.EventUserCreated).ID)
		mustInsertEvent(t, s, a.ID, core.EventUserUpdated)
		mustInsertEvent(t, s, b.ID, core.EventUserCreated)
	}
	got, err := s.ListLatestEvents(ctx, a.ID, core.EventUserCreated, 3)
	if err != nil {
		t.Fatalf("latest: %v", err)
	}
	var ids []int64
	for _, e := range got {
		if e.TenantID != a.ID || e.Type != core.EventUserCreated {
			t.Errorf("latest: event %d of tenant %d type %s", e.ID, e.TenantID, e.Type)
		}
		ids = append(ids, e.ID)
	}
	if w := []int64{want[3], want[2], want[1]}; !slices.Equal(ids, w) {
		t.Fatalf("latest: got %v, want %v", ids, w)
	}
}

func testWebhookDeleteDeliveriesBefore(t *testing.T, s core.Store) {
	ctx := context.Background()
	a, b := mustCreateTenant(t, s), mustCreateTenant(t, s)
	epA, epB := mustCreateEndpoint(t, s, a.ID), mustCreateEndpoint(t, s, b.ID)
	cutoff := now().Add(-30 * 24 * time.Hour)
	old, recent := cutoff.Add(-time.Hour), cutoff.Add(time.Hour)

	var eventSeq int64
	insert := func(ep core.WebhookEndpoint, status string, updated time.Time) core.WebhookDelivery {
		t.Helper()
		eventSeq++
		d := core.WebhookDelivery{
			TenantID: ep.TenantID, EndpointID: ep.ID, EventID: eventSeq, EventType: core.EventUserCreated,
			MessageID: fmt.Sprintf("msg_%d", eventSeq), Payload: json.RawMessage(`{"type":"user_created"}`),
			Status: status, Attempts: 1, NextAttemptAt: updated, CreatedAt: updated.Add(-time.Minute), UpdatedAt: updated,
		}
		mustWrite(t, s, "insert delivery", func(ctx context.Context, tx core.Tx) error { return tx.InsertWebhookDelivery(ctx, &d) })
		at := core.WebhookAttempt{DeliveryID: d.ID, TenantID: d.TenantID, At: updated, StatusCode: 500}
		mustWrite(t, s, "insert attempt", func(ctx context.Context, tx core.Tx) error { return tx.InsertWebhookAttempt(ctx, &at) })
		return d
	}
	// Gone: finished before the cutoff, of either tenant.
	gone := []core.WebhookDelivery{
		insert(epA, core.DeliverySucceeded, old),
		insert(epA, core.DeliveryFailed, old),
		insert(epB, core.DeliverySucceeded, old),
		insert(epB, core.DeliveryFailed, cutoff.Add(-time.Microsecond)),
	}
	// Kept: pending however old, finished at or after the cutoff.
	kept := []core.WebhookDelivery{
		insert(epA, core.DeliveryPending, old.Add(-365*24*time.Hour)),
		insert(epB, core.DeliveryPending, old),
		insert(epA, core.DeliverySucceeded, recent),
		insert(epB, core.DeliveryFailed, recent),
		insert(epA, core.DeliveryFailed, cutoff),
	}

	purge := func(limit int) int64 {
		t.Helper()
		var n int64
		mustWrite(t, s, "delete deliveries before", func(ctx context.Context, tx core.Tx) (err error) {
			n, err = tx.DeleteWebhookDeliveriesBefore(ctx, cutoff, limit)
			return err
		})
		return n
	}
	// The limit holds: 3 then the last 1, then nothing is left to remove.
	for i, want := range []int64{3, 1, 0} {
		if got := purge(3); got != want {
			t.Fatalf("purge %d with limit 3: removed %d, want %d", i+1, got, want)
		}
	}

	for _, d := range gone {
		_, err := s.GetWebhookDelivery(ctx, d.TenantID, d.EndpointID, d.ID)
		wantCode(t, err, core.NotFound, "")
		if got, err := s.ListWebhookAttempts(ctx, d.TenantID, []int64{d.ID}); err != nil || len(got) != 0 {
			t.Fatalf("attempts of purged delivery %d: %v, %v; want none", d.ID, got, err)
		}
	}
	for _, d := range kept {
		got, err := s.GetWebhookDelivery(ctx, d.TenantID, d.EndpointID, d.ID)
		if err != nil || got.Status != d.Status || !got.UpdatedAt.Equal(d.UpdatedAt) {
			t.Fatalf("kept delivery %d (%s, updated %s): %+v, %v", d.ID, d.Status, d.UpdatedAt, got, err)
		}
		if got, err := s.ListWebhookAttempts(ctx, d.TenantID, []int64{d.ID}); err != nil || len(got) != 1 {
			t.Fatalf("attempts of kept delivery %d: %v, %v; want 1", d.ID, got, err)
		}
	}
}
