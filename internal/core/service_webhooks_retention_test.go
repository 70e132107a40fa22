package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

// countingStore is a real store that counts its write transactions, to
// see that a purge works in batches.
type countingStore struct {
	core.Store
	writes int
}

func (c *countingStore) Write(ctx context.Context, fn func(tx core.Tx) error) error {
	c.writes++
	return c.Store.Write(ctx, fn)
}

func TestPurgeWebhookDeliveries(t *testing.T) {
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		counting := &countingStore{Store: st}
		svc, clock := webhookService(t, counting)
		a, b := createTenant(t, svc, "Acme"), createTenant(t, svc, "Globex")
		epA := mustCreateEndpoint(t, svc, a.key, core.CreateWebhookEndpoint{URL: "https://a.example.com/hook"})
		epB := mustCreateEndpoint(t, svc, b.key, core.CreateWebhookEndpoint{URL: "https://b.example.com/hook"})

		const retention = 30 * 24 * time.Hour
		old := clock.Add(-retention - time.Minute).Truncate(time.Microsecond)
		recent := clock.Add(-retention + time.Minute).Truncate(time.Microsecond)
		var eventID int64
		newDelivery := func(ep core.WebhookEndpoint, status string, updated time.Time) *core.WebhookDelivery {
			eventID++
			return &core.WebhookDelivery{
				TenantID: ep.TenantID, EndpointID: ep.ID, EventID: eventID, EventType: core.EventUserCreated,
				MessageID: fmt.Sprintf("msg_%d", eventID), Payload: json.RawMessage(`{"type":"user_created"}`),
				Status: status, NextAttemptAt: updated, CreatedAt: updated, UpdatedAt: updated,
			}
		}
		// 2,500 old finished deliveries across both tenants: two full
		// batches and a short one.
		const oldFinished = 2500
		var kept []*core.WebhookDelivery
		err := st.Write(ctx, func(tx core.Tx) error {
			for i := range oldFinished {
				ep, status := epA, core.DeliverySucceeded
				if i%2 == 1 {
					ep, status = epB, core.DeliveryFailed
				}
				if err := tx.InsertWebhookDelivery(ctx, newDelivery(ep, status, old)); err != nil {
					return err
				}
			}
			kept = []*core.WebhookDelivery{
				newDelivery(epA, core.DeliveryPending, old.Add(-365*24*time.Hour)),
				newDelivery(epB, core.DeliveryPending, old),
				newDelivery(epA, core.DeliverySucceeded, recent),
				newDelivery(epB, core.DeliveryFailed, recent),
			}
			for _, d := range kept {
				if err := tx.InsertWebhookDelivery(ctx, d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("insert deliveries: %v", err)
		}

		counting.writes = 0
		n, err := svc.PurgeWebhookDeliveries(ctx, retention)
		if err != nil || n != oldFinished {
			t.Fatalf("PurgeWebhookDeliveries: %d, %v; want %d", n, err, oldFinished)
		}
		if counting.writes != 3 {
			t.Errorf("purge of %d took %d transactions, want 3 (1000, 1000, 500)", oldFinished, counting.writes)
		}
		for _, d := range kept {
			got, err := st.GetWebhookDelivery(ctx, d.TenantID, d.EndpointID, d.ID)
			if err != nil || got.Status != d.Status {
				t.Errorf("kept delivery %d (%s, updated %s): %+v, %v", d.ID, d.Status, d.UpdatedAt, got, err)
			}
		}
		for _, ep := range []struct {
			key core.Actor
			id  string
		}{{a.key, epA.ID}, {b.key, epB.ID}} {
			if got := deliveriesOf(t, svc, ep.key, ep.id); len(got) != 2 {
				t.Errorf("endpoint %s keeps %d deliveries, want 2", ep.id, len(got))
			}
		}

		// Nothing more is due; a month later the recent ones are.
		counting.writes = 0
		if n, err := svc.PurgeWebhookDeliveries(ctx, retention); err != nil || n != 0 || counting.writes != 1 {
			t.Fatalf("second purge: %d, %v in %d transactions; want 0 in 1", n, err, counting.writes)
		}
		*clock = clock.Add(retention)
		if n, err := svc.PurgeWebhookDeliveries(ctx, retention); err != nil || n != 2 {
			t.Fatalf("purge a month later: %d, %v; want 2 (pending ones stay)", n, err)
		}
	})
}

func TestPurgeWebhookDeliveriesBadInput(t *testing.T) {
	svc := newService(t, openSQLite(t))
	for _, olderThan := range []time.Duration{0, -time.Hour} {
		n, err := svc.PurgeWebhookDeliveries(t.Context(), olderThan)
		wantError(t, err, core.Invalid, "olderThan")
		if n != 0 {
			t.Errorf("PurgeWebhookDeliveries(%s) removed %d, want 0", olderThan, n)
		}
	}
}
