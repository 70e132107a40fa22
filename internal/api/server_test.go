package api

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/sqlite"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func testLogger(w io.Writer) *slog.Logger {
	return slog.New(httpkit.ContextHandler{Handler: slog.NewTextHandler(w, nil)})
}

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "roster.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// startServer serves handler on a loopback port until the test ends.
func startServer(t *testing.T, handler http.Handler, log *slog.Logger) (base string, stop func() error) {
	t.Helper()
	srv, err := Listen("127.0.0.1:0", handler, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, 5*time.Second) }()
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { _ = stop() })
	return "http://" + srv.Addr(), stop
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestHealthAndReadiness(t *testing.T) {
	var logs syncBuffer
	log := testLogger(&logs)
	st := openStore(t)
	base, _ := startServer(t, NewHandler(Deps{Service: core.NewService(st, nil), Store: st, Log: log}), log)

	res, body := get(t, base+"/healthz")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `"ok"`) {
		t.Fatalf("/healthz: got %d %s, want 200 ok", res.StatusCode, body)
	}
	res, body = get(t, base+"/readyz")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/readyz with a live store: got %d %s, want 200", res.StatusCode, body)
	}
	id := res.Header.Get(httpkit.RequestIDHeader)
	if len(id) != 16 {
		t.Fatalf("X-Request-Id: got %q, want 16 hex characters", id)
	}
	if !strings.Contains(logs.String(), "request_id="+id) || !strings.Contains(logs.String(), "path=/readyz") {
		t.Fatalf("the request's log line does not carry its id %s:\n%s", id, logs.String())
	}

	st.Close()
	res, body = get(t, base+"/readyz")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz with a closed store: got %d %s, want 503", res.StatusCode, body)
	}
	res2, _ := get(t, base+"/healthz")
	if res2.StatusCode != http.StatusOK {
		t.Fatalf("/healthz must not depend on the store: got %d", res2.StatusCode)
	}
	if id2 := res2.Header.Get(httpkit.RequestIDHeader); id2 == id {
		t.Fatalf("two requests share request id %s", id)
	}
}

func TestRecoverAnswers500WithRequestID(t *testing.T) {
	var logs syncBuffer
	log := testLogger(&logs)
	h := httpkit.AssignRequestID(httpkit.Recover(log, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom")
	})))
	base, _ := startServer(t, h, log)
	res, body := get(t, base+"/anything")
	id := res.Header.Get(httpkit.RequestIDHeader)
	if res.StatusCode != http.StatusInternalServerError || !strings.Contains(body, id) {
		t.Fatalf("got %d %s, want 500 naming request id %s", res.StatusCode, body, id)
	}
	if !strings.Contains(logs.String(), "panic in handler") || !strings.Contains(logs.String(), "request_id="+id) {
		t.Fatalf("panic not logged with its request id:\n%s", logs.String())
	}
	// The server survives.
	if res, _ := get(t, base+"/again"); res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("second request: got %d", res.StatusCode)
	}
}

func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	log := testLogger(io.Discard)
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		_, _ = w.Write([]byte("finished"))
	})
	base, stop := startServer(t, h, log)

	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		res, err := http.Get(base + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		got <- result{status: res.StatusCode, body: string(b)}
	}()
	<-started
	if err := stop(); err != nil {
		t.Fatalf("Serve after shutdown: %v", err)
	}
	r := <-got
	if r.err != nil || r.status != http.StatusOK || r.body != "finished" {
		t.Fatalf("in-flight request: got %d %q %v, want 200 finished", r.status, r.body, r.err)
	}
	if _, err := http.Get(base + "/after"); err == nil {
		t.Fatal("a new request was accepted after shutdown")
	}
}
