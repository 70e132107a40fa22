// Package ratelimit owns Roster's token buckets: a Limiter answers "may this
// key spend n more tokens now?" under a Rule. Memory keeps the buckets in
// the process (golang.org/x/time/rate); Redis keeps them in Redis
// (go-redis/redis_rate, GCRA) so that several Roster processes share them.
// Both answer alike: the same Decision for the same sequence of takes.
// Fallback puts Memory behind Redis for when Redis cannot be reached.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
)

// Rule is a token bucket: Burst tokens at most, refilled at Limit tokens
// per Period. Burst 0 means Burst = Limit.
type Rule struct {
	Limit  int
	Period time.Duration
	Burst  int
}

// PerMinute is the rule "n per minute, bursts of n".
func PerMinute(n int) Rule { return Rule{Limit: n, Period: time.Minute, Burst: n} }

// normalize fills Burst and checks the rule.
func (r Rule) normalize() (Rule, error) {
	if r.Burst == 0 {
		r.Burst = r.Limit
	}
	if r.Limit < 1 || r.Period <= 0 || r.Burst < 1 {
		return r, fmt.Errorf("ratelimit: invalid rule %+v: limit and burst must be at least 1 and the period positive", r)
	}
	return r, nil
}

// interval is the time one token takes to come back.
func (r Rule) interval() time.Duration { return r.Period / time.Duration(r.Limit) }

// String says the rule as a refusal names it: "600 requests per minute",
// with the burst when it differs from the limit.
func (r Rule) String() string {
	var per string
	switch r.Period {
	case time.Second:
		per = "second"
	case time.Minute:
		per = "minute"
	case time.Hour:
		per = "hour"
	default:
		per = r.Period.String()
	}
	s := fmt.Sprintf("%d requests per %s", r.Limit, per)
	if r.Burst != 0 && r.Burst != r.Limit {
		s += fmt.Sprintf(" (bursts of %d)", r.Burst)
	}
	return s
}

// Decision is a limiter's answer.
type Decision struct {
	// Allowed: the tokens were taken (for a peek, n = 0: at least one token
	// is left).
	Allowed bool
	// Limit is the bucket's size (the rule's burst): the most Remaining can
	// be. 0 when the limiter could not answer (see Fallback).
	Limit int
	// Remaining is how many whole tokens are left now.
	Remaining int
	// ResetAfter is when the bucket will be full again.
	ResetAfter time.Duration
	// RetryAfter, when not Allowed, is when the request would be allowed.
	RetryAfter time.Duration
}

// Limiter takes tokens from named buckets.
type Limiter interface {
	// Take takes n tokens from key's bucket under rule, all or none: when
	// fewer than n are left, nothing is taken and the decision is not
	// Allowed. n = 0 peeks: nothing is taken, and Allowed says whether one
	// token is left. n must not exceed the rule's burst.
	//
	// Errors: an invalid rule or n; Redis's errors (see Fallback).
	Take(ctx context.Context, key string, rule Rule, n int) (Decision, error)
}

// errBadN is Take's answer to a negative n or one above the burst.
var errBadN = errors.New("ratelimit: n must be from 0 to the rule's burst")

// tokenEpsilon absorbs float rounding when tokens are counted: Redis's GCRA
// works in seconds since 2017 as doubles (about 0.1 µs of resolution), so a
// bucket holding exactly 4 tokens may compute as 3.9999999.
const tokenEpsilon = 1e-3

// wholeTokens is the number of whole tokens in a bucket holding tokens.
func wholeTokens(tokens float64, rule Rule) int {
	return min(max(int(math.Floor(tokens+tokenEpsilon)), 0), rule.Burst)
}

// peekDecision turns the state of a bucket (tokens left, as a fraction)
// into a peek's decision.
func peekDecision(rule Rule, tokens float64) Decision {
	d := Decision{Limit: rule.Burst, Remaining: wholeTokens(tokens, rule)}
	d.ResetAfter = durationOf(float64(rule.Burst)-tokens, rule)
	if d.Remaining >= 1 {
		d.Allowed = true
	} else {
		d.RetryAfter = durationOf(1-tokens, rule)
	}
	return d
}

// durationOf is how long tokens take to come back under rule.
func durationOf(tokens float64, rule Rule) time.Duration {
	if tokens <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(tokens * float64(rule.interval())))
}

// Header names (draft-ietf-httpapi-ratelimit-headers).
const (
	HeaderLimit     = "RateLimit-Limit"
	HeaderRemaining = "RateLimit-Remaining"
	HeaderReset     = "RateLimit-Reset"
)

// SetHeaders sets RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset
// (whole seconds until the bucket is full) from d. A decision the limiter
// could not make (Limit 0) sets nothing.
func SetHeaders(h http.Header, d Decision) {
	if d.Limit <= 0 {
		return
	}
	h.Set(HeaderLimit, strconv.Itoa(d.Limit))
	h.Set(HeaderRemaining, strconv.Itoa(max(d.Remaining, 0)))
	h.Set(HeaderReset, strconv.FormatInt(CeilSeconds(d.ResetAfter), 10))
}

// CeilSeconds rounds d up to whole seconds, for Retry-After and
// RateLimit-Reset.
func CeilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64(math.Ceil(d.Seconds()))
}
