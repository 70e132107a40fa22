package clientapi_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

// login returns an access token for email/password.
func login(t *testing.T, env *apitest.Env, email, password string) string {
	t.Helper()
	res := env.Do(t, http.MethodPost, "/api/auth/login", fmt.Sprintf(`{"email":%q,"password":%q}`, email, password))
	if res.Status != http.StatusOK {
		t.Fatalf("login %s: %d %s", email, res.Status, res.Body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	res.JSON(t, &tok)
	if tok.TokenType != "Bearer" || tok.AccessToken == "" {
		t.Fatalf("login response: %s", res.Body)
	}
	return tok.AccessToken
}

func TestLoginTokensInPlaceOfKeys(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		other := env.NewTenant(t, "Other")
		adminToken := login(t, env, tenant.Admin.Email, tenant.AdminPassword)

		// A clientAdmin's token creates users like an API key does.
		res := env.Do(t, http.MethodPost, "/api/users", fixture(t, "seed000_create.json"), apitest.Bearer(adminToken)...)
		if res.Status != http.StatusCreated {
			t.Fatalf("create with an admin token: %d %s", res.Status, res.Body)
		}
		var u userView
		res.JSON(t, &u)
		ev, err := env.Store.ListEvents(context.Background(), tenant.Tenant.ID, core.EventFilter{Type: core.EventUserCreated, Limit: 100})
		if err != nil || ev[len(ev)-1].Actor != tenant.Admin.Email {
			t.Fatalf("event actor: %+v %v; want the admin's email", ev, err)
		}

		// A clientUser's token is refused.
		userToken := login(t, env, "john.doe@example.com", "securepassword123")
		wantError(t, env.Do(t, http.MethodPost, "/api/users", `{"email":"x@example.com"}`, apitest.Bearer(userToken)...), 403, "clientUser")
		wantError(t, env.Do(t, http.MethodGet, "/api/users", "", apitest.Bearer(userToken)...), 403, "clientUser")

		// The admin's token cannot reach another tenant's users.
		o := create(t, env, other.APIKey, `{"email":"o@example.com"}`)
		wantError(t, env.Do(t, http.MethodGet, fmt.Sprintf("/api/users/%d", o.ID), "", apitest.Bearer(adminToken)...), 404, "no such user")

		// Demoting the admin takes effect at once, token or not.
		if _, err := env.Service.UpdateUser(context.Background(), core.OperatorFor(tenant.Tenant), tenant.Admin.ID, core.UpdateUser{Role: ptr(core.RoleClientUser)}); err != nil {
			t.Fatal(err)
		}
		wantError(t, env.Do(t, http.MethodGet, "/api/users", "", apitest.Bearer(adminToken)...), 403, "clientUser")

		// A deactivated user's token stops working.
		if _, err := env.Service.UpdateUser(context.Background(), core.OperatorFor(tenant.Tenant), tenant.Admin.ID, core.UpdateUser{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		wantError(t, env.Do(t, http.MethodGet, "/api/users", "", apitest.Bearer(adminToken)...), 401, "")
		env.AssertNoSecrets(t, adminToken, userToken, tenant.AdminPassword, tenant.APIKey)
	})
}

func ptr[T any](v T) *T { return &v }
