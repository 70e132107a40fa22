package accountsapi

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// response is a status, extra headers and a JSON body, built before it is
// written so that idempotent requests can store and replay it.
type response struct {
	status      int
	header      http.Header
	contentType string // "" is application/json
	body        any    // nil: no body
}

func (r response) write(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	if r.body == nil {
		w.WriteHeader(r.status)
		return
	}
	httpkit.WriteJSON(w, r.status, r.contentType, r.body)
}

// IdempotencyKeyHeader names the header that makes a create safe to retry.
const IdempotencyKeyHeader = "Idempotency-Key"

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

// idempotent runs do once per Idempotency-Key (when the request has one):
// a retry with the same key and body gets the first answer again; with
// another body, 422; while the first is still running, 409. Answers worth
// retrying (5xx, 429) are not kept.
func (h *handlers) idempotent(w http.ResponseWriter, r *http.Request, actor core.Actor, body []byte, d dialect, do func(context.Context) response) {
	key := r.Header.Get(IdempotencyKeyHeader)
	if key == "" {
		do(r.Context()).write(w)
		return
	}
	ctx := r.Context()
	replay, err := h.Service.BeginIdempotent(ctx, actor, key, fingerprint(r, body))
	if err != nil {
		d.errorResponse(ctx, err).write(w)
		return
	}
	if replay != nil {
		w.Header().Set("Idempotent-Replayed", "true")
		httpkit.WriteBody(w, replay.Status, d.contentType(replay.Status), replay.Body)
		return
	}
	res := do(ctx)
	keep := res.body
	if d.stored != nil {
		keep = d.stored(res)
	}
	encoded, err := json.Marshal(keep)
	if err != nil { // the face's own types always encode; this is a bug
		res = d.errorResponse(ctx, fmt.Errorf("encode the response to keep: %w", err))
	}
	// Record the outcome even if the client has gone: its retry must see it.
	ctx = context.WithoutCancel(ctx)
	if res.status >= 500 || res.status == http.StatusTooManyRequests || res.status == 499 {
		err = h.Service.AbandonIdempotent(ctx, actor, key)
	} else {
		err = h.Service.FinishIdempotent(ctx, actor, key, res.status, encoded)
	}
	if err != nil {
		h.Log.ErrorContext(ctx, "accounts api: record idempotent response", slog.Any("error", err))
	}
	res.write(w)
}

// fingerprint identifies "the same request": method, path and exact body.
func fingerprint(r *http.Request, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(r.Method + " " + r.URL.Path + "\n"))
	h.Write(body)
	return h.Sum(nil)
}
