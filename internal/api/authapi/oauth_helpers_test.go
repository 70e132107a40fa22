package authapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

const (
	tokenPath    = "/oauth/token"
	metadataPath = "/.well-known/oauth-authorization-server"
	formType     = "application/x-www-form-urlencoded"
)

// asResponse turns an apitest exchange into this package's response, for
// the shared assertions (oauthErr, wantNoStore).
func asResponse(r apitest.Response) response {
	return response{Status: r.Status, Header: r.Header, Body: r.Body}
}

// postToken posts a form to the token endpoint; headers are name/value
// pairs (a Content-Type among them replaces the form's).
func postToken(t *testing.T, env *apitest.Env, form url.Values, headers ...string) apitest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, tokenPath, form.Encode(), append([]string{"Content-Type", formType}, headers...)...)
}

// basic is the Authorization header pair of client_secret_basic, each half
// form-encoded first as RFC 6749 §2.3.1 asks.
func basic(id, secret string) []string {
	req := &http.Request{Header: http.Header{}}
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	return []string{"Authorization", req.Header.Get("Authorization")}
}

// grant is a decoded successful token response.
type grant struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// wantGrant fails t unless r is a successful token response with exactly
// the documented fields, not cacheable, and returns it.
func wantGrant(t *testing.T, r apitest.Response) grant {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("token: got status %d %s, want 200", r.Status, r.Body)
	}
	var keys map[string]any
	r.JSON(t, &keys)
	if len(keys) != 4 {
		t.Errorf("token response %s: want exactly access_token, token_type, expires_in, scope", r.Body)
	}
	var g grant
	r.JSON(t, &g)
	if g.AccessToken == "" || g.TokenType != "Bearer" || g.ExpiresIn != 900 || g.Scope == "" {
		t.Errorf("token response %s: want a token, type Bearer, expires_in 900 and the granted scope", r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type: got %q, want application/json", ct)
	}
	wantNoStore(t, asResponse(r))
	return g
}

// clientToken gets a token for key of tenant by client_secret_post,
// asking for scope ("" for the default).
func clientToken(t *testing.T, env *apitest.Env, tenant core.TenantCreated, key, scope string) grant {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {tenant.Tenant.ClientID}, "client_secret": {key}}
	if scope != "" {
		form.Set("scope", scope)
	}
	return wantGrant(t, postToken(t, env, form))
}

// resourceServerClaims are the claims an outside resource server reads.
type resourceServerClaims struct {
	jwt.Claims
	Tenant string `json:"tenant"`
	Kind   string `json:"kind"`
	Scope  string `json:"scope"`
}

// verifyAsResourceServer checks raw as a resource server that knows only
// Roster's base URL would: it fetches the JWKS over HTTP, verifies the
// signature with go-jose (ES256 only) and the registered claims as of now,
// and returns the claims and the token's kid.
func verifyAsResourceServer(t *testing.T, baseURL, raw string, now time.Time) (resourceServerClaims, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, baseURL+"/.well-known/jwks.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET jwks: %v", err)
	}
	defer res.Body.Close()
	doc, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET jwks: %d %s (%v)", res.StatusCode, doc, err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatalf("decode JWKS %s: %v", doc, err)
	}
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("parse the token as ES256: %v", err)
	}
	kid := tok.Headers[0].KeyID
	keys := set.Key(kid)
	if len(keys) != 1 || !keys[0].IsPublic() {
		t.Fatalf("JWKS has %d public keys for kid %q, want 1", len(keys), kid)
	}
	var c resourceServerClaims
	if err := tok.Claims(keys[0].Key, &c); err != nil {
		t.Fatalf("the signature does not verify with the published key: %v", err)
	}
	if err := c.ValidateWithLeeway(jwt.Expected{Issuer: baseURL, AnyAudience: jwt.Audience{"roster"}, Time: now}, 0); err != nil {
		t.Fatalf("claims: %v", err)
	}
	return c, kid
}

// wantClientClaims fails t unless c are the claims of a client token for
// key keyID of tenant with scope.
func wantClientClaims(t *testing.T, c resourceServerClaims, tenant core.TenantCreated, keyID int64, scope string) {
	t.Helper()
	if c.Subject != fmt.Sprint(keyID) || c.Tenant != tenant.Tenant.ClientID || c.Kind != "client" || c.Scope != scope {
		t.Errorf("got sub %q tenant %q kind %q scope %q, want %d, %s, client, %q",
			c.Subject, c.Tenant, c.Kind, c.Scope, keyID, tenant.Tenant.ClientID, scope)
	}
	if c.Expiry == nil || c.IssuedAt == nil || c.Expiry.Time().Sub(c.IssuedAt.Time()) != 15*time.Minute || c.ID == "" {
		t.Errorf("got exp %v iat %v jti %q, want a 15-minute token with an id", c.Expiry, c.IssuedAt, c.ID)
	}
}

// newKey makes an API key of tenant with scopes and returns it with its id.
func newKey(t *testing.T, env *apitest.Env, tenant core.TenantCreated, scopes ...string) (plaintext string, id int64) {
	t.Helper()
	k, plaintext, err := env.Service.CreateAPIKey(context.Background(), core.OperatorFor(tenant.Tenant),
		core.CreateAPIKey{Name: "key " + strings.Join(scopes, " "), Scopes: scopes})
	if err != nil {
		t.Fatalf("CreateAPIKey: %v", err)
	}
	return plaintext, k.ID
}

// wantScopes fails t unless the space-separated scope lists want.
func wantScopes(t *testing.T, scope string, want ...string) {
	t.Helper()
	if got := strings.Fields(scope); !slices.Equal(got, want) {
		t.Errorf("scope: got %q, want %q", scope, strings.Join(want, " "))
	}
}
