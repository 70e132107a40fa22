package core

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"
)

// HashPoolConfig bounds password hashing, so that a burst of creates cannot
// take unbounded memory (each argon2id hash holds MemoryKiB while it runs).
type HashPoolConfig struct {
	Params  Argon2Params
	Workers int           // hashes running at once; 0: one per core
	Queue   int           // callers allowed to wait for a worker; 0: 64 per worker
	Wait    time.Duration // how long a caller may wait; 0: 5s
}

// HashPool runs password hashing and verification on a fixed number of
// workers with a bounded queue. A caller that finds the queue full, or waits
// longer than Wait, gets a Busy error carrying a retry hint.
type HashPool struct {
	params Argon2Params
	wait   time.Duration
	// admitted holds one token per caller inside the pool (running or
	// queued); workers holds one per caller running.
	admitted chan struct{}
	workers  chan struct{}

	// hash and verify are the functions run on a worker; tests replace them
	// to measure concurrency without paying for argon2id.
	hash   func(password string, p Argon2Params) (string, error)
	verify func(password, encoded string, p Argon2Params) (ok, stale bool, err error)
}

// NewHashPool returns a pool for cfg, filling in defaults.
func NewHashPool(cfg HashPoolConfig) (*HashPool, error) {
	if cfg.Params == (Argon2Params{}) {
		cfg.Params = DefaultArgon2Params
	}
	if err := cfg.Params.Validate(); err != nil {
		return nil, err
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.Queue < 0 {
		return nil, fmt.Errorf("hash queue %d: must not be negative", cfg.Queue)
	}
	if cfg.Queue == 0 {
		cfg.Queue = 64 * cfg.Workers
	}
	if cfg.Wait <= 0 {
		cfg.Wait = 5 * time.Second
	}
	return &HashPool{
		params:   cfg.Params,
		wait:     cfg.Wait,
		admitted: make(chan struct{}, cfg.Workers+cfg.Queue),
		workers:  make(chan struct{}, cfg.Workers),
		hash:     hashArgon2id,
		verify:   verifyPassword,
	}, nil
}

// Params returns the parameters new hashes are made with.
func (p *HashPool) Params() Argon2Params { return p.params }

// Workers returns how many hashes may run at once.
func (p *HashPool) Workers() int { return cap(p.workers) }

// Hash returns password's hash in PHC form. Errors: Busy when the pool is
// saturated; the context's error when ctx ends first.
func (p *HashPool) Hash(ctx context.Context, password string) (string, error) {
	var out string
	err := p.run(ctx, func() (err error) {
		out, err = p.hash(password, p.params)
		return err
	})
	return out, err
}

// Verify checks password against an encoded hash. stale reports that the
// hash should be redone at the current parameters. Errors: Busy, the
// context's error, or an error for an unreadable hash.
func (p *HashPool) Verify(ctx context.Context, password, encoded string) (ok, stale bool, err error) {
	err = p.run(ctx, func() (err error) {
		ok, stale, err = p.verify(password, encoded, p.params)
		return err
	})
	return ok, stale, err
}

func (p *HashPool) run(ctx context.Context, fn func() error) error {
	select {
	case p.admitted <- struct{}{}:
	default:
		return p.busy("the password hashing queue is full")
	}
	defer func() { <-p.admitted }()

	timer := time.NewTimer(p.wait)
	defer timer.Stop()
	select {
	case p.workers <- struct{}{}:
	case <-timer.C:
		return p.busy("timed out waiting for a password hashing worker")
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-p.workers }()
	return fn()
}

func (p *HashPool) busy(msg string) error {
	return &Error{Code: Busy, Message: "the server is busy hashing passwords; retry shortly", Retry: time.Second, Err: fmt.Errorf("%s", msg)}
}

// verifyPassword verifies against any hash format Roster stores: argon2
// (password.go) and the imported formats (importedhash.go), chosen by the
// hash's prefix. An imported hash is always stale, so it is redone as
// argon2id at the first successful login. An unknown format is an error.
func verifyPassword(password, encoded string, current Argon2Params) (ok, stale bool, err error) {
	if strings.HasPrefix(encoded, "$argon2") {
		return verifyArgon2(password, encoded, current)
	}
	ok, handled, err := verifyImported(password, encoded)
	if !handled {
		return false, false, errors.New("unrecognized password hash format")
	}
	if err != nil {
		return false, false, err
	}
	return ok, true, nil
}
