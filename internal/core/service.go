package core

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rosterhq/roster/internal/egress"
)

// Service carries out the core's commands on a Store. Its methods take the
// acting credential and scope every read and write to its tenant.
type Service struct {
	store  Store
	hashes *HashPool
	clock  func() time.Time

	passwordTokenTTL time.Duration
	egress           egress.Policy // checks webhook endpoint URLs
}

// NewService returns a service over store that hashes passwords on hashes.
func NewService(store Store, hashes *HashPool) *Service {
	return &Service{store: store, hashes: hashes, clock: time.Now, passwordTokenTTL: DefaultPasswordTokenTTL}
}

// SetPasswordTokenTTL sets how long set-password tokens made from now on
// stay valid (DefaultPasswordTokenTTL unless set). A d <= 0 is ignored.
func (s *Service) SetPasswordTokenTTL(d time.Duration) {
	if d > 0 {
		s.passwordTokenTTL = d
	}
}

// SetClock replaces the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.clock = now }

// Hashes returns the service's hash pool.
func (s *Service) Hashes() *HashPool { return s.hashes }

// now is the time as stored: UTC, to the microsecond (both stores keep
// microseconds, so values round-trip exactly).
func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }

// newEvent builds an event of the actor's tenant with a JSON payload.
func newEvent(a Actor, typ, subjectType, subjectID string, payload any, at time.Time) (*Event, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("encode %s payload: %w", typ, err)
	}
	return &Event{
		TenantID: a.TenantID, Type: typ, Actor: a.Label(),
		SubjectType: subjectType, SubjectID: subjectID, Payload: raw, CreatedAt: at,
	}, nil
}

// insertEvent builds and appends an event in tx.
func insertEvent(ctx context.Context, tx Tx, a Actor, typ, subjectType, subjectID string, payload any, at time.Time) error {
	e, err := newEvent(a, typ, subjectType, subjectID, payload, at)
	if err != nil {
		return err
	}
	if err := tx.InsertEvent(ctx, e); err != nil {
		return fmt.Errorf("insert %s event: %w", typ, err)
	}
	return nil
}
