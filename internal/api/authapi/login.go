package authapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/token"
)

// maxLoginBody bounds the login request body.
const maxLoginBody = 64 << 10

// loginRequest is the body of POST /api/auth/login.
type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// loginResponse is a successful login: the token (RFC 6749 §5.1 names) and
// who it was issued to.
type loginResponse struct {
	AccessToken string    `json:"access_token"`
	TokenType   string    `json:"token_type"`
	ExpiresIn   int64     `json:"expires_in"`
	User        loginUser `json:"user"`
}

type loginUser struct {
	ID          int64  `json:"id"`
	Email       string `json:"email"`
	DisplayName string `json:"displayName"`
	Role        string `json:"role"`
	ClientID    string `json:"clientId"`
}

// login trades an email and password for an access token. Every failed
// login gets the same 401 body; an identity with too many failures gets the
// same 429 body, whether its email is a user's or not.
func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	// Token responses must not be cached (RFC 6749 §5.1); neither must the
	// errors, which answer a request carrying a password.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")

	body, err := httpkit.ReadJSONBody(w, r, maxLoginBody)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req loginRequest
	if err := httpkit.DecodeStrict(body, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	for _, f := range []struct{ name, value string }{{"email", req.Email}, {"password", req.Password}} {
		if f.value == "" {
			h.writeError(w, r, &httpkit.RequestError{Status: http.StatusBadRequest, Field: f.name, Message: "is required"})
			return
		}
	}

	identity, err := h.protect.admit(w, r, req.Email)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	u, t, err := h.svc.Login(r.Context(), req.Email, req.Password)
	if err != nil {
		if core.ErrorCodeOf(err) == core.Unauthenticated {
			h.protect.failed(r.Context(), identity)
		}
		h.writeError(w, r, err)
		return
	}
	tok, expiresIn, err := h.tokens.Issue(r.Context(), token.Claims{
		Subject:        strconv.FormatInt(u.ID, 10),
		TenantClientID: t.ClientID,
		Role:           u.Role,
		Kind:           token.KindUser,
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	httpkit.WriteJSON(w, http.StatusOK, "", loginResponse{
		AccessToken: tok,
		TokenType:   "Bearer",
		ExpiresIn:   int64(expiresIn / time.Second),
		User:        loginUser{ID: u.ID, Email: u.Email, DisplayName: u.Name, Role: u.Role, ClientID: t.ClientID},
	})
}
