package core

import (
	"context"
	"fmt"
)

// DeliveryWithAttempts is a delivery with its attempts, oldest first.
type DeliveryWithAttempts struct {
	Delivery WebhookDelivery
	Attempts []WebhookAttempt
}

// DeliveryPage is one page of an endpoint's deliveries, newest first. Next
// is the cursor of the next page (the last id), 0 when this page is the
// last.
type DeliveryPage struct {
	Deliveries []DeliveryWithAttempts
	Next       int64
}

// ListWebhookDeliveries returns a page of an endpoint's deliveries, newest
// first, with ids below cursor when it is > 0, each with its attempts.
// limit 0 is DefaultPageSize.
//
// Errors: Invalid (field "limit" or "cursor"), NotFound (the endpoint),
// Forbidden.
func (s *Service) ListWebhookDeliveries(ctx context.Context, a Actor, endpointID string, cursor int64, limit int) (DeliveryPage, error) {
	if err := a.requireAdmin(); err != nil {
		return DeliveryPage{}, err
	}
	switch {
	case limit == 0:
		limit = DefaultPageSize
	case limit < 0 || limit > MaxPageSize:
		return DeliveryPage{}, FieldError(Invalid, "limit", "must be between 1 and %d", MaxPageSize)
	}
	if cursor < 0 {
		return DeliveryPage{}, FieldError(Invalid, "cursor", "is not a valid cursor")
	}
	if _, err := s.getWebhookEndpoint(ctx, a.TenantID, endpointID); err != nil {
		return DeliveryPage{}, err
	}
	list, err := s.store.ListWebhookDeliveries(ctx, a.TenantID, endpointID, cursor, limit+1)
	if err != nil {
		return DeliveryPage{}, fmt.Errorf("list deliveries of %s: %w", endpointID, err)
	}
	var page DeliveryPage
	if len(list) > limit {
		list = list[:limit]
		page.Next = list[limit-1].ID
	}
	if page.Deliveries, err = s.withAttempts(ctx, a.TenantID, list); err != nil {
		return DeliveryPage{}, err
	}
	return page, nil
}

// withAttempts pairs each delivery with its attempts.
func (s *Service) withAttempts(ctx context.Context, tenantID int64, list []WebhookDelivery) ([]DeliveryWithAttempts, error) {
	ids := make([]int64, len(list))
	for i, d := range list {
		ids[i] = d.ID
	}
	attempts, err := s.store.ListWebhookAttempts(ctx, tenantID, ids)
	if err != nil {
		return nil, fmt.Errorf("list attempts: %w", err)
	}
	byDelivery := map[int64][]WebhookAttempt{}
	for _, at := range attempts {
		byDelivery[at.DeliveryID] = append(byDelivery[at.DeliveryID], at)
	}
	out := make([]DeliveryWithAttempts, len(list))
	for i, d := range list {
		at := byDelivery[d.ID]
		if at == nil {
			at = []WebhookAttempt{}
		}
		out[i] = DeliveryWithAttempts{Delivery: d, Attempts: at}
	}
	return out, nil
}

// GetWebhookDelivery returns a delivery of an endpoint of the actor's
// tenant with its attempts. Errors: NotFound (the endpoint or the
// delivery, also another tenant's or another endpoint's), Forbidden.
func (s *Service) GetWebhookDelivery(ctx context.Context, a Actor, endpointID string, deliveryID int64) (DeliveryWithAttempts, error) {
	if err := a.requireAdmin(); err != nil {
		return DeliveryWithAttempts{}, err
	}
	if !IsWebhookEndpointID(endpointID) {
		return DeliveryWithAttempts{}, errEndpointNotFound()
	}
	d, err := s.store.GetWebhookDelivery(ctx, a.TenantID, endpointID, deliveryID)
	if err != nil {
		return DeliveryWithAttempts{}, err
	}
	out, err := s.withAttempts(ctx, a.TenantID, []WebhookDelivery{d})
	if err != nil {
		return DeliveryWithAttempts{}, err
	}
	return out[0], nil
}

// endpointDisabled is the refusal to send to a disabled endpoint.
func endpointDisabled() error {
	return FieldError(Conflict, "enabled", "the webhook endpoint is disabled: enable it first")
}

// RedeliverWebhook makes a delivery of an endpoint of the actor's tenant
// pending again, due now, with the same message id (receivers that saw it
// can drop it) and a fresh retry schedule; its earlier attempts stay
// listed.
//
// Errors: NotFound (as GetWebhookDelivery); Conflict (field "enabled")
// when the endpoint is disabled; Forbidden.
func (s *Service) RedeliverWebhook(ctx context.Context, a Actor, endpointID string, deliveryID int64) (WebhookDelivery, error) {
	if err := a.requireAdmin(); err != nil {
		return WebhookDelivery{}, err
	}
	if !IsWebhookEndpointID(endpointID) {
		return WebhookDelivery{}, errEndpointNotFound()
	}
	now := s.now()
	var d WebhookDelivery
	err := s.store.Write(ctx, func(tx Tx) error {
		ep, err := tx.GetWebhookEndpoint(ctx, a.TenantID, endpointID)
		if err != nil {
			return err
		}
		if _, err := tx.GetWebhookDelivery(ctx, a.TenantID, endpointID, deliveryID); err != nil {
			return err
		}
		if !ep.Enabled {
			return endpointDisabled()
		}
		if err := tx.ResetWebhookDelivery(ctx, a.TenantID, deliveryID, now); err != nil {
			return err
		}
		d, err = tx.GetWebhookDelivery(ctx, a.TenantID, endpointID, deliveryID)
		return err
	})
	if err != nil {
		return WebhookDelivery{}, fmt.Errorf("redeliver %d to %s: %w", deliveryID, endpointID, err)
	}
	return d, nil
}

const webhookTestMessage = "This is a test event from Roster."

type webhookTestPayload struct {
	Webhook webhookFields `json:"webhook"`
	Message string        `json:"message"`
}

// SendTestWebhook records a webhook_test event and a pending delivery of
// it to that endpoint only (whatever its filter): the event is marked
// dispatched in the same transaction, so no other endpoint gets it.
//
// Errors: NotFound, Conflict (field "enabled") when the endpoint is
// disabled, Forbidden.
func (s *Service) SendTestWebhook(ctx context.Context, a Actor, endpointID string) (WebhookDelivery, error) {
	if err := a.requireAdmin(); err != nil {
		return WebhookDelivery{}, err
	}
	if !IsWebhookEndpointID(endpointID) {
		return WebhookDelivery{}, errEndpointNotFound()
	}
	tenant, err := s.store.GetTenant(ctx, a.TenantID)
	if err != nil {
		return WebhookDelivery{}, fmt.Errorf("send test webhook: %w", err)
	}
	now := s.now()
	var d WebhookDelivery
	err = s.store.Write(ctx, func(tx Tx) error {
		ep, err := tx.GetWebhookEndpoint(ctx, a.TenantID, endpointID)
		if err != nil {
			return err
		}
		if !ep.Enabled {
			return endpointDisabled()
		}
		e, err := newEvent(a, EventWebhookTest, webhookEndpointSubject, ep.ID,
			webhookTestPayload{Webhook: webhookFieldsOf(ep), Message: webhookTestMessage}, now)
		if err != nil {
			return err
		}
		if err := tx.InsertEvent(ctx, e); err != nil {
			return fmt.Errorf("insert %s event: %w", EventWebhookTest, err)
		}
		if err := tx.MarkEventsDispatched(ctx, []int64{e.ID}, now); err != nil {
			return err
		}
		payload, err := WebhookPayload(*e, tenant.ClientID)
		if err != nil {
			return err
		}
		d, err = insertDelivery(ctx, tx, ep, *e, payload, now)
		return err
	})
	if err != nil {
		return WebhookDelivery{}, fmt.Errorf("send test webhook to %s: %w", endpointID, err)
	}
	return d, nil
}
