// Package problem renders errors as RFC 9457 problem details
// (application/problem+json), the error shape of Roster's Admin API
// (/api/v1/...): {"type", "title", "status", "detail", "errors": [{"pointer",
// "code", "detail"}]}. Write is the one place where an error meets an HTTP
// status for the faces that use this shape.
//
// Statuses: a *httpkit.RequestError keeps its own (400 malformed, 413, 415);
// core Invalid is 422; Unauthenticated 401 (with WWW-Authenticate);
// Forbidden 403; NotFound 404; Conflict 409; Unprocessable 422; RateLimited
// 429 and Busy 503 (both with Retry-After). Anything else is a 500 whose
// detail holds only the request id; the error itself goes to the log.
package problem

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// ContentType is the media type of every problem body.
const ContentType = "application/problem+json"

// TypePrefix starts every problem type URI; the code follows it
// ("urn:roster:problem:validation_error"). The URIs are identifiers, not
// links: RFC 9457 §3.1.1 allows a type URI that does not resolve.
const TypePrefix = "urn:roster:problem:"

// Details is an RFC 9457 problem details object.
type Details struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Errors []FieldError `json:"errors,omitempty"`
}

// FieldError is one problem with one member of the request: Pointer is an
// RFC 6901 JSON Pointer into the request body ("/key", "/permissions/0").
type FieldError struct {
	Pointer string `json:"pointer"`
	Code    string `json:"code"`
	Detail  string `json:"detail"`
}

// Response is a problem with the headers that go with it, built before it
// is written.
type Response struct {
	Status  int
	Header  http.Header
	Details Details
}

// Options adjust how errors are described.
type Options struct {
	// Fields renames the core's field names to the request body's names
	// ("name" -> "displayName"); unnamed fields keep their names.
	Fields map[string]string
	// NotFound is the detail of a 404 ("no such role"); the core's message
	// when empty.
	NotFound string
}

// Write renders err as a problem on w. log receives internal errors (with
// the request id, from r's context); it may be nil.
func Write(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	WriteWith(w, r, log, err, Options{})
}

// WriteWith is Write with options.
func WriteWith(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error, o Options) {
	From(r.Context(), log, err, o).Write(w)
}

// Write writes the response.
func (p Response) Write(w http.ResponseWriter) {
	for k, v := range p.Header {
		w.Header()[k] = v
	}
	httpkit.WriteJSON(w, p.Status, ContentType, p.Details)
}

// New returns a problem of status with a code (the type URI's last part)
// and a detail.
func New(status int, code, detail string, errs ...FieldError) Response {
	return Response{Status: status, Header: http.Header{}, Details: Details{
		Type: TypePrefix + code, Title: http.StatusText(status), Status: status, Detail: detail, Errors: errs,
	}}
}

// From turns any error into a problem response. It is the mapping of
// errors to statuses for every face that speaks problem+json.
func From(ctx context.Context, log *slog.Logger, err error, o Options) Response {
	var reqErr *httpkit.RequestError
	if errors.As(err, &reqErr) {
		code := map[int]string{
			http.StatusRequestEntityTooLarge: "payload_too_large",
			http.StatusUnsupportedMediaType:  "unsupported_media_type",
		}[reqErr.Status]
		if code == "" {
			code = "invalid_request"
		}
		var fields []FieldError
		if reqErr.Field != "" {
			fields = []FieldError{{Pointer: PointerOf(reqErr.Field), Code: code, Detail: reqErr.Message}}
		}
		return New(reqErr.Status, code, reqErr.Error(), fields...)
	}

	e := core.AsError(err)
	if e == nil || e.Code == core.Internal {
		if errors.Is(err, context.Canceled) {
			// The client went away; nobody reads this answer.
			return New(499, "client_closed_request", "the client closed the request")
		}
		logger(log).ErrorContext(ctx, "internal error", slog.Any("error", err))
		return New(http.StatusInternalServerError, "internal_error",
			"internal error; quote request id "+httpkit.RequestID(ctx)+" when reporting it")
	}
	field := e.Field
	if renamed, ok := o.Fields[field]; ok {
		field = renamed
	}
	detail := e.Message
	if field != "" {
		detail = field + ": " + detail
	}
	var fields []FieldError
	if field != "" && !headerFields[field] {
		fields = []FieldError{{Pointer: PointerOf(field), Code: string(e.Code), Detail: e.Message}}
	}
	switch e.Code {
	case core.Invalid:
		return New(http.StatusUnprocessableEntity, "validation_error", detail, fields...)
	case core.Unauthenticated:
		p := New(http.StatusUnauthorized, "unauthenticated", detail)
		p.Header.Set("WWW-Authenticate", `Bearer realm="roster"`)
		return p
	case core.Forbidden:
		return New(http.StatusForbidden, "forbidden", detail, fields...)
	case core.NotFound:
		if o.NotFound != "" {
			detail = o.NotFound
		}
		return New(http.StatusNotFound, "not_found", detail)
	case core.Conflict:
		return New(http.StatusConflict, "conflict", detail, fields...)
	case core.Unprocessable:
		return New(http.StatusUnprocessableEntity, "unprocessable", detail, fields...)
	case core.Busy, core.RateLimited:
		status, code := http.StatusServiceUnavailable, "service_unavailable"
		if e.Code == core.RateLimited {
			status, code = http.StatusTooManyRequests, "rate_limited"
		}
		p := New(status, code, detail)
		p.Header.Set("Retry-After", strconv.Itoa(RetrySeconds(e)))
		return p
	}
	logger(log).ErrorContext(ctx, "unmapped error code", slog.String("code", string(e.Code)))
	return New(http.StatusInternalServerError, "internal_error",
		"internal error; quote request id "+httpkit.RequestID(ctx)+" when reporting it")
}

// headerFields are the core's field names that are request headers, not
// members of the body: they get no pointer.
var headerFields = map[string]bool{"Idempotency-Key": true}

// RetrySeconds is e.Retry in whole seconds, rounded up, at least 1.
func RetrySeconds(e *core.Error) int {
	s := int(e.Retry.Seconds() + 0.999)
	return max(s, 1)
}

// PointerOf turns a field path as httpkit and the core write it
// ("data.attributes.email", "items[1].extra", "name") into an RFC 6901
// JSON Pointer ("/data/attributes/email", "/items/1/extra", "/name").
func PointerOf(field string) string {
	if field == "" {
		return ""
	}
	var b strings.Builder
	for _, part := range splitPath(field) {
		b.WriteByte('/')
		b.WriteString(EscapePointerToken(part))
	}
	return b.String()
}

// splitPath splits "a.b[2].c" into "a", "b", "2", "c".
func splitPath(field string) []string {
	var parts []string
	for _, dotted := range strings.Split(field, ".") {
		name, rest, _ := strings.Cut(dotted, "[")
		parts = append(parts, name)
		for rest != "" {
			var idx string
			idx, rest, _ = strings.Cut(rest, "]")
			parts = append(parts, idx)
			rest = strings.TrimPrefix(rest, "[")
		}
	}
	return parts
}

// EscapePointerToken escapes one reference token of a JSON Pointer
// (RFC 6901 §3: "~" as "~0", "/" as "~1").
func EscapePointerToken(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}
