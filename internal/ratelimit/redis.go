package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// DefaultPrefix starts every bucket's key in Redis. redis_rate puts its own
// "rate:" before it, so an API key's bucket is "rate:roster:rl:key:<id>".
const DefaultPrefix = "roster:rl:"

// Redis is a Limiter whose buckets live in Redis, so that every Roster
// process using the same Redis and prefix shares them. It runs redis_rate's
// GCRA script: one round trip per Take, atomic in Redis, timed by Redis's
// clock; a bucket's key expires once the bucket is full again.
type Redis struct {
	limiter *redis_rate.Limiter
	prefix  string
}

var _ Limiter = (*Redis)(nil)

// NewRedis returns a limiter on client whose keys start with prefix.
func NewRedis(client redis.UniversalClient, prefix string) *Redis {
	return &Redis{limiter: redis_rate.NewLimiter(client), prefix: prefix}
}

// Take implements Limiter. Errors: an invalid rule or n; Redis's errors,
// wrapped.
func (r *Redis) Take(ctx context.Context, key string, rule Rule, n int) (Decision, error) {
	rule, err := rule.normalize()
	if err != nil {
		return Decision{}, err
	}
	if n < 0 || n > rule.Burst {
		return Decision{}, errBadN
	}
	res, err := r.limiter.AllowN(ctx, r.prefix+key,
		redis_rate.Limit{Rate: rule.Limit, Burst: rule.Burst, Period: rule.Period}, n)
	if err != nil {
		return Decision{}, fmt.Errorf("ratelimit: redis: %w", err)
	}
	// ResetAfter is the bucket's debt: how far its theoretical arrival time
	// is ahead of now. Every count is derived from it, the same way Memory
	// counts, rather than from the script's truncated remaining.
	reset := max(res.ResetAfter, 0)
	tokens := float64(rule.Burst) - float64(reset)/float64(rule.interval())
	switch {
	case n == 0:
		return peekDecision(rule, tokens), nil
	case res.Allowed == 0:
		return Decision{
			Limit:      rule.Burst,
			Remaining:  wholeTokens(tokens, rule),
			ResetAfter: reset,
			RetryAfter: max(res.RetryAfter, time.Nanosecond),
		}, nil
	}
	return Decision{Allowed: true, Limit: rule.Burst, Remaining: wholeTokens(tokens, rule), ResetAfter: reset}, nil
}

// Fallback answers from a primary limiter (Redis) and, while the primary
// fails, from a secondary one (Memory): an outage of Redis neither takes
// the API down (failing closed) nor lifts every limit (failing open); each
// process limits on its own until Redis answers again. After a failure the
// primary is left alone for a short pause, so that an outage costs one
// failed round trip per pause, not one per request.
type Fallback struct {
	primary, secondary Limiter
	log                *slog.Logger
	pause              time.Duration

	retryAt atomic.Int64 // unix nanoseconds before which the primary is skipped
	down    atomic.Bool
}

var _ Limiter = (*Fallback)(nil)

// DefaultPause is how long Fallback skips a primary that failed.
const DefaultPause = time.Second

// NewFallback returns a limiter that uses primary, and secondary while
// primary fails; it logs a warning when it switches to secondary and again
// when primary is back.
func NewFallback(primary, secondary Limiter, log *slog.Logger, pause time.Duration) *Fallback {
	if log == nil {
		log = slog.Default()
	}
	if pause <= 0 {
		pause = DefaultPause
	}
	return &Fallback{primary: primary, secondary: secondary, log: log, pause: pause}
}

// Take implements Limiter. Errors: an invalid rule or n; the context's
// error when it ended during the primary's round trip.
func (f *Fallback) Take(ctx context.Context, key string, rule Rule, n int) (Decision, error) {
	// A bad call is refused here, so that every error of the primary below
	// is an outage (or the caller giving up).
	norm, err := rule.normalize()
	if err != nil {
		return Decision{}, err
	}
	if n < 0 || n > norm.Burst {
		return Decision{}, errBadN
	}
	if time.Now().UnixNano() >= f.retryAt.Load() {
		d, err := f.primary.Take(ctx, key, rule, n)
		if err == nil {
			if f.down.CompareAndSwap(true, false) {
				f.log.WarnContext(ctx, "rate limiter: Redis answers again; buckets are shared again")
			}
			return d, nil
		}
		if ctx.Err() != nil {
			return Decision{}, err // the caller gave up; nobody reads the answer
		}
		f.retryAt.Store(time.Now().Add(f.pause).UnixNano())
		if f.down.CompareAndSwap(false, true) {
			f.log.WarnContext(ctx, "rate limiter: Redis failed; each process limits on its own until it answers",
				slog.String("error", err.Error()))
		}
	}
	return f.secondary.Take(ctx, key, rule, n)
}

// Open returns the limiter a server uses: Memory when redisURL is empty;
// otherwise Redis at redisURL (redis:// or rediss://) with keys under
// prefix, behind a Fallback to Memory. Redis must answer a PING now: a
// server configured to share its limits does not start without them.
// close releases the Redis connections.
func Open(ctx context.Context, redisURL, prefix string, log *slog.Logger) (lim Limiter, close func() error, err error) {
	mem := NewMemory(MemoryOptions{})
	if redisURL == "" {
		return mem, func() error { return nil }, nil
	}
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		// The URL may hold a password, and the parser's error may quote it.
		return nil, nil, fmt.Errorf("the Redis URL is not a valid redis:// or rediss:// URL")
	}
	// Defaults that keep a slow Redis from stalling requests; the URL's own
	// dial_timeout, read_timeout and write_timeout parameters win.
	if opts.DialTimeout == 0 {
		opts.DialTimeout = 2 * time.Second
	}
	if opts.ReadTimeout == 0 {
		opts.ReadTimeout = 500 * time.Millisecond
	}
	if opts.WriteTimeout == 0 {
		opts.WriteTimeout = 500 * time.Millisecond
	}
	client := redis.NewClient(opts)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := client.Ping(pctx).Err(); err != nil {
		client.Close()
		return nil, nil, fmt.Errorf("redis at %s does not answer: %w", opts.Addr, err)
	}
	return NewFallback(NewRedis(client, prefix), mem, log, DefaultPause), client.Close, nil
}
