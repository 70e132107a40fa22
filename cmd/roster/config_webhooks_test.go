package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/rosterhq/roster/internal/egress"
	"github.com/rosterhq/roster/internal/webhook"
)

// TestWebhookSettingsAreChecked: bad webhook settings stop the start with a
// message naming the setting.
func TestWebhookSettingsAreChecked(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"serve", "--webhook-schedule", "5s,soon"}, `--webhook-schedule: webhook schedule delay 2 ("soon") is not a duration`},
		{[]string{"serve", "--webhook-schedule", "0s"}, "--webhook-schedule: webhook schedule delay 1 (0s) must be above 0"},
		{[]string{"serve", "--webhook-schedule", " "}, "--webhook-schedule: webhook schedule is empty"},
		{[]string{"serve", "--webhook-timeout", "0s"}, "--webhook-timeout 0s: must be above 0 and at most 5m"},
		{[]string{"serve", "--webhook-timeout", "6m"}, "--webhook-timeout 6m0s: must be above 0 and at most 5m"},
		{[]string{"serve", "--webhook-workers", "0"}, "--webhook-workers 0: must be from 1 to 1000"},
		{[]string{"serve", "--webhook-poll", "1ms"}, "--webhook-poll 1ms: must be from 10ms to 1h"},
		{[]string{"serve", "--webhook-retention", "-1h"}, "--webhook-retention -1h0m0s: must be 0 (keep forever) or above"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[1:], " "), func(t *testing.T) {
			code, _, errOut := roster(t, db, tt.args...)
			if code == 0 || !strings.Contains(errOut, tt.wantErr) {
				t.Fatalf("exit %d, stderr %q; want a refusal containing %q", code, errOut, tt.wantErr)
			}
		})
	}
	for _, env := range []struct{ name, value string }{
		{"ROSTER_WEBHOOK_ALLOW_PRIVATE", "perhaps"},
		{"ROSTER_WEBHOOK_ALLOW_HTTP", "yes please"},
		{"ROSTER_WEBHOOK_TIMEOUT", "15"},
		{"ROSTER_WEBHOOK_WORKERS", "eight"},
		{"ROSTER_WEBHOOK_RETENTION", "30d"},
	} {
		t.Run(env.name, func(t *testing.T) {
			t.Setenv(env.name, env.value)
			code, _, errOut := roster(t, db, "serve")
			if code == 0 || !strings.Contains(errOut, env.name) {
				t.Fatalf("exit %d, stderr %q; want a failure naming %s", code, errOut, env.name)
			}
		})
	}
}

func TestWebhookSettingsDefaults(t *testing.T) {
	w := webhookConfig{Schedule: webhook.DefaultSchedule.String(), Timeout: webhook.DefaultTimeout, Workers: webhook.DefaultWorkers, Poll: webhook.DefaultPoll}
	if err := w.validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	got := w.dispatcher()
	if got.Schedule.String() != webhook.DefaultSchedule.String() || got.Timeout != 15*time.Second || got.Workers != 8 || got.Poll != time.Second {
		t.Fatalf("dispatcher config %+v, want the defaults", got)
	}
	if got.Policy != (egress.Policy{}) {
		t.Fatalf("policy %+v, want the strict zero policy", got.Policy)
	}
}

// TestWebhookRetentionSetting: ROSTER_WEBHOOK_RETENTION defaults to 30
// days, 0 keeps deliveries forever, a negative or malformed value is
// refused naming the setting.
func TestWebhookRetentionSetting(t *testing.T) {
	tests := []struct {
		env     string // "" leaves ROSTER_WEBHOOK_RETENTION unset
		want    time.Duration
		wantErr string
	}{
		{env: "", want: 720 * time.Hour},
		{env: "0", want: 0},
		{env: "48h", want: 48 * time.Hour},
		{env: "-720h", wantErr: "--webhook-retention -720h0m0s: must be 0 (keep forever) or above"},
		{env: "30d", wantErr: `ROSTER_WEBHOOK_RETENTION="30d": not a duration such as 10s`},
	}
	for _, tt := range tests {
		t.Run("env="+tt.env, func(t *testing.T) {
			t.Setenv("ROSTER_WEBHOOK_RETENTION", tt.env)
			var w webhookConfig
			e := &envFlags{fs: pflag.NewFlagSet("serve", pflag.ContinueOnError)}
			w.register(e)
			err := e.err()
			if err == nil {
				err = w.validate()
			}
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
				}
			case err != nil:
				t.Fatalf("got %v, want no error", err)
			case w.Retention != tt.want:
				t.Fatalf("retention %s, want %s", w.Retention, tt.want)
			}
		})
	}
}
