package adminapi

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/api/problem"
	"github.com/rosterhq/roster/internal/core"
)

// reply is a status, headers, content type and body, built before it is
// written so that a create can be stored and replayed.
type reply struct {
	status      int
	header      http.Header
	contentType string // "": application/json
	body        any
}

func problemReply(p problem.Response) reply {
	return reply{status: p.Status, header: p.Header, contentType: problem.ContentType, body: p.Details}
}

// idempotencyKeyHeader names the header that makes a create safe to retry.
const idempotencyKeyHeader = "Idempotency-Key"

// idempotent runs do once per Idempotency-Key (when the request has one):
// the same key and body replay the first answer (Idempotent-Replayed:
// true); another request with the key is 422; a concurrent one 409. 5xx and
// 429 answers are not kept, so they can be retried.
func (h *handlers) idempotent(w http.ResponseWriter, r *http.Request, actor core.Actor, body []byte, do func(context.Context) reply) {
	key := r.Header.Get(idempotencyKeyHeader)
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
		contentType := ""
		if replay.Status >= 400 {
			contentType = problem.ContentType
		}
		httpkit.WriteBody(w, replay.Status, contentType, replay.Body)
		return
	}
	res := do(ctx)
	encoded, err := json.Marshal(res.body)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ctx = context.WithoutCancel(ctx) // a retry must see the outcome even if the client left
	if res.status >= 500 || res.status == http.StatusTooManyRequests || res.status == 499 {
		err = h.Service.AbandonIdempotent(ctx, actor, key)
	} else {
		err = h.Service.FinishIdempotent(ctx, actor, key, res.status, encoded)
	}
	if err != nil {
		h.Log.ErrorContext(ctx, "admin api: record idempotent response", slog.Any("error", err))
	}
	for k, v := range res.header {
		w.Header()[k] = v
	}
	httpkit.WriteBody(w, res.status, res.contentType, encoded)
}

func (res reply) write(w http.ResponseWriter) {
	for k, v := range res.header {
		w.Header()[k] = v
	}
	httpkit.WriteJSON(w, res.status, res.contentType, res.body)
}

// fingerprint identifies "the same request": this API, method, path and
// exact body.
func fingerprint(r *http.Request, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte("admin\n" + r.Method + " " + r.URL.Path + "\n"))
	h.Write(body)
	return h.Sum(nil)
}
