package adminapi_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

type event struct {
	ID      int64  `json:"id"`
	Type    string `json:"type"`
	Actor   string `json:"actor"`
	Subject struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"subject"`
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"createdAt"`
}

type eventPage struct {
	Events     []event `json:"events"`
	NextCursor *string `json:"nextCursor"`
}

// listEvents reads every page of GET /api/v1/events with query, limit
// events per page, and fails t unless each page is a 200.
func listEvents(t *testing.T, env *apitest.Env, key, query string, limit int) []event {
	t.Helper()
	var all []event
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
		q := query + "&limit=" + strconv.Itoa(limit)
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		res := env.Do(t, "GET", "/api/v1/events?"+q, "", apitest.Bearer(key)...)
		if res.Status != 200 {
			t.Fatalf("GET /api/v1/events?%s: %d %s", q, res.Status, res.Body)
		}
		var p eventPage
		res.JSON(t, &p)
		if len(p.Events) > limit {
			t.Fatalf("page of %d events, limit %d", len(p.Events), limit)
		}
		all = append(all, p.Events...)
		if p.NextCursor == nil {
			return all
		}
		cursor = *p.NextCursor
	}
}

func idsOf(events []event) []int64 {
	ids := make([]int64, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	return ids
}

// hasKey reports whether the JSON value v has, at any depth, an object
// member whose name contains one of words (case-insensitively).
func hasKey(v any, words ...string) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			for _, w := range words {
				if strings.Contains(strings.ToLower(k), w) {
					return true
				}
			}
			if hasKey(x, words...) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if hasKey(x, words...) {
				return true
			}
		}
	}
	return false
}

func TestEvents(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		acme := env.NewTenant(t, "Acme")
		other := env.NewTenant(t, "Other")
		auth := apitest.Bearer(acme.APIKey)
		_, usersOnly, err := env.Service.CreateAPIKey(ctx, core.OperatorFor(acme.Tenant),
			core.CreateAPIKey{Name: "users", Scopes: []string{core.ScopeUsersRead, core.ScopeUsersWrite}})
		if err != nil {
			t.Fatal(err)
		}
		const password = "audit-secret-password-1"

		// A user created, changed and removed through the Client API.
		res := env.Do(t, "POST", "/api/users", `{"email":"audit@example.com","displayName":"Audit","password":"`+password+`"}`, auth...)
		var created struct{ ID int64 }
		res.JSON(t, &created)
		if res.Status != 201 || created.ID == 0 {
			t.Fatalf("create user: %d %s", res.Status, res.Body)
		}
		userID := strconv.FormatInt(created.ID, 10)
		userPath := "/api/users/" + userID
		if res := env.Do(t, "PATCH", userPath, `{"displayName":"Audited"}`, auth...); res.Status != 200 {
			t.Fatalf("update user: %d %s", res.Status, res.Body)
		}
		if res := env.Do(t, "DELETE", userPath, "", auth...); res.Status != 204 {
			t.Fatalf("delete user: %d %s", res.Status, res.Body)
		}
		// And an API key.
		newKey, _, err := env.Service.CreateAPIKey(ctx, core.OperatorFor(acme.Tenant), core.CreateAPIKey{Name: "audit"})
		if err != nil {
			t.Fatal(err)
		}
		keyID := strconv.FormatInt(newKey.ID, 10)

		all := listEvents(t, env, acme.APIKey, "", core.MaxPageSize)
		keyActor := "api-key:" + acme.Key.Prefix
		find := func(typ, subjectType, subjectID string) event {
			t.Helper()
			for _, e := range all {
				if e.Type == typ && e.Subject.Type == subjectType && e.Subject.ID == subjectID {
					return e
				}
			}
			t.Fatalf("no %s event of %s %s in %+v", typ, subjectType, subjectID, all)
			return event{}
		}
		userCreated := find(core.EventUserCreated, "user", userID)
		userUpdated := find(core.EventUserUpdated, "user", userID)
		userDeleted := find(core.EventUserDeleted, "user", userID)
		keyCreated := find(core.EventAPIKeyCreated, "api_key", keyID)
		for _, e := range []event{userCreated, userUpdated, userDeleted} {
			if e.Actor != keyActor {
				t.Errorf("%s: actor %q, want %q", e.Type, e.Actor, keyActor)
			}
		}
		if keyCreated.Actor != "operator" {
			t.Errorf("api_key_created: actor %q, want operator", keyCreated.Actor)
		}
		if !(userCreated.ID < userUpdated.ID && userUpdated.ID < userDeleted.ID && userDeleted.ID < keyCreated.ID) {
			t.Errorf("events out of order: %v", idsOf(all))
		}
		for _, e := range all {
			if e.CreatedAt.IsZero() || len(e.Payload) == 0 || e.Payload[0] != '{' {
				t.Errorf("event %d: createdAt %v, payload %s", e.ID, e.CreatedAt, e.Payload)
			}
		}

		// No secret in any payload: the user's password, its hash, or a key.
		var payload map[string]any
		if err := json.Unmarshal(userCreated.Payload, &payload); err != nil {
			t.Fatal(err)
		}
		if hasKey(payload, "password", "hash", "secret") {
			t.Errorf("user_created payload has a password or hash member: %s", userCreated.Payload)
		}
		raw := env.Do(t, "GET", "/api/v1/events?limit=200", "", auth...).Body
		for _, secret := range []string{password, "$argon2", acme.APIKey, usersOnly} {
			if strings.Contains(string(raw), secret) {
				t.Errorf("the audit log shows a secret (%.12s...)", secret)
			}
		}

		// Paging returns every event once, in id order, whatever the page size.
		if !slices.IsSorted(idsOf(all)) {
			t.Errorf("ids not ascending: %v", idsOf(all))
		}
		for _, limit := range []int{1, 2, 3} {
			if got := idsOf(listEvents(t, env, acme.APIKey, "", limit)); !slices.Equal(got, idsOf(all)) {
				t.Errorf("pages of %d: ids %v, want %v", limit, got, idsOf(all))
			}
		}
		var first eventPage
		env.Do(t, "GET", "/api/v1/events", "", auth...).JSON(t, &first)
		if len(first.Events) != len(all) || first.NextCursor != nil {
			t.Errorf("default page: %d events, next %v; want all %d and no next", len(first.Events), first.NextCursor, len(all))
		}

		// Each filter.
		rfc := func(t time.Time) string { return url.QueryEscape(t.Format(time.RFC3339Nano)) }
		for _, c := range []struct {
			query string
			want  func(event) bool
		}{
			{"type=user_updated", func(e event) bool { return e.Type == core.EventUserUpdated }},
			{"type=user_", func(event) bool { return false }},
			{"actor=" + url.QueryEscape(keyActor), func(e event) bool { return e.Actor == keyActor }},
			{"actor=operator", func(e event) bool { return e.Actor == "operator" }},
			{"subject_type=user&subject_id=" + userID, func(e event) bool { return e.Subject.Type == "user" && e.Subject.ID == userID }},
			{"subject_type=api_key", func(e event) bool { return e.Subject.Type == "api_key" }},
			{"subject_type=api_key&subject_id=" + keyID, func(e event) bool { return e.Subject.Type == "api_key" && e.Subject.ID == keyID }},
			{"since=" + rfc(keyCreated.CreatedAt), func(e event) bool { return !e.CreatedAt.Before(keyCreated.CreatedAt) }},
			{"until=" + rfc(userCreated.CreatedAt), func(e event) bool { return e.CreatedAt.Before(userCreated.CreatedAt) }},
			{"since=" + rfc(userCreated.CreatedAt) + "&until=" + rfc(keyCreated.CreatedAt), func(e event) bool {
				return !e.CreatedAt.Before(userCreated.CreatedAt) && e.CreatedAt.Before(keyCreated.CreatedAt)
			}},
			{"since=" + rfc(time.Now().Add(time.Hour)), func(event) bool { return false }},
			{"type=user_created&actor=" + url.QueryEscape(keyActor) + "&subject_type=user&subject_id=" + userID,
				func(e event) bool { return e.ID == userCreated.ID }},
		} {
			var want []int64
			for _, e := range all {
				if c.want(e) {
					want = append(want, e.ID)
				}
			}
			if got := idsOf(listEvents(t, env, acme.APIKey, c.query, 2)); !slices.Equal(got, want) {
				t.Errorf("%s: ids %v, want %v", c.query, got, want)
			}
		}
		if got := listEvents(t, env, acme.APIKey, "subject_type=user&subject_id="+userID, 50); len(got) != 3 {
			t.Errorf("the user's events: got %d, want created, updated, deleted", len(got))
		}

		// Malformed parameters: 400 problems naming the parameter.
		for param, query := range map[string]string{
			"limit":  "limit=0",
			"limit ": "limit=201",
			"cursor": "cursor=bogus",
			"since":  "since=yesterday",
			"until":  "until=2026-13-01T00:00:00Z",
			"until ": "since=2026-03-02T00:00:00Z&until=2026-03-01T00:00:00Z",
		} {
			p := wantProblem(t, env.Do(t, "GET", "/api/v1/events?"+query, "", auth...), 400)
			if !strings.HasPrefix(p.Detail, strings.TrimSpace(param)+":") {
				t.Errorf("%s: detail %q does not name %s", query, p.Detail, param)
			}
		}

		// Only the admin scope may read the audit log.
		wantProblem(t, env.Do(t, "GET", "/api/v1/events", "", apitest.Bearer(usersOnly)...), 403)
		wantProblem(t, env.Do(t, "GET", "/api/v1/events", ""), 401)

		// Tenant B never sees A's events, whatever it asks for.
		acmeIDs := idsOf(all)
		for _, q := range []string{"", "subject_type=user&subject_id=" + userID, "actor=" + url.QueryEscape(keyActor), "type=user_deleted"} {
			for _, e := range listEvents(t, env, other.APIKey, q, 2) {
				if slices.Contains(acmeIDs, e.ID) {
					t.Errorf("tenant B (%s) sees tenant A's event %d", q, e.ID)
				}
			}
		}
		// A's cursor replayed by B still lists only B's events.
		var replayed eventPage
		env.Do(t, "GET", "/api/v1/events?cursor="+url.QueryEscape(*cursorOf(t, env, acme.APIKey)), "", apitest.Bearer(other.APIKey)...).JSON(t, &replayed)
		for _, e := range replayed.Events {
			if slices.Contains(acmeIDs, e.ID) {
				t.Errorf("tenant B, with A's cursor, sees tenant A's event %d", e.ID)
			}
		}
		if got := listEvents(t, env, other.APIKey, "subject_type=user&subject_id="+userID, 50); len(got) != 0 {
			t.Errorf("tenant B sees %d events of tenant A's user", len(got))
		}
		if len(listEvents(t, env, other.APIKey, "", 50)) == 0 {
			t.Error("tenant B sees none of its own events")
		}
		env.AssertNoSecrets(t, acme.APIKey, other.APIKey, usersOnly, password)
	})
}

// cursorOf returns the nextCursor of key's tenant's first page of one event.
func cursorOf(t *testing.T, env *apitest.Env, key string) *string {
	t.Helper()
	var p eventPage
	env.Do(t, "GET", "/api/v1/events?limit=1", "", apitest.Bearer(key)...).JSON(t, &p)
	if p.NextCursor == nil {
		t.Fatalf("no next cursor: %+v", p)
	}
	return p.NextCursor
}
