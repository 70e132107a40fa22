package clientapi_test

import (
	"context"
	"crypto/sha256"
	"net/http"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

func TestIdempotencyKey(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		other := env.NewTenant(t, "Other")
		body := fixture(t, "seed000_create.json")
		withKey := func(key, idem string) []string {
			return append(apitest.Bearer(key), "Idempotency-Key", idem)
		}

		first := env.Do(t, http.MethodPost, "/api/users", body, withKey(tenant.APIKey, "create-john-1")...)
		if first.Status != http.StatusCreated {
			t.Fatalf("first: %d %s", first.Status, first.Body)
		}
		users, events := counts(t, env, tenant)

		replay := env.Do(t, http.MethodPost, "/api/users", body, withKey(tenant.APIKey, "create-john-1")...)
		if replay.Status != first.Status || string(replay.Body) != string(first.Body) {
			t.Fatalf("replay: got %d %s, want %d %s", replay.Status, replay.Body, first.Status, first.Body)
		}
		if replay.Header.Get("Idempotent-Replayed") != "true" {
			t.Error("replay lacks Idempotent-Replayed: true")
		}
		if u, e := counts(t, env, tenant); u != users || e != events {
			t.Fatalf("replay changed state: users %d->%d events %d->%d", users, u, events, e)
		}

		changed := `{"email":"someone.else@example.com","password":"securepassword123"}`
		wantError(t, env.Do(t, http.MethodPost, "/api/users", changed, withKey(tenant.APIKey, "create-john-1")...), 422, "different request")
		// The same path through the other route is a different request too.
		wantError(t, env.Do(t, http.MethodPost, "/_api/client/users", body, withKey(tenant.APIKey, "create-john-1")...), 422, "different request")

		// Keys are per tenant: another tenant's same key is its own request.
		res := env.Do(t, http.MethodPost, "/api/users", `{"email":"other@example.com"}`, withKey(other.APIKey, "create-john-1")...)
		if res.Status != http.StatusCreated {
			t.Fatalf("same key in another tenant: %d %s", res.Status, res.Body)
		}

		// A refusal is remembered too: the retry sees the same 409.
		dup := env.Do(t, http.MethodPost, "/api/users", body, withKey(tenant.APIKey, "dup-1")...)
		wantError(t, dup, 409, "email")
		if again := env.Do(t, http.MethodPost, "/api/users", body, withKey(tenant.APIKey, "dup-1")...); string(again.Body) != string(dup.Body) {
			t.Fatalf("replayed refusal differs: %s vs %s", again.Body, dup.Body)
		}

		wantError(t, env.Do(t, http.MethodPost, "/api/users", changed, withKey(tenant.APIKey, "has space")...), 400, "Idempotency-Key")

		// A request still holding its key: a concurrent duplicate gets 409.
		actor := core.OperatorFor(tenant.Tenant)
		fp := sha256.Sum256([]byte("in flight"))
		if _, err := env.Service.BeginIdempotent(context.Background(), actor, "in-flight", fp[:]); err != nil {
			t.Fatal(err)
		}
		wantError(t, env.Do(t, http.MethodPost, "/api/users", changed, withKey(tenant.APIKey, "in-flight")...), 409, "in progress")

		// After 24 hours the key is forgotten and runs afresh.
		env.Service.SetClock(func() time.Time { return time.Now().Add(core.IdempotencyTTL + time.Minute) })
		defer env.Service.SetClock(time.Now)
		res = env.Do(t, http.MethodPost, "/api/users", changed, withKey(tenant.APIKey, "create-john-1")...)
		if res.Status != http.StatusCreated {
			t.Fatalf("expired key: got %d %s, want a fresh 201", res.Status, res.Body)
		}
	})
}
