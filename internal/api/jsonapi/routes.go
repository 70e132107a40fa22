package jsonapi

import (
	"log/slog"
	"net/http"

	"github.com/rosterhq/roster/internal/api/authn"
	"github.com/rosterhq/roster/internal/core"
)

// Deps is what the face needs.
type Deps struct {
	Service *core.Service
	Auth    *authn.Authenticator
	Log     *slog.Logger
}

type handlers struct{ Deps }

// Routes registers the face's routes on mux. They share their paths with
// the Client API's, so mux is the JSON:API face's own: internal/api sends it
// the requests that are for this face.
func Routes(mux *http.ServeMux, d Deps) {
	h := &handlers{d}
	mux.HandleFunc("POST /api/users", h.createUser)
	mux.HandleFunc("GET /api/users", h.listUsers)
	mux.HandleFunc("GET /api/users/{id}", h.getUser)
	mux.HandleFunc("PATCH /api/users/{id}", h.updateUser)
	mux.HandleFunc("DELETE /api/users/{id}", h.deleteUser)
}
