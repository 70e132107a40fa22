package adminapi

import (
	"context"
	"net/http"
	"time"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/api/problem"
	"github.com/rosterhq/roster/internal/core"
)

// workspaceView is a workspace as the Admin API shows it, in seed 003's
// names.
type workspaceView struct {
	ID        string    `json:"_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

type workspaceList struct {
	Workspaces []workspaceView `json:"workspaces"`
}

// createWorkspaceRequest is POST /api/v1/workspaces's body; _id is
// optional.
type createWorkspaceRequest struct {
	ID   string `json:"_id"`
	Name string `json:"name"`
}

// renameWorkspaceRequest is PATCH /api/v1/workspaces/{id}'s body.
type renameWorkspaceRequest struct {
	Name *string `json:"name"`
}

func workspaceViewOf(w core.Workspace) workspaceView {
	return workspaceView{ID: w.ID, Name: w.Name, CreatedAt: w.CreatedAt.UTC(), UpdatedAt: w.UpdatedAt.UTC()}
}

var workspaceProblems = problem.Options{NotFound: "no such workspace"}

func (h *handlers) writeWorkspaceError(w http.ResponseWriter, r *http.Request, err error) {
	problem.WriteWith(w, r, h.Log, err, workspaceProblems)
}

func (h *handlers) listWorkspaces(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeWorkspaceError(w, r, err)
		return
	}
	list, err := h.Service.ListWorkspaces(r.Context(), actor)
	if err != nil {
		h.writeWorkspaceError(w, r, err)
		return
	}
	out := workspaceList{Workspaces: make([]workspaceView, len(list))}
	for i, ws := range list {
		out.Workspaces[i] = workspaceViewOf(ws)
	}
	httpkit.WriteJSON(w, http.StatusOK, "", out)
}

func (h *handlers) getWorkspace(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeWorkspaceError(w, r, err)
		return
	}
	ws, err := h.Service.GetWorkspace(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		h.writeWorkspaceError(w, r, err)
		return
	}
	httpkit.WriteJSON(w, http.StatusOK, "", workspaceViewOf(ws))
}

func (h *handlers) createWorkspace(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeWorkspaceError(w, r, err)
		return
	}
	body, err := httpkit.ReadJSONBody(w, r, httpkit.MaxBodyBytes)
	if err != nil {
		h.writeWorkspaceError(w, r, err)
		return
	}
	h.idempotent(w, r, actor, body, func(ctx context.Context) reply {
		var req createWorkspaceRequest
		if err := httpkit.DecodeStrict(body, &req); err != nil {
			return problemReply(problem.From(ctx, h.Log, err, workspaceProblems))
		}
		ws, err := h.Service.CreateWorkspace(ctx, actor, core.CreateWorkspace{ID: req.ID, Name: req.Name})
		if err != nil {
			return problemReply(problem.From(ctx, h.Log, err, workspaceProblems))
		}
		header := http.Header{}
		header.Set("Location", "/api/v1/workspaces/"+ws.ID)
		return reply{Status: http.StatusCreated, Header: header, Body: workspaceViewOf(ws)}
	})
}

func (h *handlers) renameWorkspace(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeWorkspaceError(w, r, err)
		return
	}
	body, err := httpkit.ReadJSONBody(w, r, httpkit.MaxBodyBytes)
	if err != nil {
		h.writeWorkspaceError(w, r, err)
		return
	}
	var req renameWorkspaceRequest
	if err := httpkit.DecodeStrict(body, &req); err != nil {
		h.writeWorkspaceError(w, r, err)
		return
	}
	if req.Name == nil {
		h.writeWorkspaceError(w, r, core.FieldError(core.Invalid, "name", "is required"))
		return
	}
	ws, err := h.Service.RenameWorkspace(r.Context(), actor, r.PathValue("id"), *req.Name)
	if err != nil {
		h.writeWorkspaceError(w, r, err)
		return
	}
	httpkit.WriteJSON(w, http.StatusOK, "", workspaceViewOf(ws))
}

func (h *handlers) deleteWorkspace(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeWorkspaceError(w, r, err)
		return
	}
	if err := h.Service.DeleteWorkspace(r.Context(), actor, r.PathValue("id")); err != nil {
		h.writeWorkspaceError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
