package authapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/token"
)

// OAuth 2.0 error codes (RFC 6749 §5.2) of the token endpoint, beside the
// ones in errors.go.
const (
	errInvalidClient        = "invalid_client"
	errUnsupportedGrantType = "unsupported_grant_type"
	errInvalidScope         = "invalid_scope"
)

const (
	// grantClientCredentials is the one grant type Roster issues tokens
	// for (RFC 6749 §4.4).
	grantClientCredentials = "client_credentials"
	// formMediaType is the only body the token endpoint reads (RFC 6749
	// §4.4.2).
	formMediaType = "application/x-www-form-urlencoded"
	// maxTokenBody bounds the token request body.
	maxTokenBody = 16 << 10
	// basicChallenge answers every invalid_client (RFC 6749 §5.2).
	basicChallenge = `Basic realm="roster"`
)

// tokenParams are the parameters of a token request that may appear at
// most once (RFC 6749 §3.2); any other parameter is ignored.
var tokenParams = []string{"grant_type", "scope", "client_id", "client_secret"}

// oauth serves the OAuth 2.0 routes: the client credentials grant and the
// authorization server's metadata.
type oauth struct {
	*handler
}

// registerOAuth adds the OAuth 2.0 routes to mux.
func registerOAuth(mux *http.ServeMux, h *handler) {
	o := &oauth{handler: h}
	mux.HandleFunc("POST /oauth/token", o.token)
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", o.metadata)
}

// tokenResponse is a successful token response (RFC 6749 §5.1).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// tokenError is a refusal of a token request: an OAuth 2.0 error code, its
// status, and a description safe to show (never a credential).
type tokenError struct {
	status      int
	code        string
	description string
}

func (e *tokenError) Error() string { return e.code + ": " + e.description }

func invalidRequest(format string, args ...any) *tokenError {
	return &tokenError{http.StatusBadRequest, errInvalidRequest, fmt.Sprintf(format, args...)}
}

func invalidClient(description string) *tokenError {
	return &tokenError{http.StatusUnauthorized, errInvalidClient, description}
}

// token is the token endpoint's client credentials grant (RFC 6749 §4.4):
// the client authenticates with its tenant's client ID and one of the
// tenant's API keys, by HTTP Basic (client_secret_basic) or in the body
// (client_secret_post), and gets an access token for that key carrying the
// scopes it asked for (all of the key's by default).
func (o *oauth) token(w http.ResponseWriter, r *http.Request) {
	// Token responses must not be cached (RFC 6749 §5.1); neither must the
	// errors, which answer a request carrying a secret.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")

	form, err := readTokenForm(w, r)
	if err != nil {
		o.writeTokenError(w, r, err)
		return
	}
	clientID, secret, err := clientCredentials(r, form)
	if err != nil {
		o.writeTokenError(w, r, err)
		return
	}
	switch grant := form.Get("grant_type"); grant {
	case "":
		o.writeTokenError(w, r, invalidRequest("grant_type is required"))
		return
	case grantClientCredentials:
	default:
		o.writeTokenError(w, r, &tokenError{http.StatusBadRequest, errUnsupportedGrantType,
			"only the client_credentials grant is supported"})
		return
	}

	actor, err := o.svc.AuthenticateClient(r.Context(), clientID, secret)
	if core.ErrorCodeOf(err) == core.Unauthenticated {
		o.writeTokenError(w, r, invalidClient(core.AsError(err).Message))
		return
	}
	if err != nil {
		o.writeTokenError(w, r, err)
		return
	}
	if o.limits != nil {
		if err := o.limits.Check(w, r, actor); err != nil {
			o.writeTokenError(w, r, err)
			return
		}
	}
	scopes, err := core.GrantScopes(actor, form.Get("scope"))
	if err != nil {
		msg := "the requested scope is not valid"
		if e := core.AsError(err); e != nil {
			msg = e.Message
		}
		o.writeTokenError(w, r, &tokenError{http.StatusBadRequest, errInvalidScope, msg})
		return
	}
	tok, expiresIn, err := o.tokens.Issue(r.Context(), token.Claims{
		Subject:        strconv.FormatInt(actor.APIKeyID, 10),
		TenantClientID: actor.ClientID,
		Scopes:         scopes,
		Kind:           token.KindClient,
	})
	if err != nil {
		o.writeTokenError(w, r, err)
		return
	}
	httpkit.WriteJSON(w, http.StatusOK, "", tokenResponse{
		AccessToken: tok,
		TokenType:   "Bearer",
		ExpiresIn:   int64(expiresIn / time.Second),
		Scope:       strings.Join(scopes, " "),
	})
}

// readTokenForm reads the form-encoded body of a token request.
//
// Errors (*tokenError, invalid_request): another media type, a body past
// maxTokenBody or not form-encoded, a parameter given twice, a secret in
// the URL.
func readTokenForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != formMediaType {
		return nil, invalidRequest("the body must be %s", formMediaType)
	}
	// RFC 6749 §2.3.1: client credentials must never be in the request URI,
	// where logs and proxies keep them.
	if q := r.URL.Query(); q.Has("client_secret") {
		return nil, invalidRequest("client_secret must be sent in the body or with HTTP Basic, never in the URL")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxTokenBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, &tokenError{http.StatusRequestEntityTooLarge, errInvalidRequest,
			fmt.Sprintf("the request body is larger than the limit of %d bytes", maxTokenBody)}
	case err != nil:
		return nil, invalidRequest("the request body could not be read")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		// The parse error quotes the body, which may hold the secret.
		return nil, invalidRequest("the body is not valid %s", formMediaType)
	}
	for _, p := range tokenParams {
		if len(form[p]) > 1 {
			return nil, invalidRequest("%s is repeated", p)
		}
	}
	return form, nil
}

// clientCredentials returns the client ID and secret of a token request,
// from HTTP Basic (with each half form-decoded first, RFC 6749 §2.3.1) or
// from the body.
//
// Errors (*tokenError): invalid_request for malformed Basic credentials,
// both methods at once, or a secret without a client_id; invalid_client
// for another authorization scheme or no client authentication at all.
func clientCredentials(r *http.Request, form url.Values) (clientID, secret string, err error) {
	bodyID, bodySecret := form.Get("client_id"), form.Get("client_secret")
	header := strings.TrimSpace(r.Header.Get("Authorization"))
	if header == "" {
		switch {
		case bodyID == "" && bodySecret == "":
			return "", "", invalidClient("client authentication is required: send the client ID and an API key " +
				"with HTTP Basic, or as client_id and client_secret in the body")
		case bodyID == "":
			return "", "", invalidRequest("client_id is required with client_secret")
		case bodySecret == "":
			return "", "", invalidClient("client_secret is required: send one of the tenant's API keys")
		}
		return bodyID, bodySecret, nil
	}

	scheme, _, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return "", "", invalidClient("unsupported client authentication: use HTTP Basic, " +
			"or client_id and client_secret in the body")
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		return "", "", invalidRequest("the Basic credentials are malformed")
	}
	id, errID := url.QueryUnescape(user)
	sec, errSecret := url.QueryUnescape(pass)
	if errID != nil || errSecret != nil {
		return "", "", invalidRequest("the Basic credentials are not form-encoded (RFC 6749 §2.3.1)")
	}
	if bodySecret != "" {
		return "", "", invalidRequest("the client authenticated both with HTTP Basic and with client_secret in the body: use one")
	}
	if bodyID != "" && bodyID != id {
		return "", "", invalidRequest("client_id in the body is not the one in the Authorization header")
	}
	return id, sec, nil
}

// writeTokenError renders a token endpoint refusal; errors that are not a
// *tokenError go to the face's writeError (busy, rate limited, internal).
func (o *oauth) writeTokenError(w http.ResponseWriter, r *http.Request, err error) {
	var te *tokenError
	if !errors.As(err, &te) {
		o.writeError(w, r, err)
		return
	}
	if te.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", basicChallenge)
	}
	writeOAuthError(w, te.status, te.code, te.description)
}
