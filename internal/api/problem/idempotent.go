package problem

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// Reply is p as an answer built before it is written, so that a create's
// refusal can be kept and replayed by Idempotency-Key.
func (p Response) Reply() httpkit.Reply {
	return httpkit.Reply{Status: p.Status, Header: p.Header, ContentType: ContentType, Body: p.Details}
}

// Idempotent is the Idempotency-Key runner of a face whose errors are
// problems described by o: the runner's own refusals (a malformed, reused or
// busy key) are problems, and a replayed refusal keeps the problem+json
// media type. face is part of the request fingerprint (httpkit.Idempotent).
// collection is the path the request creates in: a replayed 201 gets back
// its Location, collection/<id>, from the kept body's "id" or "_id", as
// every create of these faces answers it.
func Idempotent(svc *core.Service, log *slog.Logger, face string, o Options, collection string) httpkit.Idempotent {
	return httpkit.Idempotent{
		Service: svc, Log: log, Face: face,
		Error: func(ctx context.Context, err error) httpkit.Reply {
			return From(ctx, log, err, o).Reply()
		},
		Replayed: func(status int, body []byte) (string, http.Header) {
			switch {
			case status >= 400:
				return ContentType, nil
			case status == http.StatusCreated:
				if id := createdID(body); id != "" {
					return "", http.Header{"Location": {collection + "/" + url.PathEscape(id)}}
				}
			}
			return "", nil
		},
	}
}

// createdID is the "_id" or "id" (a string or a number) of a created
// object's JSON, or "".
func createdID(body []byte) string {
	var created struct {
		ID       json.RawMessage `json:"id"`
		ObjectID string          `json:"_id"`
	}
	if json.Unmarshal(body, &created) != nil {
		return ""
	}
	if created.ObjectID != "" {
		return created.ObjectID
	}
	var id string
	if json.Unmarshal(created.ID, &id) == nil {
		return id
	}
	var n int64
	if json.Unmarshal(created.ID, &n) == nil {
		return strconv.FormatInt(n, 10)
	}
	return ""
}
