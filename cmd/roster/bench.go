package main

import (
	"github.com/spf13/cobra"

	"github.com/rosterhq/roster/internal/bench"
	"github.com/rosterhq/roster/internal/core"
)

func (a *app) benchCommand() *cobra.Command {
	var cfg bench.Config
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "bench [--users N] [--rate R] [--duration D] [--json]",
		Short: "Measure hash rate, create-user throughput and read latency on an in-process server",
		Long: `Measure, on this machine, what DESIGN §7 sets bars for, against a Roster server
started in this process:

  1. the raw argon2id hash rate of the server's hash pool (--users hashes, from
     4 goroutines per hashing worker);
  2. create-user throughput over HTTP (--users POST /api/users at the same
     concurrency) and its ratio to the hash rate (target >= 0.90);
  3. GET /api/users/{id} latency, sent open loop at --rate requests/s for
     --duration: p50, p90, p99, max, errors, achieved rate (target p99 < 5ms).

The store: a new SQLite file in a temporary directory, removed afterwards,
unless --database is given on the command line (ROSTER_DATABASE_URL is
ignored, so a configured database is never written to by accident). On a
given database the run leaves a tenant "Bench <id>" and its users behind:
use a throwaway one. Hashing follows --argon2-* and --hash-workers (default
OWASP m=19456 t=2 p=1, one worker per core). Request logs are off unless
--log-level is given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f := cmd.Flag("database"); f != nil && f.Changed {
				cfg.Database = a.cfg.Database
			}
			if f := cmd.Flag("log-level"); f == nil || !f.Changed {
				a.cfg.LogLevel = "warn"
			}
			cfg.Hashing = core.HashPoolConfig{Params: a.cfg.Argon2, Workers: a.cfg.HashPool, Queue: a.cfg.HashQueue, Wait: a.cfg.HashWait}
			cfg.Log = a.logger()
			if !asJSON {
				cfg.Progress = cmd.OutOrStdout()
			}
			res, err := bench.Run(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			if asJSON {
				return res.WriteJSON(cmd.OutOrStdout())
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&cfg.Users, "users", bench.DefaultUsers, "N: argon2id hashes measured, then users created over HTTP")
	cmd.Flags().IntVar(&cfg.Rate, "rate", bench.DefaultRate, "GET /api/users/{id} requests per second (open loop)")
	cmd.Flags().DurationVar(&cfg.Duration, "duration", bench.DefaultDuration, "how long reads are sent")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as one JSON object")
	cmd.AddCommand(a.benchImportCommand())
	return cmd
}
