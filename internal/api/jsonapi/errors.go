package jsonapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/rosterhq/roster/internal/api/authn"
	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/api/problem"
	"github.com/rosterhq/roster/internal/core"
)

// Error is one problem with a request, as this face reports it. At most one
// of Pointer (an RFC 6901 pointer into the request document), Parameter (a
// query parameter) and Header (a request header) says where it is.
type Error struct {
	Status    int
	Code      string
	Detail    string
	Pointer   string
	Parameter string
	Header    string
}

func (e *Error) Error() string { return e.Detail }

// Errors are several problems with one request, reported together.
type Errors []*Error

func (l Errors) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Detail
	}
	return strings.Join(parts, "; ")
}

// errorDocument is JSON:API's error document.
type errorDocument struct {
	Errors []errorObject `json:"errors"`
}

type errorObject struct {
	Status string       `json:"status"`
	Code   string       `json:"code"`
	Title  string       `json:"title"`
	Detail string       `json:"detail,omitempty"`
	Source *errorSource `json:"source,omitempty"`
}

type errorSource struct {
	Pointer   string `json:"pointer,omitempty"`
	Parameter string `json:"parameter,omitempty"`
	Header    string `json:"header,omitempty"`
}

// titles are the errors' summaries, one per code: a title does not change
// from one occurrence of a problem to the next (JSON:API 1.1).
var titles = map[string]string{
	"invalid_document":       "Malformed document",
	"invalid_member":         "Unknown member",
	"missing_attribute":      "Missing attribute",
	"unknown_attribute":      "Unknown attribute",
	"invalid_attribute":      "Invalid attribute",
	"unknown_relationship":   "Unknown relationship",
	"type_conflict":          "Resource type mismatch",
	"id_conflict":            "Resource id mismatch",
	"client_generated_id":    "Client-generated ids are not supported",
	"invalid_parameter":      "Invalid query parameter",
	"missing_header":         "Missing header",
	"invalid_header":         "Invalid header",
	"tenant_mismatch":        "Subdomain of another tenant",
	"unsupported_media_type": "Unsupported media type",
	"unsupported_extension":  "Unsupported extension",
	"not_acceptable":         "Not acceptable",
	"payload_too_large":      "Payload too large",
	"unauthorized":           "Unauthorized",
	"forbidden":              "Forbidden",
	"not_found":              "Not found",
	"conflict":               "Conflict",
	"unprocessable":          "Unprocessable request",
	"rate_limited":           "Too many requests",
	"service_unavailable":    "Service unavailable",
	"internal_error":         "Internal error",
	"client_closed_request":  "Client closed request",
}

// attributeOf maps the core's field names to this face's attribute names.
// Fields missing here are not attributes of this face.
var attributeOf = map[string]string{
	"email":                      "email",
	"name":                       "name",
	"role":                       "role_id",
	"role_id":                    "role_id",
	"active":                     "is_active",
	"language":                   "language",
	"timezone":                   "timezone",
	"external_system_reference1": "external_system_reference1",
	"external_system_reference2": "external_system_reference2",
	"external_system_reference3": "external_system_reference3",
	"string1":                    "string1",
	"string2":                    "string2",
	"string3":                    "string3",
	"string4":                    "string4",
	"string5":                    "string5",
}

// parameterOf maps the core's listing fields to this face's query
// parameters.
var parameterOf = map[string]string{
	"limit":  "page[size]",
	"offset": "page[number]",
	"cursor": "page[number]",
}

// response is a status, extra headers and a JSON body, built before it is
// written so that creates can be stored and replayed.
type response struct {
	status int
	header http.Header
	body   any // nil: no body
}

// reply is res for httpkit's writers: always the JSON:API media type.
func (res response) reply() httpkit.Reply {
	return httpkit.Reply{Status: res.status, Header: res.header, ContentType: MediaType, Body: res.body}
}

func (res response) write(w http.ResponseWriter) { res.reply().Write(w) }

// errorResponse turns any error into this face's status, headers and error
// document. It is the only place where errors meet HTTP statuses in this
// face. doc, when the request carried a document, tells which attributes
// it holds, so that pointers name only values that exist.
func (h *handlers) errorResponse(ctx context.Context, err error, doc *document) response {
	var list Errors
	var one *Error
	var reqErr *httpkit.RequestError
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = Errors{one}
	case errors.As(err, &reqErr):
		code := map[int]string{
			http.StatusRequestEntityTooLarge: "payload_too_large",
			http.StatusUnsupportedMediaType:  "unsupported_media_type",
		}[reqErr.Status]
		e := &Error{Status: reqErr.Status, Code: code, Detail: reqErr.Error()}
		switch {
		case code == "unsupported_media_type":
			e.Header = "Content-Type"
		case code == "":
			e.Code = "invalid_document"
			if reqErr.Field != "" {
				e.Pointer = problem.PointerOf(reqErr.Field)
			}
		}
		list = Errors{e}
	default:
		return h.coreErrorResponse(ctx, err, doc)
	}
	return errorsResponse(list)
}

// coreErrorResponse renders an error of the core (or an unexpected one).
func (h *handlers) coreErrorResponse(ctx context.Context, err error, doc *document) response {
	e := core.AsError(err)
	if e == nil || e.Code == core.Internal {
		if errors.Is(err, context.Canceled) {
			// The client went away; nobody reads this answer.
			return errorsResponse(Errors{{Status: 499, Code: "client_closed_request", Detail: "the client closed the request"}})
		}
		h.Log.ErrorContext(ctx, "json:api: internal error", slog.Any("error", err))
		return errorsResponse(Errors{{Status: http.StatusInternalServerError, Code: "internal_error",
			Detail: "internal error; quote request id " + httpkit.RequestID(ctx) + " when reporting it"}})
	}
	out := &Error{Detail: e.Message}
	if attr, ok := attributeOf[e.Field]; ok {
		out.Detail = attr + ": " + e.Message
		out.Pointer = doc.pointerTo(attr)
	} else if param, ok := parameterOf[e.Field]; ok {
		out.Detail = param + ": " + e.Message
		out.Parameter = param
	} else if e.Field == httpkit.IdempotencyKeyHeader {
		out.Detail = e.Field + ": " + e.Message
		out.Header = e.Field
	} else if e.Field != "" {
		out.Detail = e.Field + ": " + e.Message
	}
	header := http.Header{}
	switch e.Code {
	case core.Invalid:
		switch {
		case out.Parameter != "":
			out.Status, out.Code = http.StatusBadRequest, "invalid_parameter"
		case out.Header != "":
			out.Status, out.Code = http.StatusBadRequest, "invalid_header"
		default:
			out.Status, out.Code = http.StatusUnprocessableEntity, "invalid_attribute"
		}
	case core.Unauthenticated:
		out.Status, out.Code = http.StatusUnauthorized, "unauthorized"
		header.Set("WWW-Authenticate", authn.Challenge)
	case core.Forbidden:
		out.Status, out.Code = http.StatusForbidden, "forbidden"
	case core.NotFound:
		out.Status, out.Code, out.Detail, out.Pointer = http.StatusNotFound, "not_found", "no such user", ""
	case core.Conflict:
		out.Status, out.Code = http.StatusConflict, "conflict"
	case core.Unprocessable:
		out.Status, out.Code = http.StatusUnprocessableEntity, "unprocessable"
	case core.Busy, core.RateLimited:
		out.Status, out.Code = http.StatusServiceUnavailable, "service_unavailable"
		if e.Code == core.RateLimited {
			out.Status, out.Code = http.StatusTooManyRequests, "rate_limited"
		}
		header.Set("Retry-After", strconv.Itoa(problem.RetrySeconds(e)))
	default:
		h.Log.ErrorContext(ctx, "json:api: unmapped error code", slog.String("code", string(e.Code)))
		out = &Error{Status: http.StatusInternalServerError, Code: "internal_error",
			Detail: "internal error; quote request id " + httpkit.RequestID(ctx) + " when reporting it"}
	}
	res := errorsResponse(Errors{out})
	for k, v := range header {
		res.header[k] = v
	}
	return res
}

// errorsResponse renders problems as one error document. Its status is the
// problems' status when they share one, else 400 (JSON:API: the most
// generally applicable code).
func errorsResponse(list Errors) response {
	status := list[0].Status
	doc := errorDocument{Errors: make([]errorObject, len(list))}
	for i, e := range list {
		if e.Status != status {
			status = http.StatusBadRequest
		}
		o := errorObject{Status: strconv.Itoa(e.Status), Code: e.Code, Title: titles[e.Code], Detail: e.Detail}
		if o.Title == "" {
			o.Title = http.StatusText(e.Status)
		}
		if e.Pointer != "" || e.Parameter != "" || e.Header != "" {
			o.Source = &errorSource{Pointer: e.Pointer, Parameter: e.Parameter, Header: e.Header}
		}
		doc.Errors[i] = o
	}
	return response{status: status, header: http.Header{}, body: doc}
}

// writeError renders err for a request without a document.
func (h *handlers) writeError(w http.ResponseWriter, r *http.Request, err error) {
	h.errorResponse(r.Context(), err, nil).write(w)
}
