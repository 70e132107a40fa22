package clientapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/rosterhq/roster/internal/api/authn"
	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// errorBody is the face's documented error shape.
type errorBody struct {
	Error   string `json:"error"`
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// fieldNames maps the core's field names to this face's payload names.
var fieldNames = map[string]string{"name": "displayName"}

// errorResponse turns any error into this face's status, headers and body.
// It is the only place where errors meet HTTP statuses in this face.
func (h *handlers) errorResponse(ctx context.Context, err error) response {
	var reqErr *httpkit.RequestError
	if errors.As(err, &reqErr) {
		code := map[int]string{
			http.StatusRequestEntityTooLarge: "payload_too_large",
			http.StatusUnsupportedMediaType:  "unsupported_media_type",
		}[reqErr.Status]
		if code == "" {
			code = "invalid_request"
		}
		return errorOf(reqErr.Status, code, reqErr.Error())
	}

	e := core.AsError(err)
	if e == nil || e.Code == core.Internal {
		if errors.Is(err, context.Canceled) {
			// The client went away; nobody reads this answer.
			return errorOf(499, "client_closed_request", "the client closed the request")
		}
		h.Log.ErrorContext(ctx, "client api: internal error", slog.Any("error", err))
		return errorOf(http.StatusInternalServerError, "internal_error",
			"internal error; quote request id "+httpkit.RequestID(ctx)+" when reporting it")
	}
	msg := e.Message
	if e.Field != "" {
		field := e.Field
		if renamed, ok := fieldNames[field]; ok {
			field = renamed
		}
		msg = field + ": " + msg
	}
	switch e.Code {
	case core.Invalid:
		return errorOf(http.StatusBadRequest, "validation_error", msg)
	case core.Unauthenticated:
		r := errorOf(http.StatusUnauthorized, "unauthorized", msg)
		r.Header.Set("WWW-Authenticate", authn.Challenge)
		return r
	case core.Forbidden:
		return errorOf(http.StatusForbidden, "forbidden", msg)
	case core.NotFound:
		return errorOf(http.StatusNotFound, "not_found", "no such user")
	case core.Conflict:
		return errorOf(http.StatusConflict, "conflict", msg)
	case core.Unprocessable:
		return errorOf(http.StatusUnprocessableEntity, "unprocessable_entity", msg)
	case core.Busy, core.RateLimited:
		status, code := http.StatusServiceUnavailable, "service_unavailable"
		if e.Code == core.RateLimited {
			status, code = http.StatusTooManyRequests, "rate_limited"
		}
		r := errorOf(status, code, msg)
		r.Header.Set("Retry-After", strconv.Itoa(retrySeconds(e)))
		return r
	}
	h.Log.ErrorContext(ctx, "client api: unmapped error code", slog.String("code", string(e.Code)))
	return errorOf(http.StatusInternalServerError, "internal_error", "internal error")
}

func errorOf(status int, code, msg string) response {
	return response{Status: status, Header: http.Header{}, Body: errorBody{Error: code, Status: status, Message: msg}}
}

func retrySeconds(e *core.Error) int {
	s := int(e.Retry.Seconds() + 0.999)
	return max(s, 1)
}

// writeError renders err.
func (h *handlers) writeError(w http.ResponseWriter, r *http.Request, err error) {
	h.errorResponse(r.Context(), err).Write(w)
}
