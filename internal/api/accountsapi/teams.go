package accountsapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/api/problem"
	"github.com/rosterhq/roster/internal/core"
)

// The Teams routes belong to the Admin API (/api/v1): the tenant comes from
// the credential alone (no x-account-id), the credential needs the admin
// scope (or is a clientAdmin's token), and errors are RFC 9457 problem
// details.

// teamRequest is the body of a create or a rename.
type teamRequest struct {
	Name *string `json:"name"`
}

type teamView struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

type teamList struct {
	Teams []teamView `json:"teams"`
}

func teamViewOf(t core.Team) teamView {
	return teamView{ID: t.ID, Name: t.Name, Active: t.Active, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

// teamPath is a team's URL path.
func teamPath(id int64) string { return "/api/v1/teams/" + strconv.FormatInt(id, 10) }

// problemResponse renders err as a problem; it is the Teams routes' one
// mapping of errors to statuses (problem.From's).
func (h *handlers) problemResponse(ctx context.Context, err error) response {
	p := problem.From(ctx, h.Log, err, problem.Options{NotFound: "no such team"})
	return response{Status: p.Status, Header: p.Header, ContentType: problem.ContentType, Body: p.Details}
}

func (h *handlers) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	h.problemResponse(r.Context(), err).Write(w)
}

// problemDialect is the problem shape for the idempotency wrapper.
func (h *handlers) problemDialect() dialect {
	return dialect{
		errorResponse: h.problemResponse,
		contentType: func(status int) string {
			if status >= 400 {
				return problem.ContentType
			}
			return ""
		},
	}
}

func (h *handlers) listTeams(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	teams, err := h.Service.ListTeams(r.Context(), actor)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	out := teamList{Teams: make([]teamView, len(teams))}
	for i, t := range teams {
		out.Teams[i] = teamViewOf(t)
	}
	response{Status: http.StatusOK, Body: out}.Write(w)
}

func (h *handlers) createTeam(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	body, err := httpkit.ReadJSONBody(w, r, httpkit.MaxBodyBytes)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	h.idempotent(w, r, actor, body, h.problemDialect(), func(ctx context.Context) response {
		var req teamRequest
		if err := httpkit.DecodeStrict(body, &req); err != nil {
			return h.problemResponse(ctx, err)
		}
		var name string // a missing name is the core's to refuse, like an empty one
		if req.Name != nil {
			name = *req.Name
		}
		t, err := h.Service.CreateTeam(ctx, actor, name)
		if err != nil {
			return h.problemResponse(ctx, err)
		}
		return response{Status: http.StatusCreated, Header: http.Header{"Location": {teamPath(t.ID)}}, Body: teamViewOf(t)}
	})
}

func (h *handlers) getTeam(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	t, err := h.Service.GetTeam(r.Context(), actor, httpkit.PathID(r))
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	response{Status: http.StatusOK, Body: teamViewOf(t)}.Write(w)
}

// renameTeam changes the name; a body without one changes nothing and
// answers the team as it is.
func (h *handlers) renameTeam(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	body, err := httpkit.ReadJSONBody(w, r, httpkit.MaxBodyBytes)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	var req teamRequest
	if err := httpkit.DecodeStrict(body, &req); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	var t core.Team
	if req.Name == nil {
		t, err = h.Service.GetTeam(r.Context(), actor, httpkit.PathID(r))
	} else {
		t, err = h.Service.RenameTeam(r.Context(), actor, httpkit.PathID(r), *req.Name)
	}
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	response{Status: http.StatusOK, Body: teamViewOf(t)}.Write(w)
}

func (h *handlers) deleteTeam(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	if err := h.Service.DeleteTeam(r.Context(), actor, httpkit.PathID(r)); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
