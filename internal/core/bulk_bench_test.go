package core_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/postgres/pgtest"
	"github.com/rosterhq/roster/internal/store/sqlite"
)

// BenchmarkBulkAddUsers measures one atomic bulk request of 1,000 new users
// through the core on each store: without passwords (the store's cost:
// users, set-password tokens, group memberships and events in one
// transaction) and with passwords at OWASP's argon2id parameters (bound by
// hashing, which runs on the pool's workers before the transaction).
func BenchmarkBulkAddUsers(b *testing.B) {
	open := map[string]func(b *testing.B) core.Store{
		"sqlite": func(b *testing.B) core.Store {
			st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close() })
			if err := st.Migrate(context.Background()); err != nil {
				b.Fatal(err)
			}
			return st
		},
		"postgres": func(b *testing.B) core.Store { return pgtest.OpenStore(b) },
	}
	for _, store := range []string{"sqlite", "postgres"} {
		for _, passwords := range []bool{false, true} {
			name := store + "/no-passwords"
			if passwords {
				name = store + "/passwords"
			}
			b.Run(name, func(b *testing.B) { benchBulk(b, open[store](b), passwords) })
		}
	}
}

func benchBulk(b *testing.B, st core.Store, passwords bool) {
	const users = 1000
	ctx := context.Background()
	workers := runtime.GOMAXPROCS(0)
	pool, err := core.NewHashPool(core.HashPoolConfig{Params: core.DefaultArgon2Params, Workers: workers})
	if err != nil {
		b.Fatal(err)
	}
	svc := core.NewService(st, pool)
	tenant, err := svc.CreateTenant(ctx, core.CreateTenant{Name: "Bench " + b.Name()})
	if err != nil {
		b.Fatal(err)
	}
	op := core.OperatorFor(tenant.Tenant)
	if _, err := svc.CreateWorkspace(ctx, op, core.CreateWorkspace{ID: "ws", Name: "Bench"}); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.CreateGroup(ctx, op, core.CreateGroup{ID: "group", WorkspaceID: "ws", Name: "Bench"}); err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	run := 0
	for b.Loop() {
		cmd := core.BulkAddUsers{Atomic: true, Users: make([]core.BulkUser, users)}
		for i := range cmd.Users {
			u := core.BulkUser{Email: fmt.Sprintf("bulk-%d-%d@example.com", run, i), Name: "Bench", Type: "user", Groups: []string{"group"}}
			if passwords {
				u.Password = fmt.Sprintf("password-%d-%d", run, i)
				u.ConfirmPassword = u.Password
			}
			cmd.Users[i] = u
		}
		run++
		start := time.Now()
		res, err := svc.BulkAddUsers(ctx, op, cmd)
		total += time.Since(start)
		if err != nil || res.Failed > 0 {
			b.Fatalf("bulk: %v, %d failed", err, res.Failed)
		}
	}
	b.ReportMetric(float64(users*run)/total.Seconds(), "users/s")
	b.ReportMetric(float64(runtime.NumCPU()), "cores")
	p := core.DefaultArgon2Params
	b.Logf("%d users per atomic request, passwords=%v, argon2id m=%d KiB t=%d p=%d, hash workers=%d, requests=%d, cores=%d",
		users, passwords, p.MemoryKiB, p.Time, p.Threads, workers, run, runtime.NumCPU())
}
