package authapi

import (
	"net/http"
	"strings"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// serverMetadata is the authorization server's metadata (RFC 8414 §2).
type serverMetadata struct {
	Issuer                            string   `json:"issuer"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
}

// metadata serves the authorization server metadata document. Its issuer
// is the tokens' "iss", as RFC 8414 §3.3 requires, and the endpoints hang
// off it. There is no authorization endpoint (no grant uses one), so
// response_types_supported, which RFC 8414 requires, is empty.
func (o *oauth) metadata(w http.ResponseWriter, r *http.Request) {
	issuer := o.tokens.Issuer()
	base := strings.TrimSuffix(issuer, "/")
	w.Header().Set("Cache-Control", "public, max-age=300")
	httpkit.WriteJSON(w, http.StatusOK, "", serverMetadata{
		Issuer:                            issuer,
		TokenEndpoint:                     base + "/oauth/token",
		JWKSURI:                           base + "/.well-known/jwks.json",
		ScopesSupported:                   core.AllScopes,
		ResponseTypesSupported:            []string{},
		GrantTypesSupported:               []string{grantClientCredentials},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post"},
	})
}
