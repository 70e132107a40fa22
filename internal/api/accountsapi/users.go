package accountsapi

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

func (h *handlers) createUser(w http.ResponseWriter, r *http.Request) {
	actor, tenant, err := h.account(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	body, err := httpkit.ReadJSONBody(w, r, httpkit.MaxBodyBytes)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.idempotent(w, r, actor, body, h.accountsDialect(), func(ctx context.Context) response {
		return h.create(ctx, actor, tenant, body)
	})
}

func (h *handlers) create(ctx context.Context, actor core.Actor, tenant core.Tenant, body []byte) response {
	cmd, err := decodeCreate(body, tenant.AccountID())
	if err != nil {
		return h.errorResponse(ctx, err)
	}
	created, err := h.Service.CreateUser(ctx, actor, cmd)
	if err != nil {
		return h.errorResponse(ctx, err)
	}
	v, err := h.view(ctx, actor, tenant, created.User)
	if err != nil {
		return h.errorResponse(ctx, err)
	}
	v.Token = created.PasswordToken
	// The answer may carry the set-password token: no cache may keep it.
	return response{status: http.StatusCreated, header: http.Header{"Cache-Control": {"no-store"}}, body: v}
}

func (h *handlers) getUser(w http.ResponseWriter, r *http.Request) {
	actor, tenant, err := h.account(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	u, err := h.Service.GetUser(r.Context(), actor, pathID(r))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeUser(w, r, actor, tenant, u)
}

func (h *handlers) listUsers(w http.ResponseWriter, r *http.Request) {
	actor, tenant, err := h.account(w, r)
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
		if out.Users[i], err = h.view(r.Context(), actor, tenant, u); err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	if page.Next != 0 {
		c := encodeCursor(page.Next)
		out.NextCursor = &c
	}
	response{status: http.StatusOK, body: out}.write(w)
}

func (h *handlers) updateUser(w http.ResponseWriter, r *http.Request) {
	actor, tenant, err := h.account(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	body, err := httpkit.ReadJSONBody(w, r, httpkit.MaxBodyBytes)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	cmd, err := decodeUpdate(body, tenant.AccountID())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	u, err := h.Service.UpdateUser(r.Context(), actor, pathID(r), cmd)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeUser(w, r, actor, tenant, u)
}

func (h *handlers) deleteUser(w http.ResponseWriter, r *http.Request) {
	actor, _, err := h.account(w, r)
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

// writeUser renders one user with 200.
func (h *handlers) writeUser(w http.ResponseWriter, r *http.Request, actor core.Actor, tenant core.Tenant, u core.User) {
	v, err := h.view(r.Context(), actor, tenant, u)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	response{status: http.StatusOK, body: v}.write(w)
}

// pathID returns the {id} path value; anything that is not a positive
// integer cannot name anything, so it becomes 0, which answers 404 like any
// unknown id.
func pathID(r *http.Request) int64 {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0
	}
	return id
}

// Cursors are opaque to clients: "u" and the last id, base64url (the
// Client API's form, so a cursor means the same on both faces).
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
