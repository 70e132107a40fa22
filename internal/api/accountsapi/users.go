package accountsapi

import (
	"context"
	"net/http"

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
	return response{Status: http.StatusCreated, Header: http.Header{"Cache-Control": {"no-store"}}, Body: v}
}

func (h *handlers) getUser(w http.ResponseWriter, r *http.Request) {
	actor, tenant, err := h.account(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	u, err := h.Service.GetUser(r.Context(), actor, httpkit.PathID(r))
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
		if out.Users[i], err = h.view(r.Context(), actor, tenant, u); err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	out.NextCursor = httpkit.NextCursor(page.Next)
	response{Status: http.StatusOK, Body: out}.Write(w)
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
	u, err := h.Service.UpdateUser(r.Context(), actor, httpkit.PathID(r), cmd)
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
	if err := h.Service.DeleteUser(r.Context(), actor, httpkit.PathID(r)); err != nil {
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
	response{Status: http.StatusOK, Body: v}.Write(w)
}
