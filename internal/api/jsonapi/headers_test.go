package jsonapi_test

import (
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/api/jsonapi"
)

// TestSubdomainHeader: the header is required and must name the
// credential's own tenant; it never picks a tenant.
func TestSubdomainHeader(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		other := env.NewTenant(t, "Other")
		john := create(t, env, acme, `"email":"john@example.com","name":"John"`)
		self := john.Data.Links.Self
		auth := []string{"Authorization", "Bearer " + acme.APIKey, "Accept", jsonapi.MediaType}
		with := func(pairs ...string) []string { return append(append([]string{}, auth...), pairs...) }

		wantErrors(t, env.Do(t, "GET", self, "", auth...), 400, "header:X-Clarus-Subdomain")
		wantErrors(t, env.Do(t, "GET", self, "", with(jsonapi.SubdomainHeader, other.Tenant.Subdomain)...), 403, "header:X-Clarus-Subdomain")
		wantErrors(t, env.Do(t, "GET", self, "", with(jsonapi.SubdomainHeader, "no-such-tenant")...), 403, "header:X-Clarus-Subdomain")
		wantErrors(t, env.Do(t, "GET", self, "", with(jsonapi.SubdomainAliasHeader, other.Tenant.Subdomain)...), 403, "header:X-Tenant-Subdomain")
		wantErrors(t, env.Do(t, "GET", self, "", with(jsonapi.SubdomainHeader, acme.Tenant.Subdomain,
			jsonapi.SubdomainAliasHeader, other.Tenant.Subdomain)...), 400, "header:X-Tenant-Subdomain")
		// Another tenant's credential with its own subdomain: the user is
		// not there.
		wantErrors(t, env.Do(t, "GET", self, "", headers(other)...), 404, "")
		// A create with another tenant's subdomain creates nothing anywhere.
		res := env.Do(t, "POST", "/api/users", `{"data":{"type":"users","attributes":{"email":"x@example.com","name":"X"}}}`,
			"Authorization", "Bearer "+acme.APIKey, jsonapi.SubdomainHeader, other.Tenant.Subdomain)
		wantErrors(t, res, 403, "header:X-Clarus-Subdomain")

		for name, pairs := range map[string][]string{
			"header":       {jsonapi.SubdomainHeader, acme.Tenant.Subdomain},
			"alias":        {jsonapi.SubdomainAliasHeader, acme.Tenant.Subdomain},
			"both":         {jsonapi.SubdomainHeader, acme.Tenant.Subdomain, jsonapi.SubdomainAliasHeader, acme.Tenant.Subdomain},
			"capitalized":  {jsonapi.SubdomainHeader, strings.ToUpper(acme.Tenant.Subdomain)},
			"client token": {jsonapi.SubdomainHeader, acme.Tenant.Subdomain, "Authorization", "Bearer " + clientToken(t, env, acme)},
		} {
			res := env.Do(t, "GET", self, "", with(pairs...)...)
			if res.Status != 200 {
				t.Errorf("%s: got %d, want 200; body %s", name, res.Status, res.Body)
			}
		}
		env.AssertNoSecrets(t, acme.APIKey, other.APIKey)
	})
}

// TestMediaTypes: JSON:API 1.1's content negotiation.
func TestMediaTypes(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		for _, tt := range []struct {
			accept string
			status int
		}{
			{jsonapi.MediaType, 200},
			{jsonapi.MediaType + `; profile="https://example.com/profile"`, 200},
			{jsonapi.MediaType + "; charset=utf-8, " + jsonapi.MediaType, 200},
			{"application/json, " + jsonapi.MediaType + "; charset=utf-8", 406},
			{jsonapi.MediaType + `; ext="https://jsonapi.org/ext/atomic"`, 406},
			{"*/*", 200},
		} {
			res := env.Do(t, "GET", "/api/users", "", headers(acme, "Accept", tt.accept)...)
			if res.Status != tt.status {
				t.Errorf("Accept %q: got %d, want %d; body %s", tt.accept, res.Status, tt.status, res.Body)
			}
			checkDocument(t, res)
		}
		res := env.Do(t, "POST", "/api/users", `{"data":{"type":"users","attributes":{"email":"p@example.com","name":"P"}}}`,
			headers(acme, "Content-Type", jsonapi.MediaType+`; profile="https://example.com/profile"`)...)
		if res.Status != 201 {
			t.Errorf("Content-Type with a profile: got %d, want 201; body %s", res.Status, res.Body)
		}
	})
}
