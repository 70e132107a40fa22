package adminapi

import (
	"context"
	"net/http"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/api/problem"
	"github.com/rosterhq/roster/internal/core"
)

// reply is an answer built before it is written, so that a create can be
// kept and replayed.
type reply = httpkit.Reply

func problemReply(p problem.Response) reply {
	return reply{Status: p.Status, Header: p.Header, ContentType: problem.ContentType, Body: p.Details}
}

// idempotent runs do once per Idempotency-Key (see httpkit.Idempotent); a
// replayed refusal keeps the problem+json media type.
func (h *handlers) idempotent(w http.ResponseWriter, r *http.Request, actor core.Actor, body []byte, do func(context.Context) reply) {
	httpkit.Idempotent{
		Service: h.Service, Log: h.Log, Face: "admin",
		Error: func(ctx context.Context, err error) reply {
			return problemReply(problem.From(ctx, h.Log, err, problemOptions))
		},
		Replayed: func(status int, _ []byte) (string, http.Header) {
			if status >= 400 {
				return problem.ContentType, nil
			}
			return "", nil
		},
	}.Run(w, r, actor, body, do)
}
