package httpkit

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/rosterhq/roster/internal/core"
)

// Reply is an answer built before it is written, so that an idempotent
// create can keep it and replay it.
type Reply struct {
	Status      int
	Header      http.Header
	ContentType string // "": application/json
	Body        any    // nil: no body
	// Keep, when not nil, is what is stored for replays instead of Body:
	// a one-time secret in Body must never be stored.
	Keep any
}

// Write writes the reply.
func (r Reply) Write(w http.ResponseWriter) {
	for k, v := range r.Header {
		w.Header()[k] = v
	}
	if r.Body == nil {
		w.WriteHeader(r.Status)
		return
	}
	WriteJSON(w, r.Status, r.ContentType, r.Body)
}

// IdempotencyKeyHeader names the header that makes a create safe to retry.
const IdempotencyKeyHeader = "Idempotency-Key"

// Idempotent runs a face's creates once per Idempotency-Key (DESIGN §2).
type Idempotent struct {
	Service *core.Service
	Log     *slog.Logger
	// Face is part of the fingerprint: faces share paths and a tenant's
	// keys, and a key first used on one face is another request on the next.
	Face string
	// Error renders the wrapper's own refusals (a malformed, reused or busy
	// key) in the face's shape.
	Error func(context.Context, error) Reply
	// Replayed, when set, gives what a replay needs beyond its status and
	// body: the media type and headers such as Location.
	Replayed func(status int, body []byte) (contentType string, header http.Header)
}

// Run answers r with do's reply. With an Idempotency-Key, the same key and
// request replay the first answer (Idempotent-Replayed: true), another
// request with the key is 422 and a concurrent one 409; answers worth
// retrying (5xx, 429, a client gone) are not kept.
func (i Idempotent) Run(w http.ResponseWriter, r *http.Request, actor core.Actor, body []byte, do func(context.Context) Reply) {
	key := r.Header.Get(IdempotencyKeyHeader)
	if key == "" {
		do(r.Context()).Write(w)
		return
	}
	ctx := r.Context()
	replay, err := i.Service.BeginIdempotent(ctx, actor, key, i.fingerprint(r, body))
	if err != nil {
		i.Error(ctx, err).Write(w)
		return
	}
	if replay != nil {
		w.Header().Set("Idempotent-Replayed", "true")
		contentType := ""
		if i.Replayed != nil {
			var header http.Header
			contentType, header = i.Replayed(replay.Status, replay.Body)
			for k, v := range header {
				w.Header()[k] = v
			}
		}
		WriteBody(w, replay.Status, contentType, replay.Body)
		return
	}
	res := do(ctx)
	keep := res.Body
	if res.Keep != nil {
		keep = res.Keep
	}
	encoded, err := json.Marshal(keep)
	if err != nil { // the faces' own types always encode: a bug
		res = i.Error(ctx, fmt.Errorf("encode the answer to keep: %w", err))
		encoded = nil
	}
	// Record the outcome even if the client has gone: its retry must see it.
	ctx = context.WithoutCancel(ctx)
	if encoded == nil || res.Status >= 500 || res.Status == http.StatusTooManyRequests || res.Status == 499 {
		err = i.Service.AbandonIdempotent(ctx, actor, key)
	} else {
		err = i.Service.FinishIdempotent(ctx, actor, key, res.Status, encoded)
	}
	if err != nil {
		i.Log.ErrorContext(ctx, i.Face+": record idempotent answer", slog.Any("error", err))
	}
	res.Write(w)
}

// fingerprint identifies "the same request": the face, method, path and
// exact body.
func (i Idempotent) fingerprint(r *http.Request, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(i.Face + "\n" + r.Method + " " + r.URL.Path + "\n"))
	h.Write(body)
	return h.Sum(nil)
}
