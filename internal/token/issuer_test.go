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
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/sqlite"
	"github.com/rosterhq/roster/internal/token"
)

const testIssuer = "https://roster.test"

// openStore returns a migrated SQLite store in t.TempDir().
func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return st
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newIssuer(t *testing.T, st core.Store, cfg token.Config) *token.Issuer {
	t.Helper()
	if cfg.Issuer == "" {
		cfg.Issuer = testIssuer
	}
	iss, err := token.NewIssuer(t.Context(), st, cfg)
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	return iss
}

func userClaims() token.Claims {
	return token.Claims{
		Subject: "42", TenantClientID: "clt_ABCDEFGHIJKLMNOPQRSTU", Role: core.RoleClientAdmin, Kind: token.KindUser,
	}
}

func issue(t *testing.T, iss *token.Issuer, c token.Claims) string {
	t.Helper()
	tok, _, err := iss.Issue(t.Context(), c)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	return tok
}

func jwks(t *testing.T, iss *token.Issuer) jose.JSONWebKeySet {
	t.Helper()
	raw, err := iss.JWKS(t.Context())
	if err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatalf("decode JWKS %s: %v", raw, err)
	}
	return set
}

func kids(set jose.JSONWebKeySet) []string {
	var ids []string
	for _, k := range set.Keys {
		ids = append(ids, k.KeyID)
	}
	slices.Sort(ids)
	return ids
}

// segments splits a compact JWS and decodes its header.
func segments(t *testing.T, raw string) (header map[string]any, parts []string) {
	t.Helper()
	parts = strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("got %d segments, want 3", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatalf("decode header: %v", err)
	}
	if err := json.Unmarshal(b, &header); err != nil {
		t.Fatalf("decode header %s: %v", b, err)
	}
	return header, parts
}

// wantRefused fails t unless Verify refuses raw as unauthenticated with a
// message containing want, without quoting the token.
func wantRefused(t *testing.T, iss *token.Issuer, raw, want string) {
	t.Helper()
	_, err := iss.Verify(t.Context(), raw)
	if err == nil {
		t.Fatalf("Verify: got no error, want unauthenticated")
	}
	e := core.AsError(err)
	if e == nil || e.Code != core.Unauthenticated {
		t.Fatalf("Verify: got %v, want an unauthenticated core error", err)
	}
	if !strings.Contains(e.Message, want) {
		t.Errorf("Verify: got message %q, want %q", e.Message, want)
	}
	if raw != "" && (strings.Contains(err.Error(), raw) || strings.Contains(e.Message, strings.Split(raw, ".")[0])) {
		t.Errorf("Verify: error %q quotes the token", err)
	}
}

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
