package api

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/api/jsonapi"
)

// dispatchUsers decides, for /api/users and /api/users/{id}, which of the
// two faces that share those paths a request is for: the JSON:API face
// (seed 001, served by jsonapiMux) or the Client API (seed 000, on next with
// every other route). It is the only place that decides.
//
// A request is JSON:API's when jsonapiMux has a route for it and any of:
//
//   - its Content-Type is application/vnd.api+json (with any parameters:
//     the face refuses the ones JSON:API does not allow);
//   - its Accept names application/vnd.api+json;
//   - it carries X-Clarus-Subdomain or X-Tenant-Subdomain, which only seed
//     001 defines;
//   - its query has a JSON:API parameter, page[...] or filter[...];
//   - it is a POST or PATCH with an application/json body whose top-level
//     object has a data member (seed 001's own example is sent that way;
//     the Client API has no field named data, so it loses nothing).
//
// Everything else goes to next unchanged, so the Client API answers exactly
// as it did before JSON:API shared its paths. To look at a body, the first
// httpkit.MaxBodyBytes+1 bytes are read once and handed on in front of the
// rest: the face that serves the request reads the same bytes.
func dispatchUsers(jsonapiMux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/users") && isJSONAPIRoute(jsonapiMux, r) && isJSONAPIRequest(r) {
			jsonapiMux.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// isJSONAPIRoute reports whether mux has a route (a method and a path
// pattern) for r: not a redirect, a 404 or a 405.
func isJSONAPIRoute(mux *http.ServeMux, r *http.Request) bool {
	_, pattern := mux.Handler(r)
	return strings.Contains(pattern, " /")
}

// isJSONAPIRequest applies the rules of dispatchUsers to r.
func isJSONAPIRequest(r *http.Request) bool {
	switch {
	case jsonapi.IsMediaType(r.Header.Get("Content-Type")),
		jsonapi.AcceptsMediaType(r),
		len(r.Header.Values(jsonapi.SubdomainHeader)) > 0,
		len(r.Header.Values(jsonapi.SubdomainAliasHeader)) > 0:
		return true
	}
	for name := range r.URL.Query() {
		if strings.HasPrefix(name, "page[") || strings.HasPrefix(name, "filter[") {
			return true
		}
	}
	if r.Method != http.MethodPost && r.Method != http.MethodPatch {
		return false
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return false
	}
	return hasTopLevelData(peekBody(r))
}

// peekBody reads up to httpkit.MaxBodyBytes+1 bytes of r's body and puts
// them back in front of the rest, with any read error after them, so the
// handler reads exactly what the client sent.
func peekBody(r *http.Request) []byte {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	head, err := io.ReadAll(io.LimitReader(r.Body, httpkit.MaxBodyBytes+1))
	rest := r.Body
	var tail io.Reader = rest
	if err != nil {
		tail = errReader{err}
	}
	r.Body = peekedBody{Reader: io.MultiReader(bytes.NewReader(head), tail), Closer: rest}
	return head
}

type peekedBody struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// hasTopLevelData reports whether body starts a JSON object that has a
// member named data. The body may be cut short (only its first bytes were
// read); a member found before the cut counts.
func hasTopLevelData(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if tok == "data" {
			return true
		}
		if !skipValue(dec) {
			return false
		}
	}
	return false
}

// skipValue reads one whole value from dec.
func skipValue(dec *json.Decoder) bool {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return true
		}
	}
}
