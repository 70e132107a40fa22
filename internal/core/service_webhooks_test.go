package core_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/egress"
)

func TestSigningSecrets(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e := core.WebhookEndpoint{Secret: "whsec_new", PreviousSecret: "whsec_old", PreviousSecretExpiresAt: at}
	for _, tc := range []struct {
		name string
		t    time.Time
		want []string
	}{
		{"BeforeExpiry", at.Add(-time.Nanosecond), []string{"whsec_new", "whsec_old"}},
		{"AtExpiry", at, []string{"whsec_new"}},
		{"After", at.Add(time.Hour), []string{"whsec_new"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := e.SigningSecrets(tc.t); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	if got := (core.WebhookEndpoint{Secret: "whsec_only"}).SigningSecrets(at); !slices.Equal(got, []string{"whsec_only"}) {
		t.Fatalf("no previous secret: got %v", got)
	}
}

// TestEndpointEndedBy: only a Zapier subscription's 410 ends it at once.
func TestEndpointEndedBy(t *testing.T) {
	for _, tc := range []struct {
		kind   string
		status int
		want   bool
	}{
		{core.WebhookKindZapier, 410, true},
		{core.WebhookKindZapier, 404, false},
		{core.WebhookKindZapier, 500, false},
		{core.WebhookKindZapier, 0, false},
		{core.WebhookKindWebhook, 410, false},
		{core.WebhookKindWebhook, 404, false},
	} {
		reason, ended := core.WebhookEndpoint{Kind: tc.kind}.EndedBy(tc.status)
		if ended != tc.want || (reason != "") != tc.want {
			t.Errorf("%s endpoint, status %d: ended %v, reason %q; want ended %v with a reason only then", tc.kind, tc.status, ended, reason, tc.want)
		}
	}
}

func TestRotateWebhookSecret(t *testing.T) {
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		svc, clock := webhookService(t, st)
		a, b := createTenant(t, svc, "Acme"), createTenant(t, svc, "Globex")
		ep := mustCreateEndpoint(t, svc, a.key, core.CreateWebhookEndpoint{URL: "https://a.example.com/h"})
		if !strings.HasPrefix(ep.Secret, "whsec_") || len(ep.Secret) != len("whsec_")+32 {
			t.Fatalf("secret %q: want whsec_ + base64 of 24 bytes", ep.Secret)
		}
		rotated, err := svc.RotateWebhookSecret(ctx, a.key, ep.ID)
		if err != nil {
			t.Fatalf("RotateWebhookSecret: %v", err)
		}
		if rotated.Secret == ep.Secret || rotated.PreviousSecret != ep.Secret || !rotated.PreviousSecretExpiresAt.Equal(clock.Truncate(time.Microsecond).Add(24*time.Hour)) {
			t.Fatalf("rotated: secret changed %v, previous %v, expires %v", rotated.Secret != ep.Secret, rotated.PreviousSecret == ep.Secret, rotated.PreviousSecretExpiresAt)
		}
		stored, err := svc.GetWebhookEndpoint(ctx, a.key, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := stored.SigningSecrets(clock.Add(23 * time.Hour)); !slices.Equal(got, []string{rotated.Secret, ep.Secret}) {
			t.Errorf("signing secrets within 24 h: %d secrets", len(got))
		}
		if got := stored.SigningSecrets(clock.Add(25 * time.Hour)); !slices.Equal(got, []string{rotated.Secret}) {
			t.Errorf("signing secrets after 24 h: %d secrets", len(got))
		}
		_, err = svc.RotateWebhookSecret(ctx, b.key, ep.ID)
		wantError(t, err, core.NotFound, "")
		page, err := svc.ListEvents(ctx, a.key, core.EventFilter{Type: core.EventWebhookSecretRotated})
		if err != nil || len(page.Events) != 1 {
			t.Fatalf("webhook_secret_rotated events: %v, %v", page.Events, err)
		}
		wantNoSecrets(t, "webhook_secret_rotated", string(page.Events[0].Payload), ep.Secret, rotated.Secret)
	})
}

func TestWebhookURLPolicy(t *testing.T) {
	svc := newService(t, openSQLite(t))
	a := createTenant(t, svc, "Acme")
	for _, tc := range []struct {
		url    string
		policy egress.Policy
		ok     bool
	}{
		{"https://hooks.example.com/x", egress.Policy{}, true},
		{"http://hooks.example.com/x", egress.Policy{}, false},
		{"http://hooks.example.com/x", egress.Policy{AllowHTTP: true}, true},
		{"https://127.0.0.1/x", egress.Policy{}, false},
		{"https://127.0.0.1/x", egress.Policy{AllowPrivate: true}, true},
		{"ftp://hooks.example.com/x", egress.Policy{AllowHTTP: true, AllowPrivate: true}, false},
		{"https://user:pw@hooks.example.com/x", egress.Policy{}, false},
		{"https://hooks.example.com/" + strings.Repeat("a", core.MaxWebhookURLLength), egress.Policy{}, false},
		{" https://hooks.example.com/x", egress.Policy{}, false},
		{"", egress.Policy{}, false},
	} {
		svc.SetEgressPolicy(tc.policy)
		_, err := svc.CreateWebhookEndpoint(t.Context(), a.key, core.CreateWebhookEndpoint{URL: tc.url})
		if tc.ok && err != nil {
			t.Errorf("%.40q %+v: %v, want accepted", tc.url, tc.policy, err)
		}
		if !tc.ok {
			wantError(t, err, core.Invalid, "url")
			if err != nil && strings.Contains(err.Error(), "pw@") {
				t.Errorf("error repeats the URL's credentials: %v", err)
			}
		}
	}
}
