package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

func testEvents(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	b := mustCreateTenant(t, s)

	// A committed change keeps its event.
	u := newUser(a.ID, "committed@example.com")
	if err := s.Write(ctx, func(tx core.Tx) error {
		if err := tx.InsertUser(ctx, &u); err != nil {
			return err
		}
		return tx.InsertEvent(ctx, &core.Event{
			TenantID: a.ID, Type: core.EventUserCreated, Actor: "test",
			SubjectType: "user", SubjectID: "1",
			Payload:   json.RawMessage(`{"email":"committed@example.com"}`),
			CreatedAt: now(),
		})
	}); err != nil {
		t.Fatalf("committed write: %v", err)
	}

	// A rolled-back change leaves neither the change nor its event.
	errBoom := errors.New("boom")
	rolledBack := newUser(a.ID, "rolledback@example.com")
	err := s.Write(ctx, func(tx core.Tx) error {
		if err := tx.InsertUser(ctx, &rolledBack); err != nil {
			return err
		}
		if err := tx.InsertEvent(ctx, &core.Event{TenantID: a.ID, Type: core.EventUserCreated, CreatedAt: now()}); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Write returned %v, want fn's own error", err)
	}
	_, err = s.GetUserByEmail(ctx, "rolledback@example.com")
	wantCode(t, err, core.NotFound, "")

	events, err := s.ListEvents(ctx, a.ID, core.EventFilter{Limit: 10})
	if err != nil {
		t.Fatalf("list events: %v", err)
	}
	if len(events) != 1 {
		t.Fatalf("events: got %d, want 1 (the committed one only)", len(events))
	}
	e := events[0]
	if e.ID == 0 || e.Type != core.EventUserCreated || e.Actor != "test" || e.SubjectType != "user" || e.SubjectID != "1" {
		t.Errorf("event: got %+v", e)
	}
	var payload map[string]string
	if err := json.Unmarshal(e.Payload, &payload); err != nil || payload["email"] != "committed@example.com" {
		t.Errorf("event payload: got %s (%v)", e.Payload, err)
	}

	// Filters and isolation.
	if err := s.Write(ctx, func(tx core.Tx) error {
		for _, ev := range []core.Event{
			{TenantID: a.ID, Type: core.EventUserDeleted, CreatedAt: now()},
			{TenantID: b.ID, Type: core.EventUserCreated, CreatedAt: now()},
		} {
			if err := tx.InsertEvent(ctx, &ev); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatalf("insert events: %v", err)
	}
	after, err := s.ListEvents(ctx, a.ID, core.EventFilter{AfterID: e.ID, Limit: 10})
	if err != nil || len(after) != 1 || after[0].Type != core.EventUserDeleted {
		t.Fatalf("events after %d: got %+v, %v; want the user_deleted one", e.ID, after, err)
	}
	byType, err := s.ListEvents(ctx, a.ID, core.EventFilter{Type: core.EventUserCreated, Limit: 10})
	if err != nil || len(byType) != 1 || byType[0].ID != e.ID {
		t.Fatalf("events by type: got %+v, %v; want only the first", byType, err)
	}
	ofB, err := s.ListEvents(ctx, b.ID, core.EventFilter{Limit: 10})
	if err != nil || len(ofB) != 1 {
		t.Fatalf("events of b: got %d, %v; want 1", len(ofB), err)
	}
}

// testEventFilters: each filter of ListEvents alone, and together; the
// tenant is always part of the query.
func testEventFilters(t *testing.T, s core.Store) {
	ctx := context.Background()
	a := mustCreateTenant(t, s)
	b := mustCreateTenant(t, s)
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(minutes int) time.Time { return base.Add(time.Duration(minutes) * time.Minute) }
	// Tenant b gets a copy of each of a's events: no filter may reach it.
	specs := []core.Event{
		{Type: core.EventUserCreated, Actor: "api-key:k1", SubjectType: "user", SubjectID: "1", CreatedAt: at(0)},
		{Type: core.EventUserUpdated, Actor: "api-key:k1", SubjectType: "user", SubjectID: "1", CreatedAt: at(1)},
		{Type: core.EventUserCreated, Actor: "admin@example.com", SubjectType: "user", SubjectID: "2", CreatedAt: at(2)},
		{Type: core.EventAPIKeyCreated, Actor: "operator", SubjectType: "api_key", SubjectID: "1", CreatedAt: at(3)},
		{Type: core.EventUserDeleted, Actor: "api-key:k1", SubjectType: "user", SubjectID: "1", CreatedAt: at(4)},
	}
	var ids []int64
	if err := s.Write(ctx, func(tx core.Tx) error {
		for _, spec := range specs {
			for _, tenant := range []int64{a.ID, b.ID} {
				e := spec
				e.TenantID = tenant
				if err := tx.InsertEvent(ctx, &e); err != nil {
					return err
				}
				if tenant == a.ID {
					ids = append(ids, e.ID)
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatalf("insert events: %v", err)
	}
	for _, c := range []struct {
		name string
		f    core.EventFilter
		want []int // indexes into ids
	}{
		{"none", core.EventFilter{}, []int{0, 1, 2, 3, 4}},
		{"type", core.EventFilter{Type: core.EventUserCreated}, []int{0, 2}},
		{"type, unknown", core.EventFilter{Type: "no_such_type"}, nil},
		{"actor", core.EventFilter{Actor: "api-key:k1"}, []int{0, 1, 4}},
		{"actor, exact only", core.EventFilter{Actor: "api-key:k"}, nil},
		{"subject type", core.EventFilter{SubjectType: "api_key"}, []int{3}},
		{"subject id", core.EventFilter{SubjectID: "1"}, []int{0, 1, 3, 4}},
		{"subject", core.EventFilter{SubjectType: "user", SubjectID: "1"}, []int{0, 1, 4}},
		{"since (inclusive)", core.EventFilter{Since: at(3)}, []int{3, 4}},
		{"until (exclusive)", core.EventFilter{Until: at(2)}, []int{0, 1}},
		{"since and until", core.EventFilter{Since: at(1), Until: at(4)}, []int{1, 2, 3}},
		{"since, another zone", core.EventFilter{Since: at(3).In(time.FixedZone("x", -5*3600))}, []int{3, 4}},
		{"after id", core.EventFilter{AfterID: ids[2]}, []int{3, 4}},
		{"limit", core.EventFilter{Limit: 2}, []int{0, 1}},
		{"all together", core.EventFilter{Type: core.EventUserDeleted, Actor: "api-key:k1", SubjectType: "user", SubjectID: "1",
			Since: at(0), Until: at(5), AfterID: ids[0]}, []int{4}},
	} {
		got, err := s.ListEvents(ctx, a.ID, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var gotIDs, wantIDs []int64
		for _, e := range got {
			if e.TenantID != a.ID {
				t.Errorf("%s: event %d of tenant %d listed for tenant %d", c.name, e.ID, e.TenantID, a.ID)
			}
			gotIDs = append(gotIDs, e.ID)
		}
		for _, i := range c.want {
			wantIDs = append(wantIDs, ids[i])
		}
		if !slices.Equal(gotIDs, wantIDs) {
			t.Errorf("%s: got ids %v, want %v", c.name, gotIDs, wantIDs)
		}
	}
}
