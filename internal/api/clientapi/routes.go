// Package clientapi is the Client API face (seed 000): a flat JSON user
// payload on POST /api/users and POST /_api/client/users, with GET, PATCH
// and DELETE by id and a cursor-paginated list, authenticated by an API key
// (or a clientAdmin's access token), with errors shaped
// {"error","status","message"}.
package clientapi

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

// Routes registers the face's routes on mux.
func Routes(mux *http.ServeMux, d Deps) {
	h := &handlers{d}
	mux.HandleFunc("POST /api/users", h.createUser)
	mux.HandleFunc("POST /_api/client/users", h.createUser)
	mux.HandleFunc("GET /api/users", h.listUsers)
	mux.HandleFunc("GET /api/users/{id}", h.getUser)
	mux.HandleFunc("PATCH /api/users/{id}", h.updateUser)
	mux.HandleFunc("DELETE /api/users/{id}", h.deleteUser)
}
