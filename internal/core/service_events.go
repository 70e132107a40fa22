package core

import (
	"context"
	"fmt"
	"time"
)

// EventPage is one page of the audit log. Next is the cursor of the next
// page (the last id), 0 when this page is the last.
type EventPage struct {
	Events []Event
	Next   int64
}

// ListEvents returns a page of the actor's tenant's events (the audit log)
// in id order, matching every filter of f that is set. f.Limit 0 is
// DefaultPageSize. Errors: Invalid (field "limit", "cursor" or "until"),
// Forbidden (without the admin scope).
func (s *Service) ListEvents(ctx context.Context, a Actor, f EventFilter) (EventPage, error) {
	if err := a.requireAdmin(); err != nil {
		return EventPage{}, err
	}
	switch {
	case f.Limit == 0:
		f.Limit = DefaultPageSize
	case f.Limit < 0 || f.Limit > MaxPageSize:
		return EventPage{}, FieldError(Invalid, "limit", "must be between 1 and %d", MaxPageSize)
	}
	if f.AfterID < 0 {
		return EventPage{}, FieldError(Invalid, "cursor", "is not a valid cursor")
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return EventPage{}, FieldError(Invalid, "until", "must be after since")
	}
	// Events are stored to the microsecond: rounding the bounds up keeps
	// "at or after Since" and "before Until" exact in both stores.
	f.Since, f.Until = ceilMicro(f.Since), ceilMicro(f.Until)
	want := f.Limit
	f.Limit++ // one more tells whether another page exists
	events, err := s.store.ListEvents(ctx, a.TenantID, f)
	if err != nil {
		return EventPage{}, fmt.Errorf("list events: %w", err)
	}
	page := EventPage{Events: events}
	if len(events) > want {
		page.Events = events[:want]
		page.Next = page.Events[want-1].ID
	}
	return page, nil
}

// ceilMicro rounds t up to a whole microsecond; the zero time stays zero.
func ceilMicro(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	if c := t.Truncate(time.Microsecond); !c.Equal(t) {
		return c.Add(time.Microsecond)
	}
	return t
}
