package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/importer"
)

// importFlags are `roster import`'s own settings.
type importFlags struct {
	clientID, server, apiKey string
	opts                     importer.FileOptions
	match                    string
}

func (a *app) importCommand() *cobra.Command {
	var f importFlags
	cmd := &cobra.Command{
		Use:   "import FILE (--tenant CLIENT_ID | --server URL --api-key KEY) [--resume]",
		Short: "Import users from a CSV or JSON-lines file, resumably",
		Long: `Import users from FILE: CSV with a header row naming the fields, or JSON lines
(one user per line), told apart by the extension (.csv; .jsonl, .ndjson, .json)
or --format. The fields are those of POST /api/v1/users/import: email, name,
password or password_hash (bcrypt, argon2id/argon2i, scrypt, PBKDF2, firebase-scrypt),
role, active, externalId, ... Rows are matched to existing users by --match
(email or externalId) and created, updated or left unchanged.

Against a store (--database, as the platform operator acting on --tenant) or a
running server (--server and --api-key, or ROSTER_IMPORT_API_KEY). The file is
streamed in batches; refused rows go to the errors file with their reasons;
after each committed batch a checkpoint (FILE.checkpoint) is written, so that
an interrupted import continues with --resume, importing no row twice.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runImport(cmd, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.clientID, "tenant", "", "import into this tenant (client ID), straight into the store")
	fl.StringVar(&f.server, "server", "", "import through this Roster server (base URL) instead of the store")
	fl.StringVar(&f.apiKey, "api-key", os.Getenv("ROSTER_IMPORT_API_KEY"), "the tenant's API key for --server (env ROSTER_IMPORT_API_KEY)")
	fl.StringVar(&f.opts.Format, "format", "", "csv or jsonl (default: from the extension)")
	fl.StringVar(&f.opts.ErrorsPath, "errors", "", "where refused rows go (default FILE.errors.jsonl)")
	fl.BoolVar(&f.opts.Resume, "resume", false, "continue the interrupted import of FILE from its checkpoint")
	fl.StringVar(&f.match, "match", "email", "how rows find the users they update: email or externalId")
	fl.IntVar(&f.opts.BatchSize, "batch-size", importer.DefaultBatchSize, "rows per transaction")
	fl.IntVar(&f.opts.Workers, "workers", 1, "batches imported at once (more overlaps the store's work; see roster bench import)")
	return cmd
}

func (a *app) runImport(cmd *cobra.Command, path string, f importFlags) error {
	ctx := cmd.Context()
	switch {
	case (f.clientID == "") == (f.server == ""):
		return errors.New("give either --tenant (import into the store) or --server (import through a server)")
	case f.server != "" && f.apiKey == "":
		return errors.New("--server needs --api-key (or ROSTER_IMPORT_API_KEY)")
	case f.match != string(core.MatchEmail) && f.match != string(core.MatchExternalID):
		return fmt.Errorf("--match %q: must be email or externalId", f.match)
	case f.opts.BatchSize < 1 || f.opts.BatchSize > core.MaxImportBatch:
		return fmt.Errorf("--batch-size %d: must be between 1 and %d", f.opts.BatchSize, core.MaxImportBatch)
	case f.opts.Workers < 1:
		return fmt.Errorf("--workers %d: must be at least 1", f.opts.Workers)
	}
	opts := f.opts
	opts.Path = path
	if f.server != "" {
		opts.Import = importer.ServerImport(&http.Client{}, f.server, f.apiKey, f.match)
	} else {
		svc, st, err := a.openService(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		actor, err := tenantActor(ctx, svc, f.clientID)
		if err != nil {
			return err
		}
		opts.Import = importer.StoreImport(svc, actor, core.ImportMatch(f.match))
	}
	opts.Progress, opts.Terminal, opts.ProgressInterval = a.stderr, isTerminal(a.stderr), 5*time.Second
	sum, err := importer.ImportFile(ctx, opts)
	if err != nil {
		if sum.Rows() > 0 {
			fmt.Fprintf(a.stderr, "import interrupted after %d rows; run again with --resume to continue\n", sum.Rows())
		}
		return err
	}
	errorsPath := opts.ErrorsPath
	if errorsPath == "" {
		errorsPath = path + ".errors.jsonl"
	}
	fmt.Fprintf(cmd.OutOrStdout(), "imported %s: %d created, %d updated, %d unchanged, %d refused (reasons in %s)\n",
		path, sum.Created, sum.Updated, sum.Unchanged, sum.Error, errorsPath)
	return nil
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
