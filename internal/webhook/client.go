package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rosterhq/roster/internal/egress"
)

// UserAgent identifies Roster's deliveries to receivers.
const UserAgent = "Roster-Webhooks/1"

// DefaultTimeout bounds one attempt, from dialing to the end of the
// response excerpt.
const DefaultTimeout = 15 * time.Second

// excerptLimit is how much of a response body an attempt keeps.
const excerptLimit = 1024

// Client sends one signed message per call, reaching only the addresses its
// egress policy allows, never following a redirect, within a timeout.
type Client struct {
	http    *http.Client
	policy  egress.Policy
	timeout time.Duration
}

// Result is what one attempt observed. Err is empty on a 2xx; it never
// repeats the URL (which may carry a token) nor the body sent.
type Result struct {
	StatusCode int // 0 when no response came
	Latency    time.Duration
	Err        string
	Excerpt    string // the first 1 KiB of the response body, valid UTF-8
}

// OK reports whether the receiver accepted the message (a 2xx).
func (r Result) OK() bool { return r.Err == "" && r.StatusCode >= 200 && r.StatusCode < 300 }

// NewClient returns a client whose connections go through policy's dialer.
// timeout <= 0 uses DefaultTimeout.
func NewClient(policy egress.Policy, timeout time.Duration) *Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	dialer := policy.Dialer()
	if dialer.Timeout > timeout {
		dialer.Timeout = timeout
	}
	transport := &http.Transport{
		// No Proxy: a proxy would dial on our behalf, out of the
		// dialer's reach, and defeat the address check.
		Proxy:             nil,
		DialContext:       dialer.DialContext,
		ForceAttemptHTTP2: true,
		// No TLS or header timeouts: the per-attempt context bounds it all.
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &Client{
		policy:  policy,
		timeout: timeout,
		http: &http.Client{
			Transport: transport,
			// A redirect is the receiver's answer, not an instruction:
			// following it could lead anywhere (the check at dial time
			// would still hold, but the target was never registered).
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// Send POSTs body to rawURL with the Standard Webhooks headers for msgID,
// signed by secrets at now. It never returns an error: every failure is a
// failed attempt described in Result.Err.
func (c *Client) Send(ctx context.Context, rawURL string, secrets []string, msgID string, now time.Time, body []byte) Result {
	// The URL's shape (scheme, userinfo) is checked here; its address only
	// at connect time, where the dialer sees what the name resolved to.
	shape := egress.Policy{AllowHTTP: c.policy.AllowHTTP, AllowPrivate: true}
	if err := shape.CheckURL(rawURL); err != nil {
		return Result{Err: "endpoint URL refused: " + err.Error()}
	}
	signature, err := Sign(secrets, msgID, now, body)
	if err != nil {
		return Result{Err: err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return Result{Err: "endpoint URL unusable"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set(HeaderID, msgID)
	req.Header.Set(HeaderTimestamp, Timestamp(now))
	req.Header.Set(HeaderSignature, signature)

	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return Result{Latency: time.Since(start), Err: describe(ctx, err, c.timeout)}
	}
	defer resp.Body.Close()
	// A read error after a 2xx still counts as accepted: the receiver
	// has the message and answered.
	head, _ := io.ReadAll(io.LimitReader(resp.Body, excerptLimit))
	res := Result{StatusCode: resp.StatusCode, Latency: time.Since(start), Excerpt: excerpt(head)}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		res.Err = fmt.Sprintf("redirect (%d) not followed: register the final URL", resp.StatusCode)
	case resp.StatusCode < 200 || resp.StatusCode >= 300:
		res.Err = fmt.Sprintf("receiver answered %d", resp.StatusCode)
	}
	return res
}

// describe turns a transport error into an attempt error without the URL
// that *url.Error would repeat.
func describe(ctx context.Context, err error, timeout time.Duration) string {
	if errors.Is(err, egress.ErrForbiddenAddress) {
		var op *net.OpError
		if errors.As(err, &op) && op.Err != nil {
			return "refused at connect time: " + op.Err.Error()
		}
		return "refused at connect time: " + unwrapURL(err).Error()
	}
	var nerr net.Error
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.As(err, &nerr) && nerr.Timeout() {
		return fmt.Sprintf("timed out after %s", timeout)
	}
	if errors.Is(err, context.Canceled) {
		return "cancelled: Roster is stopping"
	}
	return unwrapURL(err).Error()
}

func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// excerpt makes b storable text: no cut rune at the end, no invalid UTF-8,
// no NUL (PostgreSQL text refuses both).
func excerpt(b []byte) string {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				b = b[:i]
			}
			break
		}
	}
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "")
}
