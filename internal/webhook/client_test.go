package webhook

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/rosterhq/roster/internal/egress"
)

const testSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"

var testBody = []byte(`{"type":"user_created","timestamp":"2026-11-23T07:00:00Z","data":{"email":"ada@example.com"}}`)

// loopbackPolicy is what tests run with: receivers live on 127.0.0.1.
var loopbackPolicy = egress.Policy{AllowHTTP: true, AllowPrivate: true}

func TestClientSendsSignedMessage(t *testing.T) {
	var got http.Header
	var gotBody []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		gotBody, _ = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	now := time.Now()
	res := NewClient(loopbackPolicy, time.Second).Send(t.Context(), srv.URL+"/hook", []string{testSecret}, "msg_abc", now, testBody)
	if !res.OK() || res.StatusCode != http.StatusNoContent || res.Err != "" {
		t.Fatalf("Send = %+v, want 204 without error", res)
	}
	if res.Latency <= 0 {
		t.Errorf("Latency = %s, want > 0", res.Latency)
	}
	want := map[string]string{
		"Content-Type":      "application/json",
		"User-Agent":        "Roster-Webhooks/1",
		"Webhook-Id":        "msg_abc",
		"Webhook-Timestamp": strconv.FormatInt(now.Unix(), 10),
	}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("header %s = %q, want %q", k, got.Get(k), v)
		}
	}
	if string(gotBody) != string(testBody) {
		t.Errorf("body = %s, want %s", gotBody, testBody)
	}
	wh, _ := standardwebhooks.NewWebhook(testSecret)
	if err := wh.Verify(gotBody, got); err != nil {
		t.Errorf("reference Verify: %v", err)
	}
}

func TestClientFailures(t *testing.T) {
	var redirectedHits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/target", func(w http.ResponseWriter, r *http.Request) { redirectedHits.Add(1) })
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/target", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/target", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/error", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, strings.Repeat("x", 5000))
	})
	mux.HandleFunc("/unicode", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		// 1023 bytes of "a" then "é" (2 bytes): the cut falls inside it.
		_, _ = io.WriteString(w, strings.Repeat("a", 1023)+"é\x00tail")
	})
	mux.HandleFunc("/nul", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "bad\x00input\xff")
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		// Reading the body lets the server notice the client leaving.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	client := NewClient(loopbackPolicy, 300*time.Millisecond)
	tests := []struct {
		path        string
		wantStatus  int
		wantErr     string
		wantExcerpt string
	}{
		{"/redirect", 307, "redirect (307) not followed: register the final URL", ""},
		{"/moved", 301, "redirect (301) not followed: register the final URL", ""},
		{"/error", 500, "receiver answered 500", strings.Repeat("x", 1024)},
		{"/unicode", 400, "receiver answered 400", strings.Repeat("a", 1023)},
		{"/nul", 400, "receiver answered 400", "badinput\uFFFD"},
		{"/slow", 0, "timed out after 300ms", ""},
		{"/missing", 404, "receiver answered 404", "404 page not found\n"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := client.Send(t.Context(), srv.URL+tt.path, []string{testSecret}, "msg_abc", time.Now(), testBody)
			if res.OK() {
				t.Fatalf("Send = %+v, want a failure", res)
			}
			if res.StatusCode != tt.wantStatus || res.Err != tt.wantErr || res.Excerpt != tt.wantExcerpt {
				t.Fatalf("Send = {status %d, err %q, excerpt %q}, want {%d, %q, %q}",
					res.StatusCode, res.Err, res.Excerpt, tt.wantStatus, tt.wantErr, tt.wantExcerpt)
			}
			if !utf8.ValidString(res.Excerpt) {
				t.Errorf("excerpt is not valid UTF-8")
			}
		})
	}
	if n := redirectedHits.Load(); n != 0 {
		t.Fatalf("redirect target got %d requests, want 0", n)
	}
}

// TestClientRefusesForbiddenAddresses: with AllowPrivate off, each target is
// refused when the connection is made, after DNS for "localhost", and the
// receiver (listening on loopback) gets nothing.
func TestClientRefusesForbiddenAddresses(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	port := strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port)

	client := NewClient(egress.Policy{AllowHTTP: true}, time.Second)
	tests := []struct {
		url     string
		wantErr string
	}{
		{"http://127.0.0.1:" + port + "/hook", "refused at connect time: egress: connection to 127.0.0.1 refused, loopback address: forbidden address"},
		{"http://10.0.0.1:" + port + "/hook", "refused at connect time: egress: connection to 10.0.0.1 refused, private address: forbidden address"},
		{"http://169.254.169.254/latest/meta-data/", "refused at connect time: egress: connection to 169.254.169.254 refused, link-local/metadata address: forbidden address"},
		{"http://[::1]:" + port + "/hook", "refused at connect time: egress: connection to ::1 refused, loopback address: forbidden address"},
		{"http://localhost:" + port + "/hook", "refused at connect time: egress: connection to "},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			res := client.Send(t.Context(), tt.url, []string{testSecret}, "msg_abc", time.Now(), testBody)
			if res.OK() || res.StatusCode != 0 || !strings.HasPrefix(res.Err, tt.wantErr) {
				t.Fatalf("Send = %+v, want status 0 and error starting %q", res, tt.wantErr)
			}
			if !strings.Contains(res.Err, "loopback") && strings.Contains(tt.url, "localhost") {
				t.Fatalf("error %q does not name loopback", res.Err)
			}
			if strings.Contains(res.Err, "/hook") || strings.Contains(res.Err, "meta-data") {
				t.Errorf("error %q repeats the URL", res.Err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("receiver got %d requests, want 0", n)
	}
}

func TestClientRefusesBadURLShapes(t *testing.T) {
	client := NewClient(egress.Policy{}, time.Second)
	tests := []struct{ url, wantErr string }{
		{"http://hooks.example.com/", "endpoint URL refused: must use https (http is not allowed by this server)"},
		{"https://user:pw@hooks.example.com/", "endpoint URL refused: must not contain user information (user:password@)"},
		{"ftp://hooks.example.com/", "endpoint URL refused: must be an absolute http or https URL"},
	}
	for _, tt := range tests {
		res := client.Send(t.Context(), tt.url, []string{testSecret}, "msg_abc", time.Now(), testBody)
		if res.Err != tt.wantErr || res.StatusCode != 0 {
			t.Errorf("Send(%s) = %+v, want error %q", tt.url, res, tt.wantErr)
		}
	}
}

func TestExcerpt(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"cut \xc3", "cut "},
		{"cut \xe2\x82", "cut "},
		{"whole €", "whole €"},
		{"bad \xff middle", "bad \uFFFD middle"},
		{"nul\x00byte", "nulbyte"},
	}
	for _, tt := range tests {
		if got := excerpt([]byte(tt.in)); got != tt.want {
			t.Errorf("excerpt(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
