package clientapi

import (
	"context"
	"net/http"
	"time"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// createUserRequest is seed 000's payload. clientId is optional and must
// name the key's own tenant.
type createUserRequest struct {
	ClientID              string  `json:"clientId"`
	Email                 string  `json:"email"`
	DisplayName           string  `json:"displayName"`
	Password              *string `json:"password"`
	Role                  string  `json:"role"`
	EmailFilteringEnabled *bool   `json:"emailFilteringEnabled"`
}

// updateUserRequest changes only the fields it carries.
type updateUserRequest struct {
	ClientID              *string `json:"clientId"`
	Email                 *string `json:"email"`
	DisplayName           *string `json:"displayName"`
	Password              *string `json:"password"`
	Role                  *string `json:"role"`
	EmailFilteringEnabled *bool   `json:"emailFilteringEnabled"`
}

// userView is a user as this face shows it: never the password or its hash.
type userView struct {
	ID                    int64     `json:"id"`
	Email                 string    `json:"email"`
	DisplayName           string    `json:"displayName"`
	Role                  string    `json:"role"`
	EmailFilteringEnabled bool      `json:"emailFilteringEnabled"`
	ClientID              string    `json:"clientId"`
	CreatedAt             time.Time `json:"createdAt"`
}

type userList struct {
	Users      []userView `json:"users"`
	NextCursor *string    `json:"nextCursor"`
}

func viewOf(u core.User, clientID string) userView {
	return userView{ID: u.ID, Email: u.Email, DisplayName: u.Name, Role: u.Role,
		EmailFilteringEnabled: u.EmailFilteringEnabled, ClientID: clientID, CreatedAt: u.CreatedAt}
}

// allowedRoles are the roles seed 000 lets this face grant.
func checkRole(role string) error {
	if role != "" && role != core.RoleClientUser && role != core.RoleClientAdmin {
		return core.FieldError(core.Forbidden, "role", `only "clientUser" or "clientAdmin" may be given through this API`)
	}
	return nil
}

func (h *handlers) createUser(w http.ResponseWriter, r *http.Request) {
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
	h.idempotent(w, r, actor, body, func(ctx context.Context) response {
		return h.create(ctx, actor, body)
	})
}

func (h *handlers) create(ctx context.Context, actor core.Actor, body []byte) response {
	var req createUserRequest
	if err := httpkit.DecodeStrict(body, &req); err != nil {
		return h.errorResponse(ctx, err)
	}
	if err := checkRole(req.Role); err != nil {
		return h.errorResponse(ctx, err)
	}
	// The Client API documents no set-password token: a user created here
	// without a password gets one from the Accounts face or an admin.
	created, err := h.Service.CreateUser(ctx, actor, core.CreateUser{
		ClientID: req.ClientID, Email: req.Email, Name: req.DisplayName, Password: req.Password,
		Role: req.Role, EmailFilteringEnabled: req.EmailFilteringEnabled,
	})
	if err != nil {
		return h.errorResponse(ctx, err)
	}
	return response{Status: http.StatusCreated, Body: viewOf(created.User, actor.ClientID)}
}

func (h *handlers) getUser(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	u, err := h.Service.GetUser(r.Context(), actor, httpkit.PathID(r))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	response{Status: http.StatusOK, Body: viewOf(u, actor.ClientID)}.Write(w)
}

func (h *handlers) listUsers(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	f, err := httpkit.UserFilter(r.URL.Query())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	page, err := h.Service.ListUsers(r.Context(), actor, f)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := userList{Users: make([]userView, len(page.Users))}
	for i, u := range page.Users {
		out.Users[i] = viewOf(u, actor.ClientID)
	}
	out.NextCursor = httpkit.NextCursor(page.Next)
	response{Status: http.StatusOK, Body: out}.Write(w)
}

func (h *handlers) updateUser(w http.ResponseWriter, r *http.Request) {
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
	var req updateUserRequest
	if err := httpkit.DecodeStrict(body, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	if req.ClientID != nil && *req.ClientID != actor.ClientID {
		h.writeError(w, r, core.FieldError(core.Forbidden, "clientId", "does not match the credential's tenant"))
		return
	}
	if req.Role != nil {
		if err := checkRole(*req.Role); err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	u, err := h.Service.UpdateUser(r.Context(), actor, httpkit.PathID(r), core.UpdateUser{
		Email: req.Email, Name: req.DisplayName, Password: req.Password, Role: req.Role,
		EmailFilteringEnabled: req.EmailFilteringEnabled,
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	response{Status: http.StatusOK, Body: viewOf(u, actor.ClientID)}.Write(w)
}

func (h *handlers) deleteUser(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.Service.DeleteUser(r.Context(), actor, httpkit.PathID(r)); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
