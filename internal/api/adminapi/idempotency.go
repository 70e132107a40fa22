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

func problemReply(p problem.Response) reply { return p.Reply() }

// idempotent runs do once per Idempotency-Key (see problem.Idempotent).
func (h *handlers) idempotent(w http.ResponseWriter, r *http.Request, actor core.Actor, body []byte, do func(context.Context) reply) {
	problem.Idempotent(h.Service, h.Log, "admin", problemOptions, r.URL.Path).Run(w, r, actor, body, do)
}
