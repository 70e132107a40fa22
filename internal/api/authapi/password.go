package authapi

import (
	"net/http"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// passwordRequest is the body of POST /api/auth/password, in one of two
// forms: {"token", "password"} sets a password with a one-time
// set-password token; {"email", "currentPassword", "password"} changes it
// with the current one.
type passwordRequest struct {
	Token           *string `json:"token"`
	Email           *string `json:"email"`
	CurrentPassword *string `json:"currentPassword"`
	Password        *string `json:"password"`
}

// msgPasswordForms says what the body must hold.
const msgPasswordForms = `send either {"token", "password"} to set a password with a set-password token, ` +
	`or {"email", "currentPassword", "password"} to change it`

// password sets or changes a user's password and answers 204; the user
// logs in with the new password from then on. A set-password token works
// once. A wrong token, and a wrong email or current password, get one 401
// each whatever was wrong; changes with the current password are limited
// like logins (per email and client address). Neither the token nor a
// password is ever logged or repeated.
func (h *handler) password(w http.ResponseWriter, r *http.Request) {
	// The request carries secrets: neither the answer nor an error is to be
	// cached.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")

	body, err := httpkit.ReadJSONBody(w, r, maxLoginBody)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req passwordRequest
	if err := httpkit.DecodeStrict(body, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	withToken := req.Token != nil
	withCurrent := req.Email != nil || req.CurrentPassword != nil
	if withToken == withCurrent {
		h.writeError(w, r, &httpkit.RequestError{Status: http.StatusBadRequest, Message: msgPasswordForms})
		return
	}
	type member struct {
		name  string
		value *string
	}
	required := []member{{"token", req.Token}, {"password", req.Password}}
	if withCurrent {
		required = []member{{"email", req.Email}, {"currentPassword", req.CurrentPassword}, {"password", req.Password}}
	}
	for _, f := range required {
		if f.value == nil || *f.value == "" {
			h.writeError(w, r, &httpkit.RequestError{Status: http.StatusBadRequest, Field: f.name, Message: "is required"})
			return
		}
	}

	if withToken {
		err = h.svc.SetPasswordWithToken(r.Context(), *req.Token, *req.Password)
	} else {
		err = h.changePassword(w, r, *req.Email, *req.CurrentPassword, *req.Password)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// changePassword changes a password given the current one, under the login
// protection of the email: it is as good a password oracle as a login.
func (h *handler) changePassword(w http.ResponseWriter, r *http.Request, email, current, next string) error {
	identity, err := h.protect.admit(w, r, email)
	if err != nil {
		return err
	}
	err = h.svc.ChangePassword(r.Context(), email, current, next)
	if core.ErrorCodeOf(err) == core.Unauthenticated {
		h.protect.failed(r.Context(), identity)
	}
	return err
}
