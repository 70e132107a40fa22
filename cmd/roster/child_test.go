package main

// The roster binary as a child process: built once per test run, started
// with `serve`, watched through its JSON log lines, and signalled.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// binary is the roster executable built once per test run by
// rosterBinary; TestMain removes it.
var binary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}

// rosterBinary builds this package (the working directory of its tests)
// into a temporary directory, once, and returns the executable's path.
func rosterBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		binary.dir, binary.err = os.MkdirTemp("", "roster-crash-test-")
		if binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "roster")
		out, err := exec.Command("go", "build", "-o", binary.path, ".").CombinedOutput()
		if err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// runBinary runs the binary to completion with cheap hashing and returns
// its stdout, failing t on a non-zero exit.
func runBinary(t *testing.T, bin, db string, args ...string) string {
	t.Helper()
	full := append(append([]string{"--database", db}, cheapHashing...), args...)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, full...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("roster %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, &stdout, &stderr)
	}
	return stdout.String()
}

// createTenantWithBinary runs `roster tenant create --json`.
func createTenantWithBinary(t *testing.T, bin, db, name string) tenantCreatedJSON {
	t.Helper()
	var out tenantCreatedJSON
	if err := json.Unmarshal([]byte(runBinary(t, bin, db, "tenant", "create", "--name", name, "--json")), &out); err != nil {
		t.Fatalf("tenant create --json: %v", err)
	}
	return out
}

// server is a `roster serve` child process.
type server struct {
	t      *testing.T
	cmd    *exec.Cmd
	url    string
	log    *logWatch
	exited chan struct{} // closed once the process has exited; then err is set
	err    error
}

// startServer starts `roster serve` on a free loopback port with JSON logs
// at level info (whatever ROSTER_LOG_* say), waits for its "roster listening" line, and then for /readyz to answer
// 200. The process is killed when t ends if it is still running.
func startServer(t *testing.T, bin, db string) *server {
	t.Helper()
	args := append(append([]string{"--database", db}, cheapHashing...),
		"--log-format", "json", "--log-level", "info", "serve", "--listen", "127.0.0.1:0",
		"--rate-limit", "0") // the streams of creates here must not meet the per-key rate limit
	s := &server{t: t, cmd: exec.Command(bin, args...), log: newLogWatch(), exited: make(chan struct{})}
	s.cmd.Stdout = io.Discard // the first-start banner; the store has a tenant, so none
	s.cmd.Stderr = s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	})

	line := s.waitLog("roster listening", 30*time.Second)
	addr, _ := line["addr"].(string)
	if addr == "" {
		t.Fatalf("no addr in %v", line)
	}
	s.url = "http://" + addr
	s.waitReady(30 * time.Second)
	return s
}

// waitLog waits for a log line whose msg is msg and returns it.
func (s *server) waitLog(msg string, timeout time.Duration) map[string]any {
	s.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		line, changed := s.log.find(msg)
		if line != nil {
			return line
		}
		select {
		case <-changed:
		case <-s.exited:
			if line, _ := s.log.find(msg); line != nil {
				return line
			}
			s.t.Fatalf("roster serve exited (%v) before logging %q; stderr:\n%s", s.err, msg, s.log)
		case <-deadline.C:
			s.t.Fatalf("roster serve did not log %q within %s; stderr:\n%s", msg, timeout, s.log)
		}
	}
}

// waitReady polls /readyz until it answers 200.
func (s *server) waitReady(timeout time.Duration) {
	s.t.Helper()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for {
		res, err := client.Get(s.url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("/readyz not ready within %s (last: %v); stderr:\n%s", timeout, err, s.log)
		}
		select {
		case <-s.exited:
			s.t.Fatalf("roster serve exited (%v) before it was ready; stderr:\n%s", s.err, s.log)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// signal sends sig to the process.
func (s *server) signal(sig os.Signal) {
	s.t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatalf("send %v: %v", sig, err)
	}
}

// wait waits for the process to exit and returns cmd.Wait's error.
func (s *server) wait(timeout time.Duration) error {
	s.t.Helper()
	select {
	case <-s.exited:
		return s.err
	case <-time.After(timeout):
		s.t.Fatalf("roster serve still running %s after the signal; stderr:\n%s", timeout, s.log)
		return nil
	}
}

// logWatch collects a child's stderr and wakes whoever waits for a line.
type logWatch struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced on every write
}

func newLogWatch() *logWatch { return &logWatch{changed: make(chan struct{})} }

func (w *logWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	close(w.changed)
	w.changed = make(chan struct{})
	return len(p), nil
}

func (w *logWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// find returns the first complete JSON log line whose msg is msg, or nil
// and a channel closed at the next write.
func (w *logWatch) find(msg string) (map[string]any, <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	lines := strings.Split(w.buf.String(), "\n")
	for _, l := range lines[:len(lines)-1] { // the last one is not finished
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == msg {
			return m, nil
		}
	}
	return nil, w.changed
}
