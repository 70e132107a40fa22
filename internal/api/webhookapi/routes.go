package webhookapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strconv"

	"github.com/rosterhq/roster/internal/api/authn"
	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/api/problem"
	"github.com/rosterhq/roster/internal/core"
)

// Deps is what the webhook routes need.
type Deps struct {
	Service *core.Service
	Auth    *authn.Authenticator
	Log     *slog.Logger
}

type handlers struct{ Deps }

// Routes registers the webhook and REST Hooks routes on mux.
func Routes(mux *http.ServeMux, d Deps) {
	h := &handlers{d}
	mux.HandleFunc("GET /api/v1/webhooks", h.listEndpoints)
	mux.HandleFunc("POST /api/v1/webhooks", h.createEndpoint)
	mux.HandleFunc("GET /api/v1/webhooks/{id}", h.getEndpoint)
	mux.HandleFunc("PATCH /api/v1/webhooks/{id}", h.updateEndpoint)
	mux.HandleFunc("DELETE /api/v1/webhooks/{id}", h.deleteEndpoint)
	mux.HandleFunc("POST /api/v1/webhooks/{id}/rotate-secret", h.rotateSecret)
	mux.HandleFunc("POST /api/v1/webhooks/{id}/test", h.sendTest)
	mux.HandleFunc("GET /api/v1/webhooks/{id}/deliveries", h.listDeliveries)
	mux.HandleFunc("GET /api/v1/webhooks/{id}/deliveries/{deliveryId}", h.getDelivery)
	mux.HandleFunc("POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver", h.redeliver)

	mux.HandleFunc("POST /api/v1/hooks", h.subscribeHook)
	mux.HandleFunc("GET /api/v1/hooks/sample", h.sampleHook)
	mux.HandleFunc("DELETE /api/v1/hooks/{id}", h.unsubscribeHook)
}

// problemOptions describe webhook errors.
var problemOptions = problem.Options{NotFound: "no such webhook endpoint or delivery"}

// writeError renders err as a problem; problem.From is the one mapping of
// errors to statuses.
func (h *handlers) writeError(w http.ResponseWriter, r *http.Request, err error) {
	problem.WriteWith(w, r, h.Log, err, problemOptions)
}

// reply is an answer built before it is written, so that a create can be
// kept and replayed.
type reply = httpkit.Reply

func problemReply(p problem.Response) reply { return p.Reply() }

// idempotent runs do once per Idempotency-Key (see problem.Idempotent).
func (h *handlers) idempotent(w http.ResponseWriter, r *http.Request, actor core.Actor, body []byte, do func(context.Context) reply) {
	problem.Idempotent(h.Service, h.Log, "webhooks", problemOptions, r.URL.Path).Run(w, r, actor, body, do)
}

// deliveryID returns the {deliveryId} path value; anything but a positive
// integer becomes 0, which no delivery has (NotFound, like an unknown id).
func deliveryID(r *http.Request) int64 {
	id, err := strconv.ParseInt(r.PathValue("deliveryId"), 10, 64)
	if err != nil || id < 1 {
		return 0
	}
	return id
}

// refuseNulls returns Invalid naming the first top-level member of a JSON
// object body whose value is null: no member of these bodies can be
// cleared, and an ignored null would change nothing silently. body has
// been decoded strictly already.
func refuseNulls(body []byte) error {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return nil // not an object: DecodeStrict has said so
	}
	names := make([]string, 0, len(members))
	for name := range members {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if string(members[name]) == "null" {
			return core.FieldError(core.Invalid, name, "must not be null (leave the member out instead)")
		}
	}
	return nil
}

// badParameter is a 400 whose detail starts with the query parameter at
// fault. It has no errors[] member: those point into a request body.
func badParameter(name, message string) error {
	return &httpkit.RequestError{Status: http.StatusBadRequest, Message: name + ": " + message}
}
