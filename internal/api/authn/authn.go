// Package authn turns a request's credential into the core.Actor it speaks
// for: an API key or a bearer access token in the Authorization header. It
// owns the help given for the common mistakes (the Zapier "Bearer" header
// label, a key sent without the word Bearer). Every face uses it, and each
// renders its errors in its own shape.
package authn

import (
	"context"
	"net/http"
	"strings"

	"github.com/rosterhq/roster/internal/core"
)

// TokenVerifier checks an access token's signature and claims and says who
// it was issued to.
type TokenVerifier func(ctx context.Context, raw string) (core.TokenSubject, error)

// Authenticator resolves credentials.
type Authenticator struct {
	Service *core.Service
	Verify  TokenVerifier // nil: only API keys are accepted
	Limits  *Limits       // nil: credentials are not rate limited
}

// Messages for the mistakes people make; they show the right header and
// never repeat the credential.
const (
	msgMissing      = `missing credentials: send the header "Authorization: Bearer <your API key>"`
	msgBearerHeader = `the request has a header named "Bearer" but no Authorization header: ` +
		`the header's name (Zapier's "Label") must be Authorization and its value ("Content") must be ` +
		`"Bearer <your API key>", the word Bearer, a space, then the key`
	msgNoScheme = `the Authorization header must be "Bearer <your API key>": ` +
		`put the word Bearer and a space before the key`
	msgScheme = `unsupported authorization scheme: use "Authorization: Bearer <your API key or access token>"`
	msgEmpty  = `the Authorization header has no credential after "Bearer "`
)

// Actor returns the actor behind r's credential, after taking the
// request from the credential's rate limit: the RateLimit-* headers are set
// on w, including on a refusal.
//
// Errors: core Unauthenticated (missing, malformed, unknown, revoked or
// expired credentials) with a message safe to show; RateLimited (with
// Retry) when the credential's rate limit is exhausted; Internal for
// failures.
func (a *Authenticator) Actor(w http.ResponseWriter, r *http.Request) (core.Actor, error) {
	actor, err := a.resolve(r)
	if err != nil || a.Limits == nil {
		return actor, err
	}
	if err := a.Limits.Check(w, r, actor); err != nil {
		return core.Actor{}, err
	}
	return actor, nil
}

// resolve finds the actor behind r's credential.
func (a *Authenticator) resolve(r *http.Request) (core.Actor, error) {
	header := strings.TrimSpace(r.Header.Get("Authorization"))
	if header == "" {
		if r.Header.Get("Bearer") != "" {
			return core.Actor{}, core.Errorf(core.Unauthenticated, "%s", msgBearerHeader)
		}
		return core.Actor{}, core.Errorf(core.Unauthenticated, "%s", msgMissing)
	}
	scheme, credential, found := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		if !found && (strings.HasPrefix(header, "bdk_") || strings.Count(header, ".") == 2) {
			return core.Actor{}, core.Errorf(core.Unauthenticated, "%s", msgNoScheme)
		}
		return core.Actor{}, core.Errorf(core.Unauthenticated, "%s", msgScheme)
	}
	credential = strings.TrimSpace(credential)
	if credential == "" {
		return core.Actor{}, core.Errorf(core.Unauthenticated, "%s", msgEmpty)
	}
	if strings.HasPrefix(credential, "bdk_") {
		return a.Service.AuthenticateAPIKey(r.Context(), credential)
	}
	if a.Verify == nil {
		return core.Actor{}, core.Errorf(core.Unauthenticated, "the credential is not a valid API key")
	}
	subject, err := a.Verify(r.Context(), credential)
	if err != nil {
		return core.Actor{}, err
	}
	return a.Service.ActorForToken(r.Context(), subject)
}

// Challenge is the WWW-Authenticate value sent with a 401 (RFC 6750).
const Challenge = `Bearer realm="roster"`
