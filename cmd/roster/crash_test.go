package main

// Crash and shutdown tests: they build the real roster binary, run
// `roster serve` as a child process, and kill it (SIGKILL) or stop it
// (SIGTERM) while requests are in flight, on SQLite and on PostgreSQL.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// newUserBody is seed 000's create payload for email.
func newUserBody(email string) string {
	return fmt.Sprintf(`{"email": %q, "displayName": "Crash Test", "password": "securepassword123", "role": "clientUser", "emailFilteringEnabled": true}`, email)
}

// createUser posts a new user and returns the status and, on 201, its id.
func createUser(client *http.Client, baseURL, apiKey, email string) (status int, id int64, err error) {
	req, err := http.NewRequest(http.MethodPost, baseURL+"/api/users", strings.NewReader(newUserBody(email)))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+apiKey)
	res, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer res.Body.Close()
	var body struct {
		ID int64 `json:"id"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return 0, 0, fmt.Errorf("status %d, body: %w", res.StatusCode, err)
	}
	return res.StatusCode, body.ID, nil
}

// createStream records what a stream of creates was told.
type createStream struct {
	mu      sync.Mutex
	created map[string]int64 // email -> id, for every 201
	cutOff  map[string]error // sent, but no answer: the outcome is unknown
	other   map[int]int      // any other status -> count

	inFlight atomic.Int64
	stop     atomic.Bool
}

// run sends creates one after another until stopped or until the server
// stops answering.
func (cs *createStream) run(client *http.Client, baseURL, apiKey, prefix string) {
	for i := 0; !cs.stop.Load(); i++ {
		email := fmt.Sprintf("%s-%d@example.com", prefix, i)
		cs.inFlight.Add(1)
		status, id, err := createUser(client, baseURL, apiKey, email)
		cs.inFlight.Add(-1)
		cs.mu.Lock()
		switch {
		case err != nil:
			cs.cutOff[email] = err
		case status == http.StatusCreated:
			cs.created[email] = id
		default:
			cs.other[status]++
		}
		cs.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func (cs *createStream) createdCount() int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return len(cs.created)
}

// TestCrash: a `roster serve` child receiving a stream of creates is
// SIGKILLed; after a restart every user that got a 201 exists with exactly
// one user_created event, and no user exists without its event.
func TestCrash(t *testing.T) {
	bin := rosterBinary(t)
	forEachDatabase(t, func(t *testing.T, db string) {
		tenant := createTenantWithBinary(t, bin, db, "Crash")
		srv := startServer(t, bin, db)

		const streams = 4
		client := &http.Client{
			Timeout:   30 * time.Second,
			Transport: &http.Transport{MaxIdleConnsPerHost: streams},
		}
		defer client.CloseIdleConnections()
		cs := &createStream{created: map[string]int64{}, cutOff: map[string]error{}, other: map[int]int{}}
		var wg sync.WaitGroup
		for g := range streams {
			wg.Go(func() { cs.run(client, srv.url, tenant.APIKey, fmt.Sprintf("crash-%d", g)) })
		}

		// Let the stream run for about a second (and at least until some
		// users were created), then kill the server while requests are in
		// flight.
		start := time.Now()
		for time.Since(start) < time.Second || cs.createdCount() < 20 {
			if time.Since(start) > 20*time.Second {
				cs.stop.Store(true)
				wg.Wait()
				t.Fatalf("only %d users created in 20s; other answers %v; stderr:\n%s", cs.createdCount(), cs.other, srv.log)
			}
			time.Sleep(10 * time.Millisecond)
		}
		for waited := time.Now(); cs.inFlight.Load() == 0 && time.Since(waited) < 5*time.Second; {
			time.Sleep(100 * time.Microsecond)
		}
		srv.signal(syscall.SIGKILL)
		if err := srv.wait(10 * time.Second); err == nil {
			t.Fatal("the killed server exited 0")
		}
		cs.stop.Store(true)
		wg.Wait()
		inFlightAtKill := 0
		for _, err := range cs.cutOff {
			if !errors.Is(err, syscall.ECONNREFUSED) {
				inFlightAtKill++
			}
		}
		t.Logf("%d users created (201) before SIGKILL, %d requests cut off by it, %d refused after it, other answers %v",
			len(cs.created), inFlightAtKill, len(cs.cutOff)-inFlightAtKill, cs.other)
		if len(cs.other) != 0 {
			t.Errorf("answers other than 201 before the kill: %v", cs.other)
		}

		// Restarted on the same database, the server serves every user it
		// confirmed.
		srv = startServer(t, bin, db)
		for email, id := range cs.created {
			res, err := client.Do(authorized(t, http.MethodGet, srv.url+"/api/users/"+strconv.FormatInt(id, 10), tenant.APIKey))
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Email string `json:"email"`
			}
			err = json.NewDecoder(res.Body).Decode(&got)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || err != nil || got.Email != email {
				t.Fatalf("GET /api/users/%d after restart: status %d, email %q (%v); want 200 and %s", id, res.StatusCode, got.Email, err, email)
			}
		}
		srv.signal(syscall.SIGTERM)
		if err := srv.wait(30 * time.Second); err != nil {
			t.Fatalf("restarted server: exit %v, want 0; stderr:\n%s", err, srv.log)
		}

		// In the store: users and user_created events match one to one.
		users, events := usersAndCreatedEvents(t, db, tenant.ClientID)
		for email, id := range cs.created {
			if users[id] != email {
				t.Errorf("user %d (%s) answered 201 but is not stored (got %q)", id, email, users[id])
			}
		}
		for id, email := range users {
			if n := events[id]; n != 1 {
				t.Errorf("user %d (%s) has %d user_created events, want 1", id, email, n)
			}
			_, confirmed := cs.created[email]
			err, sent := cs.cutOff[email]
			unknown := sent && !errors.Is(err, syscall.ECONNREFUSED)
			if !confirmed && !unknown && email != tenant.AdminEmail {
				t.Errorf("user %d (%s) exists but was never sent, or its connection was refused", id, email)
			}
		}
		for id, n := range events {
			if _, ok := users[id]; !ok {
				t.Errorf("%d user_created events for user %d, which does not exist", n, id)
			}
		}
	})
}

func authorized(t *testing.T, method, url, apiKey string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	return req
}

// usersAndCreatedEvents opens the store directly and returns the tenant's
// users (id -> email) and how many user_created events name each user id.
// Each event's subject and payload must agree on the id.
func usersAndCreatedEvents(t *testing.T, db, clientID string) (users map[int64]string, events map[int64]int) {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenMigrated(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tenant, err := st.GetTenantByClientID(ctx, clientID)
	if err != nil {
		t.Fatal(err)
	}
	users = map[int64]string{}
	for after := int64(0); ; {
		page, err := st.ListUsers(ctx, tenant.ID, core.UserFilter{AfterID: after, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, u := range page {
			users[u.ID] = u.Email
		}
		after = page[len(page)-1].ID
	}
	events = map[int64]int{}
	for after := int64(0); ; {
		page, err := st.ListEvents(ctx, tenant.ID, core.EventFilter{AfterID: after, Limit: 500, Type: core.EventUserCreated})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			var p struct {
				User struct {
					ID int64 `json:"id"`
				} `json:"user"`
			}
			if err := json.Unmarshal(e.Payload, &p); err != nil || p.User.ID == 0 || strconv.FormatInt(p.User.ID, 10) != e.SubjectID {
				t.Fatalf("event %d: subject %q, payload %s (%v); want the user's id in both", e.ID, e.SubjectID, e.Payload, err)
			}
			events[p.User.ID]++
		}
		after = page[len(page)-1].ID
	}
	return users, events
}

// gatedReader blocks its first Read until gate is closed.
type gatedReader struct {
	gate <-chan struct{}
	r    io.Reader
}

func (g *gatedReader) Read(p []byte) (int, error) {
	<-g.gate
	return g.r.Read(p)
}

// TestSIGTERM: on SIGTERM the server stops accepting connections, lets the
// request in flight finish (here a create whose handler is waiting for its
// body), and exits 0.
func TestSIGTERM(t *testing.T) {
	bin := rosterBinary(t)
	forEachDatabase(t, func(t *testing.T, db string) {
		tenant := createTenantWithBinary(t, bin, db, "Graceful")
		srv := startServer(t, bin, db)

		// Expect: 100-continue makes the server say when the handler starts
		// reading the body; the body is held back until the server is
		// shutting down.
		const email = "inflight@example.com"
		body := newUserBody(email)
		gate := make(chan struct{})
		handlerRunning := make(chan struct{})
		trace := &httptrace.ClientTrace{Got100Continue: func() { close(handlerRunning) }}
		ctx := httptrace.WithClientTrace(context.Background(), trace)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.url+"/api/users", &gatedReader{gate: gate, r: strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = int64(len(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tenant.APIKey)
		req.Header.Set("Expect", "100-continue")
		client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{ExpectContinueTimeout: time.Minute}}
		type result struct {
			status int
			body   []byte
			err    error
		}
		done := make(chan result, 1)
		go func() {
			res, err := client.Do(req)
			if err != nil {
				done <- result{err: err}
				return
			}
			defer res.Body.Close()
			b, err := io.ReadAll(res.Body)
			done <- result{status: res.StatusCode, body: b, err: err}
		}()
		select {
		case <-handlerRunning:
		case r := <-done:
			close(gate)
			t.Fatalf("create answered before its body was sent: %+v", r)
		case <-time.After(20 * time.Second):
			close(gate)
			t.Fatalf("no 100 Continue within 20s; stderr:\n%s", srv.log)
		}

		srv.signal(syscall.SIGTERM)
		srv.waitLog("shutting down", 10*time.Second)
		waitRefused(t, srv.url, 10*time.Second)
		close(gate)

		r := <-done
		if r.err != nil || r.status != http.StatusCreated {
			t.Fatalf("in-flight create: status %d, body %s, error %v; want 201", r.status, r.body, r.err)
		}
		if err := srv.wait(30 * time.Second); err != nil {
			t.Fatalf("exit: %v, want 0; stderr:\n%s", err, srv.log)
		}
		srv.waitLog("roster stopped", time.Second)

		users, events := usersAndCreatedEvents(t, db, tenant.ClientID)
		var id int64
		for uid, e := range users {
			if e == email {
				id = uid
			}
		}
		if id == 0 || events[id] != 1 {
			t.Fatalf("the in-flight user: id %d with %d user_created events; want stored with 1", id, events[id])
		}
	})
}

// waitRefused polls until a new connection to baseURL is refused: the
// server has stopped accepting.
func waitRefused(t *testing.T, baseURL string, timeout time.Duration) {
	t.Helper()
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(timeout)
	for {
		res, err := client.Get(baseURL + "/healthz")
		if err == nil {
			res.Body.Close()
		} else if errors.Is(err, syscall.ECONNREFUSED) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("new connections still accepted %s after SIGTERM (last: %v)", timeout, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
