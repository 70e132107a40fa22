package main

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/webhook"
)

// webhookRunner is this process's webhook dispatcher. Every process runs
// one: on PostgreSQL their leases share the work, on SQLite the one process
// sends.
type webhookRunner struct {
	d    *webhook.Dispatcher // nil when off in this process
	log  *slog.Logger
	stop func()
}

// newWebhooks makes the dispatcher; stopGrace bounds how long Stop waits for
// the attempts in flight (the same grace as the HTTP server's).
func newWebhooks(svc *core.Service, cfg webhookConfig, stopGrace time.Duration, log *slog.Logger) *webhookRunner {
	r := &webhookRunner{log: log, stop: func() {}}
	if cfg.Disabled {
		return r
	}
	dc := cfg.dispatcher()
	dc.Logger, dc.StopGrace = log, stopGrace
	r.d = webhook.New(svc, dc)
	return r
}

// Start runs the dispatcher until ctx ends (SIGTERM) or Stop is called.
func (r *webhookRunner) Start(ctx context.Context) {
	if r.d == nil {
		r.log.Info("webhook dispatcher off in this process")
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := r.d.Run(ctx); err != nil {
			r.log.Error("webhook dispatcher stopped", slog.Any("error", err))
		}
	}()
	r.stop = sync.OnceFunc(func() {
		cancel()
		<-done
	})
}

// Stop stops the dispatcher and waits for it (bounded by its stop grace).
func (r *webhookRunner) Stop() { r.stop() }

// WakeOnWrite wakes the dispatcher after every request that may have
// committed an event (any method but GET, HEAD and OPTIONS), so that this
// process's own events go out at once instead of at the next poll.
func (r *webhookRunner) WakeOnWrite(next http.Handler) http.Handler {
	if r.d == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		next.ServeHTTP(w, req)
		switch req.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			r.d.Wake()
		}
	})
}
