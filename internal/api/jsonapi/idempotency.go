package jsonapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// idempotent runs do once per Idempotency-Key (see httpkit.Idempotent); a
// replayed 201 gets its Location back.
func (h *handlers) idempotent(w http.ResponseWriter, r *http.Request, actor core.Actor, body []byte, do func(context.Context) response) {
	httpkit.Idempotent{
		Service: h.Service, Log: h.Log, Face: "jsonapi",
		Error: func(ctx context.Context, err error) httpkit.Reply { return h.errorResponse(ctx, err, nil).reply() },
		Replayed: func(status int, body []byte) (string, http.Header) {
			header := http.Header{}
			if loc := locationOf(status, body); loc != "" {
				header.Set("Location", loc)
			}
			return MediaType, header
		},
	}.Run(w, r, actor, body, func(ctx context.Context) httpkit.Reply { return do(ctx).reply() })
}

// locationOf is the Location of a stored 201: its resource's self link.
func locationOf(status int, body []byte) string {
	if status != http.StatusCreated {
		return ""
	}
	var doc struct {
		Data struct {
			Links selfLink `json:"links"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return ""
	}
	return doc.Data.Links.Self
}
