package token_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/token"
)

func TestIssueVerify(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	iss := newIssuer(t, st, token.Config{})

	want := userClaims()
	want.Scopes = []string{"users:read", "users:write"}
	raw, expiresIn, err := iss.Issue(t.Context(), want)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	if expiresIn != token.DefaultTTL {
		t.Errorf("got expiresIn %v, want %v", expiresIn, token.DefaultTTL)
	}
	got, err := iss.Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}

	header, parts := segments(t, raw)
	keys, err := st.ListSigningKeys(t.Context())
	if err != nil || len(keys) != 1 {
		t.Fatalf("store ListSigningKeys: got %d keys (%v), want 1", len(keys), err)
	}
	wantHeader := map[string]any{"alg": "ES256", "typ": "JWT", "kid": keys[0].ID}
	if diff := cmp.Diff(wantHeader, header); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{
		"iss": testIssuer, "sub": "42", "aud": "roster", "tenant": want.TenantClientID,
		"role": core.RoleClientAdmin, "scope": "users:read users:write", "kind": "user",
	} {
		if claims[k] != v {
			t.Errorf("claim %s: got %v, want %v", k, claims[k], v)
		}
	}
	for _, k := range []string{"exp", "iat", "nbf", "jti"} {
		if claims[k] == nil {
			t.Errorf("claim %s missing from %s", k, payload)
		}
	}
	if exp, iat := claims["exp"].(float64), claims["iat"].(float64); exp-iat != token.DefaultTTL.Seconds() {
		t.Errorf("got exp - iat = %v s, want %v", exp-iat, token.DefaultTTL.Seconds())
	}

	// Optional claims are left out when empty; every token has its own jti.
	c := token.Claims{Subject: "clt_ABCDEFGHIJKLMNOPQRSTU", TenantClientID: "clt_ABCDEFGHIJKLMNOPQRSTU", Kind: token.KindClient}
	raw2 := issue(t, iss, c)
	_, parts2 := segments(t, raw2)
	payload2, _ := base64.RawURLEncoding.DecodeString(parts2[1])
	var claims2 map[string]any
	if err := json.Unmarshal(payload2, &claims2); err != nil {
		t.Fatal(err)
	}
	if _, ok := claims2["role"]; ok {
		t.Errorf("client token has a role claim: %s", payload2)
	}
	if _, ok := claims2["scope"]; ok {
		t.Errorf("client token has a scope claim: %s", payload2)
	}
	if claims2["jti"] == claims["jti"] {
		t.Errorf("two tokens share jti %v", claims["jti"])
	}
	if got, err := iss.Verify(t.Context(), raw2); err != nil || !cmp.Equal(got, c) {
		t.Errorf("Verify(client token): got %+v, %v; want %+v", got, err, c)
	}
}

func TestIssue_RefusesBadClaims(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t, openStore(t), token.Config{})
	for name, c := range map[string]token.Claims{
		"NoSubject":    {TenantClientID: "clt_x", Kind: token.KindUser},
		"NoTenant":     {Subject: "1", Kind: token.KindUser},
		"UnknownKind":  {Subject: "1", TenantClientID: "clt_x", Kind: "admin"},
		"ScopeWithGap": {Subject: "1", TenantClientID: "clt_x", Kind: token.KindClient, Scopes: []string{"a b"}},
	} {
		if _, _, err := iss.Issue(t.Context(), c); err == nil {
			t.Errorf("%s: Issue(%+v) gave no error", name, c)
		}
	}
}

func TestVerify_Refusals(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	clk := newClock()
	iss := newIssuer(t, st, token.Config{Now: clk.Now})
	good := issue(t, iss, userClaims())
	header, parts := segments(t, good)
	kid := header["kid"].(string)
	b64 := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}

	// The stored key's public half, as an attacker would find it in the JWKS.
	keys, err := st.ListSigningKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(keys[0].PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&priv.(*ecdsa.PrivateKey).PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	hs256 := func(key []byte) string {
		signing := b64(map[string]any{"alg": "HS256", "typ": "JWT", "kid": kid}) + "." + parts[1]
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(signing))
		return signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	}
	jwksDoc, err := iss.JWKS(t.Context())
	if err != nil {
		t.Fatal(err)
	}

	// A token signed with a key Roster does not hold.
	stranger, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signWith := func(key *ecdsa.PrivateKey, kid string, c any) string {
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
			(&jose.SignerOptions{}).WithType("JWT"))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := jwt.Signed(signer).Claims(c).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	now := time.Now()
	std := jwt.Claims{Issuer: testIssuer, Subject: "42", Audience: jwt.Audience{"roster"},
		Expiry: jwt.NewNumericDate(now.Add(time.Minute)), IssuedAt: jwt.NewNumericDate(now)}
	strangerClaims := map[string]any{"iss": std.Issuer, "sub": std.Subject, "aud": "roster", "exp": std.Expiry,
		"iat": std.IssuedAt, "tenant": "clt_ABCDEFGHIJKLMNOPQRSTU", "kind": "user"}

	// Tampering: a changed payload under the original signature, and a
	// changed signature.
	tamperedPayload := func() string {
		p, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var m map[string]any
		if err := json.Unmarshal(p, &m); err != nil {
			t.Fatal(err)
		}
		m["sub"] = "1"
		return parts[0] + "." + b64(m) + "." + parts[2]
	}()
	sig := []byte(parts[2])
	mid := len(sig) / 2
	if sig[mid] == 'A' {
		sig[mid] = 'B'
	} else {
		sig[mid] = 'A'
	}
	tamperedSig := parts[0] + "." + parts[1] + "." + string(sig)

	otherIssuer := newIssuer(t, st, token.Config{Issuer: "https://evil.test", Now: clk.Now})
	otherAudience := newIssuer(t, st, token.Config{Audience: "billing", Now: clk.Now})

	const (
		malformed    = "is malformed"
		notES256     = "malformed or not signed with ES256"
		badSignature = "signature or claims are not valid"
		notForUs     = "not issued for this service"
	)
	tests := map[string]struct{ raw, want string }{
		"Empty":           {"", malformed},
		"Garbage":         {"not-a-token", notES256},
		"TwoSegments":     {parts[0] + "." + parts[1], notES256},
		"TooLong":         {strings.Repeat("a", 9000), malformed},
		"AlgNone":         {b64(map[string]any{"alg": "none", "typ": "JWT", "kid": kid}) + "." + parts[1] + ".", notES256},
		"AlgNoneWithSig":  {b64(map[string]any{"alg": "none", "kid": kid}) + "." + parts[1] + "." + parts[2], notES256},
		"HS256PublicPEM":  {hs256(pubPEM), notES256},
		"HS256PublicDER":  {hs256(pubDER), notES256},
		"HS256JWKS":       {hs256(jwksDoc), notES256},
		"ES384Header":     {b64(map[string]any{"alg": "ES384", "typ": "JWT", "kid": kid}) + "." + parts[1] + "." + parts[2], notES256},
		"UnknownKid":      {signWith(stranger, "no-such-key", strangerClaims), "unknown key"},
		"StrangerOurKid":  {signWith(stranger, kid, strangerClaims), badSignature},
		"NoKid":           {signWith(stranger, "", strangerClaims), "names no signing key"},
		"WrongType":       {b64(map[string]any{"alg": "ES256", "typ": "at+jwt", "kid": kid}) + "." + parts[1] + "." + parts[2], "wrong type"},
		"TamperedPayload": {tamperedPayload, badSignature},
		"TamperedSig":     {tamperedSig, badSignature},
		"WrongIssuer":     {issue(t, otherIssuer, userClaims()), notForUs},
		"WrongAudience":   {issue(t, otherAudience, userClaims()), notForUs},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) { wantRefused(t, iss, tt.raw, tt.want) })
	}
	if _, err := iss.Verify(t.Context(), good); err != nil {
		t.Errorf("the untampered token: %v", err)
	}
}

func TestVerify_Times(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	iss := newIssuer(t, st, token.Config{}) // real time
	at := func(d time.Duration) *token.Issuer {
		return newIssuer(t, st, token.Config{Now: func() time.Time { return time.Now().Add(d) }})
	}
	ttl, leeway := token.DefaultTTL, token.DefaultLeeway

	const expired, notYet = "has expired", "not valid yet"
	tests := []struct {
		name     string
		issuedAt time.Duration // relative to now
		ok       bool
		want     string // the refusal, when not ok
	}{
		{"Fresh", 0, true, ""},
		{"ExpiredWithinLeeway", -(ttl + leeway/2), true, ""},
		{"Expired", -(ttl + leeway + 5*time.Second), false, expired},
		{"LongExpired", -24 * time.Hour, false, expired},
		{"FutureWithinLeeway", leeway / 2, true, ""},
		{"NotYetValid", leeway + 5*time.Second, false, notYet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := issue(t, at(tt.issuedAt), userClaims())
			if tt.ok {
				if _, err := iss.Verify(t.Context(), raw); err != nil {
					t.Errorf("Verify: %v, want success", err)
				}
				return
			}
			wantRefused(t, iss, raw, tt.want)
		})
	}

	// The issuer's own clock decides too.
	clk := newClock()
	moving := newIssuer(t, st, token.Config{Now: clk.Now})
	raw := issue(t, moving, userClaims())
	clk.Advance(ttl + leeway + time.Second)
	wantRefused(t, moving, raw, expired)
}
