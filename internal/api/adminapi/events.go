package adminapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// eventView is an event as the audit log shows it. Its payload is the
// stored one: the core never puts a secret in it.
type eventView struct {
	ID        int64           `json:"id"`
	Type      string          `json:"type"`
	Actor     string          `json:"actor"`
	Subject   subjectView     `json:"subject"`
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"createdAt"`
}

type subjectView struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type eventList struct {
	Events     []eventView `json:"events"`
	NextCursor *string     `json:"nextCursor"`
}

func eventViewOf(e core.Event) eventView {
	payload := e.Payload
	if len(payload) == 0 {
		payload = json.RawMessage("{}")
	}
	return eventView{
		ID: e.ID, Type: e.Type, Actor: e.Actor,
		Subject: subjectView{Type: e.SubjectType, ID: e.SubjectID},
		Payload: payload, CreatedAt: e.CreatedAt.UTC(),
	}
}

// badParameter is a 400 whose detail starts with the query parameter at
// fault. It has no errors[] member: those point into a request body.
func badParameter(name, message string) error {
	return &httpkit.RequestError{Status: http.StatusBadRequest, Message: name + ": " + message}
}

// eventFilter reads GET /api/v1/events's query: limit (1 to
// core.MaxPageSize), cursor, type, actor, subject_type, subject_id (exact
// matches) and since, until (RFC 3339). Empty values are unset. Errors: a
// 400 *httpkit.RequestError naming the parameter.
func eventFilter(q url.Values) (core.EventFilter, error) {
	f := core.EventFilter{
		Type: q.Get("type"), Actor: q.Get("actor"),
		SubjectType: q.Get("subject_type"), SubjectID: q.Get("subject_id"),
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > core.MaxPageSize {
			return f, badParameter("limit", "must be a whole number from 1 to "+strconv.Itoa(core.MaxPageSize))
		}
		f.Limit = n
	}
	if s := q.Get("cursor"); s != "" {
		after, ok := httpkit.DecodeCursor(s)
		if !ok {
			return f, badParameter("cursor", "is not a cursor this API returned")
		}
		f.AfterID = after
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		s := q.Get(p.name)
		if s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return f, badParameter(p.name, "must be an RFC 3339 date-time, such as 2026-03-01T12:00:00Z")
		}
		*p.dst = t
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return f, badParameter("until", "must be after since")
	}
	return f, nil
}

func (h *handlers) listEvents(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	f, err := eventFilter(r.URL.Query())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	page, err := h.Service.ListEvents(r.Context(), actor, f)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := eventList{Events: make([]eventView, len(page.Events)), NextCursor: httpkit.NextCursor(page.Next)}
	for i, e := range page.Events {
		out.Events[i] = eventViewOf(e)
	}
	httpkit.WriteJSON(w, http.StatusOK, "", out)
}
