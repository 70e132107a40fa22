package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/egress"
)

// Queue is the part of core.Service the dispatcher drives (see their doc
// comments there). *core.Service implements it.
type Queue interface {
	FanOutEvents(ctx context.Context, limit int) (int, error)
	ClaimDeliveries(ctx context.Context, worker string, limit int, lease time.Duration) ([]core.ClaimedDelivery, error)
	RecordDeliveryAttempt(ctx context.Context, worker string, deliveryID int64, at core.WebhookAttempt, outcome core.DeliveryOutcome) error
}

var _ Queue = (*core.Service)(nil)

// Defaults of Config's zero fields.
const (
	DefaultWorkers   = 8
	DefaultPoll      = time.Second
	DefaultBatch     = 100
	DefaultStopGrace = 20 * time.Second // above DefaultTimeout: an attempt begun at the stop may finish
)

// Config tunes a Dispatcher. Zero fields take the defaults.
type Config struct {
	Worker    string        // lease owner; default host-pid-random, unique per process
	Workers   int           // attempts in flight at once (ROSTER_WEBHOOK_WORKERS)
	Schedule  Schedule      // retry delays (ROSTER_WEBHOOK_SCHEDULE); DefaultSchedule
	Timeout   time.Duration // per attempt (ROSTER_WEBHOOK_TIMEOUT); DefaultTimeout
	Poll      time.Duration // idle wait between looks at the outbox (ROSTER_WEBHOOK_POLL)
	Batch     int           // events fanned out per transaction
	Policy    egress.Policy // what the client may reach
	StopGrace time.Duration // how long Run waits for in-flight attempts after its context ends
	Logger    *slog.Logger
	// Rand, when set, replaces math/rand for the schedule's jitter (tests).
	Rand func() float64
}

// Dispatcher moves events from the outbox to the receivers: it fans events
// out into deliveries, leases due deliveries, sends them with a bounded
// number in flight and records each attempt with its outcome. Every Roster
// process runs one; the leases (SKIP LOCKED on PostgreSQL) keep two
// processes from sending the same delivery while a lease holds.
type Dispatcher struct {
	q      Queue
	cfg    Config
	client *Client
	log    *slog.Logger
	lease  time.Duration
	wake   chan struct{}
	slots  chan struct{} // one token per attempt in flight
	wg     sync.WaitGroup
}

// New returns a dispatcher over q; call Run to start it.
func New(q Queue, cfg Config) *Dispatcher {
	if cfg.Worker == "" {
		cfg.Worker = defaultWorkerName()
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if len(cfg.Schedule) == 0 {
		cfg.Schedule = DefaultSchedule
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.StopGrace <= 0 {
		cfg.StopGrace = DefaultStopGrace
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{
		q:      q,
		cfg:    cfg,
		client: NewClient(cfg.Policy, cfg.Timeout),
		log:    cfg.Logger.With("component", "webhooks", "worker", cfg.Worker),
		// The lease outlives an attempt (its timeout) by a margin for
		// recording it; a crashed process's leases expire after it.
		lease: LeaseFor(cfg.Timeout),
		wake:  make(chan struct{}, 1),
		slots: make(chan struct{}, cfg.Workers),
	}
}

// recordTimeout bounds the recording of an attempt.
const recordTimeout = 10 * time.Second

// LeaseFor is how long a delivery stays leased to the process sending it
// with attempt timeout timeout: the attempt and its recording, each at its
// longest, plus the timeout again to spare, so that a lease never expires
// while its holder still works on it (else another claim could send the
// delivery a second time). After a crash, the process's deliveries are
// sent again once it has passed.
func LeaseFor(timeout time.Duration) time.Duration { return 2*timeout + recordTimeout }

// Wake makes an idle dispatcher look at the outbox now instead of at the
// end of its poll interval (call it after committing an event).
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run dispatches until ctx ends, then stops claiming and waits for the
// attempts in flight, at most StopGrace; attempts still running then are
// abandoned unrecorded and their leases expire (they are sent again later,
// by this or another process). Failures of the store are logged and retried
// at the next poll, so Run returns only when ctx ends, with nil.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.log.Info("webhook dispatcher started", "workers", d.cfg.Workers, "schedule", d.cfg.Schedule.String(),
		"timeout", d.cfg.Timeout, "lease", d.lease, "allow_http", d.cfg.Policy.AllowHTTP, "allow_private", d.cfg.Policy.AllowPrivate)
	// Attempts get their own context: stopping Run lets them finish.
	sendCtx, abandon := context.WithCancel(context.WithoutCancel(ctx))
	defer abandon()

	idle := time.NewTimer(0)
	defer idle.Stop()
	for {
		busy := d.step(ctx, sendCtx)
		if ctx.Err() != nil {
			break
		}
		wait := d.cfg.Poll
		if busy {
			wait = 0
		}
		idle.Reset(wait)
		select {
		case <-ctx.Done():
		case <-d.wake:
		case <-idle.C:
		}
		if ctx.Err() != nil {
			break
		}
	}
	return d.drain(abandon)
}

// drain waits for the attempts in flight, bounded, then abandons the rest.
func (d *Dispatcher) drain(abandon context.CancelFunc) error {
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	bound := d.cfg.StopGrace
	select {
	case <-done:
		d.log.Info("webhook dispatcher stopped")
	case <-time.After(bound):
		abandon()
		<-done
		d.log.Warn("webhook dispatcher stopped with attempts abandoned", "waited", bound)
	}
	return nil
}

// step fans out and claims once. It reports whether there may be more work
// right away (a full batch, or a claim that filled every free slot).
func (d *Dispatcher) step(ctx, sendCtx context.Context) (busy bool) {
	n, err := d.q.FanOutEvents(ctx, d.cfg.Batch)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("webhook fan-out failed", "err", err)
		}
		return false
	}
	busy = n == d.cfg.Batch

	free := d.cfg.Workers - len(d.slots)
	if free <= 0 {
		// Every worker is busy: a finishing attempt wakes the loop.
		return false
	}
	claimed, err := d.q.ClaimDeliveries(ctx, d.cfg.Worker, free, d.lease)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("webhook claim failed", "err", err)
		}
		return busy
	}
	for _, cd := range claimed {
		d.slots <- struct{}{}
		d.wg.Add(1)
		go func() {
			defer func() {
				<-d.slots
				d.wg.Done()
				d.Wake()
			}()
			d.attempt(sendCtx, cd)
		}()
	}
	return busy || len(claimed) == free
}

// attempt sends one claimed delivery and records the attempt.
func (d *Dispatcher) attempt(ctx context.Context, cd core.ClaimedDelivery) {
	del, ep := cd.Delivery, cd.Endpoint
	at := time.Now()
	res := d.client.Send(ctx, ep.URL, ep.SigningSecrets(at), del.MessageID, at, del.Payload)
	if ctx.Err() != nil {
		// Abandoned at a bounded stop: not the receiver's failure. The
		// lease expires and another attempt follows.
		return
	}
	attempts := del.Attempts + 1
	outcome := d.outcome(ep, attempts, res, time.Now())
	record := core.WebhookAttempt{
		DeliveryID:      del.ID,
		TenantID:        del.TenantID,
		At:              at,
		StatusCode:      res.StatusCode,
		Latency:         res.Latency,
		Error:           res.Err,
		ResponseExcerpt: res.Excerpt,
	}
	// Recording must survive a stop that began during the attempt.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	err := d.q.RecordDeliveryAttempt(rctx, d.cfg.Worker, del.ID, record, outcome)

	attrs := []any{"tenant_id", del.TenantID, "endpoint_id", ep.ID, "delivery_id", del.ID,
		"event_type", del.EventType, "webhook_id", del.MessageID, "attempt", attempts,
		"status_code", res.StatusCode, "latency_ms", res.Latency.Milliseconds()}
	switch {
	case err != nil && core.ErrorCodeOf(err) == core.NotFound:
		d.log.Warn("webhook attempt not recorded: lease lost", append(attrs, "attempt_error", res.Err)...)
	case err != nil:
		d.log.Error("webhook attempt not recorded", append(attrs, "attempt_error", res.Err, "err", err)...)
	case outcome.Succeeded:
		d.log.Info("webhook delivered", attrs...)
	case outcome.GiveUp:
		d.log.Warn("webhook delivery failed for good; endpoint disabled", append(attrs, "attempt_error", res.Err, "ended_by_receiver", outcome.Reason != "")...)
	default:
		d.log.Info("webhook attempt failed; will retry", append(attrs, "attempt_error", res.Err, "next_attempt_at", outcome.NextAttemptAt)...)
	}
}

// outcome decides what follows attempt number attempts to ep with result
// res.
func (d *Dispatcher) outcome(ep core.WebhookEndpoint, attempts int, res Result, now time.Time) core.DeliveryOutcome {
	if res.OK() {
		return core.DeliveryOutcome{Succeeded: true}
	}
	if reason, ended := ep.EndedBy(res.StatusCode); ended {
		return core.DeliveryOutcome{GiveUp: true, Reason: reason}
	}
	delay, ok := d.cfg.Schedule.Delay(attempts, d.cfg.Rand)
	if !ok {
		return core.DeliveryOutcome{GiveUp: true}
	}
	return core.DeliveryOutcome{NextAttemptAt: now.Add(delay)}
}

// defaultWorkerName names this process's leases: host, pid and a random
// suffix (two processes in one container may share a pid across restarts).
func defaultWorkerName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "roster"
	}
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Errorf("read random worker suffix: %w", err))
	}
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}
