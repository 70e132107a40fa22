package core

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rosterhq/roster/internal/egress"
)

// Webhook endpoint limits.
const (
	MaxWebhookEndpoints     = 50   // per tenant
	MaxWebhookURLLength     = 2048 // bytes
	MaxWebhookDescription   = 500  // characters
	MaxWebhookEventTypes    = 100  // filter entries
	webhookDescriptionField = "description"
	webhookEventTypesField  = "eventTypes"
	webhookURLField         = "url"
	webhookEndpointSubject  = "webhook"
)

// SetEgressPolicy sets the policy endpoint URLs are checked against when
// they are saved (the strict zero Policy unless set).
func (s *Service) SetEgressPolicy(p egress.Policy) { s.egress = p }

// CreateWebhookEndpoint is the command to make an endpoint.
type CreateWebhookEndpoint struct {
	URL         string
	Description string
	EventTypes  []string // empty: every event
	Enabled     *bool    // nil: enabled
}

// UpdateWebhookEndpoint changes an endpoint; nil fields stay as they are.
// Enabling an endpoint clears its DisabledReason.
type UpdateWebhookEndpoint struct {
	URL         *string
	Description *string
	EventTypes  *[]string
	Enabled     *bool
}

// webhookFields is what events say about an endpoint: never its secret,
// and not its URL either, which can itself be a capability (a Zapier hook
// URL is one) and would otherwise travel to every other endpoint.
type webhookFields struct {
	ID             string   `json:"id"`
	Kind           string   `json:"kind"`
	Description    string   `json:"description"`
	EventTypes     []string `json:"eventTypes"`
	Enabled        bool     `json:"enabled"`
	DisabledReason string   `json:"disabledReason"`
}

func webhookFieldsOf(e WebhookEndpoint) webhookFields {
	types := e.EventTypes
	if types == nil {
		types = []string{}
	}
	return webhookFields{ID: e.ID, Kind: e.Kind, Description: e.Description, EventTypes: types,
		Enabled: e.Enabled, DisabledReason: e.DisabledReason}
}

type webhookEventPayload struct {
	Webhook webhookFields `json:"webhook"`
	Changed []string      `json:"changed,omitempty"`
}

// checkWebhookURL validates an endpoint URL against the egress policy.
// Errors: Invalid (field "url"); the message never repeats the URL.
func (s *Service) checkWebhookURL(raw string) error {
	switch {
	case raw == "":
		return FieldError(Invalid, webhookURLField, "is required")
	case len(raw) > MaxWebhookURLLength:
		return FieldError(Invalid, webhookURLField, "must be at most %d bytes", MaxWebhookURLLength)
	case !utf8.ValidString(raw) || strings.IndexFunc(raw, unicode.IsSpace) >= 0:
		return FieldError(Invalid, webhookURLField, "must be an absolute URL without spaces")
	}
	if err := s.egress.CheckURL(raw); err != nil {
		return FieldError(Invalid, webhookURLField, "%s", err.Error())
	}
	return nil
}

// validateWebhookDescription trims and checks a description (optional).
func validateWebhookDescription(d string) (string, error) {
	return validateLine(webhookDescriptionField, d, MaxWebhookDescription, false)
}

// validateEventTypes checks a filter: every entry an event Roster emits,
// none twice. Errors: Invalid (field "eventTypes[<i>]" or "eventTypes").
func validateEventTypes(types []string) ([]string, error) {
	if len(types) > MaxWebhookEventTypes {
		return nil, FieldError(Invalid, webhookEventTypesField, "must have at most %d entries", MaxWebhookEventTypes)
	}
	if len(types) == 0 {
		return nil, nil
	}
	out := make([]string, 0, len(types))
	for i, t := range types {
		field := fmt.Sprintf("%s[%d]", webhookEventTypesField, i)
		switch {
		case !IsEmittedEvent(t):
			return nil, FieldError(Invalid, field, "%q is not an event Roster emits (see the webhooks of /openapi.json)", truncate(t, 64))
		case slices.Contains(out, t):
			return nil, FieldError(Invalid, field, "%q is listed twice", t)
		}
		out = append(out, t)
	}
	return out, nil
}

// ListWebhookEndpoints returns the actor's tenant's endpoints (every kind)
// in creation order. Errors: Forbidden.
func (s *Service) ListWebhookEndpoints(ctx context.Context, a Actor) ([]WebhookEndpoint, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	list, err := s.store.ListWebhookEndpoints(ctx, a.TenantID)
	if err != nil {
		return nil, fmt.Errorf("list webhook endpoints: %w", err)
	}
	return list, nil
}

// GetWebhookEndpoint returns an endpoint of the actor's tenant. Errors:
// NotFound (also for another tenant's endpoint), Forbidden.
func (s *Service) GetWebhookEndpoint(ctx context.Context, a Actor, id string) (WebhookEndpoint, error) {
	if err := a.requireAdmin(); err != nil {
		return WebhookEndpoint{}, err
	}
	return s.getWebhookEndpoint(ctx, a.TenantID, id)
}

// errEndpointNotFound answers an id that names no endpoint of the tenant
// (unknown, malformed or another tenant's) in one way.
func errEndpointNotFound() error { return Errorf(NotFound, "webhook endpoint not found") }

func (s *Service) getWebhookEndpoint(ctx context.Context, tenantID int64, id string) (WebhookEndpoint, error) {
	if !IsWebhookEndpointID(id) {
		return WebhookEndpoint{}, errEndpointNotFound()
	}
	return s.store.GetWebhookEndpoint(ctx, tenantID, id)
}

// CreateWebhookEndpoint makes an endpoint of kind "webhook" in the actor's
// tenant with a fresh secret (returned in the endpoint, shown once) and
// records webhook_created.
//
// Errors: Invalid (url: refused by the egress policy; description;
// eventTypes[<i>]: not an emitted event, or twice); Conflict when the
// tenant has MaxWebhookEndpoints endpoints; Forbidden.
func (s *Service) CreateWebhookEndpoint(ctx context.Context, a Actor, cmd CreateWebhookEndpoint) (WebhookEndpoint, error) {
	if err := a.requireAdmin(); err != nil {
		return WebhookEndpoint{}, err
	}
	if err := s.checkWebhookURL(cmd.URL); err != nil {
		return WebhookEndpoint{}, err
	}
	desc, err := validateWebhookDescription(cmd.Description)
	if err != nil {
		return WebhookEndpoint{}, err
	}
	types, err := validateEventTypes(cmd.EventTypes)
	if err != nil {
		return WebhookEndpoint{}, err
	}
	enabled := cmd.Enabled == nil || *cmd.Enabled
	return s.createEndpoint(ctx, a, WebhookKindWebhook, cmd.URL, desc, types, enabled)
}

// createEndpoint stores a new endpoint of kind and records webhook_created.
func (s *Service) createEndpoint(ctx context.Context, a Actor, kind, url, desc string, types []string, enabled bool) (WebhookEndpoint, error) {
	id, err := newWebhookEndpointID()
	if err != nil {
		return WebhookEndpoint{}, err
	}
	secret, err := newWebhookSecret()
	if err != nil {
		return WebhookEndpoint{}, err
	}
	now := s.now()
	e := WebhookEndpoint{
		ID: id, TenantID: a.TenantID, URL: url, Description: desc, EventTypes: types, Enabled: enabled,
		Kind: kind, Secret: secret, CreatedAt: now, UpdatedAt: now,
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		existing, err := tx.ListWebhookEndpoints(ctx, a.TenantID)
		if err != nil {
			return err
		}
		if len(existing) >= MaxWebhookEndpoints {
			return Errorf(Conflict, "the tenant already has %d webhook endpoints, the most allowed", MaxWebhookEndpoints)
		}
		if err := tx.InsertWebhookEndpoint(ctx, &e); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventWebhookCreated, webhookEndpointSubject, e.ID,
			webhookEventPayload{Webhook: webhookFieldsOf(e)}, now)
	})
	if err != nil {
		return WebhookEndpoint{}, fmt.Errorf("create webhook endpoint: %w", err)
	}
	return e, nil
}

// UpdateWebhookEndpoint changes an endpoint of the actor's tenant and
// records webhook_updated naming the changed fields (nothing changed:
// nothing recorded). The secret is not returned.
//
// Errors: as CreateWebhookEndpoint, and NotFound.
func (s *Service) UpdateWebhookEndpoint(ctx context.Context, a Actor, id string, cmd UpdateWebhookEndpoint) (WebhookEndpoint, error) {
	if err := a.requireAdmin(); err != nil {
		return WebhookEndpoint{}, err
	}
	if cmd.URL != nil {
		if err := s.checkWebhookURL(*cmd.URL); err != nil {
			return WebhookEndpoint{}, err
		}
	}
	var desc string
	if cmd.Description != nil {
		var err error
		if desc, err = validateWebhookDescription(*cmd.Description); err != nil {
			return WebhookEndpoint{}, err
		}
	}
	var types []string
	if cmd.EventTypes != nil {
		var err error
		if types, err = validateEventTypes(*cmd.EventTypes); err != nil {
			return WebhookEndpoint{}, err
		}
	}
	if !IsWebhookEndpointID(id) {
		return WebhookEndpoint{}, errEndpointNotFound()
	}
	now := s.now()
	var e WebhookEndpoint
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if e, err = tx.GetWebhookEndpoint(ctx, a.TenantID, id); err != nil {
			return err
		}
		var changed []string
		if cmd.URL != nil && *cmd.URL != e.URL {
			e.URL, changed = *cmd.URL, append(changed, "url")
		}
		if cmd.Description != nil && desc != e.Description {
			e.Description, changed = desc, append(changed, "description")
		}
		if cmd.EventTypes != nil && !slices.Equal(types, e.EventTypes) {
			e.EventTypes, changed = types, append(changed, "eventTypes")
		}
		if cmd.Enabled != nil && *cmd.Enabled != e.Enabled {
			e.Enabled, changed = *cmd.Enabled, append(changed, "enabled")
			if e.Enabled {
				e.DisabledReason = ""
			}
		}
		if len(changed) == 0 {
			return nil
		}
		e.UpdatedAt = now
		if err := tx.UpdateWebhookEndpoint(ctx, &e); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventWebhookUpdated, webhookEndpointSubject, e.ID,
			webhookEventPayload{Webhook: webhookFieldsOf(e), Changed: changed}, now)
	})
	if err != nil {
		return WebhookEndpoint{}, fmt.Errorf("update webhook endpoint %s: %w", id, err)
	}
	return e, nil
}

// DeleteWebhookEndpoint removes an endpoint of the actor's tenant, with
// its deliveries and attempts, and records webhook_deleted. Errors:
// NotFound, Forbidden.
func (s *Service) DeleteWebhookEndpoint(ctx context.Context, a Actor, id string) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	return s.deleteEndpoint(ctx, a, id, "")
}

// deleteEndpoint removes the endpoint (only of kind, when kind is set).
func (s *Service) deleteEndpoint(ctx context.Context, a Actor, id, kind string) error {
	if !IsWebhookEndpointID(id) {
		return errEndpointNotFound()
	}
	now := s.now()
	err := s.store.Write(ctx, func(tx Tx) error {
		e, err := tx.GetWebhookEndpoint(ctx, a.TenantID, id)
		if err != nil {
			return err
		}
		if kind != "" && e.Kind != kind {
			return errEndpointNotFound()
		}
		if err := tx.DeleteWebhookEndpoint(ctx, a.TenantID, id); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventWebhookDeleted, webhookEndpointSubject, id,
			webhookEventPayload{Webhook: webhookFieldsOf(e)}, now)
	})
	if err != nil {
		return fmt.Errorf("delete webhook endpoint %s: %w", id, err)
	}
	return nil
}

// RotateWebhookSecret gives an endpoint of the actor's tenant a new secret
// (returned in the endpoint, shown once). The old one keeps signing for
// WebhookSecretOverlap, alongside the new one; a previous secret still in
// its overlap is dropped. Records webhook_secret_rotated.
//
// Errors: NotFound, Forbidden.
func (s *Service) RotateWebhookSecret(ctx context.Context, a Actor, id string) (WebhookEndpoint, error) {
	if err := a.requireAdmin(); err != nil {
		return WebhookEndpoint{}, err
	}
	if !IsWebhookEndpointID(id) {
		return WebhookEndpoint{}, errEndpointNotFound()
	}
	secret, err := newWebhookSecret()
	if err != nil {
		return WebhookEndpoint{}, err
	}
	now := s.now()
	var e WebhookEndpoint
	err = s.store.Write(ctx, func(tx Tx) error {
		var err error
		if e, err = tx.GetWebhookEndpoint(ctx, a.TenantID, id); err != nil {
			return err
		}
		e.PreviousSecret, e.PreviousSecretExpiresAt = e.Secret, now.Add(WebhookSecretOverlap)
		e.Secret, e.UpdatedAt = secret, now
		if err := tx.UpdateWebhookEndpoint(ctx, &e); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventWebhookSecretRotated, webhookEndpointSubject, e.ID,
			webhookEventPayload{Webhook: webhookFieldsOf(e)}, now)
	})
	if err != nil {
		return WebhookEndpoint{}, fmt.Errorf("rotate secret of webhook endpoint %s: %w", id, err)
	}
	return e, nil
}
