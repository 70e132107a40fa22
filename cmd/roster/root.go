package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// app holds what the commands share: settings, output streams, and the
// environment-flag errors to report before anything runs.
type app struct {
	cfg    config
	stdout io.Writer
	stderr io.Writer
	flags  []*envFlags
}

// run executes the command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stderr, "roster:", err)
		var coded *core.Error
		if errors.As(err, &coded) && coded.Code == core.Invalid {
			return 2
		}
		return 1
	}
	return 0
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "roster",
		Short:         "Roster: multi-tenant user provisioning over four documented APIs",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			for _, f := range a.flags {
				if err := f.err(); err != nil {
					return err
				}
			}
			return a.cfg.Validate()
		},
	}
	root.CompletionOptions.DisableDefaultCmd = true
	a.flags = append(a.flags, a.storeFlags(root))
	root.AddCommand(a.serveCommand(), a.migrateCommand(), a.tenantCommand(), a.apikeyCommand(), a.keysCommand(), a.versionCommand(), a.benchCommand(), a.importCommand())
	return root
}

// storeFlags registers the store and hashing flags on cmd for all its
// subcommands.
func (a *app) storeFlags(cmd *cobra.Command) *envFlags {
	e := &envFlags{fs: cmd.PersistentFlags()}
	a.cfg.registerStoreFlags(e)
	return e
}

// logger builds the process logger: slog to stderr, with the request id of
// the context on every line.
func (a *app) logger() *slog.Logger {
	level, _ := parseLevel(a.cfg.LogLevel) // checked by Validate
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	if a.cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(a.stderr, opts)
	} else {
		h = slog.NewTextHandler(a.stderr, opts)
	}
	return slog.New(httpkit.ContextHandler{Handler: h})
}

// openService opens and migrates the store and builds the core service on
// it. The caller closes the store.
func (a *app) openService(ctx context.Context) (*core.Service, store.Store, error) {
	pool, err := core.NewHashPool(core.HashPoolConfig{
		Params: a.cfg.Argon2, Workers: a.cfg.HashPool, Queue: a.cfg.HashQueue, Wait: a.cfg.HashWait,
	})
	if err != nil {
		return nil, nil, err
	}
	st, err := store.OpenMigrated(ctx, a.cfg.Database)
	if err != nil {
		return nil, nil, err
	}
	return core.NewService(st, pool), st, nil
}

// tenantActor resolves a client ID to the operator acting on that tenant.
func tenantActor(ctx context.Context, svc *core.Service, clientID string) (core.Actor, error) {
	t, err := svc.TenantByClientID(ctx, clientID)
	if err != nil {
		if core.ErrorCodeOf(err) == core.NotFound {
			return core.Actor{}, fmt.Errorf("--tenant %s: no such tenant", clientID)
		}
		return core.Actor{}, err
	}
	return core.OperatorFor(t), nil
}
