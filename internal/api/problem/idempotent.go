package problem

import (
	"context"
	"log/slog"
	"net/http"

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
func Idempotent(svc *core.Service, log *slog.Logger, face string, o Options) httpkit.Idempotent {
	return httpkit.Idempotent{
		Service: svc, Log: log, Face: face,
		Error: func(ctx context.Context, err error) httpkit.Reply {
			return From(ctx, log, err, o).Reply()
		},
		Replayed: func(status int, _ []byte) (string, http.Header) {
			if status >= 400 {
				return ContentType, nil
			}
			return "", nil
		},
	}
}
