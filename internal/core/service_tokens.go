package core

import (
	"context"
	"fmt"
	"strconv"
)

// Token kinds: who a bearer token was issued to.
const (
	TokenKindUser   = "user"   // a logged-in user (POST /api/auth/login)
	TokenKindClient = "client" // a tenant credential (POST /oauth/token with an API key)
)

// TokenSubject is what a verified access token says about its bearer. The
// signature has been checked; the core still checks that the bearer exists
// now.
type TokenSubject struct {
	Kind     string
	Subject  string // the user id (user) or the API key id (client)
	ClientID string // the tenant
	Scopes   []string
}

// ActorForToken resolves a verified token to the actor it speaks for, from
// current state: a user's role is read now, not trusted from the token, so a
// demoted or deactivated user loses access at once; a client token stops
// working when its API key is revoked.
//
// Errors: Unauthenticated when the bearer no longer exists or may not act.
func (s *Service) ActorForToken(ctx context.Context, ts TokenSubject) (Actor, error) {
	gone := Errorf(Unauthenticated, "the access token's subject no longer exists or is inactive")
	t, err := s.store.GetTenantByClientID(ctx, ts.ClientID)
	if ErrorCodeOf(err) == NotFound {
		return Actor{}, gone
	}
	if err != nil {
		return Actor{}, fmt.Errorf("load tenant of token: %w", err)
	}
	id, err := strconv.ParseInt(ts.Subject, 10, 64)
	if err != nil {
		return Actor{}, gone
	}
	switch ts.Kind {
	case TokenKindUser:
		u, err := s.store.GetUser(ctx, t.ID, id)
		if ErrorCodeOf(err) == NotFound || (err == nil && !u.Active) {
			return Actor{}, gone
		}
		if err != nil {
			return Actor{}, fmt.Errorf("load user of token: %w", err)
		}
		return Actor{Kind: ActorUser, TenantID: t.ID, ClientID: t.ClientID, UserID: u.ID, Email: u.Email, Role: u.Role, Scopes: ts.Scopes}, nil
	case TokenKindClient:
		k, err := s.store.GetAPIKey(ctx, t.ID, id)
		if ErrorCodeOf(err) == NotFound || (err == nil && k.Revoked()) {
			return Actor{}, gone
		}
		if err != nil {
			return Actor{}, fmt.Errorf("load api key of token: %w", err)
		}
		return Actor{Kind: ActorAPIKey, TenantID: t.ID, ClientID: t.ClientID, APIKeyID: k.ID, KeyPrefix: k.Prefix, Scopes: ts.Scopes}, nil
	}
	return Actor{}, gone
}
