package webhook

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// The Standard Webhooks specification's own test vector (also the reference
// library's TestWebhookSign).
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specMsgID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specPayload   = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignSpecVector(t *testing.T) {
	got, err := Sign([]string{specSecret}, specMsgID, time.Unix(specTimestamp, 0), []byte(specPayload))
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	if got != specSignature {
		t.Fatalf("Sign = %q, want %q", got, specSignature)
	}
	// The bare base64 form of the secret signs alike.
	bare, err := Sign([]string{strings.TrimPrefix(specSecret, "whsec_")}, specMsgID, time.Unix(specTimestamp, 0), []byte(specPayload))
	if err != nil || bare != specSignature {
		t.Fatalf("Sign(bare secret) = %q, %v, want %q", bare, err, specSignature)
	}
}

// TestSignVerifiedByReferenceLibrary checks our signatures with the official
// library, not with our own code: each secret of a rotation verifies alone,
// a stranger's secret does not, and a changed body or id does not.
func TestSignVerifiedByReferenceLibrary(t *testing.T) {
	const current = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
	const previous = "whsec_dGhlIHByZXZpb3VzIHNlY3JldCBieXRlcyE="
	const stranger = "whsec_c3RyYW5nZXIgc2VjcmV0IG9mIDI0IGJ5dGVz"
	body := []byte(`{"type":"user_created","timestamp":"2026-11-23T07:00:00Z","data":{"email":"ada@example.com","displayName":"Ada Lovelace","role":"clientUser"}}`)
	now := time.Now()

	tests := []struct {
		name      string
		signers   []string
		verifier  string
		mutate    func(h http.Header, body []byte) []byte
		wantError error // nil: verifies
	}{
		{"one secret", []string{current}, current, nil, nil},
		{"rotation, receiver on new secret", []string{current, previous}, current, nil, nil},
		{"rotation, receiver on old secret", []string{current, previous}, previous, nil, nil},
		{"stranger's secret", []string{current, previous}, stranger, nil, standardwebhooks.ErrNoMatchingSignature},
		{"body changed", []string{current}, current, func(_ http.Header, b []byte) []byte {
			return []byte(strings.Replace(string(b), "clientUser", "clientAdmin", 1))
		}, standardwebhooks.ErrNoMatchingSignature},
		{"id changed", []string{current}, current, func(h http.Header, b []byte) []byte {
			h.Set(HeaderID, "msg_other")
			return b
		}, standardwebhooks.ErrNoMatchingSignature},
		{"stale timestamp (replay)", []string{current}, current, func(h http.Header, b []byte) []byte {
			old := now.Add(-10 * time.Minute)
			sig, _ := Sign([]string{current}, h.Get(HeaderID), old, b)
			h.Set(HeaderTimestamp, Timestamp(old))
			h.Set(HeaderSignature, sig)
			return b
		}, standardwebhooks.ErrMessageTooOld},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig, err := Sign(tt.signers, "msg_2pVbXrHnJk0a7qLmC4sTzW9y", now, body)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if got, want := strings.Count(sig, "v1,"), len(tt.signers); got != want {
				t.Fatalf("signature header %q has %d signatures, want %d", sig, got, want)
			}
			h := http.Header{}
			h.Set(HeaderID, "msg_2pVbXrHnJk0a7qLmC4sTzW9y")
			h.Set(HeaderTimestamp, Timestamp(now))
			h.Set(HeaderSignature, sig)
			b := body
			if tt.mutate != nil {
				b = tt.mutate(h, append([]byte(nil), body...))
			}
			wh, err := standardwebhooks.NewWebhook(tt.verifier)
			if err != nil {
				t.Fatalf("NewWebhook: %v", err)
			}
			err = wh.Verify(b, h)
			if tt.wantError == nil && err != nil {
				t.Fatalf("reference Verify: %v, want success", err)
			}
			if tt.wantError != nil && !errors.Is(err, tt.wantError) {
				t.Fatalf("reference Verify: %v, want %v", err, tt.wantError)
			}
		})
	}
}

func TestSignRefusesBadSecrets(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
	}{
		{"none", nil},
		{"not base64", []string{"whsec_not*base64!"}},
		{"empty key", []string{"whsec_"}},
		{"second one bad", []string{specSecret, "whsec_%%%"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig, err := Sign(tt.secrets, specMsgID, time.Unix(specTimestamp, 0), []byte(specPayload))
			if err == nil {
				t.Fatalf("Sign = %q, want an error", sig)
			}
			for _, s := range tt.secrets {
				if s != "" && strings.Contains(err.Error(), strings.TrimPrefix(s, "whsec_")) && strings.TrimPrefix(s, "whsec_") != "" {
					t.Errorf("error %q contains the secret", err)
				}
			}
		})
	}
}
