package core

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// EventAPIRateLimited records that a credential was refused for exceeding
// its rate limit (written at most once a minute per credential).
const EventAPIRateLimited = "api_rate_limited"

// MaxTenantRateLimit bounds a tenant's own rate limit and burst.
const MaxTenantRateLimit = 1_000_000

// TenantRateLimits is a tenant's own per-credential rate limit: requests
// per minute and the burst. A nil field takes the server's setting.
type TenantRateLimits struct {
	RateLimit *int
	RateBurst *int
}

// TenantRateLimits returns the rate limits of the tenant with that id.
//
// Errors: NotFound; anything else is Internal.
func (s *Service) TenantRateLimits(ctx context.Context, tenantID int64) (TenantRateLimits, error) {
	t, err := s.store.GetTenant(ctx, tenantID)
	if err != nil {
		return TenantRateLimits{}, err
	}
	return TenantRateLimits{RateLimit: t.RateLimit, RateBurst: t.RateBurst}, nil
}

// UpdateTenantRateLimits changes a tenant's rate limits. A nil field is
// left as it is; 0 returns it to the server's setting.
type UpdateTenantRateLimits struct {
	RateLimit *int
	RateBurst *int
}

type tenantUpdatedPayload struct {
	ClientID  string   `json:"clientId"`
	RateLimit *int     `json:"rateLimit"`
	RateBurst *int     `json:"rateBurst"`
	Changed   []string `json:"changed"`
}

// UpdateTenantRateLimits sets the actor's tenant's rate limits and records
// account_updated naming the fields that changed (no event when nothing
// did). Only the platform operator may: a tenant must not raise its own
// limits.
//
// Errors: Forbidden (not the operator), Invalid (rateLimit, rateBurst:
// negative or above MaxTenantRateLimit), NotFound.
func (s *Service) UpdateTenantRateLimits(ctx context.Context, a Actor, cmd UpdateTenantRateLimits) (Tenant, error) {
	if a.Kind != ActorOperator {
		return Tenant{}, Errorf(Forbidden, "only the platform operator may change a tenant's rate limits")
	}
	if err := a.requireTenant(); err != nil {
		return Tenant{}, err
	}
	for _, f := range []struct {
		name  string
		value *int
	}{{"rateLimit", cmd.RateLimit}, {"rateBurst", cmd.RateBurst}} {
		if f.value != nil && (*f.value < 0 || *f.value > MaxTenantRateLimit) {
			return Tenant{}, FieldError(Invalid, f.name, "must be from 1 to %d (0: the server's setting)", MaxTenantRateLimit)
		}
	}
	var out Tenant
	err := s.store.Write(ctx, func(tx Tx) error {
		t, err := tx.GetTenant(ctx, a.TenantID)
		if err != nil {
			return err
		}
		var changed []string
		apply := func(name string, cur **int, next *int) {
			if next == nil {
				return
			}
			var v *int
			if *next != 0 {
				n := *next
				v = &n
			}
			if (*cur == nil) != (v == nil) || (v != nil && **cur != *v) {
				*cur = v
				changed = append(changed, name)
			}
		}
		apply("rateLimit", &t.RateLimit, cmd.RateLimit)
		apply("rateBurst", &t.RateBurst, cmd.RateBurst)
		out = t
		if len(changed) == 0 {
			return nil
		}
		now := s.now()
		t.UpdatedAt = now
		if err := tx.UpdateTenant(ctx, &t); err != nil {
			return err
		}
		out = t
		return insertEvent(ctx, tx, a, EventAccountUpdated, "tenant", t.AccountID(),
			tenantUpdatedPayload{ClientID: t.ClientID, RateLimit: t.RateLimit, RateBurst: t.RateBurst, Changed: changed}, now)
	})
	if err != nil {
		return Tenant{}, fmt.Errorf("update rate limits of tenant %d: %w", a.TenantID, err)
	}
	return out, nil
}

// RateLimitRefusal describes a refused request for api_rate_limited.
type RateLimitRefusal struct {
	// Credential names the bucket: "key:<API key id>" (an API key or a
	// token issued for one) or "user:<user id>"; never a secret.
	Credential string
	Limit      int // requests per Period
	Burst      int
	Period     time.Duration
}

type rateLimitedPayload struct {
	Credential    string `json:"credential"`
	Limit         int    `json:"limit"`
	Burst         int    `json:"burst"`
	PeriodSeconds int64  `json:"periodSeconds"`
}

// RecordRateLimited writes an api_rate_limited event in the actor's tenant.
// The caller decides how often (once a minute per credential).
//
// Errors: Unauthenticated (no tenant); anything else is Internal.
func (s *Service) RecordRateLimited(ctx context.Context, a Actor, r RateLimitRefusal) error {
	if err := a.requireTenant(); err != nil {
		return err
	}
	subjectType, subjectID := "tenant", strconv.FormatInt(a.TenantID, 10)
	switch a.Kind {
	case ActorAPIKey:
		subjectType, subjectID = "api_key", strconv.FormatInt(a.APIKeyID, 10)
	case ActorUser:
		subjectType, subjectID = "user", strconv.FormatInt(a.UserID, 10)
	}
	payload := rateLimitedPayload{Credential: r.Credential, Limit: r.Limit, Burst: r.Burst, PeriodSeconds: int64(r.Period / time.Second)}
	err := s.store.Write(ctx, func(tx Tx) error {
		return insertEvent(ctx, tx, a, EventAPIRateLimited, subjectType, subjectID, payload, s.now())
	})
	if err != nil {
		return fmt.Errorf("record api_rate_limited for %s: %w", r.Credential, err)
	}
	return nil
}
