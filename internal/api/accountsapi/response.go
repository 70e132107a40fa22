package accountsapi

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

// dialect is what the idempotency wrapper needs of a face's dialect.
type dialect struct {
	// errorResponse renders an error of the wrapper itself (a malformed or
	// reused key).
	errorResponse func(context.Context, error) response
	// contentType is the media type of a replayed answer with status.
	contentType func(status int) string
	// stored is what is kept of an answer to replay; nil keeps the body as
	// sent. It drops what must not be stored, such as a one-time secret.
	stored func(response) any
}

// idempotent runs do once per Idempotency-Key (see httpkit.Idempotent) in
// the dialect d: its error shape, its replayed media type, and what of an
// answer may be kept.
func (h *handlers) idempotent(w http.ResponseWriter, r *http.Request, actor core.Actor, body []byte, d dialect, do func(context.Context) response) {
	httpkit.Idempotent{
		Service:  h.Service,
		Log:      h.Log,
		Face:     "accounts",
		Error:    d.errorResponse,
		Replayed: func(status int, _ []byte) (string, http.Header) { return d.contentType(status), nil },
	}.Run(w, r, actor, body, func(ctx context.Context) response {
		res := do(ctx)
		if d.stored != nil {
			res.Keep = d.stored(res)
		}
		return res
	})
}
