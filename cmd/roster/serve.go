package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/rosterhq/roster/internal/api"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/ratelimit"
	"github.com/rosterhq/roster/internal/store"
	"github.com/rosterhq/roster/internal/token"
)

func (a *app) serveCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the HTTP server (migrates the database first)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := a.logger()
			ctx := cmd.Context()
			svc, st, err := a.openService(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			svc.SetEgressPolicy(a.cfg.Webhooks.policy())
			limiter, closeLimiter, err := ratelimit.Open(ctx, a.cfg.RedisURL, a.cfg.RedisPrefix, log)
			if err != nil {
				return err
			}
			defer closeLimiter()
			srv, err := api.Listen(a.cfg.Listen, nil, log)
			if err != nil {
				return err
			}
			baseURL := a.cfg.BaseURL
			if baseURL == "" {
				baseURL = "http://" + srv.Addr()
			}
			tokens, err := token.NewIssuer(ctx, st, token.Config{Issuer: baseURL})
			if err != nil {
				return err
			}
			webhooks := newWebhooks(svc, a.cfg.Webhooks, a.cfg.ShutdownGrace, log)
			defer webhooks.Stop()
			srv.SetHandler(webhooks.WakeOnWrite(api.NewHandler(api.Deps{Service: svc, Store: st, Tokens: tokens, Log: log,
				Limiter: limiter, Limits: a.cfg.limits()})))
			demo, created, err := svc.EnsureDemoTenant(ctx)
			if err != nil {
				return err
			}
			if created {
				printFirstStart(a.stdout, demo, baseURL)
			}
			go purgeIdempotency(ctx, svc, log)
			if a.cfg.Webhooks.Retention > 0 {
				go purgeWebhookDeliveries(ctx, svc, a.cfg.Webhooks.Retention, log)
			}
			webhooks.Start(ctx)
			log.Info("roster listening",
				slog.String("addr", srv.Addr()),
				slog.String("store", storeKind(a.cfg.Database)),
				slog.Int("hash_workers", svc.Hashes().Workers()),
				slog.String("rate_limits", limiterKind(a.cfg.RedisURL)))
			if err := srv.Serve(ctx, a.cfg.ShutdownGrace); err != nil {
				return err
			}
			webhooks.Stop()
			log.Info("roster stopped")
			return nil
		},
	}
	e := &envFlags{fs: cmd.Flags()}
	a.cfg.registerServeFlags(e)
	a.flags = append(a.flags, e)
	return cmd
}

// purgeIdempotency forgets expired Idempotency-Keys every hour until ctx ends.
func purgeIdempotency(ctx context.Context, svc *core.Service, log *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if n, err := svc.PurgeIdempotency(ctx); err != nil && ctx.Err() == nil {
			log.Warn("purge idempotency records", slog.Any("error", err))
		} else if n > 0 {
			log.Info("purged idempotency records", slog.Int64("count", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// purgeWebhookDeliveries removes finished webhook deliveries older than
// retention, with their attempts, every hour until ctx ends.
func purgeWebhookDeliveries(ctx context.Context, svc *core.Service, retention time.Duration, log *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if n, err := svc.PurgeWebhookDeliveries(ctx, retention); err != nil && ctx.Err() == nil {
			log.Warn("purge webhook deliveries", slog.Any("error", err))
		} else if n > 0 {
			log.Info("purged webhook deliveries", slog.Int64("count", n), slog.Duration("retention", retention))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// storeKind names the store for logs without printing its URL, which may
// hold a password.
func storeKind(url string) string {
	if store.IsPostgresURL(url) {
		return "postgres"
	}
	return "sqlite:" + url
}

// limiterKind says where the rate limits' buckets are, for logs, without
// the Redis URL, which may hold a password.
func limiterKind(redisURL string) string {
	if redisURL == "" {
		return "memory"
	}
	return "redis"
}
