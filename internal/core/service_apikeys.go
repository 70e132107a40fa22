package core

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Scopes a credential may carry.
const (
	ScopeUsersRead  = "users:read"
	ScopeUsersWrite = "users:write"
	ScopeAdmin      = "admin"
)

// AllScopes lists every scope, in order.
var AllScopes = []string{ScopeUsersRead, ScopeUsersWrite, ScopeAdmin}

// keyTouchInterval limits how often a key's last-used time is written: a
// read-heavy client must not turn every request into a write.
const keyTouchInterval = time.Minute

// CreateAPIKey is the command to make an API key for the actor's tenant.
type CreateAPIKey struct {
	Name   string
	Scopes []string // empty: every scope
}

// CreateAPIKey makes a key and records api_key_created. The returned
// plaintext is the only copy. Errors: Invalid (name, scopes), Forbidden.
func (s *Service) CreateAPIKey(ctx context.Context, a Actor, cmd CreateAPIKey) (APIKey, string, error) {
	if err := a.requireAdmin(); err != nil {
		return APIKey{}, "", err
	}
	name, err := validateName("name", cmd.Name, false)
	if err != nil {
		return APIKey{}, "", err
	}
	scopes, err := normalizeScopes(cmd.Scopes)
	if err != nil {
		return APIKey{}, "", err
	}
	plaintext, prefix, hash, err := newAPIKey()
	if err != nil {
		return APIKey{}, "", err
	}
	k := APIKey{TenantID: a.TenantID, Name: name, Prefix: prefix, Hash: hash, Scopes: scopes, CreatedAt: s.now()}
	if err := s.store.Write(ctx, func(tx Tx) error { return insertAPIKey(ctx, tx, a, &k) }); err != nil {
		return APIKey{}, "", fmt.Errorf("create api key: %w", err)
	}
	return k, plaintext, nil
}

// apiKeyPayload is what api_key_created and api_key_deleted say: the key's
// display prefix, never the key or its hash. It nests under "apiKey" like
// the user, team and role payloads, so that a webhook's data.id stays the
// event's id.
type apiKeyPayload struct {
	APIKey apiKeyFields `json:"apiKey"`
}

type apiKeyFields struct {
	ID     int64    `json:"id"`
	Name   string   `json:"name"`
	Prefix string   `json:"prefix"`
	Scopes []string `json:"scopes"`
}

func apiKeyPayloadOf(k APIKey) apiKeyPayload {
	scopes := k.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	return apiKeyPayload{APIKey: apiKeyFields{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Scopes: scopes}}
}

func insertAPIKey(ctx context.Context, tx Tx, a Actor, k *APIKey) error {
	if err := tx.InsertAPIKey(ctx, k); err != nil {
		return err
	}
	return insertEvent(ctx, tx, a, EventAPIKeyCreated, "api_key", strconv.FormatInt(k.ID, 10),
		apiKeyPayloadOf(*k), k.CreatedAt)
}

// ListAPIKeys returns the actor's tenant's keys, revoked ones included.
func (s *Service) ListAPIKeys(ctx context.Context, a Actor) ([]APIKey, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	return s.store.ListAPIKeys(ctx, a.TenantID)
}

// RevokeAPIKey revokes a key of the actor's tenant and records
// api_key_deleted. Errors: NotFound (unknown, foreign or already revoked).
func (s *Service) RevokeAPIKey(ctx context.Context, a Actor, keyID int64) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	now := s.now()
	err := s.store.Write(ctx, func(tx Tx) error {
		k, err := tx.GetAPIKey(ctx, a.TenantID, keyID)
		if err != nil {
			return err
		}
		if err := tx.RevokeAPIKey(ctx, a.TenantID, keyID, now); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventAPIKeyDeleted, "api_key", strconv.FormatInt(keyID, 10),
			apiKeyPayloadOf(k), now)
	})
	if err != nil {
		return fmt.Errorf("revoke api key %d: %w", keyID, err)
	}
	return nil
}

// AuthenticateAPIKey resolves a plaintext key to its tenant's actor.
// Errors: Unauthenticated for a malformed, unknown or revoked key (the
// message never repeats the key).
func (s *Service) AuthenticateAPIKey(ctx context.Context, plaintext string) (Actor, error) {
	if !LooksLikeAPIKey(plaintext) {
		return Actor{}, Errorf(Unauthenticated, "the API key is malformed")
	}
	k, err := s.store.GetAPIKeyByHash(ctx, HashAPIKey(plaintext))
	if ErrorCodeOf(err) == NotFound {
		return Actor{}, Errorf(Unauthenticated, "the API key is not valid")
	}
	if err != nil {
		return Actor{}, fmt.Errorf("look up api key: %w", err)
	}
	if k.Revoked() {
		return Actor{}, Errorf(Unauthenticated, "the API key has been revoked")
	}
	t, err := s.store.GetTenant(ctx, k.TenantID)
	if err != nil {
		return Actor{}, fmt.Errorf("load tenant of api key %d: %w", k.ID, err)
	}
	now := s.now()
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= keyTouchInterval {
		err := s.store.Write(ctx, func(tx Tx) error { return tx.TouchAPIKey(ctx, k.ID, now) })
		if err != nil && !errors.Is(err, context.Canceled) {
			return Actor{}, fmt.Errorf("record use of api key %d: %w", k.ID, err)
		}
	}
	return Actor{Kind: ActorAPIKey, TenantID: t.ID, ClientID: t.ClientID, APIKeyID: k.ID, KeyPrefix: k.Prefix, Scopes: k.Scopes}, nil
}

// normalizeScopes checks scopes against AllScopes and returns them sorted
// in AllScopes order, without duplicates; nil means every scope.
func normalizeScopes(scopes []string) ([]string, error) {
	if len(scopes) == 0 {
		return nil, nil
	}
	want := map[string]bool{}
	for _, sc := range scopes {
		sc = strings.TrimSpace(sc)
		if !isScope(sc) {
			return nil, FieldError(Invalid, "scopes", "unknown scope %q: must be among %s", sc, strings.Join(AllScopes, ", "))
		}
		want[sc] = true
	}
	var out []string
	for _, sc := range AllScopes {
		if want[sc] {
			out = append(out, sc)
		}
	}
	return out, nil
}

func isScope(s string) bool {
	for _, sc := range AllScopes {
		if s == sc {
			return true
		}
	}
	return false
}
