// Package bench is `roster bench`: it measures, on the machine it runs on,
// the figures DESIGN §7 sets bars for, against a real Roster server started
// in process (api.Listen on a loopback port, api.NewHandler with a token
// issuer) over a real store:
//
//  1. the raw argon2id hash rate of the server's own hash pool: N hashes
//     from 4 goroutines per hashing worker;
//  2. create-user throughput over HTTP (POST /api/users with seed 000's
//     payload, unique emails) at the same concurrency for the same N, and its
//     ratio to the hash rate (bar: >= 0.9);
//  3. the latency of API-key-authenticated reads (GET /api/users/{id} of the
//     users made in step 2) sent open loop at a fixed rate: requests leave on
//     a schedule, never waiting for earlier answers (bar: p99 < 5 ms at
//     1,000 requests/s).
//
// By default the run uses a new SQLite file in a temporary directory,
// removed afterwards, so that every run starts from an empty store. Given a
// database URL it uses that store instead, and leaves its tenant ("Bench
// <run id>") and users there: point it at a throwaway database.
//
// The client runs in the same process as the server, so both share the
// machine's cores, as a create's hashing and its HTTP handling do in
// production. Figures are only comparable between runs that print the same
// first line (cores, GOMAXPROCS, store, argon2 parameters, workers).
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/rosterhq/roster/internal/api"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
	"github.com/rosterhq/roster/internal/token"
)

// Config says what to measure and where.
type Config struct {
	// Database is the store's URL (see store.Open). Empty: a new SQLite
	// file in a temporary directory, removed when Run returns.
	Database string
	// Hashing configures the hash pool the server uses and the raw hash
	// rate is measured on. Zero fields take core's defaults: OWASP
	// parameters and one worker per GOMAXPROCS.
	Hashing core.HashPoolConfig
	// Users is N: the hashes measured, and the users created over HTTP.
	// At least 1.
	Users int
	// Rate (requests per second) and Duration shape the read measurement:
	// Rate*Duration requests in all, at least 1.
	Rate     int
	Duration time.Duration
	// Log receives the server's log; nil discards it.
	Log *slog.Logger
	// Progress, when set, receives the text report line by line as the
	// measurements finish (see Result.WriteText).
	Progress io.Writer
}

// Defaults for Config's sizes, as `roster bench` offers them.
const (
	DefaultUsers    = 200
	DefaultRate     = 1000
	DefaultDuration = 10 * time.Second
)

// Bars from DESIGN §7, printed next to the figures.
const (
	CreateRatioBar = 0.9
	ReadP99Bar     = 5 * time.Millisecond
)

// callersPerWorker is how many goroutines per hashing worker drive the
// hash and create measurements: enough that a worker never waits for work.
const callersPerWorker = 4

// setDefaults fills in the hashing defaults and a discarding logger, and
// checks the sizes.
func (c *Config) setDefaults() error {
	if c.Hashing.Params == (core.Argon2Params{}) {
		c.Hashing.Params = core.DefaultArgon2Params
	}
	if c.Hashing.Workers <= 0 {
		c.Hashing.Workers = runtime.GOMAXPROCS(0)
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	switch {
	case c.Users < 1:
		return fmt.Errorf("users %d: must be at least 1", c.Users)
	case c.Rate < 1:
		return fmt.Errorf("rate %d: must be at least 1 request per second", c.Rate)
	case c.Duration <= 0:
		return fmt.Errorf("duration %s: must be positive", c.Duration)
	case int64(c.Duration.Seconds()*float64(c.Rate)) < 1:
		return fmt.Errorf("rate %d for %s: sends no request", c.Rate, c.Duration)
	}
	return nil
}

// Run starts a server over the configured store, creates a tenant through
// the core service, and takes the three measurements. Errors: a bad Config;
// the store, tenant or server failing to start; a hash or a create failing
// (a benchmark with failed creates measures nothing). Failed reads are
// counted in the result, not returned.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.setDefaults(); err != nil {
		return Result{}, err
	}
	res := Result{
		Cores: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		Argon2:  argon2Of(cfg.Hashing.Params),
		Workers: cfg.Hashing.Workers, Callers: callersPerWorker * cfg.Hashing.Workers,
		Users: cfg.Users, Rate: cfg.Rate, DurationSeconds: cfg.Duration.Seconds(),
	}

	dbURL := cfg.Database
	switch {
	case dbURL == "":
		dir, err := os.MkdirTemp("", "roster-bench-")
		if err != nil {
			return Result{}, err
		}
		defer os.RemoveAll(dir)
		dbURL = filepath.Join(dir, "roster.db")
		res.Store = "sqlite (new temporary file)"
	case store.IsPostgresURL(dbURL):
		res.Store = "postgres" // never the URL: it may hold a password
	default:
		res.Store = "sqlite " + dbURL
	}
	res.writeHeader(cfg.Progress)

	pool, err := core.NewHashPool(cfg.Hashing)
	if err != nil {
		return Result{}, err
	}
	st, err := store.OpenMigrated(ctx, dbURL)
	if err != nil {
		return Result{}, err
	}
	defer st.Close()
	svc := core.NewService(st, pool)

	srv, stop, err := startServer(ctx, svc, st, cfg.Log)
	if err != nil {
		return Result{}, err
	}
	defer stop()

	runID, err := newRunID()
	if err != nil {
		return Result{}, err
	}
	tenant, err := svc.CreateTenant(ctx, core.CreateTenant{Name: "Bench " + runID})
	if err != nil {
		return Result{}, fmt.Errorf("create the bench tenant: %w", err)
	}
	c := newClient("http://"+srv.Addr(), tenant.APIKey)
	defer c.close()

	if res.Hash, err = measureHashes(ctx, pool, cfg.Users, res.Callers); err != nil {
		return Result{}, err
	}
	res.writeHash(cfg.Progress)

	var ids []int64
	if res.Create, ids, err = measureCreates(ctx, c, runID, cfg.Users, res.Callers); err != nil {
		return Result{}, err
	}
	res.Create.Ratio = res.Create.PerSecond / res.Hash.PerSecond
	res.writeCreate(cfg.Progress)

	res.Read = measureReads(ctx, c, ids, cfg.Rate, cfg.Duration)
	res.writeRead(cfg.Progress)
	return res, ctx.Err()
}

// startServer serves Roster's handler over svc on a free loopback port. stop
// shuts it down and waits.
func startServer(ctx context.Context, svc *core.Service, st core.Store, log *slog.Logger) (*api.Server, func(), error) {
	srv, err := api.Listen("127.0.0.1:0", nil, log)
	if err != nil {
		return nil, nil, err
	}
	tokens, err := token.NewIssuer(ctx, st, token.Config{Issuer: "http://" + srv.Addr()})
	if err != nil {
		closed, cancel := context.WithCancel(context.Background())
		cancel()
		_ = srv.Serve(closed, 0) // closes the listener
		return nil, nil, err
	}
	srv.SetHandler(api.NewHandler(api.Deps{Service: svc, Store: st, Tokens: tokens, Log: log}))
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx, 5*time.Second) }()
	stop := func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			log.Warn("bench: stop server", slog.Any("error", err))
		}
	}
	return srv, stop, nil
}

// newRunID names this run's tenant and users, so that runs sharing a
// database never collide.
func newRunID() (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}
