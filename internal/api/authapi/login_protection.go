package authapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/ratelimit"
)

// LoginProtection slows password guessing against one login identity: an
// email (normalized) from one client address. Its answers depend only on
// the identity's history, never on whether the email is a user's, so they
// reveal nothing the 401 does not.
//
// The client address is the connection's (r.RemoteAddr), never
// X-Forwarded-For, which any client can write. Behind a reverse proxy every
// client has the proxy's address, so the identity narrows to the email.
type LoginProtection struct {
	Limiter ratelimit.Limiter
	// MaxFailures failed logins are allowed per identity per Lockout (a
	// token bucket: after MaxFailures quick failures, one more attempt is
	// allowed every Lockout/MaxFailures). Past them every attempt, even
	// with the right password, is refused with 429 before any password is
	// checked. 0: no lockout.
	MaxFailures int
	Lockout     time.Duration
	// Attempts limits every attempt per identity, failed or not (a zero
	// Limit: no limit). It bounds the guesses that concurrent requests can
	// slip in before their failures are counted.
	Attempts ratelimit.Rule
	Log      *slog.Logger
}

// Refusal messages: the same for every identity, known email or not.
const (
	msgLockedOut    = "too many failed logins; try again later"
	msgTooManyTries = "too many login attempts; try again later"
)

// admit decides whether a login attempt may check its password, and
// returns the identity to report a failure for. Refusals are RateLimited
// errors with Retry set; the RateLimit-* headers go on w. A limiter that
// fails lets the attempt through (logged).
func (p *LoginProtection) admit(w http.ResponseWriter, r *http.Request, email string) (identity string, err error) {
	if p == nil {
		return "", nil
	}
	ctx := r.Context()
	identity = loginIdentity(email, r.RemoteAddr)
	if p.MaxFailures > 0 {
		d, err := p.Limiter.Take(ctx, "login-fail:"+identity, p.failureRule(), 0)
		if err != nil {
			p.warn(ctx, err)
		} else if !d.Allowed {
			ratelimit.SetHeaders(w.Header(), d)
			return "", &core.Error{Code: core.RateLimited, Retry: d.RetryAfter, Message: msgLockedOut}
		}
	}
	if p.Attempts.Limit > 0 {
		d, err := p.Limiter.Take(ctx, "login:"+identity, p.Attempts, 1)
		if err != nil {
			p.warn(ctx, err)
		} else {
			ratelimit.SetHeaders(w.Header(), d)
			if !d.Allowed {
				return "", &core.Error{Code: core.RateLimited, Retry: d.RetryAfter, Message: msgTooManyTries}
			}
		}
	}
	return identity, nil
}

// failed counts a failed login against identity.
func (p *LoginProtection) failed(ctx context.Context, identity string) {
	if p == nil || p.MaxFailures <= 0 || identity == "" {
		return
	}
	ctx = context.WithoutCancel(ctx) // the failure counts even if the client has gone
	if _, err := p.Limiter.Take(ctx, "login-fail:"+identity, p.failureRule(), 1); err != nil {
		p.warn(ctx, err)
	}
}

func (p *LoginProtection) failureRule() ratelimit.Rule {
	return ratelimit.Rule{Limit: p.MaxFailures, Period: p.Lockout, Burst: p.MaxFailures}
}

func (p *LoginProtection) warn(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	log := p.Log
	if log == nil {
		log = slog.Default()
	}
	log.WarnContext(ctx, "login protection not checked", slog.String("error", err.Error()))
}

// loginIdentity names an identity's buckets: a hash of the normalized email
// and the client's address, so that neither is stored in the limiter (which
// may be a shared Redis).
func loginIdentity(email, remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	sum := sha256.Sum256([]byte(core.NormalizeEmail(email) + "\x00" + host))
	return hex.EncodeToString(sum[:16])
}
