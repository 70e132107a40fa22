package core_test

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/postgres/pgtest"
	"github.com/rosterhq/roster/internal/store/sqlite"
)

// BenchmarkWebhookOutbox measures the dispatcher's data path without HTTP,
// on one goroutine: each op is one event fanned out to `endpoints`
// deliveries, claimed in batches, and one attempt recorded per delivery
// (one transaction each, as the contract asks). It reports deliveries/s and
// the time per delivery of each phase: the store's share of delivery.
func BenchmarkWebhookOutbox(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		if err := st.Migrate(context.Background()); err != nil {
			b.Fatal(err)
		}
		benchWebhookOutbox(b, st)
	})
	b.Run("postgres", func(b *testing.B) { benchWebhookOutbox(b, pgtest.OpenStore(b)) })
}

func benchWebhookOutbox(b *testing.B, st core.Store) {
	const (
		endpoints = 2
		batch     = 100
	)
	ctx := context.Background()
	pool, err := core.NewHashPool(core.HashPoolConfig{Params: cheapArgon2})
	if err != nil {
		b.Fatal(err)
	}
	svc := core.NewService(st, pool)
	tn, err := svc.CreateTenant(ctx, core.CreateTenant{Name: "Bench"})
	if err != nil {
		b.Fatal(err)
	}
	op := core.OperatorFor(tn.Tenant)
	for range endpoints {
		if _, err := svc.CreateWebhookEndpoint(ctx, op, core.CreateWebhookEndpoint{URL: "https://hooks.example.com/bench"}); err != nil {
			b.Fatal(err)
		}
	}
	// drain runs the three phases until nothing is left, adding up the
	// time each takes.
	var fanOut, claim, record time.Duration
	drain := func() {
		for {
			t := time.Now()
			n, err := svc.FanOutEvents(ctx, batch)
			fanOut += time.Since(t)
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		for {
			t := time.Now()
			claimed, err := svc.ClaimDeliveries(ctx, "bench", batch, time.Minute)
			claim += time.Since(t)
			if err != nil {
				b.Fatal(err)
			}
			if len(claimed) == 0 {
				return
			}
			t = time.Now()
			for _, c := range claimed {
				if err := svc.RecordDeliveryAttempt(ctx, "bench", c.Delivery.ID,
					core.WebhookAttempt{StatusCode: 204, Latency: time.Millisecond}, core.DeliveryOutcome{Succeeded: true}); err != nil {
					b.Fatal(err)
				}
			}
			record += time.Since(t)
		}
	}
	drain()
	b.Logf("endpoints=%d batch=%d cores=%d GOMAXPROCS=%d", endpoints, batch, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	b.StopTimer()
	for range b.N {
		if err := svc.RecordRateLimited(ctx, op, core.RateLimitRefusal{Credential: "key:1", Limit: 1, Burst: 1, Period: time.Minute}); err != nil {
			b.Fatal(err)
		}
	}
	fanOut, claim, record = 0, 0, 0
	b.StartTimer()
	start := time.Now()
	drain()
	n := float64(b.N * endpoints)
	b.ReportMetric(n/time.Since(start).Seconds(), "deliveries/s")
	b.ReportMetric(float64(fanOut.Microseconds())/n, "fanout-µs/delivery")
	b.ReportMetric(float64(claim.Microseconds())/n, "claim-µs/delivery")
	b.ReportMetric(float64(record.Microseconds())/n, "record-µs/delivery")
}
