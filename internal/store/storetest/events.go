package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

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
