package authapi

import (
	"log/slog"
	"net/http"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/token"
)

// Deps is what the Auth face needs.
type Deps struct {
	Service *core.Service
	Tokens  *token.Issuer
	Log     *slog.Logger // slog.Default() when nil
}

// Routes registers the face's routes on mux.
func Routes(mux *http.ServeMux, d Deps) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	h := &handler{svc: d.Service, tokens: d.Tokens, log: d.Log}
	mux.HandleFunc("POST /api/auth/login", h.login)
	mux.HandleFunc("GET /.well-known/jwks.json", h.jwks)
}

type handler struct {
	svc    *core.Service
	tokens *token.Issuer
	log    *slog.Logger
}
