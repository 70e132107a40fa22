package clientapi_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

// fixture reads testdata/name, substituting old/new pairs.
func fixture(t *testing.T, name string, replacements ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReplacer(replacements...).Replace(string(b))
}

// errorBody is the face's documented error shape.
type errorBody struct {
	Error   string `json:"error"`
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// wantError asserts the status and the documented error shape, and that the
// message mentions want.
func wantError(t *testing.T, res apitest.Response, status int, want string) errorBody {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status: got %d, want %d; body %s", res.Status, status, res.Body)
	}
	var keys map[string]any
	res.JSON(t, &keys)
	if len(keys) != 3 {
		t.Fatalf("error body keys: got %v, want exactly error, status, message", keys)
	}
	var e errorBody
	res.JSON(t, &e)
	if e.Error == "" || e.Status != status || !strings.Contains(e.Message, want) {
		t.Fatalf("error body: got %+v, want status %d and a message containing %q", e, status, want)
	}
	return e
}

type userView struct {
	ID                    int64  `json:"id"`
	Email                 string `json:"email"`
	DisplayName           string `json:"displayName"`
	Role                  string `json:"role"`
	EmailFilteringEnabled bool   `json:"emailFilteringEnabled"`
	ClientID              string `json:"clientId"`
	CreatedAt             string `json:"createdAt"`
}

// counts returns how many users and events a tenant has.
func counts(t *testing.T, env *apitest.Env, tenant core.TenantCreated) (users, events int) {
	t.Helper()
	ctx := context.Background()
	actor := core.OperatorFor(tenant.Tenant)
	for after := int64(0); ; {
		page, err := env.Service.ListUsers(ctx, actor, core.UserFilter{AfterID: after, Limit: core.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		users += len(page.Users)
		if page.Next == 0 {
			break
		}
		after = page.Next
	}
	evs, err := env.Store.ListEvents(ctx, tenant.Tenant.ID, core.EventFilter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	return users, len(evs)
}

// verifyWithJWKS checks a token as an outside resource server would: fetch
// the published key set and verify the signature with an independent JOSE
// library call, returning the claims.
func verifyWithJWKS(t *testing.T, env *apitest.Env, raw string) map[string]any {
	t.Helper()
	res := env.Do(t, http.MethodGet, "/.well-known/jwks.json", "")
	if res.Status != http.StatusOK {
		t.Fatalf("jwks: %d %s", res.Status, res.Body)
	}
	var set jose.JSONWebKeySet
	res.JSON(t, &set)
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("parse token: %v", err)
	}
	if len(tok.Headers) != 1 {
		t.Fatalf("token headers: %d", len(tok.Headers))
	}
	keys := set.Key(tok.Headers[0].KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q: %d keys in the JWKS", tok.Headers[0].KeyID, len(keys))
	}
	claims := map[string]any{}
	if err := tok.Claims(keys[0].Key, &claims); err != nil {
		t.Fatalf("signature does not verify against the JWKS: %v", err)
	}
	return claims
}
