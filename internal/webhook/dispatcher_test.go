package webhook_test

import (
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/egress"
	"github.com/rosterhq/roster/internal/webhook"
	"github.com/rosterhq/roster/internal/webhook/webhooktest"
)

// TestDispatcherDeliversVerifiedEvents: every user_created event of the
// tenant reaches its receiver once, verified by the reference library, in
// Roster's envelope; another tenant's events do not; replays are refused
// when stale and recognisable by webhook-id when not.
func TestDispatcherDeliversVerifiedEvents(t *testing.T) {
	forEachStore(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		recv := webhooktest.New(t)
		ep := e.endpoint(t, e.admin, recv.URL+"/roster")
		recv.SetSecrets(ep.Secret)

		other, otherAdmin := e.newTenant(t, "Globex")
		otherRecv := webhooktest.New(t)
		otherEp := e.endpoint(t, otherAdmin, otherRecv.URL+"/globex")
		otherRecv.SetSecrets(otherEp.Secret)

		emails := e.createUsers(t, e.admin, "ada", 5)
		e.createUsers(t, otherAdmin, "globex", 2)
		e.run(t, webhook.Config{Policy: egress.Policy{AllowHTTP: true, AllowPrivate: true}})

		recv.WaitAccepted(t, 5, 15*time.Second)
		otherRecv.WaitAccepted(t, 2, 15*time.Second)
		time.Sleep(200 * time.Millisecond) // room for a wrong extra delivery
		if u, d := recv.Accepted(); u != 5 || d != 0 {
			t.Fatalf("accepted %d distinct, %d duplicates; want 5, 0", u, d)
		}
		if r := recv.Rejected(); len(r) != 0 {
			t.Fatalf("receiver refused %d requests: %v", len(r), r)
		}
		var got []string
		for _, a := range recv.Arrivals() {
			env := webhooktest.Decode(t, a)
			if env.Type != core.EventUserCreated || env.Data.Tenant.ClientID != e.tenant.Tenant.ClientID || env.Data.Subject.Type != "user" || env.Data.User == nil {
				t.Fatalf("delivery %s = %s, want a user_created of %s", a.ID, a.Body, e.tenant.Tenant.ClientID)
			}
			if !strings.HasPrefix(a.ID, "msg_") {
				t.Errorf("webhook-id %q, want msg_ prefix", a.ID)
			}
			got = append(got, env.Data.User.Email)
		}
		slices.Sort(got)
		if !slices.Equal(got, emails) {
			t.Fatalf("delivered users %v, want %v", got, emails)
		}
		for _, a := range otherRecv.Arrivals() {
			if env := webhooktest.Decode(t, a); env.Data.Tenant.ClientID != other.Tenant.ClientID {
				t.Fatalf("Globex's receiver got %s's event", env.Data.Tenant.ClientID)
			}
		}

		// Every delivery is recorded as succeeded after one 204 attempt
		// (the receiver answers before the dispatcher records).
		waitFor(t, 10*time.Second, "5 recorded deliveries", func() bool {
			n := 0
			for _, d := range e.deliveries(t, e.admin, ep.ID) {
				if d.Delivery.Status == core.DeliverySucceeded {
					n++
				}
			}
			return n == 5
		})
		for _, d := range e.deliveries(t, e.admin, ep.ID) {
			if d.Delivery.Status != core.DeliverySucceeded || d.Delivery.Attempts != 1 || len(d.Attempts) != 1 {
				t.Fatalf("delivery %d: status %s, %d attempts (%d listed); want succeeded, 1", d.Delivery.ID, d.Delivery.Status, d.Delivery.Attempts, len(d.Attempts))
			}
			if at := d.Attempts[0]; at.StatusCode != http.StatusNoContent || at.Error != "" {
				t.Fatalf("attempt of delivery %d: %d %q, want 204 without error", d.Delivery.ID, at.StatusCode, at.Error)
			}
		}

		// A replay of a captured delivery: as sent, it verifies (the
		// receiver must drop it by webhook-id); re-timed ten minutes back
		// (what a captured delivery looks like later), it is refused.
		first := recv.Arrivals()[0]
		replay(t, recv.URL, first, ep.Secret, time.Now(), http.StatusNoContent)
		replay(t, recv.URL, first, ep.Secret, time.Now().Add(-10*time.Minute), http.StatusUnauthorized)
		if _, d := recv.Accepted(); d != 1 {
			t.Fatalf("duplicates after a replay = %d, want 1", d)
		}
		if r := recv.Rejected(); len(r) != 1 || !strings.Contains(r[0], "too old") {
			t.Fatalf("refusals = %v, want one for a stale timestamp", r)
		}
		e.assertNoSecrets(t, ep.Secret, strings.TrimPrefix(ep.Secret, "whsec_"), otherEp.Secret, string(first.Body), emails[0])
	})
}

// replay posts a's body to url signed with secret at ts, as an attacker
// holding a captured delivery (and, for the test, the secret) would, and
// checks the receiver's answer.
func replay(t *testing.T, url string, a webhooktest.Arrival, secret string, ts time.Time, wantStatus int) {
	t.Helper()
	sig, err := webhook.Sign([]string{secret}, a.ID, ts, a.Body)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(string(a.Body)))
	req.Header.Set("webhook-id", a.ID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != wantStatus {
		t.Fatalf("replay at %s: status %d, want %d", ts.Format(time.RFC3339), resp.StatusCode, wantStatus)
	}
}

// TestDispatcherRetriesWithGrowingDelays: a receiver that fails three times
// gets the event on the fourth attempt, after delays that follow the
// compressed schedule (within its jitter), and every attempt is recorded.
func TestDispatcherRetriesWithGrowingDelays(t *testing.T) {
	// Compressed, and tripling rather than doubling: the receiver sees the
	// delays plus the dispatcher's own latency (poll, claim, recording),
	// which on a loaded machine would blur a doubling 100 ms schedule.
	schedule := webhook.Schedule{150 * time.Millisecond, 500 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second}
	forEachStore(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		recv := webhooktest.New(t)
		recv.Respond(func(attempt int) int {
			if attempt <= 3 {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		})
		ep := e.endpoint(t, e.admin, recv.URL)
		recv.SetSecrets(ep.Secret)
		e.createUsers(t, e.admin, "retry", 1)
		e.run(t, webhook.Config{Schedule: schedule, Policy: egress.Policy{AllowHTTP: true, AllowPrivate: true}})

		recv.WaitAccepted(t, 1, 15*time.Second)
		arrivals := recv.Arrivals()
		if len(arrivals) != 4 {
			t.Fatalf("receiver got %d requests, want 4", len(arrivals))
		}
		var gaps []time.Duration
		for i := 1; i < len(arrivals); i++ {
			if arrivals[i].ID != arrivals[0].ID {
				t.Fatalf("attempt %d has webhook-id %s, want the first's %s", i+1, arrivals[i].ID, arrivals[0].ID)
			}
			gap := arrivals[i].At.Sub(arrivals[i-1].At)
			lo := time.Duration(float64(schedule[i-1]) * (1 - webhook.Jitter))
			// Above the jittered delay: polling (20 ms) and sending add time.
			hi := time.Duration(float64(schedule[i-1])*(1+webhook.Jitter)) + time.Second
			if gap < lo || gap > hi {
				t.Errorf("gap before attempt %d = %s, want in [%s, %s]", i+1, gap, lo, hi)
			}
			if i > 1 && gap <= gaps[len(gaps)-1] {
				t.Errorf("gap before attempt %d = %s, not above the previous %s", i+1, gap, gaps[len(gaps)-1])
			}
			gaps = append(gaps, gap)
		}
		t.Logf("gaps between attempts: %v (schedule %s, jitter ±%.0f%%)", gaps, schedule, webhook.Jitter*100)

		waitFor(t, 5*time.Second, "the fourth attempt to be recorded", func() bool {
			ds := e.deliveries(t, e.admin, ep.ID)
			return len(ds) == 1 && ds[0].Delivery.Status == core.DeliverySucceeded
		})
		d := e.deliveries(t, e.admin, ep.ID)[0]
		var codes []int
		for _, at := range d.Attempts {
			codes = append(codes, at.StatusCode)
		}
		if want := []int{500, 500, 500, 200}; !slices.Equal(codes, want) || d.Delivery.Attempts != 4 {
			t.Fatalf("attempts %v (count %d), want %v", codes, d.Delivery.Attempts, want)
		}
		if got := d.Attempts[0].Error; got != "receiver answered 500" {
			t.Fatalf("first attempt error %q, want %q", got, "receiver answered 500")
		}
	})
}

// TestDispatcherGivesUp: a receiver failing for the whole schedule gets
// len(schedule)+1 attempts; the delivery is failed, the endpoint disabled
// and webhook_delivery_failed recorded.
func TestDispatcherGivesUp(t *testing.T) {
	forEachStore(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		recv := webhooktest.New(t)
		recv.Respond(func(int) int { return http.StatusServiceUnavailable })
		ep := e.endpoint(t, e.admin, recv.URL)
		recv.SetSecrets(ep.Secret)
		e.createUsers(t, e.admin, "doomed", 1)
		e.run(t, webhook.Config{Schedule: webhook.Schedule{50 * time.Millisecond, 50 * time.Millisecond},
			Policy: egress.Policy{AllowHTTP: true, AllowPrivate: true}})

		waitFor(t, 10*time.Second, "the delivery to fail", func() bool {
			ds := e.deliveries(t, e.admin, ep.ID)
			return len(ds) == 1 && ds[0].Delivery.Status == core.DeliveryFailed
		})
		d := e.deliveries(t, e.admin, ep.ID)[0]
		if d.Delivery.Attempts != 3 || len(d.Attempts) != 3 || d.Delivery.LastStatusCode != 503 {
			t.Fatalf("delivery: %d attempts (%d listed), last status %d; want 3, 3, 503", d.Delivery.Attempts, len(d.Attempts), d.Delivery.LastStatusCode)
		}
		if n := len(recv.Arrivals()); n != 3 {
			t.Fatalf("receiver got %d requests, want 3", n)
		}
		got, err := e.svc.GetWebhookEndpoint(t.Context(), e.admin, ep.ID)
		if err != nil {
			t.Fatalf("GetWebhookEndpoint: %v", err)
		}
		if got.Enabled || got.DisabledReason == "" {
			t.Fatalf("endpoint enabled=%v reason=%q, want disabled with a reason", got.Enabled, got.DisabledReason)
		}
		failed, err := st.ListEvents(t.Context(), e.tenant.Tenant.ID, core.EventFilter{Type: core.EventWebhookDeliveryFailed, Limit: 10})
		if err != nil {
			t.Fatalf("ListEvents: %v", err)
		}
		if len(failed) != 1 || failed[0].SubjectID != ep.ID {
			t.Fatalf("webhook_delivery_failed events %+v, want one about %s", failed, ep.ID)
		}
		// Disabled: a new event makes no delivery attempt.
		e.createUsers(t, e.admin, "after", 1)
		time.Sleep(300 * time.Millisecond)
		if n := len(recv.Arrivals()); n != 3 {
			t.Fatalf("receiver got %d requests after the endpoint was disabled, want 3", n)
		}
	})
}

// TestDispatcherGoneEndsZapierSubscription: a Zapier subscription whose
// target answers 410 Gone (REST Hooks: the Zap unsubscribed) is disabled
// after that one attempt, with webhook_delivery_failed; a plain endpoint's
// 410 is retried like any failure.
func TestDispatcherGoneEndsZapierSubscription(t *testing.T) {
	forEachStore(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		zapRecv, plainRecv := webhooktest.New(t), webhooktest.New(t)
		zapRecv.Respond(func(int) int { return http.StatusGone })
		plainRecv.Respond(func(attempt int) int {
			if attempt == 1 {
				return http.StatusGone
			}
			return http.StatusOK
		})
		zap, err := e.svc.SubscribeHook(t.Context(), e.admin, zapRecv.URL, core.EventUserCreated)
		if err != nil {
			t.Fatalf("SubscribeHook: %v", err)
		}
		zapRecv.SetSecrets(zap.Secret)
		plain := e.endpoint(t, e.admin, plainRecv.URL)
		plainRecv.SetSecrets(plain.Secret)
		e.createUsers(t, e.admin, "gone", 1)
		e.run(t, webhook.Config{Schedule: webhook.Schedule{50 * time.Millisecond, 50 * time.Millisecond},
			Policy: egress.Policy{AllowHTTP: true, AllowPrivate: true}})

		waitFor(t, 10*time.Second, "the Zapier delivery to fail and the plain one to succeed", func() bool {
			z, p := e.deliveries(t, e.admin, zap.ID), e.deliveries(t, e.admin, plain.ID)
			return len(z) == 1 && z[0].Delivery.Status == core.DeliveryFailed &&
				len(p) == 1 && p[0].Delivery.Status == core.DeliverySucceeded
		})
		z := e.deliveries(t, e.admin, zap.ID)[0]
		if z.Delivery.Attempts != 1 || z.Delivery.LastStatusCode != http.StatusGone {
			t.Fatalf("Zapier delivery: %d attempts, last status %d; want 1, 410", z.Delivery.Attempts, z.Delivery.LastStatusCode)
		}
		if p := e.deliveries(t, e.admin, plain.ID)[0]; p.Delivery.Attempts != 2 || p.Attempts[0].StatusCode != http.StatusGone {
			t.Fatalf("plain delivery: %d attempts, first status %d; want 2, the first 410", p.Delivery.Attempts, p.Attempts[0].StatusCode)
		}
		got, err := e.svc.GetWebhookEndpoint(t.Context(), e.admin, zap.ID)
		if err != nil {
			t.Fatalf("GetWebhookEndpoint: %v", err)
		}
		if got.Enabled || !strings.Contains(got.DisabledReason, "410 Gone") {
			t.Fatalf("Zapier endpoint enabled=%v reason=%q, want disabled for its 410", got.Enabled, got.DisabledReason)
		}
		if got, err := e.svc.GetWebhookEndpoint(t.Context(), e.admin, plain.ID); err != nil || !got.Enabled {
			t.Fatalf("plain endpoint: %+v, %v; want it still enabled", got, err)
		}
		failed, err := st.ListEvents(t.Context(), e.tenant.Tenant.ID, core.EventFilter{Type: core.EventWebhookDeliveryFailed, Limit: 10})
		if err != nil {
			t.Fatalf("ListEvents: %v", err)
		}
		if len(failed) != 1 || failed[0].SubjectID != zap.ID {
			t.Fatalf("webhook_delivery_failed events %+v, want one about %s", failed, zap.ID)
		}
		// Ended: a new event is not sent to the Zap again.
		e.createUsers(t, e.admin, "after", 1)
		plainRecv.WaitAccepted(t, 2, 10*time.Second)
		if n := len(zapRecv.Arrivals()); n != 1 {
			t.Fatalf("Zapier target got %d requests, want 1", n)
		}
		// Zapier may still unsubscribe: the ended subscription is deleted.
		if err := e.svc.UnsubscribeHook(t.Context(), e.admin, zap.ID); err != nil {
			t.Fatalf("UnsubscribeHook after 410: %v", err)
		}
	})
}

// TestDispatcherFailedAttempts: redirects are not followed and slow
// receivers time out; both are failed attempts, retried.
func TestDispatcherFailedAttempts(t *testing.T) {
	tests := []struct {
		name      string
		first     func(w http.ResponseWriter, r *http.Request)
		wantCode  int
		wantError string
	}{
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		}, 302, "redirect (302) not followed: register the final URL"},
		{"slow", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // lets the server see the client leave
			select {
			case <-r.Context().Done():
			case <-time.After(3 * time.Second):
			}
		}, 0, "timed out after 300ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, st core.Store) {
				e := newEnv(t, st)
				recv := webhooktest.New(t)
				var firstDone, elsewhere atomic.Int32
				mux := http.NewServeMux()
				mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) })
				mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
					if firstDone.Add(1) == 1 {
						tt.first(w, r)
						return
					}
					proxyTo(t, recv.URL, w, r)
				})
				srv := newServer(t, mux)
				ep := e.endpoint(t, e.admin, srv+"/hook")
				recv.SetSecrets(ep.Secret)
				e.createUsers(t, e.admin, tt.name, 1)
				e.run(t, webhook.Config{Timeout: 300 * time.Millisecond, Schedule: webhook.Schedule{100 * time.Millisecond},
					Policy: egress.Policy{AllowHTTP: true, AllowPrivate: true}})

				recv.WaitAccepted(t, 1, 10*time.Second)
				waitFor(t, 5*time.Second, "the second attempt to be recorded", func() bool {
					ds := e.deliveries(t, e.admin, ep.ID)
					return len(ds) == 1 && ds[0].Delivery.Status == core.DeliverySucceeded
				})
				d := e.deliveries(t, e.admin, ep.ID)[0]
				if len(d.Attempts) != 2 {
					t.Fatalf("%d attempts, want 2", len(d.Attempts))
				}
				at := d.Attempts[0]
				if at.StatusCode != tt.wantCode || at.Error != tt.wantError {
					t.Fatalf("first attempt %d %q, want %d %q", at.StatusCode, at.Error, tt.wantCode, tt.wantError)
				}
				if n := elsewhere.Load(); n != 0 {
					t.Fatalf("redirect target got %d requests, want 0", n)
				}
			})
		})
	}
}

// TestDispatcherRefusesForbiddenAddresses: endpoints saved while private
// addresses were allowed are refused at connect time by a dispatcher whose
// policy forbids them; the attempt records the refusal, nothing is sent.
func TestDispatcherRefusesForbiddenAddresses(t *testing.T) {
	forEachStore(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		recv := webhooktest.New(t)
		port := recv.URL[strings.LastIndexByte(recv.URL, ':')+1:]
		targets := []struct {
			url, wantError string
		}{
			{"http://127.0.0.1:" + port + "/", "refused at connect time: egress: connection to 127.0.0.1 refused, loopback address: forbidden address"},
			{"http://10.0.0.1:" + port + "/", "refused at connect time: egress: connection to 10.0.0.1 refused, private address: forbidden address"},
			{"http://169.254.169.254/latest/meta-data/", "refused at connect time: egress: connection to 169.254.169.254 refused, link-local/metadata address: forbidden address"},
			{"http://[::1]:" + port + "/", "refused at connect time: egress: connection to ::1 refused, loopback address: forbidden address"},
			{"http://localhost:" + port + "/", "refused at connect time: egress: connection to "},
		}
		endpoints := make([]core.WebhookEndpoint, len(targets))
		for i, tg := range targets {
			endpoints[i] = e.endpoint(t, e.admin, tg.url)
		}
		e.createUsers(t, e.admin, "ssrf", 1)
		e.run(t, webhook.Config{Schedule: webhook.Schedule{time.Hour}, Policy: egress.Policy{AllowHTTP: true}})

		for i, tg := range targets {
			waitFor(t, 10*time.Second, "an attempt to "+tg.url, func() bool {
				ds := e.deliveries(t, e.admin, endpoints[i].ID)
				return len(ds) == 1 && len(ds[0].Attempts) == 1
			})
			at := e.deliveries(t, e.admin, endpoints[i].ID)[0].Attempts[0]
			if at.StatusCode != 0 || !strings.HasPrefix(at.Error, tg.wantError) || !strings.Contains(at.Error, "loopback") && strings.Contains(tg.url, "localhost") {
				t.Errorf("attempt to %s: %d %q, want 0 and %q", tg.url, at.StatusCode, at.Error, tg.wantError)
			}
		}
		if n := len(recv.Arrivals()) + len(recv.Rejected()); n != 0 {
			t.Fatalf("receiver got %d requests, want 0", n)
		}
	})
}
