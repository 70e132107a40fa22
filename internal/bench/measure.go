package bench

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

// benchPassword is the password every hash and user of a run uses: the
// cost of argon2id does not depend on it.
const benchPassword = "securepassword123"

// measureHashes hashes n passwords on pool from callers goroutines, after
// an uncounted warm-up of one hash per caller.
func measureHashes(ctx context.Context, pool *core.HashPool, n, callers int) (Throughput, error) {
	hash := func(ctx context.Context, _ int) error {
		_, err := pool.Hash(ctx, benchPassword)
		return err
	}
	if _, err := closedLoop(ctx, min(n, callers), callers, hash); err != nil {
		return Throughput{}, fmt.Errorf("hash: %w", err)
	}
	t, err := closedLoop(ctx, n, callers, hash)
	if err != nil {
		return Throughput{}, fmt.Errorf("hash: %w", err)
	}
	return t, nil
}

// measureCreates creates n users over HTTP from callers goroutines, after
// an uncounted warm-up of one create per caller (which also opens the
// connections), and returns the ids of every user created.
func measureCreates(ctx context.Context, c *client, runID string, n, callers int) (CreateResult, []int64, error) {
	var mu sync.Mutex
	var ids []int64
	create := func(prefix string) func(context.Context, int) error {
		return func(ctx context.Context, i int) error {
			id, err := c.createUser(ctx, fmt.Sprintf("bench-%s-%s%d@example.com", runID, prefix, i))
			if err != nil {
				return err
			}
			mu.Lock()
			ids = append(ids, id)
			mu.Unlock()
			return nil
		}
	}
	if _, err := closedLoop(ctx, min(n, callers), callers, create("warmup")); err != nil {
		return CreateResult{}, nil, fmt.Errorf("create user: %w", err)
	}
	t, err := closedLoop(ctx, n, callers, create(""))
	if err != nil {
		return CreateResult{}, nil, fmt.Errorf("create user: %w", err)
	}
	return CreateResult{Throughput: t}, ids, nil
}

// closedLoop runs op n times (i from 0 to n-1) from callers goroutines, each
// starting its next operation when its last one ends, and returns the rate.
// The first error stops every caller and is returned.
func closedLoop(ctx context.Context, n, callers int, op func(ctx context.Context, i int) error) (Throughput, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range min(callers, n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := op(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := context.Cause(ctx); err != nil {
		return Throughput{}, err
	}
	return Throughput{Count: n, Seconds: elapsed.Seconds(), PerSecond: float64(n) / elapsed.Seconds()}, nil
}

// measureReads sends rate*d GET /api/users/{id} requests open loop: request
// i is due at start + i/rate, and is sent then (on a ticker, in its own
// goroutine) whether or not earlier ones were answered; a tick that comes
// late sends every request that has fallen due. Latency is timed from the
// moment a request is handed to the client until its body is read; the
// delay between a request's due time and that moment is reported apart as
// the schedule lag, so a client too starved to keep the schedule shows.
func measureReads(ctx context.Context, c *client, ids []int64, rate int, d time.Duration) ReadResult {
	total := int(d.Seconds() * float64(rate))
	interval := time.Duration(float64(time.Second) / float64(rate))
	latency := make([]time.Duration, total)
	lag := make([]time.Duration, total)
	failed := make([]bool, total)
	dials := c.dials.Load()

	var wg sync.WaitGroup
	start := time.Now()
	send := func(i int) {
		wg.Go(func() {
			t0 := time.Now()
			lag[i] = t0.Sub(start.Add(time.Duration(i) * interval))
			failed[i] = c.getUser(ctx, ids[i%len(ids)]) != nil
			latency[i] = time.Since(t0)
		})
	}
	tick := time.NewTicker(max(interval, time.Millisecond))
	sent := 0
	for sent < total && ctx.Err() == nil {
		due := min(total, int(time.Since(start)/interval)+1)
		for ; sent < due; sent++ {
			send(sent)
		}
		if sent < total {
			select {
			case <-tick.C:
			case <-ctx.Done():
			}
		}
	}
	tick.Stop()
	wg.Wait()
	elapsed := time.Since(start)

	r := ReadResult{Requests: sent, ConnectionsOpened: c.dials.Load() - dials}
	ok := make([]time.Duration, 0, sent)
	for i := range sent {
		if failed[i] {
			r.Errors++
			continue
		}
		ok = append(ok, latency[i])
	}
	r.AchievedRate = float64(len(ok)) / elapsed.Seconds()
	slices.Sort(ok)
	r.P50Ms, r.P90Ms, r.P99Ms = ms(quantile(ok, 0.50)), ms(quantile(ok, 0.90)), ms(quantile(ok, 0.99))
	if len(ok) > 0 {
		r.MaxMs = ms(ok[len(ok)-1])
	}
	lags := slices.Clone(lag[:sent])
	slices.Sort(lags)
	r.LagP99Ms = ms(quantile(lags, 0.99))
	if len(lags) > 0 {
		r.LagMaxMs = ms(lags[len(lags)-1])
	}
	return r
}

// quantile returns the q-quantile of sorted (nearest rank), 0 when empty.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q*float64(len(sorted))-1e-9)) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
