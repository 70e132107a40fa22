package main

// Webhook delivery across crashes and processes: the real binary, a real
// receiver verifying every delivery with the Standard Webhooks reference
// library, SQLite and PostgreSQL.

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/egress"
	"github.com/rosterhq/roster/internal/store/postgres/pgtest"
	"github.com/rosterhq/roster/internal/webhook/webhooktest"
)

// webhookTestEnv makes the child servers deliver fast to loopback: a 1 s
// attempt timeout (so a 7 s lease), a short poll and quick retries.
func webhookTestEnv(t *testing.T) {
	t.Helper()
	t.Setenv("ROSTER_WEBHOOK_ALLOW_PRIVATE", "true")
	t.Setenv("ROSTER_WEBHOOK_ALLOW_HTTP", "true")
	t.Setenv("ROSTER_WEBHOOK_TIMEOUT", "1s")
	t.Setenv("ROSTER_WEBHOOK_POLL", "50ms")
	t.Setenv("ROSTER_WEBHOOK_SCHEDULE", strings.TrimSuffix(strings.Repeat("300ms,", 20), ","))
	t.Setenv("ROSTER_WEBHOOK_WORKERS", "16")
	t.Setenv("ROSTER_WEBHOOK_DISPATCHER_OFF", "")
}

// subscribe creates, directly through the service, an endpoint of the
// tenant for user_created events at url and returns its secret. The events
// already in the outbox (the tenant's admin) are fanned out first, as a
// running dispatcher would have done.
func subscribe(t *testing.T, db string, tenant tenantCreatedJSON, url string) core.WebhookEndpoint {
	t.Helper()
	ctx := context.Background()
	svc := openTestService(t, db)
	svc.SetEgressPolicy(egress.Policy{AllowHTTP: true, AllowPrivate: true})
	if _, err := svc.FanOutEvents(ctx, 1000); err != nil {
		t.Fatalf("FanOutEvents: %v", err)
	}
	admin, err := svc.AuthenticateAPIKey(ctx, tenant.APIKey)
	if err != nil {
		t.Fatalf("AuthenticateAPIKey: %v", err)
	}
	ep, err := svc.CreateWebhookEndpoint(ctx, admin, core.CreateWebhookEndpoint{URL: url, EventTypes: []string{core.EventUserCreated}})
	if err != nil {
		t.Fatalf("CreateWebhookEndpoint: %v", err)
	}
	return ep
}

// deliveredEmails returns, per user email in the accepted deliveries, how
// many distinct webhook-ids carried it and how many 2xx answers in all.
func deliveredEmails(t *testing.T, recv *webhooktest.Receiver) (ids map[string]map[string]bool, accepted map[string]int) {
	t.Helper()
	ids, accepted = map[string]map[string]bool{}, map[string]int{}
	for _, a := range recv.Arrivals() {
		if a.Status < 200 || a.Status >= 300 {
			continue
		}
		env := webhooktest.Decode(t, a)
		if env.Type != core.EventUserCreated || env.Data.User == nil {
			t.Fatalf("delivery %s: %s, want a user_created", a.ID, a.Body)
		}
		email := env.Data.User.Email
		if ids[email] == nil {
			ids[email] = map[string]bool{}
		}
		ids[email][a.ID] = true
		accepted[email]++
	}
	return ids, accepted
}

// TestWebhookCrash: `roster serve` is SIGKILLed while a slow receiver holds
// its attempts and more deliveries are pending; after a restart every user
// that exists (every committed create) is delivered at least once, and no
// user that does not exist (creates refused by a conflict, or cut off before
// their commit) ever is.
func TestWebhookCrash(t *testing.T) {
	bin := rosterBinary(t)
	webhookTestEnv(t)
	forEachDatabase(t, func(t *testing.T, db string) {
		tenant := createTenantWithBinary(t, bin, db, "Webhook Crash")
		recv := webhooktest.New(t)
		ep := subscribe(t, db, tenant, recv.URL+"/roster")
		recv.SetSecrets(ep.Secret)

		// Phase 1: the receiver holds every request until released, then
		// answers 503: attempts are in flight at the kill, others pending.
		release := make(chan struct{})
		var releaseOnce sync.Once
		defer releaseOnce.Do(func() { close(release) })
		recv.Respond(func(int) int {
			<-release
			return http.StatusServiceUnavailable
		})

		srv := startServer(t, bin, db)
		client := &http.Client{Timeout: 10 * time.Second}
		defer client.CloseIdleConnections()
		var created []string
		conflicts := 0
		for i := range 40 {
			email := fmt.Sprintf("hook-%d@example.com", i)
			status, _, err := createUser(client, srv.url, tenant.APIKey, email)
			if err != nil || status != http.StatusCreated {
				t.Fatalf("create %s: %d %v", email, status, err)
			}
			created = append(created, email)
			// The same email again: refused (409), rolled back, no event.
			if status, _, err := createUser(client, srv.url, tenant.APIKey, email); err != nil || status != http.StatusConflict {
				t.Fatalf("duplicate create %s: %d %v, want 409", email, status, err)
			}
			conflicts++
		}
		srv.waitLog("webhook dispatcher started", 10*time.Second)
		// Wait until attempts hang in the receiver, then kill.
		deadline := time.Now().Add(20 * time.Second)
		for len(recv.Started()) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("no attempt reached the receiver in 20s; stderr:\n%s", srv.log)
			}
			time.Sleep(20 * time.Millisecond)
		}
		srv.signal(syscall.SIGKILL)
		if err := srv.wait(10 * time.Second); err == nil {
			t.Fatal("the killed server exited 0")
		}
		// Released after the kill: these answers reach nobody.
		recv.Respond(func(int) int { return http.StatusNoContent })
		releaseOnce.Do(func() { close(release) })

		// Phase 2: restarted, the server delivers everything, the
		// deliveries leased by the dead process once their lease expires.
		srv = startServer(t, bin, db)
		recv.WaitAccepted(t, len(created), 90*time.Second)
		time.Sleep(500 * time.Millisecond) // room for a wrong extra delivery
		srv.signal(syscall.SIGTERM)
		if err := srv.wait(30 * time.Second); err != nil {
			t.Fatalf("restarted server: exit %v, want 0; stderr:\n%s", err, srv.log)
		}

		users, _ := usersAndCreatedEvents(t, db, tenant.ClientID)
		stored := map[string]bool{}
		for _, email := range users {
			if email != tenant.AdminEmail {
				stored[email] = true
			}
		}
		ids, accepted := deliveredEmails(t, recv)
		for email := range stored {
			if accepted[email] == 0 {
				t.Errorf("user %s exists but its user_created was never delivered", email)
			}
			if len(ids[email]) != 1 {
				t.Errorf("user %s was delivered under %d webhook-ids, want 1", email, len(ids[email]))
			}
		}
		for email := range accepted {
			if !stored[email] {
				t.Errorf("user_created of %s delivered, but no such user was committed", email)
			}
		}
		if len(stored) != len(created) {
			t.Errorf("%d users stored, want the %d created", len(stored), len(created))
		}
		unique, dups := recv.Accepted()
		held := 0
		for _, a := range recv.Arrivals() {
			if a.Status == http.StatusServiceUnavailable {
				held++
			}
		}
		t.Logf("%d users created, %d conflicting creates refused; %d attempts held at the SIGKILL; after restart %d deliveries accepted, %d duplicates; %d refused signatures",
			len(created), conflicts, held, unique, dups, len(recv.Rejected()))
		if r := recv.Rejected(); len(r) != 0 {
			t.Errorf("receiver refused %d deliveries: %v", len(r), r)
		}
		// The logs hold neither the secret nor a payload.
		for _, leak := range []string{ep.Secret, strings.TrimPrefix(ep.Secret, "whsec_"), created[0]} {
			if strings.Contains(srv.log.String(), leak) {
				t.Errorf("server logs contain %q", leak)
			}
		}
	})
}

// TestWebhooksTwoProcesses: two `roster serve` processes on one PostgreSQL
// database share 1,000 events' deliveries; each is delivered, duplicates are
// counted and reported (the target, without crashes, is none).
func TestWebhooksTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 deliveries through two processes")
	}
	bin := rosterBinary(t)
	webhookTestEnv(t)
	db := pgtest.URL(t)
	tenant := createTenantWithBinary(t, bin, db, "Webhook Pair")
	recv := webhooktest.New(t)
	ep := subscribe(t, db, tenant, recv.URL+"/roster")
	recv.SetSecrets(ep.Secret)

	servers := []*server{startServer(t, bin, db), startServer(t, bin, db)}
	const events = 1000
	const streams = 8
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: streams}}
	defer client.CloseIdleConnections()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, streams)
	for g := range streams {
		wg.Go(func() {
			for i := g; i < events; i += streams {
				email := fmt.Sprintf("pair-%04d@example.com", i)
				status, _, err := createUser(client, servers[i%2].url, tenant.APIKey, email)
				if err != nil || status != http.StatusCreated {
					errs <- fmt.Errorf("create %s: %d %v", email, status, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	created := time.Since(start)
	recv.WaitAccepted(t, events, 120*time.Second)
	time.Sleep(time.Second) // room for late duplicates
	total := time.Since(start)
	for _, s := range servers {
		s.signal(syscall.SIGTERM)
		if err := s.wait(30 * time.Second); err != nil {
			t.Fatalf("server: exit %v, want 0", err)
		}
	}

	ids, _ := deliveredEmails(t, recv)
	var missing []string
	for i := range events {
		if email := fmt.Sprintf("pair-%04d@example.com", i); len(ids[email]) == 0 {
			missing = append(missing, email)
		}
	}
	sort.Strings(missing)
	if len(missing) != 0 {
		t.Errorf("%d users never delivered: %v", len(missing), missing)
	}
	unique, dups := recv.Accepted()
	perProcess := make([]int, len(servers))
	for i, s := range servers {
		perProcess[i] = strings.Count(s.log.String(), `"msg":"webhook delivered"`)
	}
	t.Logf("%d events created in %s through 2 processes; %d delivered (%d duplicates) in %s; deliveries per process %v; %d refused signatures",
		events, created.Round(time.Millisecond), unique, dups, total.Round(time.Millisecond), perProcess, len(recv.Rejected()))
	if dups != 0 {
		t.Errorf("%d duplicate deliveries without a crash, want 0", dups)
	}
	if perProcess[0] == 0 || perProcess[1] == 0 {
		t.Errorf("deliveries per process %v: both processes should have sent some", perProcess)
	}
	if r := recv.Rejected(); len(r) != 0 {
		t.Errorf("receiver refused %d deliveries: %v", len(r), r[:min(3, len(r))])
	}
}
