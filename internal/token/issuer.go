package token

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/rosterhq/roster/internal/core"
)

// Kinds of caller a token is issued to.
const (
	KindUser   = "user"   // a user, after POST /api/auth/login
	KindClient = "client" // a tenant credential, after POST /oauth/token
)

// Defaults for Config.
const (
	DefaultAudience = "roster"
	DefaultTTL      = 15 * time.Minute
	DefaultLeeway   = 30 * time.Second
)

const (
	// algorithm is the only one Roster signs with and the only one it
	// accepts: pinning it refuses "none" and HMAC key confusion.
	algorithm = jose.ES256
	// refreshInterval is how long Issue and JWKS trust the keys in memory
	// before reading them again, so that a rotation made by another process
	// takes effect here within it.
	refreshInterval = time.Minute
	// missReloadInterval spaces the reloads that an unknown kid triggers in
	// Verify, so that forged kids cannot hammer the store.
	missReloadInterval = 5 * time.Second
	// maxTokenLen refuses absurd inputs before parsing them.
	maxTokenLen = 8 << 10
)

// Config configures an Issuer.
type Config struct {
	Issuer   string        // the "iss" claim, e.g. the base URL; required
	Audience string        // the "aud" claim; DefaultAudience when empty
	TTL      time.Duration // token lifetime; DefaultTTL when 0
	Leeway   time.Duration // clock skew allowed on exp, nbf, iat; DefaultLeeway when 0
	Now      func() time.Time
}

// Claims is what an access token says about its bearer.
type Claims struct {
	Subject        string   // "sub": the user id (decimal) or the client id
	TenantClientID string   // "tenant": the tenant's client ID
	Role           string   // "role": the user's role key; may be empty
	Scopes         []string // "scope", space-separated; empty: every scope
	Kind           string   // "kind": KindUser or KindClient
}

// privateClaims are Roster's claims beside the registered ones.
type privateClaims struct {
	Tenant string `json:"tenant"`
	Role   string `json:"role,omitempty"`
	Scope  string `json:"scope,omitempty"`
	Kind   string `json:"kind"`
}

// Issuer issues and verifies access tokens with the signing keys in a
// store. It is safe for concurrent use.
type Issuer struct {
	store core.Store
	cfg   Config

	reloadMu sync.Mutex // one reload at a time, so an older read never replaces a newer one

	mu           sync.RWMutex
	keys         []signingKey // newest first
	loadedAt     time.Time
	missReloadAt time.Time
}

// NewIssuer returns an issuer over the keys in st, creating the first key
// when there is no current one. Two processes starting at once may both
// create one: that is harmless, the newest signs and both verify.
//
// Errors: an invalid cfg, or the store's.
func NewIssuer(ctx context.Context, st core.Store, cfg Config) (*Issuer, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("token issuer: the issuer (iss) is required")
	}
	if cfg.Audience == "" {
		cfg.Audience = DefaultAudience
	}
	if cfg.TTL == 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = DefaultLeeway
	}
	if cfg.TTL < 0 || cfg.Leeway < 0 {
		return nil, fmt.Errorf("token issuer: TTL %v and leeway %v must not be negative", cfg.TTL, cfg.Leeway)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	i := &Issuer{store: st, cfg: cfg}
	if err := i.ensureKey(ctx); err != nil {
		return nil, err
	}
	if err := i.reload(ctx); err != nil {
		return nil, err
	}
	return i, nil
}

// Issuer returns the "iss" every token carries: the server's base URL.
func (i *Issuer) Issuer() string { return i.cfg.Issuer }

// Issue signs an access token carrying c with the current key. It returns
// the token and how long it is valid.
//
// Errors: claims that cannot be issued (no subject or tenant, an unknown
// kind, a scope with a space), or the store's when the keys are reloaded.
func (i *Issuer) Issue(ctx context.Context, c Claims) (token string, expiresIn time.Duration, err error) {
	if c.Subject == "" || c.TenantClientID == "" {
		return "", 0, errors.New("issue token: subject and tenant are required")
	}
	if c.Kind != KindUser && c.Kind != KindClient {
		return "", 0, fmt.Errorf("issue token: unknown kind %q", c.Kind)
	}
	for _, s := range c.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			return "", 0, fmt.Errorf("issue token: scope %q is empty or has a space", s)
		}
	}
	if err := i.refresh(ctx); err != nil {
		return "", 0, err
	}
	key, ok := i.current()
	if !ok {
		return "", 0, errors.New("issue token: no current signing key")
	}
	jti, err := randomID()
	if err != nil {
		return "", 0, err
	}
	now := i.cfg.Now()
	std := jwt.Claims{
		Issuer:    i.cfg.Issuer,
		Subject:   c.Subject,
		Audience:  jwt.Audience{i.cfg.Audience},
		Expiry:    jwt.NewNumericDate(now.Add(i.cfg.TTL)),
		NotBefore: jwt.NewNumericDate(now),
		IssuedAt:  jwt.NewNumericDate(now),
		ID:        jti,
	}
	priv := privateClaims{Tenant: c.TenantClientID, Role: c.Role, Scope: strings.Join(c.Scopes, " "), Kind: c.Kind}
	token, err = jwt.Signed(key.signer).Claims(std).Claims(priv).Serialize()
	if err != nil {
		return "", 0, fmt.Errorf("issue token: sign with key %s: %w", key.id, err)
	}
	return token, i.cfg.TTL, nil
}

// Verify checks an access token — ES256 only, a known key, this issuer and
// audience, within its validity (give or take the leeway) — and returns its
// claims.
//
// Errors: Unauthenticated, with a message that never quotes the token, for
// every token that is not good; the store's error (Internal) when an unknown
// key id made it reload the keys and that failed.
func (i *Issuer) Verify(ctx context.Context, raw string) (Claims, error) {
	if raw == "" || len(raw) > maxTokenLen {
		return Claims{}, refuse("the access token is malformed", nil)
	}
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{algorithm})
	if err != nil {
		// The parse error may quote header fields: it is not kept.
		return Claims{}, refuse("the access token is malformed or not signed with ES256", nil)
	}
	if len(tok.Headers) != 1 {
		return Claims{}, refuse("the access token is malformed", nil)
	}
	h := tok.Headers[0]
	if typ, ok := h.ExtraHeaders[jose.HeaderType]; ok && typ != "JWT" {
		return Claims{}, refuse("the access token has the wrong type", nil)
	}
	if h.KeyID == "" {
		return Claims{}, refuse("the access token names no signing key", nil)
	}
	key, ok, err := i.keyByID(ctx, h.KeyID)
	if err != nil {
		return Claims{}, err
	}
	if !ok {
		return Claims{}, refuse("the access token was signed by an unknown key", nil)
	}
	var std jwt.Claims
	var priv privateClaims
	if err := tok.Claims(&key.priv.PublicKey, &std, &priv); err != nil {
		return Claims{}, refuse("the access token's signature or claims are not valid", nil)
	}
	expected := jwt.Expected{Issuer: i.cfg.Issuer, AnyAudience: jwt.Audience{i.cfg.Audience}, Time: i.cfg.Now()}
	switch err := std.ValidateWithLeeway(expected, i.cfg.Leeway); {
	case errors.Is(err, jwt.ErrExpired):
		return Claims{}, refuse("the access token has expired", err)
	case errors.Is(err, jwt.ErrNotValidYet), errors.Is(err, jwt.ErrIssuedInTheFuture):
		return Claims{}, refuse("the access token is not valid yet", err)
	case errors.Is(err, jwt.ErrInvalidIssuer), errors.Is(err, jwt.ErrInvalidAudience):
		return Claims{}, refuse("the access token was not issued for this service", err)
	case err != nil:
		return Claims{}, refuse("the access token's claims are not valid", err)
	}
	switch {
	case std.Expiry == nil || std.IssuedAt == nil:
		return Claims{}, refuse("the access token has no expiry or issue time", nil)
	case std.Subject == "" || priv.Tenant == "":
		return Claims{}, refuse("the access token has no subject or tenant", nil)
	case priv.Kind != KindUser && priv.Kind != KindClient:
		return Claims{}, refuse("the access token is of an unknown kind", nil)
	}
	c := Claims{Subject: std.Subject, TenantClientID: priv.Tenant, Role: priv.Role, Kind: priv.Kind}
	if priv.Scope != "" {
		c.Scopes = strings.Fields(priv.Scope)
	}
	return c, nil
}

// refuse is the error for a token that is not good. cause, when set, is one
// of jwt's sentinel errors: never anything that quotes the token.
func refuse(msg string, cause error) error {
	return &core.Error{Code: core.Unauthenticated, Message: msg, Err: cause}
}

// randomID returns 16 random bytes in base64url: key ids and token ids.
func randomID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
