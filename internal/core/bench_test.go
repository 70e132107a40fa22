package core_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/postgres/pgtest"
	"github.com/rosterhq/roster/internal/store/sqlite"
)

// BenchmarkArgon2idHash measures one argon2id hash at the default (OWASP)
// parameters on one goroutine.
func BenchmarkArgon2idHash(b *testing.B) {
	p := core.DefaultArgon2Params
	pool, err := core.NewHashPool(core.HashPoolConfig{Params: p, Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("argon2id m=%d KiB t=%d p=%d, cores=%d", p.MemoryKiB, p.Time, p.Threads, runtime.NumCPU())
	ctx := context.Background()
	for b.Loop() {
		if _, err := pool.Hash(ctx, "securepassword123"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateUser creates users concurrently through the core on each
// store and reports users/s next to the raw hash rate measured in the same
// run on the same pool: creation is bound by hashing, so the ratio says how
// much the rest (validation, the store, the event) costs.
func BenchmarkCreateUser(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		if err := st.Migrate(context.Background()); err != nil {
			b.Fatal(err)
		}
		benchCreateUsers(b, st)
	})
	b.Run("postgres", func(b *testing.B) { benchCreateUsers(b, pgtest.OpenStore(b)) })
}

func benchCreateUsers(b *testing.B, st core.Store) {
	ctx := context.Background()
	workers := runtime.GOMAXPROCS(0)
	pool, err := core.NewHashPool(core.HashPoolConfig{Params: core.DefaultArgon2Params, Workers: workers, Wait: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	svc := core.NewService(st, pool)
	tenant, err := svc.CreateTenant(ctx, core.CreateTenant{Name: "Bench " + b.Name()})
	if err != nil {
		b.Fatal(err)
	}
	actor, err := svc.AuthenticateAPIKey(ctx, tenant.APIKey)
	if err != nil {
		b.Fatal(err)
	}
	callers := 4 * workers
	// Enough hashes per phase that start-up noise is small.
	n := max(b.N, 8*workers)

	hashRate := rate(n, callers, func(int) error {
		_, err := pool.Hash(ctx, "securepassword123")
		return err
	})
	var seq atomic.Int64
	run := seq.Add(0)
	userRate := rate(n, callers, func(int) error {
		i := seq.Add(1)
		password := "securepassword123"
		_, err := svc.CreateUser(ctx, actor, core.CreateUser{
			Email: fmt.Sprintf("bench-%d-%d@example.com", run, i), Name: "Bench", Password: &password,
		})
		return err
	})
	b.ReportMetric(userRate, "users/s")
	b.ReportMetric(hashRate, "hashes/s")
	b.ReportMetric(userRate/hashRate, "ratio")
	b.ReportMetric(float64(runtime.NumCPU()), "cores")
	p := core.DefaultArgon2Params
	b.Logf("argon2id m=%d KiB t=%d p=%d, hash workers=%d, concurrent callers=%d, operations=%d, cores=%d",
		p.MemoryKiB, p.Time, p.Threads, workers, callers, n, runtime.NumCPU())
}

// rate runs op n times from callers goroutines and returns operations per
// second.
func rate(n, callers int, op func(i int) error) float64 {
	var next atomic.Int64
	var wg sync.WaitGroup
	var firstErr atomic.Value
	start := time.Now()
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1))
				if i > n {
					return
				}
				if err := op(i); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := firstErr.Load(); err != nil {
		panic(err)
	}
	return float64(n) / time.Since(start).Seconds()
}
