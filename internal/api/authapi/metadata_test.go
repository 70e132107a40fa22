package authapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/rosterhq/roster/internal/api/apitest"
)

// metadataDoc is RFC 8414's document as Roster fills it.
type metadataDoc struct {
	Issuer                            string   `json:"issuer"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
}

// TestMetadata reads the authorization server metadata and uses nothing
// else to get a token and verify it: a client that knows only the issuer.
func TestMetadata(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		r := env.Do(t, http.MethodGet, metadataPath, "")
		if r.Status != http.StatusOK {
			t.Fatalf("got status %d %s, want 200", r.Status, r.Body)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type: got %q, want application/json", ct)
		}
		var doc metadataDoc
		dec := json.NewDecoder(bytes.NewReader(r.Body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("decode %s: %v", r.Body, err)
		}
		want := metadataDoc{
			Issuer:                            env.URL,
			TokenEndpoint:                     env.URL + "/oauth/token",
			JWKSURI:                           env.URL + "/.well-known/jwks.json",
			ScopesSupported:                   []string{"users:read", "users:write", "admin"},
			ResponseTypesSupported:            []string{},
			GrantTypesSupported:               []string{"client_credentials"},
			TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post"},
		}
		if doc.Issuer != want.Issuer || doc.TokenEndpoint != want.TokenEndpoint || doc.JWKSURI != want.JWKSURI ||
			!slices.Equal(doc.ScopesSupported, want.ScopesSupported) ||
			doc.ResponseTypesSupported == nil || len(doc.ResponseTypesSupported) != 0 ||
			!slices.Equal(doc.GrantTypesSupported, want.GrantTypesSupported) ||
			!slices.Equal(doc.TokenEndpointAuthMethodsSupported, want.TokenEndpointAuthMethodsSupported) {
			t.Errorf("got %+v, want %+v (response_types_supported present and empty: RFC 8414 requires it, and there is no authorization endpoint)", doc, want)
		}
		// RFC 8414 §2 requires these; an authorization endpoint is required
		// only of servers with a grant that uses one.
		var keys map[string]any
		r.JSON(t, &keys)
		for _, k := range []string{"issuer", "token_endpoint", "response_types_supported"} {
			if _, ok := keys[k]; !ok {
				t.Errorf("the document lacks %s, which RFC 8414 requires", k)
			}
		}
		if _, ok := keys["authorization_endpoint"]; ok {
			t.Errorf("the document names an authorization endpoint, which Roster does not have")
		}

		// A client that knows only the document gets a token whose iss is
		// the document's issuer.
		acme := env.NewTenant(t, "Acme")
		cfg := clientcredentials.Config{ClientID: acme.Tenant.ClientID, ClientSecret: acme.APIKey, TokenURL: doc.TokenEndpoint}
		tok, err := cfg.Token(context.Background())
		if err != nil {
			t.Fatalf("Token from %s: %v", doc.TokenEndpoint, err)
		}
		claims, _ := verifyAsResourceServer(t, doc.Issuer, tok.AccessToken, time.Now())
		if claims.Issuer != doc.Issuer {
			t.Errorf("token iss %q, metadata issuer %q: want them equal (RFC 8414 §3.3)", claims.Issuer, doc.Issuer)
		}
		wantClientClaims(t, claims, acme, acme.Key.ID, "users:read users:write admin")

		// Asked again, the document is the same; it is public and cacheable.
		again := env.Do(t, http.MethodGet, metadataPath, "")
		if !bytes.Equal(again.Body, r.Body) {
			t.Errorf("second read: got %s, want %s", again.Body, r.Body)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=300" {
			t.Errorf("Cache-Control: got %q, want public, max-age=300", cc)
		}
		if r := env.Do(t, http.MethodPost, metadataPath, "{}"); r.Status != http.StatusMethodNotAllowed {
			t.Errorf("POST: got %d, want 405", r.Status)
		}
	})
}
