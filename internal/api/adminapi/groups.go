package adminapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/api/problem"
	"github.com/rosterhq/roster/internal/core"
)

// workspaceRef is a group's workspace_id in seed 003's shape: {"_id",
// "name"} out; in, either that object or the bare id string. A name sent
// in is ignored: the workspace is named by its own record.
type workspaceRef struct {
	ID   string `json:"_id"`
	Name string `json:"name"`
}

func (w *workspaceRef) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		return json.Unmarshal(b, &w.ID)
	case len(b) > 0 && b[0] == '{':
		type plain workspaceRef // without this method
		return json.Unmarshal(b, (*plain)(w))
	}
	return &json.UnmarshalTypeError{Value: "value", Type: reflect.TypeFor[string]()}
}

// permissionView is one of a group's permissions, in seed 003's names.
type permissionView struct {
	ID      string          `json:"_id"`
	PageID  string          `json:"page_id"`
	Filters json.RawMessage `json:"filters"`
}

type groupView struct {
	ID          string           `json:"_id"`
	WorkspaceID workspaceRef     `json:"workspace_id"`
	Name        string           `json:"name"`
	Permissions []permissionView `json:"permissions"`
	CreatedAt   time.Time        `json:"createdAt"`
	UpdatedAt   time.Time        `json:"updatedAt"`
}

type groupList struct {
	Groups []groupView `json:"groups"`
}

// createGroupRequest is POST /api/v1/groups's body; _id is optional.
type createGroupRequest struct {
	ID          string           `json:"_id"`
	WorkspaceID *workspaceRef    `json:"workspace_id"`
	Name        string           `json:"name"`
	Permissions []permissionView `json:"permissions"`
}

// patchGroupRequest is PATCH /api/v1/groups/{id}'s body: members left out
// stay as they are.
type patchGroupRequest struct {
	WorkspaceID *workspaceRef     `json:"workspace_id"`
	Name        *string           `json:"name"`
	Permissions *[]permissionView `json:"permissions"`
}

type memberView struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

type memberPage struct {
	Members    []memberView `json:"members"`
	NextCursor *string      `json:"nextCursor"`
}

func groupViewOf(g core.Group) groupView {
	perms := make([]permissionView, len(g.Permissions))
	for i, p := range g.Permissions {
		perms[i] = permissionView{ID: p.ID, PageID: p.PageID, Filters: p.Filters}
	}
	return groupView{ID: g.ID, WorkspaceID: workspaceRef{ID: g.WorkspaceID, Name: g.WorkspaceName},
		Name: g.Name, Permissions: perms, CreatedAt: g.CreatedAt.UTC(), UpdatedAt: g.UpdatedAt.UTC()}
}

func permissionsOf(in []permissionView) []core.Permission {
	out := make([]core.Permission, len(in))
	for i, p := range in {
		out[i] = core.Permission{ID: p.ID, PageID: p.PageID, Filters: p.Filters}
	}
	return out
}

var groupProblems = problem.Options{NotFound: "no such group"}

func (h *handlers) writeGroupError(w http.ResponseWriter, r *http.Request, err error) {
	problem.WriteWith(w, r, h.Log, err, groupProblems)
}

func (h *handlers) listGroups(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeGroupError(w, r, err)
		return
	}
	list, err := h.Service.ListGroups(r.Context(), actor, r.URL.Query().Get("workspace_id"))
	if err != nil {
		h.writeGroupError(w, r, err)
		return
	}
	out := groupList{Groups: make([]groupView, len(list))}
	for i, g := range list {
		out.Groups[i] = groupViewOf(g)
	}
	httpkit.WriteJSON(w, http.StatusOK, "", out)
}

func (h *handlers) getGroup(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeGroupError(w, r, err)
		return
	}
	g, err := h.Service.GetGroup(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		h.writeGroupError(w, r, err)
		return
	}
	httpkit.WriteJSON(w, http.StatusOK, "", groupViewOf(g))
}

func (h *handlers) createGroup(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeGroupError(w, r, err)
		return
	}
	body, err := httpkit.ReadJSONBody(w, r, httpkit.MaxBodyBytes)
	if err != nil {
		h.writeGroupError(w, r, err)
		return
	}
	h.idempotent(w, r, actor, body, func(ctx context.Context) reply {
		fail := func(err error) reply { return problemReply(problem.From(ctx, h.Log, err, groupProblems)) }
		var req createGroupRequest
		if err := httpkit.DecodeStrict(body, &req); err != nil {
			return fail(err)
		}
		if req.WorkspaceID == nil {
			return fail(core.FieldError(core.Invalid, "workspace_id", "is required"))
		}
		g, err := h.Service.CreateGroup(ctx, actor, core.CreateGroup{ID: req.ID, WorkspaceID: req.WorkspaceID.ID,
			Name: req.Name, Permissions: permissionsOf(req.Permissions)})
		if err != nil {
			return fail(err)
		}
		header := http.Header{}
		header.Set("Location", "/api/v1/groups/"+g.ID)
		return reply{Status: http.StatusCreated, Header: header, Body: groupViewOf(g)}
	})
}

func (h *handlers) updateGroup(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeGroupError(w, r, err)
		return
	}
	body, err := httpkit.ReadJSONBody(w, r, httpkit.MaxBodyBytes)
	if err != nil {
		h.writeGroupError(w, r, err)
		return
	}
	var req patchGroupRequest
	if err := httpkit.DecodeStrict(body, &req); err != nil {
		h.writeGroupError(w, r, err)
		return
	}
	var cmd core.UpdateGroup
	if req.WorkspaceID != nil {
		cmd.WorkspaceID = &req.WorkspaceID.ID
	}
	cmd.Name = req.Name
	if req.Permissions != nil {
		perms := permissionsOf(*req.Permissions)
		cmd.Permissions = &perms
	}
	g, err := h.Service.UpdateGroup(r.Context(), actor, r.PathValue("id"), cmd)
	if err != nil {
		h.writeGroupError(w, r, err)
		return
	}
	httpkit.WriteJSON(w, http.StatusOK, "", groupViewOf(g))
}

func (h *handlers) deleteGroup(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeGroupError(w, r, err)
		return
	}
	if err := h.Service.DeleteGroup(r.Context(), actor, r.PathValue("id")); err != nil {
		h.writeGroupError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handlers) listGroupMembers(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeGroupError(w, r, err)
		return
	}
	f, err := httpkit.UserFilter(r.URL.Query())
	if e := core.AsError(err); e != nil {
		h.writeGroupError(w, r, badParameter(e.Field, e.Message))
		return
	}
	if f.Email != "" {
		h.writeGroupError(w, r, badParameter("email", "is not a filter of this listing"))
		return
	}
	page, err := h.Service.ListGroupMembers(r.Context(), actor, r.PathValue("id"), f)
	if err != nil {
		h.writeGroupError(w, r, err)
		return
	}
	out := memberPage{Members: make([]memberView, len(page.Users)), NextCursor: httpkit.NextCursor(page.Next)}
	for i, u := range page.Users {
		out.Members[i] = memberView{ID: u.ID, Email: u.Email, Name: u.Name}
	}
	httpkit.WriteJSON(w, http.StatusOK, "", out)
}

// memberUserID reads {userId}; anything that is not a positive integer is
// 0, which no user has (so 404, like an unknown id).
func memberUserID(r *http.Request) int64 {
	id, err := strconv.ParseInt(r.PathValue("userId"), 10, 64)
	if err != nil || id < 1 {
		return 0
	}
	return id
}

func (h *handlers) addGroupMember(w http.ResponseWriter, r *http.Request) {
	h.changeGroupMember(w, r, h.Service.AddGroupMember)
}

func (h *handlers) removeGroupMember(w http.ResponseWriter, r *http.Request) {
	h.changeGroupMember(w, r, h.Service.RemoveGroupMember)
}

func (h *handlers) changeGroupMember(w http.ResponseWriter, r *http.Request,
	change func(context.Context, core.Actor, string, int64) error) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeGroupError(w, r, err)
		return
	}
	if err := change(r.Context(), actor, r.PathValue("id"), memberUserID(r)); err != nil {
		problem.WriteWith(w, r, h.Log, err, problem.Options{NotFound: "no such group, user or membership"})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
