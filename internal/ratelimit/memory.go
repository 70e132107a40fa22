package ratelimit

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultMaxKeys bounds a Memory limiter's buckets (a few hundred bytes
// each) when MemoryOptions.MaxKeys is 0.
const DefaultMaxKeys = 1 << 20

// sweepEvery is how often a Memory limiter drops its full buckets.
const sweepEvery = time.Minute

// MemoryOptions configures a Memory limiter. The zero value is the default.
type MemoryOptions struct {
	// Now is the clock (tests); time.Now when nil.
	Now func() time.Time
	// MaxKeys bounds the number of buckets; DefaultMaxKeys when 0.
	MaxKeys int
}

// Memory is a Limiter whose buckets live in this process: each process
// that uses one limits on its own.
//
// Memory stays bounded: a bucket that has refilled completely is the same
// as no bucket, so full buckets are dropped once a minute; past MaxKeys
// buckets, the full ones are dropped at once and then, if that is not
// enough, arbitrary ones (a flood of new keys can then reset some buckets:
// use Redis, whose keys expire on their own, where that matters).
type Memory struct {
	now     func() time.Time
	maxKeys int

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	rule Rule
}

var _ Limiter = (*Memory)(nil)

// NewMemory returns an empty in-process limiter.
func NewMemory(o MemoryOptions) *Memory {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxKeys <= 0 {
		o.MaxKeys = DefaultMaxKeys
	}
	return &Memory{now: o.Now, maxKeys: o.MaxKeys, buckets: map[string]*bucket{}, lastSweep: o.Now()}
}

// Take implements Limiter.
func (m *Memory) Take(_ context.Context, key string, rule Rule, n int) (Decision, error) {
	rule, err := rule.normalize()
	if err != nil {
		return Decision{}, err
	}
	if n < 0 || n > rule.Burst {
		return Decision{}, errBadN
	}
	now := m.now()

	m.mu.Lock()
	defer m.mu.Unlock()
	if now.Sub(m.lastSweep) >= sweepEvery {
		m.sweep(now)
	}
	b := m.buckets[key]
	if b == nil {
		if n == 0 { // a peek creates nothing: an unknown key's bucket is full
			return peekDecision(rule, float64(rule.Burst)), nil
		}
		if len(m.buckets) >= m.maxKeys {
			m.makeRoom(now)
		}
		b = &bucket{lim: rate.NewLimiter(limitOf(rule), rule.Burst), rule: rule}
		m.buckets[key] = b
	} else if b.rule != rule {
		b.lim.SetLimitAt(now, limitOf(rule))
		b.lim.SetBurstAt(now, rule.Burst)
		b.rule = rule
	}

	tokens := math.Min(b.lim.TokensAt(now), float64(rule.Burst))
	if n == 0 {
		return peekDecision(rule, tokens), nil
	}
	if !b.lim.AllowN(now, n) { // takes all n or nothing
		return Decision{
			Limit:      rule.Burst,
			Remaining:  wholeTokens(tokens, rule),
			ResetAfter: durationOf(float64(rule.Burst)-tokens, rule),
			RetryAfter: durationOf(float64(n)-tokens, rule),
		}, nil
	}
	left := tokens - float64(n)
	return Decision{
		Allowed:    true,
		Limit:      rule.Burst,
		Remaining:  wholeTokens(left, rule),
		ResetAfter: durationOf(float64(rule.Burst)-left, rule),
	}, nil
}

// Len is the number of buckets held (tests).
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.buckets)
}

func limitOf(r Rule) rate.Limit { return rate.Limit(float64(r.Limit) / r.Period.Seconds()) }

// sweep drops the buckets that are full again. m.mu is held.
func (m *Memory) sweep(now time.Time) {
	for k, b := range m.buckets {
		if b.lim.TokensAt(now) >= float64(b.rule.Burst) {
			delete(m.buckets, k)
		}
	}
	m.lastSweep = now
}

// makeRoom frees buckets when the map is at its bound: the full ones, and
// when that is not enough, a hundredth of the bound taken at random (map
// order). m.mu is held.
func (m *Memory) makeRoom(now time.Time) {
	m.sweep(now)
	if len(m.buckets) < m.maxKeys {
		return
	}
	drop := max(m.maxKeys/100, 1)
	for k := range m.buckets {
		if drop == 0 {
			break
		}
		delete(m.buckets, k)
		drop--
	}
}
