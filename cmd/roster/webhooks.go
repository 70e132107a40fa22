package main

import (
	"context"
	"log/slog"
	"sync"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/webhook"
)

// startWebhooks runs the webhook dispatcher until ctx ends (SIGTERM) or
// stop is called; stop then waits for the attempts in flight, bounded by the
// attempt timeout plus a grace. Every process runs one: on PostgreSQL their
// leases share the work, on SQLite the one process sends.
func startWebhooks(ctx context.Context, svc *core.Service, cfg webhookConfig, log *slog.Logger) (stop func()) {
	if cfg.Disabled {
		log.Info("webhook dispatcher off in this process")
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	dc := cfg.dispatcher()
	dc.Logger = log
	d := webhook.New(svc, dc)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := d.Run(ctx); err != nil {
			log.Error("webhook dispatcher stopped", slog.Any("error", err))
		}
	}()
	return sync.OnceFunc(func() {
		cancel()
		<-done
	})
}
