package core_test

import (
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

// TestListEvents: the audit log needs the admin scope, checks its page size
// and cursor, pages in id order and stays in the actor's tenant.
func TestListEvents(t *testing.T) {
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		a := createTenant(t, svc, "Audit A")
		b := createTenant(t, svc, "Audit B")
		for _, email := range []string{"one@example.com", "two@example.com", "three@example.com"} {
			createUser(t, svc, a, core.CreateUser{Email: email})
		}

		usersOnly := a.key
		usersOnly.Scopes = []string{core.ScopeUsersRead, core.ScopeUsersWrite}
		_, err := svc.ListEvents(t.Context(), usersOnly, core.EventFilter{})
		wantError(t, err, core.Forbidden, "")
		editor := createUser(t, svc, a, core.CreateUser{Email: "editor@example.com", Role: core.RoleEditor})
		_, err = svc.ListEvents(t.Context(), userActor(a, editor), core.EventFilter{})
		wantError(t, err, core.Forbidden, "")
		_, err = svc.ListEvents(t.Context(), core.Actor{Kind: core.ActorAPIKey}, core.EventFilter{})
		wantError(t, err, core.Unauthenticated, "")
		for _, limit := range []int{-1, core.MaxPageSize + 1} {
			_, err = svc.ListEvents(t.Context(), a.key, core.EventFilter{Limit: limit})
			wantError(t, err, core.Invalid, "limit")
		}
		_, err = svc.ListEvents(t.Context(), a.key, core.EventFilter{AfterID: -1})
		wantError(t, err, core.Invalid, "cursor")
		now := time.Now()
		_, err = svc.ListEvents(t.Context(), a.key, core.EventFilter{Since: now, Until: now})
		wantError(t, err, core.Invalid, "until")

		all, err := svc.ListEvents(t.Context(), a.key, core.EventFilter{})
		if err != nil || all.Next != 0 || len(all.Events) < 4 {
			t.Fatalf("all events: %+v, %v", all, err)
		}
		var paged []int64
		f := core.EventFilter{Limit: 1}
		for {
			page, err := svc.ListEvents(t.Context(), a.key, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range page.Events {
				if e.TenantID != a.Tenant.ID {
					t.Errorf("event %d of tenant %d listed for %d", e.ID, e.TenantID, a.Tenant.ID)
				}
				paged = append(paged, e.ID)
			}
			if page.Next == 0 {
				break
			}
			f.AfterID = page.Next
		}
		if len(paged) != len(all.Events) {
			t.Fatalf("pages of one: %v, want the %d events", paged, len(all.Events))
		}
		for i, e := range all.Events {
			if paged[i] != e.ID || (i > 0 && e.ID <= all.Events[i-1].ID) {
				t.Fatalf("pages of one: %v; all: %+v", paged, all.Events)
			}
		}

		// A sub-microsecond bound is rounded up: an event stored at t is
		// "before" t + 1ns, not "at or after" it.
		first := all.Events[0]
		got, err := svc.ListEvents(t.Context(), a.key, core.EventFilter{Since: first.CreatedAt.Add(time.Nanosecond), Until: first.CreatedAt.Add(time.Nanosecond)})
		if err == nil {
			t.Fatalf("since = until accepted: %+v", got)
		}
		got, err = svc.ListEvents(t.Context(), a.key, core.EventFilter{Until: first.CreatedAt.Add(time.Nanosecond)})
		if err != nil || len(got.Events) == 0 || got.Events[0].ID != first.ID {
			t.Errorf("until just after the first event: %+v, %v", got, err)
		}
		got, err = svc.ListEvents(t.Context(), a.key, core.EventFilter{Since: first.CreatedAt.Add(time.Nanosecond), SubjectID: first.SubjectID, SubjectType: first.SubjectType, Type: first.Type})
		if err != nil || len(got.Events) != 0 {
			t.Errorf("since just after the first event: %+v, %v", got, err)
		}

		ofB, err := svc.ListEvents(t.Context(), b.key, core.EventFilter{Limit: core.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ofB.Events {
			if e.TenantID != b.Tenant.ID {
				t.Errorf("tenant B sees event %d of tenant %d", e.ID, e.TenantID)
			}
		}
	})
}
