package core

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fastParams keep argon2id cheap in tests that are not about its cost.
var fastParams = Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newTestPool(t *testing.T, cfg HashPoolConfig) *HashPool {
	t.Helper()
	if cfg.Params == (Argon2Params{}) {
		cfg.Params = fastParams
	}
	p, err := NewHashPool(cfg)
	if err != nil {
		t.Fatalf("NewHashPool: %v", err)
	}
	return p
}

func TestHashPoolNeverExceedsWorkers(t *testing.T) {
	const workers, callers = 3, 40
	p := newTestPool(t, HashPoolConfig{Workers: workers, Queue: callers})
	var active, peak atomic.Int32
	p.hash = func(string, Argon2Params) (string, error) {
		n := active.Add(1)
		for {
			old := peak.Load()
			if n <= old || peak.CompareAndSwap(old, n) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
		active.Add(-1)
		return "h", nil
	}
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := p.Hash(context.Background(), "password"); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Hash: %v", err)
	}
	if got := peak.Load(); got != workers {
		t.Fatalf("peak concurrent hashes: got %d, want exactly %d", got, workers)
	}
}

// blockingPool returns a pool whose hashes wait for release to be closed,
// and a channel that receives once per hash that has started.
func blockingPool(t *testing.T, cfg HashPoolConfig) (p *HashPool, started chan struct{}, release chan struct{}) {
	p = newTestPool(t, cfg)
	started, release = make(chan struct{}, 100), make(chan struct{})
	p.hash = func(string, Argon2Params) (string, error) {
		started <- struct{}{}
		<-release
		return "h", nil
	}
	return p, started, release
}

func TestHashPoolBusyWhenQueueFull(t *testing.T) {
	p, started, release := blockingPool(t, HashPoolConfig{Workers: 1, Queue: 1, Wait: time.Minute})
	var wg sync.WaitGroup
	for range 2 { // one runs, one waits in the queue
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := p.Hash(context.Background(), "password"); err != nil {
				t.Errorf("admitted hash: %v", err)
			}
		}()
	}
	<-started
	// Wait until the second caller holds its queue place.
	for deadline := time.Now().Add(5 * time.Second); len(p.admitted) < 2; {
		if time.Now().After(deadline) {
			t.Fatal("second caller never queued")
		}
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	_, err := p.Hash(context.Background(), "password")
	e := AsError(err)
	if e == nil || e.Code != Busy || e.Retry <= 0 {
		t.Fatalf("third caller: got %v, want Busy with a retry hint", err)
	}
	if waited := time.Since(start); waited > time.Second {
		t.Fatalf("a full queue should refuse at once, waited %v", waited)
	}
	close(release)
	wg.Wait()
}

func TestHashPoolBusyAfterWait(t *testing.T) {
	p, started, release := blockingPool(t, HashPoolConfig{Workers: 1, Queue: 10, Wait: 30 * time.Millisecond})
	go func() { _, _ = p.Hash(context.Background(), "password") }()
	<-started
	_, err := p.Hash(context.Background(), "password")
	if ErrorCodeOf(err) != Busy {
		t.Fatalf("waiting caller: got %v, want Busy after the wait bound", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p.wait = time.Minute
	if _, err := p.Hash(ctx, "password"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: got %v, want context.Canceled", err)
	}
	close(release)
}

func TestArgon2idRoundTrip(t *testing.T) {
	p := newTestPool(t, HashPoolConfig{Workers: 1})
	ctx := context.Background()
	h, err := p.Hash(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") || strings.Count(h, "$") != 5 {
		t.Fatalf("hash %q is not a PHC argon2id string with the pool's parameters", h)
	}
	ok, stale, err := p.Verify(ctx, "correct horse battery", h)
	if err != nil || !ok || stale {
		t.Fatalf("Verify(right) = %v, %v, %v; want true, false, nil", ok, stale, err)
	}
	ok, _, err = p.Verify(ctx, "wrong horse battery", h)
	if err != nil || ok {
		t.Fatalf("Verify(wrong) = %v, %v; want false, nil", ok, err)
	}

	stronger := newTestPool(t, HashPoolConfig{Params: Argon2Params{MemoryKiB: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	ok, stale, err = stronger.Verify(ctx, "correct horse battery", h)
	if err != nil || !ok || !stale {
		t.Fatalf("Verify under new parameters = %v, %v, %v; want true, stale, nil", ok, stale, err)
	}
	for _, bad := range []string{"", "plain", "$argon2id$v=19$m=64,t=1,p=1$salt", "$argon2d$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA"} {
		if ok, _, err := p.Verify(ctx, "x", bad); err == nil || ok {
			t.Errorf("Verify against %q = %v, %v; want an error", bad, ok, err)
		}
	}
}

func TestArgon2ParamsValidate(t *testing.T) {
	if err := DefaultArgon2Params.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if DefaultArgon2Params.MemoryKiB != 19456 || DefaultArgon2Params.Time != 2 || DefaultArgon2Params.Threads != 1 {
		t.Fatalf("defaults are not OWASP's m=19 MiB, t=2, p=1: %+v", DefaultArgon2Params)
	}
	for _, bad := range []Argon2Params{
		{MemoryKiB: 4, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		{MemoryKiB: 1024, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32},
		{MemoryKiB: 1024, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32},
		{MemoryKiB: 1024, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", bad)
		}
	}
}
