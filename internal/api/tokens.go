package api

import (
	"context"

	"github.com/rosterhq/roster/internal/api/authn"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/token"
)

// verifierOf adapts the token issuer to what authn needs: the core's view
// of who a verified token speaks for.
func verifierOf(tokens *token.Issuer) authn.TokenVerifier {
	return func(ctx context.Context, raw string) (core.TokenSubject, error) {
		c, err := tokens.Verify(ctx, raw)
		if err != nil {
			return core.TokenSubject{}, err
		}
		return core.TokenSubject{Kind: c.Kind, Subject: c.Subject, ClientID: c.TenantClientID, Scopes: c.Scopes}, nil
	}
}
