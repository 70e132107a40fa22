package bulkapi_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/sqlite"
)

// TestRequestRefusals: requests refused as a whole answer in the face's
// shape with no results, and store nothing.
func TestRequestRefusals(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		acme := env.NewTenant(t, "Acme")
		auth := apitest.Bearer(acme.APIKey)
		_, readOnly, err := env.Service.CreateAPIKey(ctx, core.OperatorFor(acme.Tenant),
			core.CreateAPIKey{Name: "read", Scopes: []string{core.ScopeUsersRead}})
		if err != nil {
			t.Fatal(err)
		}
		pw := "plain-user-pw-1"
		if _, err := env.Service.CreateUser(ctx, core.OperatorFor(acme.Tenant), core.CreateUser{Email: "plain@example.com", Password: &pw}); err != nil {
			t.Fatal(err)
		}
		userToken := login(t, env, "plain@example.com", pw)

		many := make([]user, core.MaxBulkUsers+1)
		for i := range many {
			many[i] = user{Email: fmt.Sprintf("u%05d@example.com", i)}
		}
		one := body(t, user{Email: "one@example.com"})
		for _, tc := range []struct {
			name    string
			query   string
			body    string
			headers []string
			status  int
			message string
		}{
			{"over 10,000 users", "", body(t, many...), auth, 400, "users: holds 10001 users; the limit is 10000 users per request"},
			{"no users", "", `{"users":[]}`, auth, 400, "users: must hold at least one user"},
			{"users missing", "", `{}`, auth, 400, "users: must hold at least one user"},
			{"over 32 MiB", "", `{"users":[{"email":"big@example.com","name":"` + strings.Repeat("x", 32<<20) + `"}]}`, auth, 413,
				"the request body is larger than the limit of 33554432 bytes"},
			{"body token is not the header's", "", `{"users":[{"email":"a@example.com"}],"token":"bdk_someoneelse"}`, auth, 401, "invalid token or request body"},
			{"no credential", "", one, nil, 401, "invalid token or request body"},
			{"Zapier's header named Bearer", "", one, []string{"Bearer", acme.APIKey}, 401, "invalid token or request body"},
			{"unknown key", "", one, apitest.Bearer("bdk_" + strings.Repeat("x", 40)), 401, "invalid token or request body"},
			{"clientUser's login token", "", one, apitest.Bearer(userToken), 403, "role clientUser may not manage users"},
			{"key without users:write", "", one, apitest.Bearer(readOnly), 403, "the credential lacks scope users:write"},
			{"unknown field, with its path", "", `{"users":[{"email":"a@example.com"},{"email":"b@example.com"},{"email":"c@example.com"},{"email":"d@example.com","displayname":"D"}]}`,
				auth, 400, "users[3].displayname: is not a known field"},
			{"unknown member of a workspace", "", `{"users":[{"email":"a@example.com","groups":[{"_id":"g","workspace_id":{"_id":"w","label":"x"}}]}]}`,
				auth, 400, "users[0].groups[0].workspace_id.label: is not a known field"},
			{"camelCase instead of the seed's name", "", `{"users":[{"email":"a@example.com","confirmPassword":"x"}]}`, auth, 400, "users[0].confirmPassword: is not a known field"},
			{"a field of the wrong type", "", `{"users":[{"email":"a@example.com","update":"yes"}]}`, auth, 400, "users[0].update: must be true or false"},
			{"not JSON", "", `users=1`, auth, 400, "the request body is not valid JSON"},
			{"atomic neither true nor false", "?atomic=maybe", one, auth, 400, "atomic: must be true or false"},
			{"not application/json", "", one, append([]string{"Content-Type", "text/plain"}, auth...), 415, "Content-Type must be application/json"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := env.Do(t, "POST", "/api/users/add"+tc.query, tc.body, tc.headers...)
				want := fmt.Sprintf(`{"message":%q,"status":"error","results":[]}`, tc.message) + "\n"
				if res.Status != tc.status || string(res.Body) != want {
					t.Errorf("got %d %s; want %d %s", res.Status, res.Body, tc.status, want)
				}
				if tc.status == 401 && res.Header.Get("WWW-Authenticate") == "" {
					t.Error("a 401 without WWW-Authenticate")
				}
			})
		}
		if n := countUsers(t, env, acme.Tenant.ID); n != 2 {
			t.Errorf("users after refused requests: %d, want 2", n)
		}

		// The body's token may be the header's API key or token exactly.
		a := post(t, env, "", fmt.Sprintf(`{"users":[{"email":"same@example.com"}],"token":%q}`, acme.APIKey), 200, auth...)
		wantRow(t, a.Results[0], "created", "", "")
		a = post(t, env, "", `{"users":[{"email":"empty-token@example.com"}],"token":""}`, 200, auth...)
		wantRow(t, a.Results[0], "created", "", "")

		// A client-credentials token works as the header's and the body's token.
		res := env.Do(t, "POST", "/oauth/token", "grant_type=client_credentials",
			"Content-Type", "application/x-www-form-urlencoded",
			"Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(acme.Tenant.ClientID)+":"+url.QueryEscape(acme.APIKey))))
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		res.JSON(t, &tok)
		if res.Status != 200 || tok.AccessToken == "" {
			t.Fatalf("client credentials: %d %s", res.Status, res.Body)
		}
		a = post(t, env, "", fmt.Sprintf(`{"users":[{"email":"via-oauth@example.com"}],"token":%q}`, tok.AccessToken), 200, apitest.Bearer(tok.AccessToken)...)
		wantRow(t, a.Results[0], "created", "", "")
		env.AssertNoSecrets(t, acme.APIKey, readOnly, userToken, pw, tok.AccessToken)
	})
}

// TestIdempotencyKey: a replay answers the first result without the
// set-password tokens, which are never kept; another ?atomic is another
// request.
func TestIdempotencyKey(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		headers := append(apitest.Bearer(acme.APIKey), "Idempotency-Key", "bulk-1")
		payload := body(t, user{Email: "once@example.com"})
		first := post(t, env, "", payload, 200, headers...)
		if !strings.HasPrefix(first.Results[0].Token, "spt_") {
			t.Fatalf("first answer: %+v", first.Results[0])
		}
		res := env.Do(t, "POST", "/api/users/add", payload, headers...)
		var replay answer
		res.JSON(t, &replay)
		if res.Status != 200 || res.Header.Get("Idempotent-Replayed") != "true" || replay.Results[0].Token != "" ||
			replay.Results[0].ID != first.Results[0].ID || replay.Results[0].Status != "created" || replay.Message != first.Message {
			t.Errorf("replay: %d %s (Idempotent-Replayed %q)", res.Status, res.Body, res.Header.Get("Idempotent-Replayed"))
		}
		if res := env.Do(t, "POST", "/api/users/add?atomic=false", payload, headers...); res.Status != 422 {
			t.Errorf("same key, other ?atomic: %d %s, want 422", res.Status, res.Body)
		}
		if n := countUsers(t, env, acme.Tenant.ID); n != 2 {
			t.Errorf("users: %d, want 2", n)
		}
		env.AssertNoSecrets(t, acme.APIKey, first.Results[0].Token)
	})
}

// TestHashingStaysInThePool: a request with many passwords hashes them a
// pool's worth at a time, so even a pool with a queue of one never answers
// busy.
func TestHashingStaysInThePool(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "roster.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	env := apitest.New(t, st, core.HashPoolConfig{Workers: 2, Queue: 1})
	acme := env.NewTenant(t, "Acme")
	users := make([]user, 300)
	for i := range users {
		pw := fmt.Sprintf("password-%04d", i)
		users[i] = user{Email: fmt.Sprintf("hashed%04d@example.com", i), Password: pw, ConfirmPassword: pw}
	}
	a := post(t, env, "", body(t, users...), 200, apitest.Bearer(acme.APIKey)...)
	if a.Message != "user(s) added successfully" {
		t.Fatalf("answer: %s", a.Message)
	}
	login(t, env, "hashed0299@example.com", "password-0299")
}
