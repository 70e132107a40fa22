package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/webhook/webhooktest"
)

// apiCall sends method path with body and the API key, and returns the
// status and body.
func apiCall(t *testing.T, baseURL, apiKey, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, baseURL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

// TestWebhookEgressSettings: `roster serve` with the default settings
// refuses (422) endpoint URLs that are http or point to loopback, private or
// metadata addresses; ROSTER_WEBHOOK_ALLOW_HTTP and _ALLOW_PRIVATE let
// them through.
func TestWebhookEgressSettings(t *testing.T) {
	bin := rosterBinary(t)
	webhookTestEnv(t)
	t.Setenv("ROSTER_WEBHOOK_ALLOW_PRIVATE", "false")
	t.Setenv("ROSTER_WEBHOOK_ALLOW_HTTP", "false")
	db := t.TempDir() + "/roster.db"
	tenant := createTenantWithBinary(t, bin, db, "Egress")
	srv := startServer(t, bin, db)
	for _, tt := range []struct{ url, wantInBody string }{
		{"http://hooks.example.com/roster", "https"},
		{"https://127.0.0.1/hook", "loopback"},
		{"https://10.0.0.1/hook", "private"},
		{"https://169.254.169.254/latest/meta-data/", "link-local"},
		{"https://[::1]/hook", "loopback"},
		{"https://localhost/hook", "loopback"},
	} {
		status, body := apiCall(t, srv.url, tenant.APIKey, http.MethodPost, "/api/v1/webhooks", `{"url":"`+tt.url+`"}`)
		// The Admin API's validation problem: 422 with a pointer to the field.
		if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), tt.wantInBody) || !strings.Contains(string(body), `"pointer":"/url"`) {
			t.Errorf("POST /api/v1/webhooks %s: %d %s, want 422 pointing at /url and naming %q", tt.url, status, body, tt.wantInBody)
		}
	}
	if status, body := apiCall(t, srv.url, tenant.APIKey, http.MethodPost, "/api/v1/webhooks", `{"url":"https://hooks.example.com/roster"}`); status != http.StatusCreated {
		t.Fatalf("public https URL: %d %s, want 201", status, body)
	}
	srv.signal(syscall.SIGTERM)
	if err := srv.wait(30 * time.Second); err != nil {
		t.Fatalf("exit %v", err)
	}

	t.Setenv("ROSTER_WEBHOOK_ALLOW_PRIVATE", "true")
	t.Setenv("ROSTER_WEBHOOK_ALLOW_HTTP", "true")
	srv = startServer(t, bin, db)
	if status, body := apiCall(t, srv.url, tenant.APIKey, http.MethodPost, "/api/v1/webhooks", `{"url":"http://127.0.0.1:9/hook"}`); status != http.StatusCreated {
		t.Fatalf("loopback http URL with both settings: %d %s, want 201", status, body)
	}
}

// TestWebhookEndToEnd: through the real binary, an endpoint made over the
// Admin API receives its test event and a user_created, verified by the
// reference library, and lists both deliveries with their attempts.
func TestWebhookEndToEnd(t *testing.T) {
	bin := rosterBinary(t)
	webhookTestEnv(t)
	forEachDatabase(t, func(t *testing.T, db string) {
		tenant := createTenantWithBinary(t, bin, db, "End To End")
		srv := startServer(t, bin, db)
		recv := webhooktest.New(t)

		status, body := apiCall(t, srv.url, tenant.APIKey, http.MethodPost, "/api/v1/webhooks",
			`{"url":"`+recv.URL+`/roster","eventTypes":["user_created","webhook_test"]}`)
		if status != http.StatusCreated {
			t.Fatalf("create endpoint: %d %s", status, body)
		}
		var ep struct {
			ID     string `json:"id"`
			Secret string `json:"secret"`
		}
		if err := json.Unmarshal(body, &ep); err != nil || !strings.HasPrefix(ep.Secret, "whsec_") {
			t.Fatalf("create endpoint: %s (%v), want an id and a whsec_ secret", body, err)
		}
		recv.SetSecrets(ep.Secret)

		if status, body := apiCall(t, srv.url, tenant.APIKey, http.MethodPost, "/api/v1/webhooks/"+ep.ID+"/test", ""); status != http.StatusAccepted {
			t.Fatalf("test event: %d %s, want 202", status, body)
		}
		if status, _, err := createUser(http.DefaultClient, srv.url, tenant.APIKey, "e2e@example.com"); err != nil || status != http.StatusCreated {
			t.Fatalf("create user: %d %v", status, err)
		}
		recv.WaitAccepted(t, 2, 20*time.Second)
		types := map[string]int{}
		for _, a := range recv.Arrivals() {
			types[webhooktest.Decode(t, a).Type]++
		}
		if types["webhook_test"] != 1 || types["user_created"] != 1 || len(types) != 2 {
			t.Fatalf("delivered types %v, want one webhook_test and one user_created", types)
		}

		var list struct {
			Deliveries []struct {
				EventType    string `json:"eventType"`
				Status       string `json:"status"`
				AttemptCount int    `json:"attemptCount"`
				Attempts     []struct {
					StatusCode *int `json:"statusCode"`
				} `json:"attempts"`
			} `json:"deliveries"`
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			status, body := apiCall(t, srv.url, tenant.APIKey, http.MethodGet, "/api/v1/webhooks/"+ep.ID+"/deliveries", "")
			if status != http.StatusOK {
				t.Fatalf("list deliveries: %d %s", status, body)
			}
			if err := json.Unmarshal(body, &list); err != nil {
				t.Fatal(err)
			}
			done := len(list.Deliveries) == 2
			for _, d := range list.Deliveries {
				done = done && d.Status == "succeeded" && d.AttemptCount == 1 && len(d.Attempts) == 1 &&
					d.Attempts[0].StatusCode != nil && *d.Attempts[0].StatusCode == http.StatusNoContent
			}
			if done {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("deliveries %s, want two succeeded after one 204 attempt", body)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if strings.Contains(srv.log.String(), ep.Secret) {
			t.Errorf("server logs contain the endpoint's secret")
		}
	})
}

// TestWebhookDispatcherOff: a process started with
// ROSTER_WEBHOOK_DISPATCHER_OFF sends nothing; one started without it then
// delivers what the first recorded.
func TestWebhookDispatcherOff(t *testing.T) {
	bin := rosterBinary(t)
	webhookTestEnv(t)
	t.Setenv("ROSTER_WEBHOOK_DISPATCHER_OFF", "true")
	db := t.TempDir() + "/roster.db"
	tenant := createTenantWithBinary(t, bin, db, "Quiet")
	recv := webhooktest.New(t)
	ep := subscribe(t, db, tenant, recv.URL)
	recv.SetSecrets(ep.Secret)

	srv := startServer(t, bin, db)
	srv.waitLog("webhook dispatcher off in this process", 5*time.Second)
	if status, _, err := createUser(http.DefaultClient, srv.url, tenant.APIKey, "quiet@example.com"); err != nil || status != http.StatusCreated {
		t.Fatalf("create user: %d %v", status, err)
	}
	time.Sleep(time.Second)
	if n := len(recv.Started()); n != 0 {
		t.Fatalf("receiver got %d deliveries from a process with the dispatcher off, want 0", n)
	}
	srv.signal(syscall.SIGTERM)
	if err := srv.wait(30 * time.Second); err != nil {
		t.Fatalf("exit %v", err)
	}

	t.Setenv("ROSTER_WEBHOOK_DISPATCHER_OFF", "false")
	startServer(t, bin, db)
	recv.WaitAccepted(t, 1, 20*time.Second)
}
