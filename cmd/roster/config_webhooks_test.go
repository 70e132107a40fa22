package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

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
