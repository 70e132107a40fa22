// Package webhooktest is a webhook receiver for tests: a real HTTP server on
// a loopback port that verifies every request with the Standard Webhooks
// reference library (never Roster's own signer), refuses stale timestamps
// and counts deliveries by webhook-id, so that tests can count duplicates.
package webhooktest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// Arrival is one verified request.
type Arrival struct {
	ID     string // webhook-id
	At     time.Time
	Body   []byte
	Status int // what the receiver answered
}

// Envelope is the body Roster sends.
type Envelope struct {
	Type      string `json:"type"`
	Timestamp string `json:"timestamp"`
	Data      struct {
		ID      int64  `json:"id"`
		Actor   string `json:"actor"`
		Subject struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		} `json:"subject"`
		Tenant struct {
			ClientID string `json:"clientId"`
		} `json:"tenant"`
		User *struct {
			Email string `json:"email"`
		} `json:"user,omitempty"`
	} `json:"data"`
}

// Receiver is a verifying webhook receiver. Its zero value is not usable:
// call New.
type Receiver struct {
	URL    string
	server *httptest.Server

	mu       sync.Mutex
	secrets  []string
	respond  func(attempt int) int
	arrivals []Arrival
	byID     map[string]int // verified arrivals per webhook-id
	accepted map[string]int // 2xx answers per webhook-id
	rejected []string       // why unverifiable requests were refused
	changed  chan struct{}
}

// New starts a receiver, closed when t ends. It answers 204 to every
// verified request until Respond says otherwise.
func New(t testing.TB) *Receiver {
	t.Helper()
	r := &Receiver{byID: map[string]int{}, accepted: map[string]int{}, changed: make(chan struct{}, 1)}
	r.server = httptest.NewServer(http.HandlerFunc(r.serve))
	r.URL = r.server.URL
	t.Cleanup(r.server.Close)
	return r
}

// SetSecrets sets the secrets a request may be signed with (the endpoint's,
// known once it is created).
func (r *Receiver) SetSecrets(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets = secrets
}

// Respond makes the receiver answer a verified request with fn(attempt),
// attempt being 1 for the first arrival of its webhook-id, 2 for the next.
// fn may block, to play a slow receiver; it runs without the receiver's
// lock. A request is recorded in Arrivals once fn has returned.
func (r *Receiver) Respond(fn func(attempt int) int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.respond = fn
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	secrets := r.secrets
	r.mu.Unlock()
	var verr error = standardwebhooks.ErrNoMatchingSignature
	for _, s := range secrets {
		wh, err := standardwebhooks.NewWebhook(s)
		if err != nil {
			verr = err
			break
		}
		if verr = wh.Verify(body, req.Header); verr == nil {
			break
		}
	}
	r.mu.Lock()
	if verr != nil {
		r.rejected = append(r.rejected, verr.Error())
		r.mu.Unlock()
		http.Error(w, "signature refused", http.StatusUnauthorized)
		return
	}
	id := req.Header.Get("webhook-id")
	r.byID[id]++
	attempt, respond := r.byID[id], r.respond
	r.mu.Unlock()
	status := http.StatusNoContent
	if respond != nil {
		// Outside the lock: a respond func may block (a slow receiver).
		status = respond(attempt)
	}
	r.mu.Lock()
	if status >= 200 && status < 300 {
		r.accepted[id]++
	}
	r.arrivals = append(r.arrivals, Arrival{ID: id, At: time.Now(), Body: body, Status: status})
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
	w.WriteHeader(status)
}

// Arrivals returns the verified requests so far, in order.
func (r *Receiver) Arrivals() []Arrival {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Arrival(nil), r.arrivals...)
}

// Started returns the webhook-ids of the verified requests that reached the
// receiver, answered yet or not.
func (r *Receiver) Started() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([]string, 0, len(r.byID))
	for id := range r.byID {
		ids = append(ids, id)
	}
	return ids
}

// Rejected returns the reasons of the refused (unverifiable) requests.
func (r *Receiver) Rejected() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.rejected...)
}

// Accepted returns how many distinct webhook-ids were answered 2xx, and how
// many 2xx answers went to an id already answered 2xx (duplicates).
func (r *Receiver) Accepted() (unique, duplicates int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.accepted {
		unique++
		duplicates += n - 1
	}
	return unique, duplicates
}

// WaitAccepted waits until n distinct webhook-ids were answered 2xx, and
// fails t after timeout.
func (r *Receiver) WaitAccepted(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if u, _ := r.Accepted(); u >= n {
			return
		}
		select {
		case <-r.changed:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			u, d := r.Accepted()
			t.Fatalf("receiver: %d distinct deliveries accepted (%d duplicates, %d refused) after %s, want %d",
				u, d, len(r.Rejected()), timeout, n)
		}
	}
}

// Decode reads an arrival's body as Roster's envelope.
func Decode(t testing.TB, a Arrival) Envelope {
	t.Helper()
	var e Envelope
	if err := json.Unmarshal(a.Body, &e); err != nil {
		t.Fatalf("decode delivery %s: %v (%s)", a.ID, err, a.Body)
	}
	return e
}
