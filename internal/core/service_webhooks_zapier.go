package core

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// Zapier REST Hooks: Zapier subscribes a target URL to one event with the
// tenant's API key, and unsubscribes it when the Zap is turned off. A
// subscription is a webhook endpoint of kind "zapier" filtered to that
// event, signed and retried like any other.

// MaxHookSamples bounds SampleHookPayloads.
const MaxHookSamples = 3

// zapierDescription describes the endpoints Zapier subscribes.
const zapierDescription = "Zapier REST Hook"

// requireHookScope is the gate of the REST Hooks routes: users:read for the
// user_* events (what a Zap that reads users needs, and no more), the admin
// scope for every other event (they describe keys, roles and webhooks).
func requireHookScope(a Actor, event string) error {
	if strings.HasPrefix(event, "user_") {
		return a.requireUsers(ScopeUsersRead)
	}
	return a.requireAdmin()
}

// validateHookEvent checks a REST Hooks event name. Errors: Invalid (field
// "event").
func validateHookEvent(event string) error {
	switch {
	case event == "":
		return FieldError(Invalid, "event", "is required")
	case !IsEmittedEvent(event):
		return FieldError(Invalid, "event", "%q is not an event Roster emits", truncate(event, 64))
	}
	return nil
}

// SubscribeHook makes an enabled endpoint of kind "zapier" sending event
// to targetURL, and records webhook_created. Its secret is made but not
// returned (Zapier does not verify signatures); it shows in no response.
//
// Errors: Invalid (target_url as CreateWebhookEndpoint's url; event);
// Conflict (too many endpoints); Forbidden (see requireHookScope).
func (s *Service) SubscribeHook(ctx context.Context, a Actor, targetURL, event string) (WebhookEndpoint, error) {
	if err := validateHookEvent(event); err != nil {
		return WebhookEndpoint{}, err
	}
	if err := requireHookScope(a, event); err != nil {
		return WebhookEndpoint{}, err
	}
	if err := s.checkWebhookURL(targetURL); err != nil {
		e := AsError(err)
		return WebhookEndpoint{}, FieldError(e.Code, "target_url", "%s", e.Message)
	}
	ep, err := s.createEndpoint(ctx, a, WebhookKindZapier, targetURL, zapierDescription, []string{event}, true)
	if err != nil {
		return WebhookEndpoint{}, err
	}
	return ep, nil
}

// UnsubscribeHook deletes a Zapier subscription of the actor's tenant and
// records webhook_deleted. Errors: NotFound (also for an endpoint of
// another kind or tenant); Forbidden.
func (s *Service) UnsubscribeHook(ctx context.Context, a Actor, id string) error {
	if err := a.requireTenant(); err != nil {
		return err
	}
	if !IsWebhookEndpointID(id) {
		return Errorf(NotFound, "hook not found")
	}
	ep, err := s.store.GetWebhookEndpoint(ctx, a.TenantID, id)
	if ErrorCodeOf(err) == NotFound || (err == nil && ep.Kind != WebhookKindZapier) {
		return Errorf(NotFound, "hook not found")
	}
	if err != nil {
		return fmt.Errorf("unsubscribe hook %s: %w", id, err)
	}
	event := ""
	if len(ep.EventTypes) == 1 {
		event = ep.EventTypes[0]
	}
	if err := requireHookScope(a, event); err != nil {
		return err
	}
	return s.deleteEndpoint(ctx, a, id, WebhookKindZapier)
}

// SampleHookPayloads returns the delivery bodies of the actor's tenant's
// latest events of type event (at most MaxHookSamples, newest first),
// exactly as an endpoint would receive them; when there are none yet, the
// documented example of that event.
//
// Errors: Invalid (field "event"), Forbidden (see requireHookScope).
func (s *Service) SampleHookPayloads(ctx context.Context, a Actor, event string) ([]json.RawMessage, error) {
	if err := validateHookEvent(event); err != nil {
		return nil, err
	}
	if err := requireHookScope(a, event); err != nil {
		return nil, err
	}
	events, err := s.store.ListLatestEvents(ctx, a.TenantID, event, MaxHookSamples)
	if err != nil {
		return nil, fmt.Errorf("sample %s payloads: %w", event, err)
	}
	clientID := a.ClientID
	if clientID == "" {
		t, err := s.store.GetTenant(ctx, a.TenantID)
		if err != nil {
			return nil, fmt.Errorf("sample %s payloads: %w", event, err)
		}
		clientID = t.ClientID
	}
	if len(events) == 0 {
		e, _ := ExampleEvent(event)
		events = []Event{e}
	}
	out := make([]json.RawMessage, 0, len(events))
	for _, e := range events {
		p, err := WebhookPayload(e, clientID)
		if err != nil {
			return nil, fmt.Errorf("sample %s payloads: %w", event, err)
		}
		out = append(out, p)
	}
	return out, nil
}
