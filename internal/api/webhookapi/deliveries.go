package webhookapi

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// deliveryPath is a delivery's URL path.
func deliveryPath(d core.WebhookDelivery) string {
	return endpointPath(d.EndpointID) + "/deliveries/" + strconv.FormatInt(d.ID, 10)
}

// deliveryPaging reads limit (1 to core.MaxPageSize) and cursor. Errors: a
// 400 naming the parameter.
func deliveryPaging(q url.Values) (cursor int64, limit int, err error) {
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > core.MaxPageSize {
			return 0, 0, badParameter("limit", "must be a whole number from 1 to "+strconv.Itoa(core.MaxPageSize))
		}
		limit = n
	}
	if s := q.Get("cursor"); s != "" {
		c, ok := httpkit.DecodeCursor(s)
		if !ok {
			return 0, 0, badParameter("cursor", "is not a cursor this API returned")
		}
		cursor = c
	}
	return cursor, limit, nil
}

// listDeliveries pages an endpoint's deliveries, newest first.
func (h *handlers) listDeliveries(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	cursor, limit, err := deliveryPaging(r.URL.Query())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	page, err := h.Service.ListWebhookDeliveries(r.Context(), actor, r.PathValue("id"), cursor, limit)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := deliveryList{Deliveries: make([]deliveryView, len(page.Deliveries)), NextCursor: httpkit.NextCursor(page.Next)}
	for i, d := range page.Deliveries {
		out.Deliveries[i] = deliveryViewOf(d.Delivery, d.Attempts)
	}
	httpkit.WriteJSON(w, http.StatusOK, "", out)
}

func (h *handlers) getDelivery(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	d, err := h.Service.GetWebhookDelivery(r.Context(), actor, r.PathValue("id"), deliveryID(r))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	httpkit.WriteJSON(w, http.StatusOK, "", deliveryViewOf(d.Delivery, d.Attempts))
}

// redeliver answers 202 with the delivery, pending again.
func (h *handlers) redeliver(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	endpointID := r.PathValue("id")
	if _, err := h.Service.RedeliverWebhook(r.Context(), actor, endpointID, deliveryID(r)); err != nil {
		h.writeError(w, r, err)
		return
	}
	d, err := h.Service.GetWebhookDelivery(r.Context(), actor, endpointID, deliveryID(r))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	httpkit.WriteJSON(w, http.StatusAccepted, "", deliveryViewOf(d.Delivery, d.Attempts))
}
