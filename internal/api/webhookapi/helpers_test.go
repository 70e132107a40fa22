package webhookapi_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/egress"
	"github.com/rosterhq/roster/internal/store/sqlite"
)

// endpoint is an endpoint as the API shows it.
type endpoint struct {
	ID                      string     `json:"id"`
	URL                     string     `json:"url"`
	Description             string     `json:"description"`
	EventTypes              []string   `json:"eventTypes"`
	Enabled                 bool       `json:"enabled"`
	Kind                    string     `json:"kind"`
	DisabledReason          *string    `json:"disabledReason"`
	PreviousSecretExpiresAt *time.Time `json:"previousSecretExpiresAt"`
	Secret                  *string    `json:"secret"`
	CreatedAt               time.Time  `json:"createdAt"`
	UpdatedAt               time.Time  `json:"updatedAt"`
}

type attempt struct {
	ID              int64     `json:"id"`
	At              time.Time `json:"at"`
	StatusCode      *int      `json:"statusCode"`
	LatencyMs       float64   `json:"latencyMs"`
	Error           *string   `json:"error"`
	ResponseExcerpt string    `json:"responseExcerpt"`
}

type delivery struct {
	ID             int64           `json:"id"`
	EventID        int64           `json:"eventId"`
	EventType      string          `json:"eventType"`
	MessageID      string          `json:"messageId"`
	Status         string          `json:"status"`
	AttemptCount   int             `json:"attemptCount"`
	NextAttemptAt  *time.Time      `json:"nextAttemptAt"`
	LastStatusCode *int            `json:"lastStatusCode"`
	LastError      *string         `json:"lastError"`
	Payload        json.RawMessage `json:"payload"`
	Attempts       []attempt       `json:"attempts"`
}

type problemBody struct {
	Type   string `json:"type"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Pointer string `json:"pointer"`
		Code    string `json:"code"`
		Detail  string `json:"detail"`
	} `json:"errors"`
}

// wantProblem asserts an RFC 9457 problem with status and the pointers of
// its errors.
func wantProblem(t *testing.T, res apitest.Response, status int, pointers ...string) problemBody {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status: got %d, want %d; body %s", res.Status, status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type: got %q, want application/problem+json", ct)
	}
	var p problemBody
	res.JSON(t, &p)
	if p.Type == "" || p.Status != status || p.Detail == "" {
		t.Errorf("problem: got %+v, want type, status %d and detail", p, status)
	}
	var got []string
	for _, e := range p.Errors {
		got = append(got, e.Pointer)
	}
	if strings.Join(got, " ") != strings.Join(pointers, " ") {
		t.Errorf("pointers: got %q, want %q (detail %q)", got, pointers, p.Detail)
	}
	return p
}

// createEndpoint makes an endpoint over HTTP and returns it with its secret.
func createEndpoint(t *testing.T, env *apitest.Env, key, body string) endpoint {
	t.Helper()
	res := env.Do(t, "POST", "/api/v1/webhooks", body, apitest.Bearer(key)...)
	if res.Status != 201 {
		t.Fatalf("create endpoint %s: %d %s", body, res.Status, res.Body)
	}
	var e endpoint
	res.JSON(t, &e)
	if e.Secret == nil {
		t.Fatalf("create endpoint: no secret in %s", res.Body)
	}
	return e
}

// fixture reads testdata/name.
func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fanOut runs the dispatcher's fan-out until no event is left.
func fanOut(t *testing.T, env *apitest.Env) {
	t.Helper()
	for {
		n, err := env.Service.FanOutEvents(context.Background(), 100)
		if err != nil {
			t.Fatalf("FanOutEvents: %v", err)
		}
		if n == 0 {
			return
		}
	}
}

// listDeliveries lists every delivery of an endpoint over HTTP.
func listDeliveries(t *testing.T, env *apitest.Env, key, id string) []delivery {
	t.Helper()
	res := env.Do(t, "GET", "/api/v1/webhooks/"+id+"/deliveries?limit=200", "", apitest.Bearer(key)...)
	if res.Status != 200 {
		t.Fatalf("list deliveries: %d %s", res.Status, res.Body)
	}
	var out struct {
		Deliveries []delivery `json:"deliveries"`
	}
	res.JSON(t, &out)
	return out.Deliveries
}

// keyWithScopes makes an API key of the tenant with only those scopes.
func keyWithScopes(t *testing.T, env *apitest.Env, tn core.TenantCreated, scopes ...string) string {
	t.Helper()
	_, key, err := env.Service.CreateAPIKey(context.Background(), core.OperatorFor(tn.Tenant),
		core.CreateAPIKey{Name: "scoped", Scopes: scopes})
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// openSQLite opens a migrated SQLite store in t.TempDir().
func openSQLite(t *testing.T) core.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "roster.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// egressAllowAll lets endpoints use http and private addresses (tests
// whose receivers listen on loopback).
func egressAllowAll() egress.Policy { return egress.Policy{AllowHTTP: true, AllowPrivate: true} }
