package authapi

import (
	"log/slog"
	"net/http"

	"github.com/rosterhq/roster/internal/api/authn"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/token"
)

// Deps is what the Auth face needs.
type Deps struct {
	Service *core.Service
	Tokens  *token.Issuer
	Log     *slog.Logger // slog.Default() when nil
	// Protection limits login attempts per email and client address; nil:
	// none.
	Protection *LoginProtection
	// Limits is the per-credential rate limit: a token request takes one
	// request from its API key's bucket, the one its tokens then draw
	// from, so minting tokens cannot go around the key's limit. nil: none.
	Limits *authn.Limits
}

// Routes registers the face's routes on mux.
func Routes(mux *http.ServeMux, d Deps) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	h := &handler{svc: d.Service, tokens: d.Tokens, log: d.Log, protect: d.Protection, limits: d.Limits}
	mux.HandleFunc("POST /api/auth/login", h.login)
	mux.HandleFunc("POST /api/auth/password", h.password)
	mux.HandleFunc("GET /.well-known/jwks.json", h.jwks)
	registerOAuth(mux, h) // POST /oauth/token, GET /.well-known/oauth-authorization-server
}

type handler struct {
	svc    *core.Service
	tokens *token.Issuer
	log    *slog.Logger

	protect *LoginProtection
	limits  *authn.Limits
}
