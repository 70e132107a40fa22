package clientapi_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

// forger crafts tokens: with Roster's real current signing key (so that a
// token is refused for the one thing made wrong in it), with a stranger's
// key, or by hand.
type forger struct {
	t        *testing.T
	kid      string
	key      *ecdsa.PrivateKey
	stranger *ecdsa.PrivateKey
}

func newForger(t *testing.T, env *apitest.Env) *forger {
	t.Helper()
	keys, err := env.Store.ListSigningKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f := &forger{t: t}
	for _, k := range keys {
		if k.RetiredAt != nil {
			continue
		}
		parsed, err := x509.ParsePKCS8PrivateKey(k.PrivateKey)
		if err != nil {
			t.Fatal(err)
		}
		f.kid, f.key = k.ID, parsed.(*ecdsa.PrivateKey)
		break
	}
	if f.key == nil {
		t.Fatal("the store has no current signing key")
	}
	if f.stranger, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	return f
}

// sign signs claims as ES256 with key, naming kid ("" names none).
func (f *forger) sign(key *ecdsa.PrivateKey, kid string, claims map[string]any) string {
	f.t.Helper()
	jwk := jose.JSONWebKey{Key: key, KeyID: kid}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jwk}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		f.t.Fatal(err)
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		f.t.Fatal(err)
	}
	return raw
}

// real signs claims with Roster's current key and kid.
func (f *forger) real(claims map[string]any) string { return f.sign(f.key, f.kid, claims) }

// handmade assembles a token from a header, claims and a signature.
func handmade(t *testing.T, header, claims map[string]any, sig []byte) string {
	t.Helper()
	return segment(t, header) + "." + segment(t, claims) + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func segment(t *testing.T, v map[string]any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hs256 is an HS256 token whose HMAC key is secret: the key confusion
// attack, with the public key as the secret.
func hs256(t *testing.T, kid string, claims map[string]any, secret []byte) string {
	t.Helper()
	signingInput := segment(t, map[string]any{"alg": "HS256", "typ": "JWT", "kid": kid}) + "." + segment(t, claims)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(signingInput))
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// with returns a copy of claims with changes applied; a nil value removes
// the claim.
func with(claims map[string]any, changes map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range claims {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// wantUnauthorized fails t unless GET /api/users with raw as the bearer
// credential is a 401 in the Client API's error shape that does not quote
// the token.
func wantUnauthorized(t *testing.T, env *apitest.Env, raw string) {
	t.Helper()
	res := env.Do(t, http.MethodGet, "/api/users", "", apitest.Bearer(raw)...)
	e := wantError(t, res, http.StatusUnauthorized, "")
	if e.Error != "unauthorized" {
		t.Errorf("error: got %q, want unauthorized", e.Error)
	}
	if got := res.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
		t.Errorf("WWW-Authenticate: got %q, want a Bearer challenge", got)
	}
	for _, part := range strings.Split(raw, ".") {
		if len(part) > 8 && strings.Contains(string(res.Body), part) {
			t.Errorf("the error %s quotes the token", res.Body)
		}
	}
}

// TestTokenRefusals sends crafted tokens, each wrong in one way, to
// GET /api/users: every one is a 401 in the Client API's error shape. The
// same claims, rightly signed, are accepted, so each refusal is for its
// one defect.
func TestTokenRefusals(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		other := env.NewTenant(t, "Other")
		f := newForger(t, env)
		now := time.Now()
		claims := map[string]any{
			"iss": env.URL, "aud": "roster", "sub": strconv.FormatInt(acme.Key.ID, 10),
			"tenant": acme.Tenant.ClientID, "kind": "client", "scope": "users:read users:write admin",
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(15 * time.Minute).Unix(), "jti": "crafted",
		}
		at := func(d time.Duration) int64 { return now.Add(d).Unix() }

		// The crafted claims are right: rightly signed, they work, and so do
		// times within the leeway (30 s).
		for name, raw := range map[string]string{
			"AsIssued":                f.real(claims),
			"ExpiredWithinLeeway":     f.real(with(claims, map[string]any{"iat": at(-15*time.Minute - 10*time.Second), "exp": at(-10 * time.Second)})),
			"NotYetValidWithinLeeway": f.real(with(claims, map[string]any{"nbf": at(10 * time.Second)})),
			"AudienceList":            f.real(with(claims, map[string]any{"aud": []string{"elsewhere", "roster"}})),
		} {
			if res := env.Do(t, http.MethodGet, "/api/users", "", apitest.Bearer(raw)...); res.Status != http.StatusOK {
				t.Fatalf("%s: got %d %s, want 200", name, res.Status, res.Body)
			}
		}

		good := f.real(claims)
		parts := strings.Split(good, ".")
		pubDER, err := x509.MarshalPKIXPublicKey(&f.key.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
		jwk, err := json.Marshal(jose.JSONWebKey{Key: &f.key.PublicKey, KeyID: f.kid, Algorithm: "ES256", Use: "sig"})
		if err != nil {
			t.Fatal(err)
		}
		es256Sig, err := base64.RawURLEncoding.DecodeString(parts[2])
		if err != nil {
			t.Fatal(err)
		}
		otherKeyID := strconv.FormatInt(other.Key.ID, 10)

		tests := map[string]string{
			// The algorithm is pinned to ES256.
			"AlgNone":            handmade(t, map[string]any{"alg": "none", "typ": "JWT", "kid": f.kid}, claims, nil),
			"AlgNoneWithSig":     handmade(t, map[string]any{"alg": "none", "typ": "JWT", "kid": f.kid}, claims, es256Sig),
			"AlgNoneCapitalised": handmade(t, map[string]any{"alg": "None", "typ": "JWT", "kid": f.kid}, claims, nil),
			"HS256PublicKeyPEM":  hs256(t, f.kid, claims, pubPEM),
			"HS256PublicKeyDER":  hs256(t, f.kid, claims, pubDER),
			"HS256PublicJWK":     hs256(t, f.kid, claims, jwk),
			"ES512Header":        handmade(t, map[string]any{"alg": "ES512", "typ": "JWT", "kid": f.kid}, claims, es256Sig),
			"RS256Header":        handmade(t, map[string]any{"alg": "RS256", "typ": "JWT", "kid": f.kid}, claims, es256Sig),
			// The key is one of Roster's, named by its kid.
			"UnknownKid":         f.sign(f.stranger, "no-such-kid", claims),
			"NoKid":              f.sign(f.key, "", claims),
			"StrangerWithOurKid": f.sign(f.stranger, f.kid, claims),
			"TamperedClaims":     parts[0] + "." + segment(t, with(claims, map[string]any{"tenant": other.Tenant.ClientID})) + "." + parts[2],
			"TamperedSignature":  parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(append(es256Sig[:len(es256Sig)-1:len(es256Sig)-1], es256Sig[len(es256Sig)-1]^1)),
			"Truncated":          parts[0] + "." + parts[1],
			// Issued by this Roster, for Roster.
			"WrongIssuer":   f.real(with(claims, map[string]any{"iss": "https://evil.example"})),
			"NoIssuer":      f.real(with(claims, map[string]any{"iss": nil})),
			"WrongAudience": f.real(with(claims, map[string]any{"aud": "someone-else"})),
			"NoAudience":    f.real(with(claims, map[string]any{"aud": nil})),
			// Within its lifetime, give or take the 30-second leeway.
			"Expired":        f.real(with(claims, map[string]any{"iat": at(-17 * time.Minute), "nbf": at(-17 * time.Minute), "exp": at(-2 * time.Minute)})),
			"LongExpired":    f.real(with(claims, map[string]any{"iat": at(-48 * time.Hour), "nbf": at(-48 * time.Hour), "exp": at(-47 * time.Hour)})),
			"NotYetValid":    f.real(with(claims, map[string]any{"nbf": at(2 * time.Minute)})),
			"IssuedInFuture": f.real(with(claims, map[string]any{"iat": at(2 * time.Minute), "nbf": at(2 * time.Minute), "exp": at(17 * time.Minute)})),
			"NoExpiry":       f.real(with(claims, map[string]any{"exp": nil})),
			// Speaking for a key that exists in that tenant now.
			"AnotherTenantsKey": f.real(with(claims, map[string]any{"sub": otherKeyID})),
			"UnknownKey":        f.real(with(claims, map[string]any{"sub": "987654321"})),
			"UnknownTenant":     f.real(with(claims, map[string]any{"tenant": "clt_" + strings.Repeat("Z", 21)})),
			"UnknownKind":       f.real(with(claims, map[string]any{"kind": "operator"})),
		}
		for name, raw := range tests {
			t.Run(name, func(t *testing.T) { wantUnauthorized(t, env, raw) })
		}

		// A token of a key revoked since it was issued stops working at once.
		_, keyPlain, err := env.Service.CreateAPIKey(context.Background(), core.OperatorFor(acme.Tenant), core.CreateAPIKey{Name: "to revoke"})
		if err != nil {
			t.Fatal(err)
		}
		tok := oauthToken(t, env, acme, keyPlain, "")
		if res := env.Do(t, http.MethodGet, "/api/users", "", apitest.Bearer(tok)...); res.Status != http.StatusOK {
			t.Fatalf("the token before its key was revoked: got %d %s, want 200", res.Status, res.Body)
		}
		keyActor, err := env.Service.AuthenticateAPIKey(context.Background(), keyPlain)
		if err != nil {
			t.Fatal(err)
		}
		if err := env.Service.RevokeAPIKey(context.Background(), core.OperatorFor(acme.Tenant), keyActor.APIKeyID); err != nil {
			t.Fatal(err)
		}
		t.Run("RevokedKey", func(t *testing.T) { wantUnauthorized(t, env, tok) })
		// The tenant's other key, and its tokens, are untouched.
		if res := env.Do(t, http.MethodGet, "/api/users", "", apitest.Bearer(oauthToken(t, env, acme, acme.APIKey, ""))...); res.Status != http.StatusOK {
			t.Errorf("a token of another key after the revocation: got %d %s, want 200", res.Status, res.Body)
		}
	})
}
