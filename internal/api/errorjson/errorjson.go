// Package errorjson renders errors in the {"error","status","message"} shape
// that the Client API (seed 000) and the Accounts API (seed 002's Error
// schema) share. It is each of those faces' one mapping from errors to HTTP
// statuses; the faces differ only in field names and what they call a
// missing object.
package errorjson

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

// Body is the error shape.
type Body struct {
	Error   string `json:"error"`
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// Mapper turns errors into one face's replies.
type Mapper struct {
	Log  *slog.Logger
	Face string // names the face in log lines
	// FieldNames renames the head of a core field path ("imageUrl",
	// "notificationPreferences[2].event") to the face's payload name.
	FieldNames map[string]string
	// NotFound is the message for an unknown (or another tenant's) object.
	NotFound string
}

// Reply maps err to the face's status, headers and body. Anything that is
// not a known input or core error is a 500 that shows only the request id,
// and is logged.
func (m Mapper) Reply(ctx context.Context, err error) httpkit.Reply {
	var reqErr *httpkit.RequestError
	if errors.As(err, &reqErr) {
		code := map[int]string{
			http.StatusRequestEntityTooLarge: "payload_too_large",
			http.StatusUnsupportedMediaType:  "unsupported_media_type",
		}[reqErr.Status]
		if code == "" {
			code = "invalid_request"
		}
		return Of(reqErr.Status, code, reqErr.Error())
	}

	e := core.AsError(err)
	if e == nil || e.Code == core.Internal {
		if errors.Is(err, context.Canceled) {
			// The client went away; nobody reads this answer.
			return Of(499, "client_closed_request", "the client closed the request")
		}
		m.Log.ErrorContext(ctx, m.Face+": internal error", slog.Any("error", err))
		return m.internal(ctx)
	}
	msg := e.Message
	if e.Field != "" {
		msg = m.FieldName(e.Field) + ": " + msg
	}
	switch e.Code {
	case core.Invalid:
		return Of(http.StatusBadRequest, "validation_error", msg)
	case core.Unauthenticated:
		r := Of(http.StatusUnauthorized, "unauthorized", msg)
		r.Header.Set("WWW-Authenticate", authn.Challenge)
		return r
	case core.Forbidden:
		return Of(http.StatusForbidden, "forbidden", msg)
	case core.NotFound:
		if e.Field != "" {
			// A payload that names something missing (a teamId) is a bad
			// payload, not a missing object.
			return Of(http.StatusBadRequest, "validation_error", msg)
		}
		return Of(http.StatusNotFound, "not_found", m.NotFound)
	case core.Conflict:
		return Of(http.StatusConflict, "conflict", msg)
	case core.Unprocessable:
		return Of(http.StatusUnprocessableEntity, "unprocessable_entity", msg)
	case core.Busy, core.RateLimited:
		status, code := http.StatusServiceUnavailable, "service_unavailable"
		if e.Code == core.RateLimited {
			status, code = http.StatusTooManyRequests, "rate_limited"
		}
		r := Of(status, code, msg)
		r.Header.Set("Retry-After", strconv.Itoa(RetrySeconds(e)))
		return r
	}
	m.Log.ErrorContext(ctx, m.Face+": unmapped error code", slog.String("code", string(e.Code)))
	return m.internal(ctx)
}

func (m Mapper) internal(ctx context.Context) httpkit.Reply {
	return Of(http.StatusInternalServerError, "internal_error",
		"internal error; quote request id "+httpkit.RequestID(ctx)+" when reporting it")
}

// FieldName renames a core field path to the face's names.
func (m Mapper) FieldName(field string) string {
	head := field
	if i := strings.IndexAny(field, ".["); i >= 0 {
		head = field[:i]
	}
	if face, ok := m.FieldNames[head]; ok {
		return face + field[len(head):]
	}
	return field
}

// Of is an error reply with status, code and message.
func Of(status int, code, msg string) httpkit.Reply {
	return httpkit.Reply{Status: status, Header: http.Header{}, Body: Body{Error: code, Status: status, Message: msg}}
}

// RetrySeconds is a Busy or RateLimited error's hint in whole seconds, at
// least 1.
func RetrySeconds(e *core.Error) int {
	s := int(e.Retry.Seconds() + 0.999)
	return max(s, 1)
}
