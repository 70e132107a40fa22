package authn

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/ratelimit"
)

// DefaultTenantTTL is how long Limits trusts a tenant's own rate limits
// before reading them again: a change made with `roster tenant update`
// applies within this time, and a busy server reads each tenant's limits
// at most once per TTL instead of once per request.
const DefaultTenantTTL = 30 * time.Second

// eventRule lets one api_rate_limited event per credential per minute
// through. Taken from the same limiter as the requests, so with Redis the
// minute is shared by every process.
var eventRule = ratelimit.Rule{Limit: 1, Period: time.Minute, Burst: 1}

// Limits is the per-credential rate limit (DESIGN §2): one token bucket per
// API key, shared by the access tokens issued for it, and one per logged-in
// user. The platform operator is not limited, and neither are requests
// whose credential is missing or unknown (they make no bucket).
type Limits struct {
	Limiter ratelimit.Limiter
	// Rule is the server's limit; a tenant's RateLimit (per minute) and
	// RateBurst replace its Limit and Burst.
	Rule      ratelimit.Rule
	Service   *core.Service // the tenants' own limits, and api_rate_limited events
	Log       *slog.Logger
	TenantTTL time.Duration // DefaultTenantTTL when 0
	Now       func() time.Time

	mu      sync.Mutex
	tenants map[int64]cachedLimits
}

type cachedLimits struct {
	limits core.TenantRateLimits
	until  time.Time
}

// CredentialKey names the actor's bucket: "key:<id>" for an API key or a
// token issued for one, "user:<id>" for a logged-in user, "" (no limit) for
// anyone else. It never holds a secret.
func CredentialKey(a core.Actor) string {
	switch {
	case a.Kind == core.ActorAPIKey && a.APIKeyID != 0:
		return "key:" + strconv.FormatInt(a.APIKeyID, 10)
	case a.Kind == core.ActorUser && a.UserID != 0:
		return "user:" + strconv.FormatInt(a.UserID, 10)
	}
	return ""
}

// Check takes one request from the actor's bucket and sets the RateLimit-*
// headers on w (when w is not nil). When the bucket is empty it records
// api_rate_limited (at most once a minute per credential) and returns a
// RateLimited error naming the limit, with Retry set. A limiter that fails
// lets the request through: the failure is logged, and the API stays up.
func (l *Limits) Check(w http.ResponseWriter, r *http.Request, a core.Actor) error {
	credential := CredentialKey(a)
	if credential == "" {
		return nil
	}
	ctx := r.Context()
	rule := l.ruleFor(ctx, a.TenantID)
	d, err := l.Limiter.Take(ctx, credential, rule, 1)
	if err != nil {
		if ctx.Err() == nil {
			l.log().WarnContext(ctx, "rate limit not checked", slog.String("credential", credential), slog.String("error", err.Error()))
		}
		return nil
	}
	if w != nil {
		ratelimit.SetHeaders(w.Header(), d)
	}
	if d.Allowed {
		return nil
	}
	l.recordRefusal(context.WithoutCancel(ctx), a, credential, rule)
	return &core.Error{
		Code:    core.RateLimited,
		Retry:   d.RetryAfter,
		Message: fmt.Sprintf("rate limit of %s exceeded for this credential", rule),
	}
}

// ruleFor is the server's rule with the tenant's own limits applied. A
// failure to read them falls back to the server's rule (logged).
func (l *Limits) ruleFor(ctx context.Context, tenantID int64) ratelimit.Rule {
	rule := l.Rule
	if rule.Burst == 0 {
		rule.Burst = rule.Limit
	}
	if l.Service == nil {
		return rule
	}
	own, err := l.tenantLimits(ctx, tenantID)
	if err != nil {
		if ctx.Err() == nil {
			l.log().WarnContext(ctx, "tenant rate limits not read; using the server's", slog.Int64("tenant", tenantID), slog.String("error", err.Error()))
		}
		return rule
	}
	if own.RateLimit != nil {
		rule.Limit, rule.Period, rule.Burst = *own.RateLimit, time.Minute, *own.RateLimit
	}
	if own.RateBurst != nil {
		rule.Burst = *own.RateBurst
	}
	return rule
}

// tenantLimits returns the tenant's own limits, from the cache when fresh.
func (l *Limits) tenantLimits(ctx context.Context, tenantID int64) (core.TenantRateLimits, error) {
	now := l.now()
	l.mu.Lock()
	c, ok := l.tenants[tenantID]
	l.mu.Unlock()
	if ok && now.Before(c.until) {
		return c.limits, nil
	}
	own, err := l.Service.TenantRateLimits(ctx, tenantID)
	if err != nil {
		return core.TenantRateLimits{}, err
	}
	ttl := l.TenantTTL
	if ttl <= 0 {
		ttl = DefaultTenantTTL
	}
	l.mu.Lock()
	if l.tenants == nil {
		l.tenants = map[int64]cachedLimits{}
	}
	l.tenants[tenantID] = cachedLimits{limits: own, until: now.Add(ttl)}
	l.mu.Unlock()
	return own, nil
}

// recordRefusal writes api_rate_limited unless one was written for the
// credential in the last minute.
func (l *Limits) recordRefusal(ctx context.Context, a core.Actor, credential string, rule ratelimit.Rule) {
	if l.Service == nil {
		return
	}
	d, err := l.Limiter.Take(ctx, "event:"+credential, eventRule, 1)
	if err != nil || !d.Allowed {
		return
	}
	err = l.Service.RecordRateLimited(ctx, a, core.RateLimitRefusal{
		Credential: credential, Limit: rule.Limit, Burst: rule.Burst, Period: rule.Period,
	})
	if err != nil {
		l.log().ErrorContext(ctx, "record api_rate_limited", slog.String("credential", credential), slog.String("error", err.Error()))
	}
}

func (l *Limits) log() *slog.Logger {
	if l.Log == nil {
		return slog.Default()
	}
	return l.Log
}

func (l *Limits) now() time.Time {
	if l.Now == nil {
		return time.Now()
	}
	return l.Now()
}
