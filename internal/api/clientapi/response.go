package clientapi

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// response is a status, extra headers and a JSON body, built before it is
// written so that idempotent requests can store and replay it.
type response struct {
	status int
	header http.Header
	body   any
}

func (r response) write(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	httpkit.WriteJSON(w, r.status, "", r.body)
}

// IdempotencyKeyHeader names the header that makes a create safe to retry.
const IdempotencyKeyHeader = "Idempotency-Key"

// idempotent runs do once per Idempotency-Key (when the request has one):
// a retry with the same key and body gets the first response again; with
// another body, 422; while the first is still running, 409. Responses worth
// retrying (5xx, 429) are not kept.
func (h *handlers) idempotent(w http.ResponseWriter, r *http.Request, actor core.Actor, body []byte, do func(context.Context) response) {
	key := r.Header.Get(IdempotencyKeyHeader)
	if key == "" {
		do(r.Context()).write(w)
		return
	}
	ctx := r.Context()
	replay, err := h.Service.BeginIdempotent(ctx, actor, key, fingerprint(r, body))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if replay != nil {
		w.Header().Set("Idempotent-Replayed", "true")
		httpkit.WriteBody(w, replay.Status, "", replay.Body)
		return
	}
	res := do(ctx)
	encoded, err := json.Marshal(res.body)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	// Record the outcome even if the client has gone: its retry must see it.
	ctx = context.WithoutCancel(ctx)
	if res.status >= 500 || res.status == http.StatusTooManyRequests || res.status == 499 {
		err = h.Service.AbandonIdempotent(ctx, actor, key)
	} else {
		err = h.Service.FinishIdempotent(ctx, actor, key, res.status, encoded)
	}
	if err != nil {
		h.Log.ErrorContext(ctx, "client api: record idempotent response", slog.Any("error", err))
	}
	for k, v := range res.header {
		w.Header()[k] = v
	}
	httpkit.WriteBody(w, res.status, "", encoded)
}

// fingerprint identifies "the same request": method, path and exact body.
func fingerprint(r *http.Request, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(r.Method + " " + r.URL.Path + "\n"))
	h.Write(body)
	return h.Sum(nil)
}
