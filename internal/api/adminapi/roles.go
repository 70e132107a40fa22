package adminapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/api/problem"
	"github.com/rosterhq/roster/internal/core"
)

// roleView is a role as the Admin API shows it.
type roleView struct {
	ID          int64    `json:"id"`
	Key         string   `json:"key"`
	Name        string   `json:"name"`
	Permissions []string `json:"permissions"`
	BuiltIn     bool     `json:"builtIn"`
}

type roleList struct {
	Roles []roleView `json:"roles"`
}

// createRoleRequest is POST /api/v1/roles's body.
type createRoleRequest struct {
	Key         string   `json:"key"`
	Name        string   `json:"name"`
	Permissions []string `json:"permissions"`
}

func viewOf(r core.Role) roleView {
	perms := r.Permissions
	if perms == nil {
		perms = []string{}
	}
	return roleView{ID: r.ID, Key: r.Key, Name: r.Name, Permissions: perms, BuiltIn: r.BuiltIn()}
}

// rolePath is a role's URL path.
func rolePath(id int64) string { return "/api/v1/roles/" + strconv.FormatInt(id, 10) }

// problemOptions describe role errors.
var problemOptions = problem.Options{NotFound: "no such role"}

// writeError renders err as a problem; problem.From is the one mapping of
// errors to statuses.
func (h *handlers) writeError(w http.ResponseWriter, r *http.Request, err error) {
	problem.WriteWith(w, r, h.Log, err, problemOptions)
}

func (h *handlers) listRoles(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	roles, err := h.Service.ListRoles(r.Context(), actor)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := roleList{Roles: make([]roleView, len(roles))}
	for i, role := range roles {
		out.Roles[i] = viewOf(role)
	}
	httpkit.WriteJSON(w, http.StatusOK, "", out)
}

func (h *handlers) getRole(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	role, err := h.Service.GetRole(r.Context(), actor, httpkit.PathID(r))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	httpkit.WriteJSON(w, http.StatusOK, "", viewOf(role))
}

func (h *handlers) createRole(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	body, err := httpkit.ReadJSONBody(w, r, httpkit.MaxBodyBytes)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.idempotent(w, r, actor, body, func(ctx context.Context) reply {
		var req createRoleRequest
		if err := httpkit.DecodeStrict(body, &req); err != nil {
			return problemReply(problem.From(ctx, h.Log, err, problemOptions))
		}
		role, err := h.Service.CreateRole(ctx, actor, core.CreateRole{Key: req.Key, Name: req.Name, Permissions: req.Permissions})
		if err != nil {
			return problemReply(problem.From(ctx, h.Log, err, problemOptions))
		}
		header := http.Header{}
		header.Set("Location", rolePath(role.ID))
		return reply{Status: http.StatusCreated, Header: header, Body: viewOf(role)}
	})
}

func (h *handlers) deleteRole(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.Service.DeleteRole(r.Context(), actor, httpkit.PathID(r)); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
