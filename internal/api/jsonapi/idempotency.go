package jsonapi

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// idempotencyKeyHeader names the header that makes a create safe to retry.
const idempotencyKeyHeader = "Idempotency-Key"

// idempotent runs do once per Idempotency-Key (when the request has one):
// a retry with the same key and body gets the first response again (with
// Idempotent-Replayed: true); with another request, 422; while the first
// is still running, 409. Responses worth retrying (5xx, 429) are not kept.
func (h *handlers) idempotent(w http.ResponseWriter, r *http.Request, actor core.Actor, body []byte, do func(context.Context) response) {
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
		if loc := locationOf(replay.Status, replay.Body); loc != "" {
			w.Header().Set("Location", loc)
		}
		httpkit.WriteBody(w, replay.Status, MediaType, replay.Body)
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
		h.Log.ErrorContext(ctx, "json:api: record idempotent response", slog.Any("error", err))
	}
	for k, v := range res.header {
		w.Header()[k] = v
	}
	httpkit.WriteBody(w, res.status, MediaType, encoded)
}

// fingerprint identifies "the same request": this face, method, path and
// exact body. The face is part of it because the Client API shares the
// path and the tenant's keys: a key first used there is another request
// here.
func fingerprint(r *http.Request, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte("jsonapi\n" + r.Method + " " + r.URL.Path + "\n"))
	h.Write(body)
	return h.Sum(nil)
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
