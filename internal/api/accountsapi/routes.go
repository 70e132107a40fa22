package accountsapi

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
	Log     *slog.Logger // slog.Default() when nil
}

type handlers struct{ Deps }

// Routes registers the face's routes, and the Teams admin routes, on mux.
func Routes(mux *http.ServeMux, d Deps) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	h := &handlers{d}
	mux.HandleFunc("POST /users", h.createUser)
	mux.HandleFunc("GET /users", h.listUsers)
	mux.HandleFunc("GET /users/{id}", h.getUser)
	mux.HandleFunc("PATCH /users/{id}", h.updateUser)
	mux.HandleFunc("DELETE /users/{id}", h.deleteUser)

	mux.HandleFunc("GET /api/v1/teams", h.listTeams)
	mux.HandleFunc("POST /api/v1/teams", h.createTeam)
	mux.HandleFunc("GET /api/v1/teams/{id}", h.getTeam)
	mux.HandleFunc("PATCH /api/v1/teams/{id}", h.renameTeam)
	mux.HandleFunc("DELETE /api/v1/teams/{id}", h.deleteTeam)
}
