package core

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The methods in this file are the dispatcher's: system work, with no
// Actor. They never return a secret in an error.

// systemActorLabel records events that Roster itself causes
// (webhook_delivery_failed).
const systemActorLabel = "system"

// FanOutEvents turns up to limit not-yet-dispatched events (oldest first)
// into pending deliveries, one per enabled endpoint of the event's tenant
// whose filter matches, and marks those events dispatched, all in one
// transaction. Concurrent calls (from many processes) take disjoint events.
// It returns the number of events taken.
func (s *Service) FanOutEvents(ctx context.Context, limit int) (int, error) {
	if limit <= 0 {
		return 0, FieldError(Invalid, "limit", "must be positive")
	}
	taken := 0
	err := s.store.Write(ctx, func(tx Tx) error {
		events, err := tx.TakeUndispatchedEvents(ctx, limit)
		if err != nil {
			return err
		}
		taken = len(events)
		if taken == 0 {
			return nil
		}
		now := s.now()
		endpoints := map[int64][]WebhookEndpoint{}
		clientIDs := map[int64]string{}
		ids := make([]int64, 0, len(events))
		for _, e := range events {
			ids = append(ids, e.ID)
			eps, ok := endpoints[e.TenantID]
			if !ok {
				if eps, err = tx.ListWebhookEndpoints(ctx, e.TenantID); err != nil {
					return err
				}
				endpoints[e.TenantID] = eps
			}
			var payload json.RawMessage
			for _, ep := range eps {
				// An endpoint gets the events recorded from its creation on,
				// however late the fan-out runs.
				if !ep.Enabled || !ep.Matches(e.Type) || e.CreatedAt.Before(ep.CreatedAt) {
					continue
				}
				if payload == nil {
					clientID, err := s.clientIDOf(ctx, clientIDs, e.TenantID)
					if err != nil {
						return err
					}
					if payload, err = WebhookPayload(e, clientID); err != nil {
						return err
					}
				}
				_, err := insertDelivery(ctx, tx, ep, e, payload, now)
				if ErrorCodeOf(err) == NotFound {
					continue // the endpoint was deleted since it was listed
				}
				if err != nil {
					return err
				}
			}
		}
		return tx.MarkEventsDispatched(ctx, ids, now)
	})
	if err != nil {
		return 0, fmt.Errorf("fan out events: %w", err)
	}
	return taken, nil
}

// clientIDOf returns the tenant's client id, through cache. It reads
// outside the transaction: client ids never change, and on PostgreSQL a
// locking read of the tenant row would serialize concurrent fan-outs.
func (s *Service) clientIDOf(ctx context.Context, cache map[int64]string, tenantID int64) (string, error) {
	if id, ok := cache[tenantID]; ok {
		return id, nil
	}
	t, err := s.store.GetTenant(ctx, tenantID)
	if err != nil {
		return "", fmt.Errorf("get tenant %d: %w", tenantID, err)
	}
	cache[tenantID] = t.ClientID
	return t.ClientID, nil
}

// insertDelivery stores a pending delivery of e to ep, due now.
func insertDelivery(ctx context.Context, tx Tx, ep WebhookEndpoint, e Event, payload json.RawMessage, now time.Time) (WebhookDelivery, error) {
	msgID, err := newWebhookMessageID()
	if err != nil {
		return WebhookDelivery{}, err
	}
	d := WebhookDelivery{
		TenantID: ep.TenantID, EndpointID: ep.ID, EventID: e.ID, EventType: e.Type,
		MessageID: msgID, Payload: payload, Status: DeliveryPending,
		NextAttemptAt: now, CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.InsertWebhookDelivery(ctx, &d); err != nil {
		return WebhookDelivery{}, fmt.Errorf("insert delivery of event %d to %s: %w", e.ID, ep.ID, err)
	}
	return d, nil
}

// ClaimDeliveries leases to worker, for lease, up to limit pending
// deliveries of enabled endpoints due at or before now whose lease is free
// or expired, earliest due first, each with its endpoint. Two claimers never
// hold the same delivery while its lease holds.
//
// Errors: Invalid (worker empty, limit or lease not positive).
func (s *Service) ClaimDeliveries(ctx context.Context, worker string, limit int, lease time.Duration) ([]ClaimedDelivery, error) {
	switch {
	case worker == "":
		return nil, FieldError(Invalid, "worker", "is required")
	case limit <= 0:
		return nil, FieldError(Invalid, "limit", "must be positive")
	case lease <= 0:
		return nil, FieldError(Invalid, "lease", "must be positive")
	}
	now := s.now()
	var claimed []WebhookDelivery
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		claimed, err = tx.ClaimWebhookDeliveries(ctx, worker, now, now.Add(lease), limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim deliveries for %s: %w", worker, err)
	}
	// The endpoints are read after the claim commits, without locks: on
	// PostgreSQL, locking them inside the claim could deadlock two claimers
	// that reach the same endpoints in different orders.
	endpoints := map[string]WebhookEndpoint{}
	out := make([]ClaimedDelivery, 0, len(claimed))
	for _, d := range claimed {
		ep, ok := endpoints[d.EndpointID]
		if !ok {
			ep, err = s.store.GetWebhookEndpoint(ctx, d.TenantID, d.EndpointID)
			if ErrorCodeOf(err) == NotFound {
				continue // deleted since: its deliveries went with it
			}
			if err != nil {
				return nil, fmt.Errorf("claim deliveries for %s: %w", worker, err)
			}
			endpoints[d.EndpointID] = ep
		}
		out = append(out, ClaimedDelivery{Delivery: d, Endpoint: ep})
	}
	return out, nil
}

// MaxWebhookErrorLength bounds an attempt's stored error text.
const MaxWebhookErrorLength = 1024

// RecordDeliveryAttempt stores the attempt and applies outcome to the
// delivery (attempts+1, status, next attempt, last status code and error,
// lease released) in one transaction. With GiveUp it also disables the
// endpoint (DisabledReason set) and records webhook_delivery_failed.
// at.DeliveryID and at.TenantID are taken from the delivery; the response
// excerpt is cut to MaxResponseExcerpt bytes and the error to
// MaxWebhookErrorLength, both made valid UTF-8.
//
// Errors: NotFound when worker no longer holds the delivery's lease.
func (s *Service) RecordDeliveryAttempt(ctx context.Context, worker string, deliveryID int64, at WebhookAttempt, outcome DeliveryOutcome) error {
	now := s.now()
	if at.At.IsZero() {
		at.At = now
	}
	at.At = at.At.UTC().Truncate(time.Microsecond)
	at.ResponseExcerpt = cleanText(at.ResponseExcerpt, MaxResponseExcerpt)
	at.Error = cleanText(at.Error, MaxWebhookErrorLength)
	err := s.store.Write(ctx, func(tx Tx) error {
		d, err := tx.GetLeasedWebhookDelivery(ctx, worker, deliveryID)
		if err != nil {
			return err
		}
		at.DeliveryID, at.TenantID = d.ID, d.TenantID
		if err := tx.InsertWebhookAttempt(ctx, &at); err != nil {
			return err
		}
		d.Attempts++
		d.LastStatusCode, d.LastError, d.UpdatedAt = at.StatusCode, at.Error, now
		switch {
		case outcome.Succeeded:
			d.Status = DeliverySucceeded
		case outcome.GiveUp:
			d.Status = DeliveryFailed
		default:
			d.Status = DeliveryPending
			d.NextAttemptAt = outcome.NextAttemptAt.UTC().Truncate(time.Microsecond)
			if d.NextAttemptAt.IsZero() {
				d.NextAttemptAt = now
			}
		}
		if err := tx.FinishWebhookAttempt(ctx, worker, &d); err != nil {
			return err
		}
		if outcome.GiveUp {
			return giveUpEndpoint(ctx, tx, d, outcome.Reason, now)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record attempt of delivery %d: %w", deliveryID, err)
	}
	return nil
}

// deliveryFailedPayload is what webhook_delivery_failed says.
type deliveryFailedPayload struct {
	Webhook  webhookFields `json:"webhook"`
	Delivery struct {
		ID             int64  `json:"id"`
		MessageID      string `json:"messageId"`
		EventID        int64  `json:"eventId"`
		EventType      string `json:"eventType"`
		Attempts       int    `json:"attempts"`
		LastStatusCode int    `json:"lastStatusCode"`
		LastError      string `json:"lastError"`
	} `json:"delivery"`
}

// giveUpEndpoint disables the delivery's endpoint, for reason or, when it
// is empty, because the schedule was exhausted, and records
// webhook_delivery_failed.
func giveUpEndpoint(ctx context.Context, tx Tx, d WebhookDelivery, reason string, now time.Time) error {
	ep, err := tx.GetWebhookEndpoint(ctx, d.TenantID, d.EndpointID)
	if err != nil {
		return err
	}
	if ep.Enabled {
		ep.Enabled = false
		ep.DisabledReason = reason
		if reason == "" {
			ep.DisabledReason = fmt.Sprintf("delivery %d (%s) failed on every attempt of the retry schedule", d.ID, d.EventType)
		}
		ep.UpdatedAt = now
		if err := tx.UpdateWebhookEndpoint(ctx, &ep); err != nil {
			return err
		}
	}
	e, err := newEvent(Actor{TenantID: d.TenantID}, EventWebhookDeliveryFailed, webhookEndpointSubject, ep.ID, deliveryFailedPayloadOf(ep, d), now)
	if err != nil {
		return err
	}
	e.Actor = systemActorLabel
	if err := tx.InsertEvent(ctx, e); err != nil {
		return fmt.Errorf("insert %s event: %w", EventWebhookDeliveryFailed, err)
	}
	return nil
}

// deliveryFailedPayloadOf is what webhook_delivery_failed says of d, which
// failed for good, and of its endpoint ep.
func deliveryFailedPayloadOf(ep WebhookEndpoint, d WebhookDelivery) deliveryFailedPayload {
	var p deliveryFailedPayload
	p.Webhook = webhookFieldsOf(ep)
	p.Delivery.ID, p.Delivery.MessageID, p.Delivery.EventID, p.Delivery.EventType = d.ID, d.MessageID, d.EventID, d.EventType
	p.Delivery.Attempts, p.Delivery.LastStatusCode, p.Delivery.LastError = d.Attempts, d.LastStatusCode, d.LastError
	return p
}

// cleanText makes s valid UTF-8 without NUL bytes (PostgreSQL's TEXT
// refuses both) and cuts it to at most max bytes on a character boundary.
func cleanText(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
