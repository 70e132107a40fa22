package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/importer"
	"github.com/rosterhq/roster/internal/store"
)

func (a *app) benchImportCommand() *cobra.Command {
	var users, batch, workers int
	cmd := &cobra.Command{
		Use:   "import [--users N] [--batch-size B] [--workers W] [--database URL]",
		Short: "Measure bulk import of pre-hashed users into the store (users/s, RSS)",
		Long: `Generate N users with a pre-hashed (bcrypt) password as a stream of JSON lines
and import them exactly as "roster import FILE --tenant ..." imports a file:
decoded line by line, batched, validated by the core, written in one
transaction per batch (COPY on PostgreSQL). Prints the parameters, the core
count, and at 100,000 users, at 1,000,000 and at the end: users/s so far, the
process's RSS and peak RSS (VmRSS, VmHWM).

The store: a new SQLite file in a temporary directory, removed afterwards,
unless --database is given on the command line (ROSTER_DATABASE_URL is
ignored); a given database keeps a tenant "Bench import <time>" and its users:
use a throwaway one.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if f := cmd.Flag("database"); f == nil || !f.Changed {
				dir, err := os.MkdirTemp("", "roster-bench-import-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				a.cfg.Database = filepath.Join(dir, "bench.db")
			}
			if users < 1 || batch < 1 || batch > core.MaxImportBatch || workers < 1 {
				return fmt.Errorf("--users and --workers must be at least 1, --batch-size between 1 and %d", core.MaxImportBatch)
			}
			svc, st, err := a.openService(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			t, err := svc.CreateTenant(ctx, core.CreateTenant{Name: "Bench import " + time.Now().UTC().Format("2006-01-02T15:04:05")})
			if err != nil {
				return err
			}
			label := "SQLite"
			if store.IsPostgresURL(a.cfg.Database) {
				label = "PostgreSQL"
			}
			_, err = importer.Bench(ctx, importer.BenchOptions{
				Users: users, BatchSize: batch, Workers: workers,
				Import: importer.StoreImport(svc, core.OperatorFor(t.Tenant), core.MatchEmail),
				Marks:  []int{100_000, 1_000_000},
				Out:    cmd.OutOrStdout(),
				Label:  label,
			})
			return err
		},
	}
	cmd.Flags().IntVar(&users, "users", 1_000_000, "users to generate and import")
	cmd.Flags().IntVar(&batch, "batch-size", importer.DefaultBatchSize, "rows per transaction")
	cmd.Flags().IntVar(&workers, "workers", 1, "batches imported at once")
	return cmd
}
