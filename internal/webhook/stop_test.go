package webhook_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/egress"
	"github.com/rosterhq/roster/internal/webhook"
	"github.com/rosterhq/roster/internal/webhook/webhooktest"
)

// TestDispatcherStop: stopping Run lets an attempt in flight finish and be
// recorded; an attempt that outlasts StopGrace is abandoned unrecorded (its
// lease will expire) and Run still returns within that bound.
func TestDispatcherStop(t *testing.T) {
	tests := []struct {
		name       string
		hold       time.Duration // how long the receiver takes
		timeout    time.Duration
		grace      time.Duration
		wantStatus string
		wantTries  int
	}{
		{"finishes in flight", 400 * time.Millisecond, 5 * time.Second, 2 * time.Second, core.DeliverySucceeded, 1},
		{"abandons past the bound", 5 * time.Second, 10 * time.Second, 300 * time.Millisecond, core.DeliveryPending, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, st core.Store) {
				e := newEnv(t, st)
				recv := webhooktest.New(t)
				release := make(chan struct{})
				defer close(release)
				recv.Respond(func(int) int {
					select {
					case <-time.After(tt.hold):
					case <-release:
					}
					return http.StatusOK
				})
				ep := e.endpoint(t, e.admin, recv.URL)
				recv.SetSecrets(ep.Secret)
				e.createUsers(t, e.admin, "stop", 1)

				d := webhook.New(e.svc, webhook.Config{Timeout: tt.timeout, StopGrace: tt.grace, Poll: 20 * time.Millisecond,
					Policy: egress.Policy{AllowHTTP: true, AllowPrivate: true}})
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() { done <- d.Run(ctx) }()
				waitFor(t, 5*time.Second, "the attempt to reach the receiver", func() bool { return len(recv.Started()) == 1 })

				stopAt := time.Now()
				cancel()
				bound := tt.grace + 500*time.Millisecond // and the recording
				select {
				case err := <-done:
					if err != nil {
						t.Fatalf("Run: %v", err)
					}
				case <-time.After(bound + 2*time.Second):
					t.Fatalf("Run did not return within %s of the stop", bound)
				}
				if took := time.Since(stopAt); took > bound {
					t.Errorf("Run returned %s after the stop, want at most %s", took, bound)
				}
				ds := e.deliveries(t, e.admin, ep.ID)
				if len(ds) != 1 || ds[0].Delivery.Status != tt.wantStatus || len(ds[0].Attempts) != tt.wantTries {
					t.Fatalf("%d deliveries (first: %s, %d attempts), want one %s with %d attempts",
						len(ds), ds[0].Delivery.Status, len(ds[0].Attempts), tt.wantStatus, tt.wantTries)
				}
			})
		})
	}
}

// TestDispatcherSignsWithBothSecretsAfterRotation: after a rotation, a
// receiver still on the old secret verifies deliveries (for 24 h), and so
// does one already on the new secret.
func TestDispatcherSignsWithBothSecretsAfterRotation(t *testing.T) {
	forEachStore(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		oldOnly := webhooktest.New(t)
		ep := e.endpoint(t, e.admin, oldOnly.URL)
		oldOnly.SetSecrets(ep.Secret)
		rotated, err := e.svc.RotateWebhookSecret(t.Context(), e.admin, ep.ID)
		if err != nil {
			t.Fatalf("RotateWebhookSecret: %v", err)
		}
		if rotated.Secret == ep.Secret || rotated.Secret == "" {
			t.Fatalf("rotation kept the secret")
		}
		newOnly := webhooktest.New(t)
		ep2 := e.endpoint(t, e.admin, newOnly.URL)
		rotated2, err := e.svc.RotateWebhookSecret(t.Context(), e.admin, ep2.ID)
		if err != nil {
			t.Fatalf("RotateWebhookSecret: %v", err)
		}
		newOnly.SetSecrets(rotated2.Secret)

		e.createUsers(t, e.admin, "rotation", 2)
		e.run(t, webhook.Config{Policy: egress.Policy{AllowHTTP: true, AllowPrivate: true}})
		oldOnly.WaitAccepted(t, 2, 10*time.Second)
		newOnly.WaitAccepted(t, 2, 10*time.Second)
		if n := len(oldOnly.Rejected()) + len(newOnly.Rejected()); n != 0 {
			t.Fatalf("%d deliveries refused after a rotation, want 0: %v %v", n, oldOnly.Rejected(), newOnly.Rejected())
		}
		e.assertNoSecrets(t, ep.Secret, rotated.Secret, rotated2.Secret)
	})
}

// TestDispatcherWake: an idle dispatcher with an hour-long poll sends a new
// event at once when woken.
func TestDispatcherWake(t *testing.T) {
	forEachStore(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		recv := webhooktest.New(t)
		ep := e.endpoint(t, e.admin, recv.URL)
		recv.SetSecrets(ep.Secret)
		d := e.run(t, webhook.Config{Poll: time.Hour, Policy: egress.Policy{AllowHTTP: true, AllowPrivate: true}})
		time.Sleep(100 * time.Millisecond) // past its first look at the outbox
		e.createUsers(t, e.admin, "wake", 1)
		d.Wake()
		start := time.Now()
		recv.WaitAccepted(t, 1, 5*time.Second)
		t.Logf("delivered %s after the wake-up", time.Since(start).Round(time.Millisecond))
	})
}
