package bulkapi

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

// msgUnauthenticated is seed 003's own answer to a bad credential; every
// 401 of the face uses it, whatever was wrong, so it tells nothing more.
const msgUnauthenticated = "invalid token or request body"

// fieldNames maps the core's field names to seed 003's.
var fieldNames = map[string]string{"imageUrl": "image"}

func faceField(field string) string {
	if name, ok := fieldNames[field]; ok {
		return name
	}
	return field
}

// errorReply turns a request-level error into the face's status, headers
// and body ({"message", "status": "error", "results": []}): the face's one
// mapping of errors to HTTP. Anything unknown is a 500 that shows only the
// request id, and is logged.
func (h *handlers) errorReply(ctx context.Context, err error) httpkit.Reply {
	var reqErr *httpkit.RequestError
	if errors.As(err, &reqErr) {
		return failure(reqErr.Status, reqErr.Error())
	}
	e := core.AsError(err)
	if e == nil || e.Code == core.Internal {
		if errors.Is(err, context.Canceled) {
			return failure(499, "the client closed the request")
		}
		h.Log.ErrorContext(ctx, "bulk api: internal error", slog.Any("error", err))
		return failure(http.StatusInternalServerError,
			"internal error; quote request id "+httpkit.RequestID(ctx)+" when reporting it")
	}
	msg := e.Message
	if e.Field != "" {
		msg = faceField(e.Field) + ": " + msg
	}
	switch e.Code {
	case core.Invalid:
		return failure(http.StatusBadRequest, msg)
	case core.Unauthenticated:
		r := failure(http.StatusUnauthorized, msgUnauthenticated)
		r.Header.Set("WWW-Authenticate", authn.Challenge)
		return r
	case core.Forbidden:
		return failure(http.StatusForbidden, msg)
	case core.NotFound:
		return failure(http.StatusNotFound, msg)
	case core.Conflict:
		return failure(http.StatusConflict, msg)
	case core.Unprocessable:
		return failure(http.StatusUnprocessableEntity, msg)
	case core.Busy, core.RateLimited:
		status := http.StatusServiceUnavailable
		if e.Code == core.RateLimited {
			status = http.StatusTooManyRequests
		}
		r := failure(status, msg)
		r.Header.Set("Retry-After", strconv.Itoa(max(int(e.Retry.Seconds()+0.999), 1)))
		return r
	}
	h.Log.ErrorContext(ctx, "bulk api: unmapped error code", slog.String("code", string(e.Code)))
	return failure(http.StatusInternalServerError,
		"internal error; quote request id "+httpkit.RequestID(ctx)+" when reporting it")
}

// failure is a request-level error reply.
func failure(status int, message string) httpkit.Reply {
	return httpkit.Reply{Status: status, Header: http.Header{}, Body: response{Message: message, Status: "error", Results: []result{}}}
}
