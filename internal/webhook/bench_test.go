package webhook_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/egress"
	"github.com/rosterhq/roster/internal/store/postgres/pgtest"
	"github.com/rosterhq/roster/internal/store/sqlite"
	"github.com/rosterhq/roster/internal/webhook"
	"github.com/rosterhq/roster/internal/webhook/webhooktest"
)

// BenchmarkSign signs a 1 KiB body with one secret, and with two (during a
// rotation).
func BenchmarkSign(b *testing.B) {
	body := []byte(`{"type":"user_created","data":{"email":"` + strings.Repeat("a", 1000) + `"}}`)
	for _, n := range []int{1, 2} {
		secrets := []string{"whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", "whsec_dGhlIHByZXZpb3VzIHNlY3JldCBieXRlcyE="}[:n]
		b.Run(fmt.Sprintf("secrets=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.Logf("body %d bytes, %d secrets, cores=%d", len(body), n, runtime.NumCPU())
			now := time.Now()
			for b.Loop() {
				if _, err := webhook.Sign(secrets, "msg_2pVbXrHnJk0a7qLmC4sTzW9y", now, body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDispatch measures deliveries per second from the outbox to a
// loopback receiver that verifies each one with the reference library: b.N
// user_created events are committed first, then one dispatcher (8 workers)
// fans them out, claims, signs, sends and records them.
func BenchmarkDispatch(b *testing.B) {
	stores := map[string]func(b *testing.B) core.Store{
		"sqlite": func(b *testing.B) core.Store {
			st, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "roster.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = st.Close() })
			if err := st.Migrate(b.Context()); err != nil {
				b.Fatal(err)
			}
			return st
		},
		"postgres": func(b *testing.B) core.Store { return pgtest.OpenStore(b) },
	}
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			st := stores[name](b)
			pool, err := core.NewHashPool(core.HashPoolConfig{Params: core.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
			if err != nil {
				b.Fatal(err)
			}
			svc := core.NewService(st, pool)
			svc.SetEgressPolicy(egress.Policy{AllowHTTP: true, AllowPrivate: true})
			tenant, err := svc.CreateTenant(b.Context(), core.CreateTenant{Name: "Bench"})
			if err != nil {
				b.Fatal(err)
			}
			admin, err := svc.AuthenticateAPIKey(b.Context(), tenant.APIKey)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.FanOutEvents(b.Context(), 1000); err != nil {
				b.Fatal(err)
			}
			recv := webhooktest.New(b)
			ep, err := svc.CreateWebhookEndpoint(b.Context(), admin, core.CreateWebhookEndpoint{URL: recv.URL, EventTypes: []string{core.EventUserCreated}})
			if err != nil {
				b.Fatal(err)
			}
			recv.SetSecrets(ep.Secret)
			for i := range b.N {
				if _, err := svc.CreateUser(b.Context(), admin, core.CreateUser{Email: fmt.Sprintf("bench-%d@example.com", i)}); err != nil {
					b.Fatal(err)
				}
			}
			const workers = 8
			b.Logf("store %s, %d events, %d workers, poll 20ms, cores=%d", name, b.N, workers, runtime.NumCPU())
			b.ResetTimer()
			start := time.Now()
			d := webhook.New(svc, webhook.Config{Workers: workers, Poll: 20 * time.Millisecond, Policy: egress.Policy{AllowHTTP: true, AllowPrivate: true}})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- d.Run(ctx) }()
			recv.WaitAccepted(b, b.N, 10*time.Minute)
			elapsed := time.Since(start)
			b.StopTimer()
			cancel()
			<-done
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
			b.ReportMetric(float64(runtime.NumCPU()), "cores")
		})
	}
}
