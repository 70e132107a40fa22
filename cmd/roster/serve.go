package main

import (
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/rosterhq/roster/internal/api"
	"github.com/rosterhq/roster/internal/store"
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
			srv, err := api.Listen(a.cfg.Listen, api.NewHandler(api.Deps{Service: svc, Store: st, Log: log}), log)
			if err != nil {
				return err
			}
			log.Info("roster listening",
				slog.String("addr", srv.Addr()),
				slog.String("store", storeKind(a.cfg.Database)),
				slog.Int("hash_workers", svc.Hashes().Workers()))
			if err := srv.Serve(ctx, a.cfg.ShutdownGrace); err != nil {
				return err
			}
			log.Info("roster stopped")
			return nil
		},
	}
	e := &envFlags{fs: cmd.Flags()}
	a.cfg.registerServeFlags(e)
	a.flags = append(a.flags, e)
	return cmd
}

// storeKind names the store for logs without printing its URL, which may
// hold a password.
func storeKind(url string) string {
	if store.IsPostgresURL(url) {
		return "postgres"
	}
	return "sqlite:" + url
}
