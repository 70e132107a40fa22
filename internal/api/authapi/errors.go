package authapi

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// OAuth 2.0 error codes (RFC 6749 §5.2) this face answers with.
const (
	errInvalidRequest         = "invalid_request"
	errInvalidGrant           = "invalid_grant"
	errTemporarilyUnavailable = "temporarily_unavailable"
	errServerError            = "server_error"
)

// oauthError is the face's error body.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// writeOAuthError writes an error body with status.
func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	httpkit.WriteJSON(w, status, "", oauthError{Error: code, Description: description})
}

// writeError turns an error from the core or the token issuer into the
// face's status and body; it is the one place that mapping is made.
// Anything unknown is a 500 that shows only the request id, and is logged.
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var reqErr *httpkit.RequestError
	if errors.As(err, &reqErr) {
		writeOAuthError(w, reqErr.Status, errInvalidRequest, reqErr.Error())
		return
	}
	e := core.AsError(err)
	switch core.ErrorCodeOf(err) {
	case core.Unauthenticated:
		writeOAuthError(w, http.StatusUnauthorized, errInvalidGrant, e.Message)
		return
	case core.Invalid:
		msg := e.Message
		if e.Field != "" {
			msg = e.Field + " " + msg
		}
		writeOAuthError(w, http.StatusBadRequest, errInvalidRequest, msg)
		return
	case core.Busy:
		setRetryAfter(w, e)
		writeOAuthError(w, http.StatusServiceUnavailable, errTemporarilyUnavailable, e.Message)
		return
	case core.RateLimited:
		setRetryAfter(w, e)
		writeOAuthError(w, http.StatusTooManyRequests, errTemporarilyUnavailable, e.Message)
		return
	}
	if r.Context().Err() != nil {
		// The client went away; nobody reads the answer.
		h.log.InfoContext(r.Context(), "request abandoned by the client", slog.String("path", r.URL.Path))
		writeOAuthError(w, http.StatusServiceUnavailable, errTemporarilyUnavailable, "the request was cancelled")
		return
	}
	id := httpkit.RequestID(r.Context())
	h.log.ErrorContext(r.Context(), "auth request failed", slog.String("path", r.URL.Path), slog.String("error", err.Error()))
	writeOAuthError(w, http.StatusInternalServerError, errServerError, "internal error; request id "+id)
}

// setRetryAfter sets Retry-After to the error's hint in whole seconds (at
// least 1).
func setRetryAfter(w http.ResponseWriter, e *core.Error) {
	secs := int64(math.Ceil(e.Retry.Seconds()))
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
}
