package accountsapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/rosterhq/roster/internal/api/authn"
	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// errorBody is seed 002's Error: error (a stable code), status, message.
type errorBody struct {
	Error   string `json:"error"`
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// fieldNames maps the core's field names to this face's payload names.
var fieldNames = map[string]string{"imageUrl": "imgSrc"}

// fieldName renames the head of a field path in the core's names
// ("imageUrl", "notificationPreferences[2].event") to this face's.
func fieldName(field string) string {
	head := field
	if i := strings.IndexAny(field, ".["); i >= 0 {
		head = field[:i]
	}
	if face, ok := fieldNames[head]; ok {
		return face + field[len(head):]
	}
	return field
}

// errorResponse turns any error into this face's status, headers and body.
// It is the only place where the face's errors meet HTTP statuses.
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
		h.Log.ErrorContext(ctx, "accounts api: internal error", slog.Any("error", err))
		return errorOf(http.StatusInternalServerError, "internal_error",
			"internal error; quote request id "+httpkit.RequestID(ctx)+" when reporting it")
	}
	msg := e.Message
	if e.Field != "" {
		msg = fieldName(e.Field) + ": " + msg
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
		if e.Field != "" {
			// A payload that names something missing (a teamId) is a bad
			// payload, not a missing user.
			return errorOf(http.StatusBadRequest, "validation_error", msg)
		}
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
	h.Log.ErrorContext(ctx, "accounts api: unmapped error code", slog.String("code", string(e.Code)))
	return errorOf(http.StatusInternalServerError, "internal_error",
		"internal error; quote request id "+httpkit.RequestID(ctx)+" when reporting it")
}

func errorOf(status int, code, msg string) response {
	return response{Status: status, Header: http.Header{}, Body: errorBody{Error: code, Status: status, Message: msg}}
}

// retrySeconds is a Busy or RateLimited error's hint in whole seconds, at
// least 1.
func retrySeconds(e *core.Error) int {
	s := int(e.Retry.Seconds() + 0.999)
	return max(s, 1)
}

// writeError renders err in the Accounts shape.
func (h *handlers) writeError(w http.ResponseWriter, r *http.Request, err error) {
	h.errorResponse(r.Context(), err).Write(w)
}

// accountsDialect is the Accounts shape for the idempotency wrapper.
func (h *handlers) accountsDialect() dialect {
	return dialect{
		errorResponse: h.errorResponse,
		contentType:   func(int) string { return "" },
		stored:        withoutToken,
	}
}
