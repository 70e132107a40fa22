package accountsapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
)

// TestIdempotencyKeyUsers: POST /users with an Idempotency-Key replays its
// first answer, except the set-password token, which is never stored in
// plaintext and so never replayed.
func TestIdempotencyKeyUsers(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		body := seedCreate(t, "idem@example.com")
		withKey := func(idem string) []string { return key(tenant, "Idempotency-Key", idem) }

		first := env.Do(t, http.MethodPost, "/users", body, withKey("create-idem-1")...)
		if first.Status != http.StatusCreated {
			t.Fatalf("first: %d %s", first.Status, first.Body)
		}
		var firstUser map[string]any
		first.JSON(t, &firstUser)
		token := firstUser["token"].(string)

		var replay apitest.Response
		unchanged(t, env, func() {
			replay = env.Do(t, http.MethodPost, "/users", body, withKey("create-idem-1")...)
		}, tenant)
		if replay.Status != http.StatusCreated || replay.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %v %s", replay.Status, replay.Header, replay.Body)
		}
		var replayed map[string]any
		replay.JSON(t, &replayed)
		wantUserTypes(t, replayed, false)
		delete(firstUser, "token")
		if fmt.Sprint(replayed) != fmt.Sprint(firstUser) { // fmt prints maps in key order
			t.Fatalf("replay: got %v, want the first answer without its token %v", replayed, firstUser)
		}
		rec, err := env.Store.GetIdempotencyRecord(context.Background(), tenant.Tenant.ID, "create-idem-1")
		if err != nil || strings.Contains(string(rec.Body), token) || strings.Contains(string(rec.Body), `"token"`) {
			t.Fatalf("the idempotency record holds the token (%v): %s", err, rec.Body)
		}

		wantError(t, env.Do(t, http.MethodPost, "/users", seedCreate(t, "other@example.com"), withKey("create-idem-1")...), 422, "different request")
		wantError(t, env.Do(t, http.MethodPost, "/users", body, withKey("has space")...), 400, "Idempotency-Key")

		// A refusal is kept and replayed too.
		dup := env.Do(t, http.MethodPost, "/users", body, withKey("dup-1")...)
		wantError(t, dup, 409, "email")
		again := env.Do(t, http.MethodPost, "/users", body, withKey("dup-1")...)
		wantError(t, again, 409, "email")
		if string(again.Body) != string(dup.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replayed refusal: %s vs %s", again.Body, dup.Body)
		}
		env.AssertNoSecrets(t, tenant.APIKey, token)
	})
}

// TestIdempotencyKeyTeams: POST /api/v1/teams replays too, with the
// problem media type on a replayed refusal.
func TestIdempotencyKeyTeams(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		withKey := func(idem string) []string { return append(apitest.Bearer(tenant.APIKey), "Idempotency-Key", idem) }

		first := env.Do(t, http.MethodPost, "/api/v1/teams", `{"name":"Sales"}`, withKey("team-1")...)
		wantTeam(t, first, http.StatusCreated)
		var replay apitest.Response
		unchanged(t, env, func() {
			replay = env.Do(t, http.MethodPost, "/api/v1/teams", `{"name":"Sales"}`, withKey("team-1")...)
		}, tenant)
		if replay.Status != http.StatusCreated || string(replay.Body) != string(first.Body) || replay.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %s, want %s", replay.Status, replay.Body, first.Body)
		}
		wantProblem(t, env.Do(t, http.MethodPost, "/api/v1/teams", `{"name":"Support"}`, withKey("team-1")...), 422, "different request", "")

		dup := env.Do(t, http.MethodPost, "/api/v1/teams", `{"name":"sales"}`, withKey("team-dup")...)
		wantProblem(t, dup, 409, "name", "/name")
		again := env.Do(t, http.MethodPost, "/api/v1/teams", `{"name":"sales"}`, withKey("team-dup")...)
		wantProblem(t, again, 409, "name", "/name")
		if string(again.Body) != string(dup.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replayed refusal: %s vs %s", again.Body, dup.Body)
		}
	})
}
