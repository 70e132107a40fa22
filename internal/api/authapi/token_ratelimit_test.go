package authapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api"
	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/ratelimit"
)

// TestTokenEndpointRateLimited: minting access tokens draws from the API
// key's own bucket, so a client cannot go around its key's limit by asking
// for tokens, and a refusal is an OAuth error with Retry-After.
func TestTokenEndpointRateLimited(t *testing.T) {
	stopped := time.Now()
	withLimit := func(d *api.Deps) {
		d.Limiter = ratelimit.NewMemory(ratelimit.MemoryOptions{Now: func() time.Time { return stopped }})
		d.Limits = api.Limits{Credential: ratelimit.PerMinute(3)}
	}
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		other := env.NewTenant(t, "Other")
		form := url.Values{"grant_type": {"client_credentials"}}

		// Two tokens, then one API call with the second: the bucket of 3
		// is empty.
		var tok grant
		for range 2 {
			tok = wantGrant(t, postToken(t, env, form, basic(acme.Tenant.ClientID, acme.APIKey)...))
		}
		if res := env.Do(t, http.MethodGet, "/api/users", "", apitest.Bearer(tok.AccessToken)...); res.Status != http.StatusOK {
			t.Fatalf("third request (an API call): %d %s", res.Status, res.Body)
		}

		res := postToken(t, env, form, basic(acme.Tenant.ClientID, acme.APIKey)...)
		if res.Status != http.StatusTooManyRequests {
			t.Fatalf("fourth request (a token): got %d %s, want 429", res.Status, res.Body)
		}
		code, desc := oauthErr(t, asResponse(res))
		if code != "temporarily_unavailable" || !strings.Contains(desc, "3 requests per minute") {
			t.Errorf("refusal: got %q %q, want temporarily_unavailable naming the limit", code, desc)
		}
		if res.Header.Get("Retry-After") == "" || res.Header.Get("RateLimit-Remaining") != "0" {
			t.Errorf("refusal headers: Retry-After %q, RateLimit-Remaining %q", res.Header.Get("Retry-After"), res.Header.Get("RateLimit-Remaining"))
		}
		wantNoStore(t, asResponse(res))

		// Another tenant's key has its own bucket; a wrong secret makes
		// none (it is refused as invalid_client, not counted).
		wantGrant(t, postToken(t, env, form, basic(other.Tenant.ClientID, other.APIKey)...))
		bad := postToken(t, env, form, basic(other.Tenant.ClientID, "bdk_"+strings.Repeat("x", 40))...)
		if bad.Status != http.StatusUnauthorized {
			t.Fatalf("wrong secret: got %d %s, want 401", bad.Status, bad.Body)
		}
		env.AssertNoSecrets(t, acme.APIKey, other.APIKey, tok.AccessToken)
	}, withLimit)
}
