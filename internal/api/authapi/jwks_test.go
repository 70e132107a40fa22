package authapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

func TestJWKS(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	oldKid := currentKid(t, e)
	newKid, err := e.Tokens.Rotate(t.Context())
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}

	r := e.do(t, http.MethodGet, "/.well-known/jwks.json", "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("got status %d %s, want 200", r.Status, r.Body)
	}
	if got := r.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type: got %q, want application/json", got)
	}
	if got := r.Header.Get("Cache-Control"); got != "public, max-age=300" {
		t.Errorf("Cache-Control: got %q, want public, max-age=300", got)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(r.Body, &set); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
	for _, kid := range []string{oldKid, newKid} {
		keys := set.Key(kid)
		if len(keys) != 1 || !keys[0].IsPublic() || keys[0].Algorithm != "ES256" || keys[0].Use != "sig" {
			t.Errorf("JWKS %s: want one public ES256 signing key %q", r.Body, kid)
		}
	}
	if len(set.Keys) != 2 {
		t.Errorf("got %d keys, want 2 (the current and the just-retired one)", len(set.Keys))
	}

	if r := e.do(t, http.MethodPost, "/.well-known/jwks.json", "application/json", nil); r.Status != http.StatusMethodNotAllowed {
		t.Errorf("POST: got status %d, want 405", r.Status)
	}
}

// currentKid is the kid of the single key in the JWKS.
func currentKid(t *testing.T, e *env) string {
	t.Helper()
	doc, err := e.Tokens.JWKS(t.Context())
	if err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("JWKS %s: want one key (%v)", doc, err)
	}
	return set.Keys[0].KeyID
}
