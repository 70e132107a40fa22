package webhookapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/api/problem"
)

// subscribeRequest is Zapier's REST Hooks subscribe body.
type subscribeRequest struct {
	TargetURL string `json:"target_url"`
	Event     string `json:"event"`
}

// hookView is a subscription as Zapier wants it back: its id is what
// Zapier sends to unsubscribe.
type hookView struct {
	ID        string `json:"id"`
	TargetURL string `json:"target_url"`
	Event     string `json:"event"`
}

func (h *handlers) subscribeHook(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	body, err := httpkit.ReadJSONBody(w, r, httpkit.MaxBodyBytes)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.idempotent(w, r, actor, body, func(ctx context.Context) reply {
		var req subscribeRequest
		if err := httpkit.DecodeStrict(body, &req); err != nil {
			return problemReply(problem.From(ctx, h.Log, err, problemOptions))
		}
		if err := refuseNulls(body); err != nil {
			return problemReply(problem.From(ctx, h.Log, err, problemOptions))
		}
		e, err := h.Service.SubscribeHook(ctx, actor, req.TargetURL, req.Event)
		if err != nil {
			return problemReply(problem.From(ctx, h.Log, err, problemOptions))
		}
		header := http.Header{}
		header.Set("Location", "/api/v1/hooks/"+e.ID)
		return reply{Status: http.StatusCreated, Header: header, Body: hookView{ID: e.ID, TargetURL: e.URL, Event: req.Event}}
	})
}

func (h *handlers) unsubscribeHook(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.Service.UnsubscribeHook(r.Context(), actor, r.PathValue("id")); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// sampleHook answers a JSON array of delivery bodies of the event, the
// same shape as the live deliveries Zapier will receive.
func (h *handlers) sampleHook(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	for name := range q {
		if name != "event" {
			h.writeError(w, r, badParameter(name, "is not a parameter of this route (only event is)"))
			return
		}
	}
	samples, err := h.Service.SampleHookPayloads(r.Context(), actor, q.Get("event"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if samples == nil {
		samples = []json.RawMessage{}
	}
	httpkit.WriteJSON(w, http.StatusOK, "", samples)
}
