package core

import (
	"context"
	"strings"
)

// msgClientAuthFailed is the one message every failed client
// authentication gets: a malformed client ID, an unknown or revoked key,
// and a key of another tenant read the same.
const msgClientAuthFailed = "client authentication failed"

// AuthenticateClient authenticates an OAuth 2.0 client (RFC 6749 §2.3.1):
// clientID is a tenant's client ID and secret one of that tenant's API keys.
// It returns the key's actor, as AuthenticateAPIKey does.
//
// Errors: Unauthenticated, with one message whatever the cause (a malformed
// client ID, an unknown, malformed or revoked key, a key of another
// tenant); Internal when the store fails.
func (s *Service) AuthenticateClient(ctx context.Context, clientID, secret string) (Actor, error) {
	failed := Errorf(Unauthenticated, msgClientAuthFailed)
	if !ValidClientID(clientID) {
		return Actor{}, failed
	}
	a, err := s.AuthenticateAPIKey(ctx, secret)
	if ErrorCodeOf(err) == Unauthenticated {
		return Actor{}, failed
	}
	if err != nil {
		return Actor{}, err
	}
	if a.ClientID != clientID {
		return Actor{}, failed
	}
	return a, nil
}

// GrantScopes returns the scopes a token issued for a's credential carries,
// given the space-separated scope parameter of the request (RFC 6749 §3.3):
// the requested ones, which must all be a's, or all of a's scopes when none
// is requested. The result is in AllScopes order, without duplicates, and
// never empty (a credential with every scope gets AllScopes spelled out).
//
// Errors: Invalid (field "scope") for a scope Roster does not know;
// Forbidden (field "scope") for a scope the credential does not carry.
func GrantScopes(a Actor, requested string) ([]string, error) {
	held := a.Scopes
	if len(held) == 0 {
		held = AllScopes
	}
	asked := strings.Fields(requested)
	if len(asked) == 0 {
		return append([]string(nil), held...), nil
	}
	want := map[string]bool{}
	for _, sc := range asked {
		if !isScope(sc) {
			return nil, FieldError(Invalid, "scope", "unknown scope %q: must be among %s", sc, strings.Join(AllScopes, ", "))
		}
		if !a.HasScope(sc) {
			return nil, FieldError(Forbidden, "scope", "scope %s is more than the credential carries (%s)", sc, strings.Join(held, ", "))
		}
		want[sc] = true
	}
	var granted []string
	for _, sc := range AllScopes {
		if want[sc] {
			granted = append(granted, sc)
		}
	}
	return granted, nil
}
