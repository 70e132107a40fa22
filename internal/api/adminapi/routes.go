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

	mux.HandleFunc("GET /api/v1/workspaces", h.listWorkspaces)
	mux.HandleFunc("POST /api/v1/workspaces", h.createWorkspace)
	mux.HandleFunc("GET /api/v1/workspaces/{id}", h.getWorkspace)
	mux.HandleFunc("PATCH /api/v1/workspaces/{id}", h.renameWorkspace)
	mux.HandleFunc("DELETE /api/v1/workspaces/{id}", h.deleteWorkspace)
	mux.HandleFunc("GET /api/v1/groups", h.listGroups)
	mux.HandleFunc("POST /api/v1/groups", h.createGroup)
	mux.HandleFunc("GET /api/v1/groups/{id}", h.getGroup)
	mux.HandleFunc("PATCH /api/v1/groups/{id}", h.updateGroup)
	mux.HandleFunc("DELETE /api/v1/groups/{id}", h.deleteGroup)
	mux.HandleFunc("GET /api/v1/groups/{id}/members", h.listGroupMembers)
	mux.HandleFunc("PUT /api/v1/groups/{id}/members/{userId}", h.addGroupMember)
	mux.HandleFunc("DELETE /api/v1/groups/{id}/members/{userId}", h.removeGroupMember)
}
