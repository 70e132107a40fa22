package clientapi

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
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
	return response{status: http.StatusCreated, body: viewOf(created.User, actor.ClientID)}
}

func (h *handlers) getUser(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	u, err := h.Service.GetUser(r.Context(), actor, pathID(r))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	response{status: http.StatusOK, body: viewOf(u, actor.ClientID)}.write(w)
}

func (h *handlers) listUsers(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	var f core.UserFilter
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > core.MaxPageSize {
			h.writeError(w, r, core.FieldError(core.Invalid, "limit", "must be a whole number from 1 to %d", core.MaxPageSize))
			return
		}
		f.Limit = n
	}
	if s := q.Get("cursor"); s != "" {
		after, ok := decodeCursor(s)
		if !ok {
			h.writeError(w, r, core.FieldError(core.Invalid, "cursor", "is not a cursor this API returned"))
			return
		}
		f.AfterID = after
	}
	f.Email = q.Get("email")
	page, err := h.Service.ListUsers(r.Context(), actor, f)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := userList{Users: make([]userView, len(page.Users))}
	for i, u := range page.Users {
		out.Users[i] = viewOf(u, actor.ClientID)
	}
	if page.Next != 0 {
		c := encodeCursor(page.Next)
		out.NextCursor = &c
	}
	response{status: http.StatusOK, body: out}.write(w)
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
	u, err := h.Service.UpdateUser(r.Context(), actor, pathID(r), core.UpdateUser{
		Email: req.Email, Name: req.DisplayName, Password: req.Password, Role: req.Role,
		EmailFilteringEnabled: req.EmailFilteringEnabled,
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	response{status: http.StatusOK, body: viewOf(u, actor.ClientID)}.write(w)
}

func (h *handlers) deleteUser(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.Service.DeleteUser(r.Context(), actor, pathID(r)); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// pathID returns the {id} path value; anything that is not a positive
// integer cannot name a user, so it becomes 0, which answers 404 like any
// unknown id.
func pathID(r *http.Request) int64 {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0
	}
	return id
}

// Cursors are opaque to clients: "u" and the last id, base64url.
func encodeCursor(afterID int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("u" + strconv.FormatInt(afterID, 10)))
}

func decodeCursor(s string) (int64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !strings.HasPrefix(string(raw), "u") {
		return 0, false
	}
	id, err := strconv.ParseInt(string(raw[1:]), 10, 64)
	return id, err == nil && id > 0
}
