package adminapi

import (
	"log/slog"
	"net/http"

	"github.com/rosterhq/roster/internal/api/authn"
	"github.com/rosterhq/roster/internal/core"
)

// Deps is what the Admin API needs.
type Deps struct {
	Service *core.Service
	Auth    *authn.Authenticator
	Log     *slog.Logger
}

type handlers struct{ Deps }

// Routes registers the Admin API's routes on mux.
func Routes(mux *http.ServeMux, d Deps) {
	h := &handlers{d}
	mux.HandleFunc("GET /api/v1/roles", h.listRoles)
	mux.HandleFunc("POST /api/v1/roles", h.createRole)
	mux.HandleFunc("GET /api/v1/roles/{id}", h.getRole)
	mux.HandleFunc("DELETE /api/v1/roles/{id}", h.deleteRole)
	mux.HandleFunc("GET /api/v1/events", h.listEvents)
}
