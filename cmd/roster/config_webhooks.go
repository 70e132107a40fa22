package main

import (
	"fmt"
	"strconv"

	"time"

	"github.com/rosterhq/roster/internal/egress"
	"github.com/rosterhq/roster/internal/webhook"
)

// DefaultWebhookRetention is how long finished webhook deliveries are kept
// by default: 30 days (see docs/decisions.md, "Webhooks: delivery").
const DefaultWebhookRetention = 30 * 24 * time.Hour

// webhookConfig is the webhook dispatcher's settings.
type webhookConfig struct {
	AllowPrivate bool
	AllowHTTP    bool
	Schedule     string // comma-separated retry delays
	Timeout      time.Duration
	Workers      int
	Poll         time.Duration
	Disabled     bool
	Retention    time.Duration // finished deliveries older than this are purged; 0 keeps them

	schedule webhook.Schedule // parsed by validate
}

// Bool registers a boolean flag whose default comes from env ("true",
// "false", "1", "0"...).
func (e *envFlags) Bool(p *bool, name, env string, def bool, usage string) {
	if v, ok := e.env(env); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Sprintf("%s=%q: not true or false", env, v))
		} else {
			def = b
		}
	}
	e.fs.BoolVar(p, name, def, e.usage(usage, env))
}

func (w *webhookConfig) register(e *envFlags) {
	e.Bool(&w.AllowPrivate, "webhook-allow-private", "ROSTER_WEBHOOK_ALLOW_PRIVATE", false,
		"let webhooks reach loopback, private, link-local and metadata addresses (tests, closed networks)")
	e.Bool(&w.AllowHTTP, "webhook-allow-http", "ROSTER_WEBHOOK_ALLOW_HTTP", false, "accept http:// webhook URLs (default: https only)")
	e.String(&w.Schedule, "webhook-schedule", "ROSTER_WEBHOOK_SCHEDULE", webhook.DefaultSchedule.String(),
		"delays between a delivery's attempts, comma-separated; after the last one the endpoint is disabled")
	e.Duration(&w.Timeout, "webhook-timeout", "ROSTER_WEBHOOK_TIMEOUT", webhook.DefaultTimeout, "longest a webhook attempt may take")
	e.Int(&w.Workers, "webhook-workers", "ROSTER_WEBHOOK_WORKERS", webhook.DefaultWorkers, "webhook attempts in flight at once in this process")
	e.Duration(&w.Poll, "webhook-poll", "ROSTER_WEBHOOK_POLL", webhook.DefaultPoll, "how often an idle dispatcher looks for new events and due retries")
	e.Bool(&w.Disabled, "webhook-dispatcher-off", "ROSTER_WEBHOOK_DISPATCHER_OFF", false,
		"do not run the webhook dispatcher in this process (another process sends)")
	e.Duration(&w.Retention, "webhook-retention", "ROSTER_WEBHOOK_RETENTION", DefaultWebhookRetention,
		"how long finished webhook deliveries and their attempts are kept (0: forever); pending ones are never purged")
}

// validate checks the webhook settings and parses the schedule.
func (w *webhookConfig) validate() error {
	s, err := webhook.ParseSchedule(w.Schedule)
	if err != nil {
		return fmt.Errorf("--webhook-schedule: %w", err)
	}
	w.schedule = s
	switch {
	case w.Timeout <= 0 || w.Timeout > 5*time.Minute:
		return fmt.Errorf("--webhook-timeout %s: must be above 0 and at most 5m", w.Timeout)
	case w.Workers < 1 || w.Workers > 1000:
		return fmt.Errorf("--webhook-workers %d: must be from 1 to 1000", w.Workers)
	case w.Poll < 10*time.Millisecond || w.Poll > time.Hour:
		return fmt.Errorf("--webhook-poll %s: must be from 10ms to 1h", w.Poll)
	case w.Retention < 0:
		return fmt.Errorf("--webhook-retention %s: must be 0 (keep forever) or above", w.Retention)
	}
	return nil
}

func (w *webhookConfig) policy() egress.Policy {
	return egress.Policy{AllowHTTP: w.AllowHTTP, AllowPrivate: w.AllowPrivate}
}

func (w *webhookConfig) dispatcher() webhook.Config {
	return webhook.Config{
		Workers: w.Workers, Schedule: w.schedule, Timeout: w.Timeout, Poll: w.Poll, Policy: w.policy(),
	}
}
