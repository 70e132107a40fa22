package webhookapi

import (
	"context"
	"net/http"
	"time"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/api/problem"
	"github.com/rosterhq/roster/internal/core"
)

// createEndpointRequest is POST /api/v1/webhooks's body.
type createEndpointRequest struct {
	URL         string   `json:"url"`
	Description string   `json:"description"`
	EventTypes  []string `json:"eventTypes"`
	Enabled     *bool    `json:"enabled"`
}

// updateEndpointRequest is PATCH /api/v1/webhooks/{id}'s body: absent
// members stay as they are.
type updateEndpointRequest struct {
	URL         *string   `json:"url"`
	Description *string   `json:"description"`
	EventTypes  *[]string `json:"eventTypes"`
	Enabled     *bool     `json:"enabled"`
}

// endpointPath is an endpoint's URL path.
func endpointPath(id string) string { return "/api/v1/webhooks/" + id }

func (h *handlers) listEndpoints(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	list, err := h.Service.ListWebhookEndpoints(r.Context(), actor)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	now := time.Now()
	out := endpointList{Webhooks: make([]endpointView, len(list))}
	for i, e := range list {
		out.Webhooks[i] = endpointViewOf(e, now)
	}
	httpkit.WriteJSON(w, http.StatusOK, "", out)
}

func (h *handlers) createEndpoint(w http.ResponseWriter, r *http.Request) {
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
		var req createEndpointRequest
		if err := httpkit.DecodeStrict(body, &req); err != nil {
			return problemReply(problem.From(ctx, h.Log, err, problemOptions))
		}
		if err := refuseNulls(body); err != nil {
			return problemReply(problem.From(ctx, h.Log, err, problemOptions))
		}
		e, err := h.Service.CreateWebhookEndpoint(ctx, actor, core.CreateWebhookEndpoint{
			URL: req.URL, Description: req.Description, EventTypes: req.EventTypes, Enabled: req.Enabled,
		})
		if err != nil {
			return problemReply(problem.From(ctx, h.Log, err, problemOptions))
		}
		header := http.Header{}
		header.Set("Location", endpointPath(e.ID))
		view := endpointViewOf(e, time.Now())
		// The secret is shown this once: an Idempotency-Key replay answers
		// the endpoint without it, so it is never stored.
		return reply{Status: http.StatusCreated, Header: header,
			Body: endpointWithSecret{endpointView: view, Secret: e.Secret}, Keep: view}
	})
}

func (h *handlers) getEndpoint(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	e, err := h.Service.GetWebhookEndpoint(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	httpkit.WriteJSON(w, http.StatusOK, "", endpointViewOf(e, time.Now()))
}

func (h *handlers) updateEndpoint(w http.ResponseWriter, r *http.Request) {
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
	var req updateEndpointRequest
	if err := httpkit.DecodeStrict(body, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := refuseNulls(body); err != nil {
		h.writeError(w, r, err)
		return
	}
	e, err := h.Service.UpdateWebhookEndpoint(r.Context(), actor, r.PathValue("id"), core.UpdateWebhookEndpoint{
		URL: req.URL, Description: req.Description, EventTypes: req.EventTypes, Enabled: req.Enabled,
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	httpkit.WriteJSON(w, http.StatusOK, "", endpointViewOf(e, time.Now()))
}

func (h *handlers) deleteEndpoint(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.Service.DeleteWebhookEndpoint(r.Context(), actor, r.PathValue("id")); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// rotateSecret answers the endpoint with its new secret, shown this once.
// It takes no body.
func (h *handlers) rotateSecret(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	e, err := h.Service.RotateWebhookSecret(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	httpkit.WriteJSON(w, http.StatusOK, "", endpointWithSecret{endpointView: endpointViewOf(e, time.Now()), Secret: e.Secret})
}

// sendTest answers 202 with the test event's delivery, pending: the
// dispatcher sends it shortly, and its attempts show in its deliveries.
func (h *handlers) sendTest(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	d, err := h.Service.SendTestWebhook(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", deliveryPath(d))
	httpkit.WriteJSON(w, http.StatusAccepted, "", deliveryViewOf(d, nil))
}
