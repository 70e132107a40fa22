package token_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/rosterhq/roster/internal/token"
)

func TestNewIssuer(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	if _, err := token.NewIssuer(t.Context(), st, token.Config{}); err == nil {
		t.Errorf("NewIssuer without an issuer: got no error")
	}
	a := newIssuer(t, st, token.Config{})
	b := newIssuer(t, st, token.Config{}) // a second process: reuses the key
	keys, err := st.ListSigningKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 {
		t.Fatalf("got %d stored keys after two issuers started, want 1", len(keys))
	}
	k := keys[0]
	if k.Algorithm != "ES256" || k.RetiredAt != nil || len(k.ID) != 22 {
		t.Errorf("got key %q alg %q retired %v, want a 22-character kid, ES256, current", k.ID, k.Algorithm, k.RetiredAt)
	}
	if priv, err := x509.ParsePKCS8PrivateKey(k.PrivateKey); err != nil {
		t.Errorf("stored key is not PKCS #8: %v", err)
	} else if ec, ok := priv.(*ecdsa.PrivateKey); !ok || ec.Curve != elliptic.P256() {
		t.Errorf("stored key is %T, want an ECDSA P-256 key", priv)
	}
	if _, err := b.Verify(t.Context(), issue(t, a, userClaims())); err != nil {
		t.Errorf("a token of one process does not verify in another: %v", err)
	}
}

// TestJWKS_IndependentVerification checks a token as an outside resource
// server would: with only the published JWKS and go-jose.
func TestJWKS_IndependentVerification(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t, openStore(t), token.Config{})
	raw := issue(t, iss, userClaims())

	doc, err := iss.JWKS(t.Context())
	if err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	var generic struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(doc, &generic); err != nil || len(generic.Keys) != 1 {
		t.Fatalf("JWKS %s: want one key (%v)", doc, err)
	}
	k := generic.Keys[0]
	if _, ok := k["d"]; ok {
		t.Fatalf("JWKS %s publishes the private key", doc)
	}
	for field, want := range map[string]string{"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256"} {
		if k[field] != want {
			t.Errorf("JWKS key %s: got %v, want %s", field, k[field], want)
		}
	}

	verifyWithJWKS(t, doc, raw, testIssuer, "roster", time.Now())
}

// verifyWithJWKS verifies raw using nothing but the JWKS document.
func verifyWithJWKS(t *testing.T, doc []byte, raw, issuer, audience string, now time.Time) {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatalf("decode JWKS: %v", err)
	}
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("ParseSigned: %v", err)
	}
	keys := set.Key(tok.Headers[0].KeyID)
	if len(keys) != 1 || !keys[0].IsPublic() {
		t.Fatalf("JWKS has %d public keys for kid %q, want 1", len(keys), tok.Headers[0].KeyID)
	}
	var std jwt.Claims
	var priv struct {
		Tenant string `json:"tenant"`
		Kind   string `json:"kind"`
	}
	if err := tok.Claims(keys[0].Key, &std, &priv); err != nil {
		t.Fatalf("Claims with the JWKS key: %v", err)
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: issuer, AnyAudience: jwt.Audience{audience}, Time: now}, 0); err != nil {
		t.Errorf("validate claims: %v", err)
	}
	if priv.Tenant == "" || priv.Kind == "" {
		t.Errorf("got tenant %q kind %q, want both", priv.Tenant, priv.Kind)
	}
}

func TestRotate(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	clk := newClock()
	iss := newIssuer(t, st, token.Config{Now: clk.Now})
	old := issue(t, iss, userClaims())
	oldHeader, _ := segments(t, old)
	oldKid := oldHeader["kid"].(string)

	newKid, err := iss.Rotate(t.Context())
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if newKid == oldKid {
		t.Fatalf("Rotate returned the old kid %q", oldKid)
	}
	fresh := issue(t, iss, userClaims())
	if h, _ := segments(t, fresh); h["kid"] != newKid {
		t.Errorf("token after rotation has kid %v, want %q", h["kid"], newKid)
	}
	for name, raw := range map[string]string{"Old": old, "New": fresh} {
		if _, err := iss.Verify(t.Context(), raw); err != nil {
			t.Errorf("Verify(%s token): %v", name, err)
		}
	}
	want := []string{newKid, oldKid}
	slices.Sort(want)
	if got := kids(jwks(t, iss)); !slices.Equal(got, want) {
		t.Errorf("JWKS kids after rotation: got %v, want %v", got, want)
	}
	doc, err := iss.JWKS(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	verifyWithJWKS(t, doc, old, testIssuer, "roster", clk.Now())
	verifyWithJWKS(t, doc, fresh, testIssuer, "roster", clk.Now())

	keys, err := st.ListSigningKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if retired := k.RetiredAt != nil; retired != (k.ID == oldKid) {
			t.Errorf("key %s: retired %v, want only the old key retired", k.ID, k.RetiredAt)
		}
	}

	// Once every token of the retired key has expired, it leaves the JWKS.
	clk.Advance(token.DefaultTTL + token.DefaultLeeway + 2*time.Minute)
	if got := kids(jwks(t, iss)); !slices.Equal(got, []string{newKid}) {
		t.Errorf("JWKS kids long after rotation: got %v, want [%s]", got, newKid)
	}
}

// TestRotate_OtherProcess shows that a key made by another process is
// found: by Verify at once (an unknown kid reloads the keys), and by Issue
// and JWKS within a minute.
func TestRotate_OtherProcess(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	clk := newClock()
	a := newIssuer(t, st, token.Config{Now: clk.Now})
	b := newIssuer(t, st, token.Config{Now: clk.Now})
	c := newIssuer(t, st, token.Config{Now: clk.Now})
	before := issue(t, a, userClaims())
	oldHeader, _ := segments(t, before)

	newKid, err := b.Rotate(t.Context())
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if _, err := c.Verify(t.Context(), issue(t, b, userClaims())); err != nil {
		t.Errorf("a token signed with another process's new key: %v", err)
	}
	if _, err := b.Verify(t.Context(), before); err != nil {
		t.Errorf("a token signed before the rotation: %v", err)
	}
	// a keeps signing with its cached key until its next refresh...
	if h, _ := segments(t, issue(t, a, userClaims())); h["kid"] != oldHeader["kid"] {
		t.Errorf("before a refresh: got kid %v, want the cached %v", h["kid"], oldHeader["kid"])
	}
	// ...and the JWKS of every process keeps the retired key meanwhile.
	for name, iss := range map[string]*token.Issuer{"a": a, "b": b, "c": c} {
		if got := kids(jwks(t, iss)); !slices.Contains(got, oldHeader["kid"].(string)) {
			t.Errorf("JWKS of %s: got kids %v, want the retired %v too", name, got, oldHeader["kid"])
		}
	}
	clk.Advance(time.Minute)
	if h, _ := segments(t, issue(t, a, userClaims())); h["kid"] != newKid {
		t.Errorf("after a refresh: got kid %v, want %q", h["kid"], newKid)
	}
	if got := kids(jwks(t, a)); !slices.Contains(got, newKid) {
		t.Errorf("JWKS of a after a refresh: got kids %v, want %q among them", got, newKid)
	}
}

// TestVerify_UnknownKidReloadsAtMostEvery5s shows that forged kids cannot
// make Verify read the store on every call.
func TestVerify_UnknownKidReloadsAtMostEvery5s(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	clk := newClock()
	a := newIssuer(t, st, token.Config{Now: clk.Now})
	b := newIssuer(t, st, token.Config{Now: clk.Now})

	// A forged kid spends a's reload...
	stranger, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: stranger, KeyID: "forged"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := jwt.Signed(signer).Claims(jwt.Claims{Subject: "1"}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	wantRefused(t, a, forged, "unknown key")

	// ...so a key made elsewhere right after is not found until 5 s pass.
	if _, err := b.Rotate(t.Context()); err != nil {
		t.Fatal(err)
	}
	fresh := issue(t, b, userClaims())
	wantRefused(t, a, fresh, "unknown key")
	clk.Advance(5 * time.Second)
	if _, err := a.Verify(t.Context(), fresh); err != nil {
		t.Errorf("after 5 s: %v", err)
	}
}

func TestIssuer_Concurrent(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t, openStore(t), token.Config{})
	var wg sync.WaitGroup
	for n := range 8 {
		wg.Go(func() {
			for range 20 {
				raw, _, err := iss.Issue(t.Context(), userClaims())
				if err != nil {
					t.Errorf("Issue: %v", err)
					return
				}
				if _, err := iss.Verify(t.Context(), raw); err != nil {
					t.Errorf("Verify: %v", err)
					return
				}
				if n == 0 {
					if _, err := iss.Rotate(t.Context()); err != nil {
						t.Errorf("Rotate: %v", err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}
