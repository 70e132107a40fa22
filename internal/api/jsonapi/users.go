package jsonapi

import (
	"context"
	"net/http"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

func (h *handlers) createUser(w http.ResponseWriter, r *http.Request) {
	if err := checkContentType(r); err != nil {
		h.writeError(w, r, err)
		return
	}
	actor, err := h.authenticate(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := noQuery(r); err != nil {
		h.writeError(w, r, err)
		return
	}
	body, err := httpkit.ReadJSONBody(w, r, httpkit.MaxBodyBytes, MediaType)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.idempotent(w, r, actor, body, func(ctx context.Context) response {
		return h.create(ctx, actor, body)
	})
}

func (h *handlers) create(ctx context.Context, actor core.Actor, body []byte) response {
	in, doc, err := decodeUser(body, 0)
	if err != nil {
		return h.errorResponse(ctx, err, doc)
	}
	// A user created here has no password: the core makes a set-password
	// token, which this face, like seed 001, does not show. The user sets a
	// password through the Accounts face or an admin.
	created, err := h.Service.CreateUser(ctx, actor, core.CreateUser{
		Email:        *in.Email,
		Name:         *in.Name,
		RoleID:       in.RoleID,
		Active:       in.Active,
		Language:     value0(in.Language),
		Timezone:     value0(in.Timezone),
		ExternalRefs: [3]string{value0(in.ExternalRefs[0]), value0(in.ExternalRefs[1]), value0(in.ExternalRefs[2])},
		Strings: [5]string{value0(in.Strings[0]), value0(in.Strings[1]), value0(in.Strings[2]),
			value0(in.Strings[3]), value0(in.Strings[4])},
	})
	if err != nil {
		return h.errorResponse(ctx, err, doc)
	}
	u := created.User
	header := http.Header{}
	header.Set("Location", userPath(u.ID))
	return response{status: http.StatusCreated, header: header, body: documentOf(u)}
}

func (h *handlers) getUser(w http.ResponseWriter, r *http.Request) {
	actor, err := h.authenticate(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := noQuery(r); err != nil {
		h.writeError(w, r, err)
		return
	}
	u, err := h.Service.GetUser(r.Context(), actor, httpkit.PathID(r))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	response{status: http.StatusOK, body: documentOf(u)}.write(w)
}

func (h *handlers) updateUser(w http.ResponseWriter, r *http.Request) {
	if err := checkContentType(r); err != nil {
		h.writeError(w, r, err)
		return
	}
	actor, err := h.authenticate(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := noQuery(r); err != nil {
		h.writeError(w, r, err)
		return
	}
	id := httpkit.PathID(r)
	if id == 0 {
		h.writeError(w, r, core.Errorf(core.NotFound, "no such user"))
		return
	}
	body, err := httpkit.ReadJSONBody(w, r, httpkit.MaxBodyBytes, MediaType)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	in, doc, err := decodeUser(body, id)
	if err != nil {
		h.errorResponse(r.Context(), err, doc).write(w)
		return
	}
	u, err := h.Service.UpdateUser(r.Context(), actor, id, core.UpdateUser{
		Email: in.Email, Name: in.Name, RoleID: in.RoleID, Active: in.Active,
		Language: in.Language, Timezone: in.Timezone,
		ExternalRefs: in.ExternalRefs, Strings: in.Strings,
	})
	if err != nil {
		h.errorResponse(r.Context(), err, doc).write(w)
		return
	}
	response{status: http.StatusOK, body: documentOf(u)}.write(w)
}

func (h *handlers) deleteUser(w http.ResponseWriter, r *http.Request) {
	actor, err := h.authenticate(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := noQuery(r); err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.Service.DeleteUser(r.Context(), actor, httpkit.PathID(r)); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// noQuery refuses query parameters on the routes that take none: JSON:API
// servers answer 400 to parameters they do not support (include, fields,
// sort among them), rather than ignore them.
func noQuery(r *http.Request) error {
	for name := range r.URL.Query() {
		return unsupportedParameter(name)
	}
	return nil
}

func unsupportedParameter(name string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_parameter", Parameter: name,
		Detail: "query parameter " + quote(name) + " is not supported here"}
}

// value0 is *p, or "" for nil.
func value0(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
