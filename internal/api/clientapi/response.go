package clientapi

import (
	"context"
	"net/http"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// response is an answer built before it is written, so that idempotent
// creates can keep and replay it.
type response = httpkit.Reply

// IdempotencyKeyHeader names the header that makes a create safe to retry.
const IdempotencyKeyHeader = httpkit.IdempotencyKeyHeader

// idempotent runs do once per Idempotency-Key (see httpkit.Idempotent).
func (h *handlers) idempotent(w http.ResponseWriter, r *http.Request, actor core.Actor, body []byte, do func(context.Context) response) {
	httpkit.Idempotent{Service: h.Service, Log: h.Log, Face: "client", Error: h.errorResponse}.Run(w, r, actor, body, do)
}
