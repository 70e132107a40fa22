package jsonapi

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/rosterhq/roster/internal/core"
)

// Page sizes of GET /api/users.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// maxPageNumber bounds page[number], so that offsets cannot overflow.
const maxPageNumber = 1_000_000_000

// listQuery is GET /api/users's query: page[number] (from 1),
// page[size] (1..100) and filter[email] (exact, case-insensitive).
type listQuery struct {
	number, size int
	email        string
}

// parseListQuery reads the listing's parameters. Errors: *Error 400 naming
// the parameter (unknown, repeated, or out of range).
func parseListQuery(r *http.Request) (listQuery, error) {
	q := listQuery{number: 1, size: DefaultPageSize}
	values := r.URL.Query()
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		v := values[name]
		if len(v) > 1 {
			return q, &Error{Status: http.StatusBadRequest, Code: "invalid_parameter", Parameter: name,
				Detail: "query parameter " + quote(name) + " must be given once"}
		}
		var err error
		switch name {
		case "page[number]":
			q.number, err = pageParam(name, v[0], maxPageNumber)
		case "page[size]":
			q.size, err = pageParam(name, v[0], MaxPageSize)
		case "filter[email]":
			q.email = strings.TrimSpace(v[0])
		default:
			return q, &Error{Status: http.StatusBadRequest, Code: "invalid_parameter", Parameter: name,
				Detail: "query parameter " + quote(name) + " is not supported; use page[number], page[size] or filter[email]"}
		}
		if err != nil {
			return q, err
		}
	}
	return q, nil
}

func pageParam(name, v string, limit int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > limit {
		return 0, &Error{Status: http.StatusBadRequest, Code: "invalid_parameter", Parameter: name,
			Detail: name + " must be a whole number from 1 to " + strconv.Itoa(limit)}
	}
	return n, nil
}

// link is the URL of page number of the listing q describes.
func (q listQuery) link(number int) string {
	var b strings.Builder
	b.WriteString(usersPath + "?")
	if q.email != "" {
		b.WriteString(url.QueryEscape("filter[email]") + "=" + url.QueryEscape(q.email) + "&")
	}
	b.WriteString(url.QueryEscape("page[number]") + "=" + strconv.Itoa(number))
	b.WriteString("&" + url.QueryEscape("page[size]") + "=" + strconv.Itoa(q.size))
	return b.String()
}

func (h *handlers) listUsers(w http.ResponseWriter, r *http.Request) {
	actor, err := h.authenticate(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	q, err := parseListQuery(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	total, err := h.Service.CountUsers(ctx, actor, core.UserFilter{Email: q.email})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	doc := userListDocument{Data: []userResource{}, Meta: listMeta{Total: total}}
	offset := (q.number - 1) * q.size
	if offset < total {
		// Past the last page there is nothing to scan for.
		page, err := h.Service.ListUsers(ctx, actor, core.UserFilter{Limit: q.size, Offset: offset, Email: q.email})
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		for _, u := range page.Users {
			doc.Data = append(doc.Data, resourceOf(u))
		}
	}
	last := max(1, (total+q.size-1)/q.size)
	doc.Links = pageLinks{Self: q.link(q.number), First: q.link(1), Last: q.link(last)}
	if q.number > 1 {
		prev := q.link(min(q.number-1, last))
		doc.Links.Prev = &prev
	}
	if q.number < last {
		next := q.link(q.number + 1)
		doc.Links.Next = &next
	}
	response{status: http.StatusOK, body: doc}.write(w)
}
