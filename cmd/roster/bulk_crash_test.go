package main

// A `roster serve` child killed (SIGKILL) during an atomic bulk request
// leaves all of the request's users, or none, each with its one event.

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bulkBody is an atomic bulk request of n users without passwords (each
// gets a set-password token, so the transaction writes users, tokens and
// events).
func bulkBody(prefix string, n int) string {
	var b strings.Builder
	b.WriteString(`{"users":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":"Bulk %d","email":"%s-%05d@example.com","password":"","confirm_password":"","type":"user","update":false}`, i, prefix, i)
	}
	b.WriteString(`]}`)
	return b.String()
}

// postBulk sends body to POST /api/users/add; status 0 means no answer.
func postBulk(client *http.Client, baseURL, apiKey, body string) (int, error) {
	req, err := http.NewRequest(http.MethodPost, baseURL+"/api/users/add", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+apiKey)
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return 0, err
	}
	return res.StatusCode, nil
}

// bulkRound counts the stored users whose email starts with prefix, and
// checks that each has exactly one user_created event and that no event
// names a user that does not exist.
func bulkRound(t *testing.T, db, clientID, prefix string) int {
	t.Helper()
	users, events := usersAndCreatedEvents(t, db, clientID)
	n := 0
	for id, email := range users {
		if !strings.HasPrefix(email, prefix+"-") {
			continue
		}
		n++
		if events[id] != 1 {
			t.Errorf("user %d (%s) has %d user_created events, want 1", id, email, events[id])
		}
	}
	for id, count := range events {
		if _, ok := users[id]; !ok {
			t.Errorf("%d user_created events for user %d, which does not exist", count, id)
		}
	}
	return n
}

func TestCrashDuringAtomicBulk(t *testing.T) {
	bin := rosterBinary(t)
	forEachDatabase(t, func(t *testing.T, db string) {
		const n = 3000
		tenant := createTenantWithBinary(t, bin, db, "Bulk crash")
		client := &http.Client{Timeout: 5 * time.Minute}
		defer client.CloseIdleConnections()

		// Uninterrupted, to learn how long the request takes here.
		srv := startServer(t, bin, db)
		start := time.Now()
		status, err := postBulk(client, srv.url, tenant.APIKey, bulkBody("full", n))
		took := time.Since(start)
		if err != nil || status != http.StatusOK {
			t.Fatalf("uninterrupted bulk request: status %d, %v; stderr:\n%s", status, err, srv.log)
		}
		srv.signal(syscall.SIGTERM)
		if err := srv.wait(30 * time.Second); err != nil {
			t.Fatalf("server exit after SIGTERM: %v", err)
		}
		if got := bulkRound(t, db, tenant.ClientID, "full"); got != n {
			t.Fatalf("uninterrupted: %d users stored, want %d", got, n)
		}
		t.Logf("%d users in one atomic request took %s", n, took.Round(time.Millisecond))

		// Killed at several points of the same request: all or nothing.
		var outcomes []string
		for i, frac := range []float64{0.05, 0.25, 0.5, 0.75, 0.95, 1.2} {
			prefix := fmt.Sprintf("kill%d", i)
			srv := startServer(t, bin, db)
			answered := make(chan int, 1)
			go func() {
				status, _ := postBulk(client, srv.url, tenant.APIKey, bulkBody(prefix, n))
				answered <- status
			}()
			time.Sleep(time.Duration(float64(took) * frac))
			srv.signal(syscall.SIGKILL)
			if err := srv.wait(10 * time.Second); err == nil {
				t.Fatal("the killed server exited 0")
			}
			status := <-answered
			got := bulkRound(t, db, tenant.ClientID, prefix)
			if got != 0 && got != n {
				t.Errorf("killed at %.0f%%: %d users stored, want 0 or %d", frac*100, got, n)
			}
			if status == http.StatusOK && got != n {
				t.Errorf("killed at %.0f%%: answered 200 but %d users stored", frac*100, got)
			}
			outcomes = append(outcomes, fmt.Sprintf("%.0f%%: status %d, %d stored", frac*100, status, got))
		}
		t.Logf("kills: %s", strings.Join(outcomes, "; "))
	})
}
