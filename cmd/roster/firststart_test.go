package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is an io.Writer safe to read while serve writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serveOnce runs `roster serve` in process until it is ready, calls while,
// then stops it and returns what it printed.
func serveOnce(t *testing.T, db string, while func(stdout string)) (stdout, stderr string) {
	t.Helper()
	var out, errOut lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	args := append(append([]string{"--database", db}, cheapHashing...), "serve", "--listen", "127.0.0.1:0")
	go func() { done <- run(ctx, args, &out, &errOut) }()
	addr := regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`)
	deadline := time.Now().Add(20 * time.Second)
	for !addr.MatchString(errOut.String()) {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not start:\n%s", errOut.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	while(out.String())
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d:\n%s", code, errOut.String())
	}
	return out.String(), errOut.String()
}

func TestFirstStartPrintsDemoTenantOnce(t *testing.T) {
	db := filepath.Join(t.TempDir(), "roster.db")
	first, logs := serveOnce(t, db, func(banner string) {
		// The curl line works as printed.
		url := regexp.MustCompile(`curl -X POST (\S+/api/users) \\`).FindStringSubmatch(banner)
		auth := regexp.MustCompile(`-H "Authorization: (Bearer bdk_\w+)"`).FindStringSubmatch(banner)
		body := regexp.MustCompile(`-d '(\{"email": "john.doe[^']+)'`).FindStringSubmatch(banner)
		if url == nil || auth == nil || body == nil {
			t.Fatalf("banner lacks a complete curl line:\n%s", banner)
		}
		req, _ := http.NewRequest(http.MethodPost, url[1], strings.NewReader(body[1]))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", auth[1])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("the printed curl got %d, want 201", res.StatusCode)
		}
	})
	for _, want := range []string{"Client ID       clt_", "API key         bdk_", "Admin email     admin@demo.roster.test", "Admin password  "} {
		if !strings.Contains(first, want) {
			t.Errorf("first start output lacks %q:\n%s", want, first)
		}
	}
	key := regexp.MustCompile(`bdk_\w+`).FindString(first)
	if strings.Contains(logs, key) {
		t.Errorf("the API key reached the log")
	}

	second, _ := serveOnce(t, db, func(string) {})
	if strings.Contains(second, "bdk_") || strings.Contains(second, "first start") {
		t.Fatalf("a restart printed the demo tenant again:\n%s", second)
	}
}
