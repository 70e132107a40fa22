package authapi_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

// TestClientCredentials_ThirdPartyClient runs the grant with Go's own
// OAuth 2.0 client, in both of its ways to send the credentials, checks the
// token as an outside resource server would, and uses it on the Client API.
func TestClientCredentials_ThirdPartyClient(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		for _, style := range []struct {
			name  string
			style oauth2.AuthStyle
		}{{"InHeader", oauth2.AuthStyleInHeader}, {"InParams", oauth2.AuthStyleInParams}} {
			t.Run(style.name, func(t *testing.T) {
				ctx := context.Background()
				cfg := clientcredentials.Config{
					ClientID: acme.Tenant.ClientID, ClientSecret: acme.APIKey,
					TokenURL: env.URL + tokenPath, AuthStyle: style.style,
				}
				tok, err := cfg.Token(ctx)
				if err != nil {
					t.Fatalf("Token: %v", err)
				}
				if tok.TokenType != "Bearer" || tok.AccessToken == "" {
					t.Fatalf("got token type %q, want a Bearer token", tok.TokenType)
				}
				if left := time.Until(tok.Expiry); left < 14*time.Minute || left > 15*time.Minute {
					t.Errorf("token expires in %v, want about 15 minutes", left)
				}
				scope, _ := tok.Extra("scope").(string)
				wantScopes(t, scope, core.AllScopes...)

				claims, _ := verifyAsResourceServer(t, env.URL, tok.AccessToken, time.Now())
				wantClientClaims(t, claims, acme, acme.Key.ID, strings.Join(core.AllScopes, " "))

				// The client's own HTTP client sends the token as a bearer
				// credential in place of the API key.
				client := cfg.Client(ctx)
				email := strings.ToLower(style.name) + "@example.com"
				res, err := client.Post(env.URL+"/api/users", "application/json",
					strings.NewReader(fmt.Sprintf(`{"email":%q,"displayName":"Via OAuth"}`, email)))
				if err != nil {
					t.Fatalf("POST /api/users: %v", err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusCreated {
					t.Fatalf("POST /api/users with the token: got %d %s, want 201", res.StatusCode, body)
				}
				res, err = client.Get(env.URL + "/api/users?email=" + url.QueryEscape(email))
				if err != nil {
					t.Fatalf("GET /api/users: %v", err)
				}
				body, _ = io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK || !strings.Contains(string(body), email) {
					t.Fatalf("GET /api/users with the token: got %d %s, want 200 listing %s", res.StatusCode, body, email)
				}

				// The client reads Roster's errors as RFC 6749 §5.2 errors.
				bad := cfg
				bad.ClientSecret = "bdk_" + strings.Repeat("x", 40)
				_, err = bad.Token(ctx)
				var re *oauth2.RetrieveError
				if !errors.As(err, &re) || re.ErrorCode != "invalid_client" || re.Response.StatusCode != http.StatusUnauthorized {
					t.Errorf("a wrong secret: got %v, want a 401 invalid_client RetrieveError", err)
				}

				// Scopes asked for through the client are granted and bind.
				narrow := cfg
				narrow.Scopes = []string{core.ScopeUsersRead}
				tok, err = narrow.Token(ctx)
				if err != nil {
					t.Fatalf("Token(users:read): %v", err)
				}
				scope, _ = tok.Extra("scope").(string)
				wantScopes(t, scope, core.ScopeUsersRead)
				res, err = narrow.Client(ctx).Post(env.URL+"/api/users", "application/json", strings.NewReader(`{"email":"no@example.com"}`))
				if err != nil {
					t.Fatal(err)
				}
				body, _ = io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusForbidden || !strings.Contains(string(body), core.ScopeUsersWrite) {
					t.Errorf("POST with a users:read token: got %d %s, want 403 naming users:write", res.StatusCode, body)
				}
			})
		}
		// The users the tokens created are recorded as the key's doing.
		ev, err := env.Store.ListEvents(context.Background(), acme.Tenant.ID, core.EventFilter{Type: core.EventUserCreated, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var byKey int
		for _, e := range ev {
			if e.Actor == "api-key:"+acme.Key.Prefix {
				byKey++
			}
		}
		if byKey != 2 {
			t.Errorf("got %d user_created events by api-key:%s among %+v, want 2", byKey, acme.Key.Prefix, ev)
		}
		env.AssertNoSecrets(t, acme.APIKey)
	})
}

// TestToken_Refusals sends every kind of bad token request and checks the
// status, the RFC 6749 §5.2 error and its headers.
func TestToken_Refusals(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		acme := env.NewTenant(t, "Acme")
		other := env.NewTenant(t, "Other")
		id := acme.Tenant.ClientID
		readKey, _ := newKey(t, env, acme, core.ScopeUsersRead)
		revokedKey, revokedID := newKey(t, env, acme)
		if err := env.Service.RevokeAPIKey(ctx, core.OperatorFor(acme.Tenant), revokedID); err != nil {
			t.Fatal(err)
		}
		cc := func(pairs ...string) url.Values {
			v := url.Values{"grant_type": {"client_credentials"}}
			for i := 0; i+1 < len(pairs); i += 2 {
				v.Add(pairs[i], pairs[i+1])
			}
			return v
		}
		post := func(pairs ...string) url.Values {
			return cc(append([]string{"client_id", id, "client_secret", acme.APIKey}, pairs...)...)
		}
		bearerHeader := apitest.Bearer(acme.APIKey)
		const failed = "client authentication failed"

		tests := []struct {
			name    string
			body    string // raw body, when form is nil
			form    url.Values
			headers []string // name/value pairs
			status  int
			code    string
			want    string // in error_description
		}{
			// The request itself.
			{name: "JSONBody", body: `{"grant_type":"client_credentials"}`, headers: []string{"Content-Type", "application/json"},
				status: 400, code: "invalid_request", want: "application/x-www-form-urlencoded"},
			{name: "NoContentType", form: post(), headers: []string{"Content-Type", ""}, status: 400, code: "invalid_request", want: "x-www-form-urlencoded"},
			{name: "Multipart", form: post(), headers: []string{"Content-Type", "multipart/form-data; boundary=x"}, status: 400, code: "invalid_request", want: "x-www-form-urlencoded"},
			{name: "BadEncoding", body: "grant_type=client_credentials&client_secret=%zz", status: 400, code: "invalid_request", want: "not valid"},
			{name: "TooLarge", form: post("padding", strings.Repeat("p", 20<<10)), status: 413, code: "invalid_request", want: "limit"},
			{name: "RepeatedGrantType", form: func() url.Values { v := post(); v.Add("grant_type", "client_credentials"); return v }(),
				status: 400, code: "invalid_request", want: "grant_type is repeated"},
			{name: "RepeatedScope", form: post("scope", "users:read", "scope", "users:write"), status: 400, code: "invalid_request", want: "scope is repeated"},
			{name: "RepeatedSecret", form: post("client_secret", acme.APIKey), status: 400, code: "invalid_request", want: "client_secret is repeated"},
			{name: "NoGrantType", form: func() url.Values { v := post(); v.Del("grant_type"); return v }(), status: 400, code: "invalid_request", want: "grant_type is required"},
			{name: "EmptyGrantType", form: func() url.Values { v := post(); v.Set("grant_type", ""); return v }(), status: 400, code: "invalid_request", want: "grant_type is required"},
			{name: "PasswordGrant", form: func() url.Values { v := post(); v.Set("grant_type", "password"); return v }(),
				status: 400, code: "unsupported_grant_type", want: "client_credentials"},
			{name: "AuthorizationCodeGrant", form: func() url.Values { v := post(); v.Set("grant_type", "authorization_code"); return v }(),
				status: 400, code: "unsupported_grant_type", want: "client_credentials"},

			// How the client authenticates.
			{name: "NoCredentials", form: cc(), status: 401, code: "invalid_client", want: "client authentication is required"},
			{name: "BasicAndBodySecret", form: cc("client_secret", acme.APIKey), headers: basic(id, acme.APIKey),
				status: 400, code: "invalid_request", want: "both"},
			{name: "BasicAndBodyBoth", form: post(), headers: basic(id, acme.APIKey), status: 400, code: "invalid_request", want: "both"},
			{name: "BasicAndOtherBodyClientID", form: cc("client_id", other.Tenant.ClientID), headers: basic(id, acme.APIKey),
				status: 400, code: "invalid_request", want: "client_id"},
			{name: "BearerScheme", form: cc(), headers: bearerHeader, status: 401, code: "invalid_client", want: "unsupported client authentication"},
			{name: "MalformedBasic", form: cc(), headers: []string{"Authorization", "Basic !!!not-base64"}, status: 400, code: "invalid_request", want: "malformed"},
			{name: "BasicWithoutColon", form: cc(), headers: []string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(id))},
				status: 400, code: "invalid_request", want: "malformed"},
			{name: "BasicNotFormEncoded", form: cc(), headers: []string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":%zz"))},
				status: 400, code: "invalid_request", want: "form-encoded"},
			{name: "SecretWithoutClientID", form: cc("client_secret", acme.APIKey), status: 400, code: "invalid_request", want: "client_id is required"},
			{name: "ClientIDWithoutSecret", form: cc("client_id", id), status: 401, code: "invalid_client", want: "client_secret is required"},

			// Who the client is: one answer for every failure.
			{name: "UnknownKeyBasic", form: cc(), headers: basic(id, "bdk_"+strings.Repeat("x", 40)), status: 401, code: "invalid_client", want: failed},
			{name: "UnknownKeyPost", form: cc("client_id", id, "client_secret", "bdk_"+strings.Repeat("x", 40)), status: 401, code: "invalid_client", want: failed},
			{name: "MalformedKey", form: cc("client_id", id, "client_secret", "hunter2"), status: 401, code: "invalid_client", want: failed},
			{name: "RevokedKey", form: cc(), headers: basic(id, revokedKey), status: 401, code: "invalid_client", want: failed},
			{name: "AnotherTenantsKey", form: cc("client_id", id, "client_secret", other.APIKey), status: 401, code: "invalid_client", want: failed},
			{name: "AnotherTenantsClientID", form: cc(), headers: basic(other.Tenant.ClientID, acme.APIKey), status: 401, code: "invalid_client", want: failed},
			{name: "MalformedClientID", form: cc(), headers: basic("acme", acme.APIKey), status: 401, code: "invalid_client", want: failed},
			{name: "UnknownClientID", form: cc("client_id", "clt_"+strings.Repeat("Z", 21), "client_secret", acme.APIKey), status: 401, code: "invalid_client", want: failed},
			{name: "SecretInURL", form: post(), headers: nil, status: 400, code: "invalid_request", want: "never in the URL"},

			// What the client asks for.
			{name: "ScopeSuperset", form: cc("client_id", id, "client_secret", readKey, "scope", "users:read users:write"),
				status: 400, code: "invalid_scope", want: "users:write"},
			{name: "ScopeAdminFromReadKey", form: cc("client_id", id, "client_secret", readKey, "scope", "admin"),
				status: 400, code: "invalid_scope", want: "admin"},
			{name: "UnknownScope", form: post("scope", "users:read openid"), status: 400, code: "invalid_scope", want: "openid"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				body := tt.body
				if tt.form != nil {
					body = tt.form.Encode()
				}
				path := tokenPath
				if tt.name == "SecretInURL" {
					path += "?client_secret=" + url.QueryEscape(acme.APIKey)
				}
				r := env.Do(t, http.MethodPost, path, body, append([]string{"Content-Type", formType}, tt.headers...)...)
				if r.Status != tt.status {
					t.Fatalf("got status %d %s, want %d", r.Status, r.Body, tt.status)
				}
				code, desc := oauthErr(t, asResponse(r))
				if code != tt.code || !strings.Contains(desc, tt.want) {
					t.Errorf("got %s %q, want %s with a description containing %q", code, desc, tt.code, tt.want)
				}
				wantNoStore(t, asResponse(r))
				challenge := r.Header.Get("WWW-Authenticate")
				if tt.status == http.StatusUnauthorized && challenge != `Basic realm="roster"` {
					t.Errorf("WWW-Authenticate: got %q, want Basic realm=\"roster\"", challenge)
				}
				if tt.status != http.StatusUnauthorized && challenge != "" {
					t.Errorf("WWW-Authenticate on a %d: got %q, want none", tt.status, challenge)
				}
				wantNotIn(t, "the response", string(r.Body), acme.APIKey, other.APIKey, readKey, revokedKey)
			})
		}

		// What does work, at the edges: Basic with a client_id in the body
		// that agrees, halves that are form-encoded beyond need, unknown
		// parameters (ignored, RFC 6749 §3.2), a charset on the media type.
		for name, r := range map[string]apitest.Response{
			"BasicWithSameBodyClientID": postToken(t, env, cc("client_id", id), basic(id, acme.APIKey)...),
			"BasicPercentEncoded": postToken(t, env, cc(), "Authorization", "Basic "+base64.StdEncoding.EncodeToString(
				[]byte(strings.ReplaceAll(id, "_", "%5F")+":"+strings.ReplaceAll(acme.APIKey, "_", "%5F")))),
			"UnknownParameter": postToken(t, env, post("audience", "somewhere", "resource", "x")),
			"Charset":          postToken(t, env, post(), "Content-Type", formType+"; charset=UTF-8"),
			"EmptyScope":       postToken(t, env, post("scope", "")),
		} {
			t.Run(name, func(t *testing.T) { wantScopes(t, wantGrant(t, r).Scope, core.AllScopes...) })
		}

		// A GET is not a token request.
		if r := env.Do(t, http.MethodGet, tokenPath, ""); r.Status != http.StatusMethodNotAllowed {
			t.Errorf("GET %s: got %d, want 405", tokenPath, r.Status)
		}
		env.AssertNoSecrets(t, acme.APIKey, other.APIKey, readKey, revokedKey)
	})
}

// TestToken_Scopes: a token carries what it asked for, at most its key's
// scopes, and by default all of them.
func TestToken_Scopes(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		readWrite, readWriteID := newKey(t, env, acme, core.ScopeUsersRead, core.ScopeUsersWrite)
		read, readID := newKey(t, env, acme, core.ScopeUsersRead)

		tests := []struct {
			name  string
			key   string
			keyID int64
			ask   string
			want  []string
		}{
			{"EveryScopeByDefault", acme.APIKey, acme.Key.ID, "", core.AllScopes},
			{"KeyScopesByDefault", readWrite, readWriteID, "", []string{core.ScopeUsersRead, core.ScopeUsersWrite}},
			{"ReadOnlyKeyByDefault", read, readID, "", []string{core.ScopeUsersRead}},
			{"Subset", readWrite, readWriteID, "users:write", []string{core.ScopeUsersWrite}},
			{"SubsetOfEvery", acme.APIKey, acme.Key.ID, "admin users:read", []string{core.ScopeUsersRead, core.ScopeAdmin}},
			{"AllOfTheKeys", readWrite, readWriteID, "users:write users:read", []string{core.ScopeUsersRead, core.ScopeUsersWrite}},
			{"Repeated", read, readID, "users:read users:read", []string{core.ScopeUsersRead}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				g := clientToken(t, env, acme, tt.key, tt.ask)
				wantScopes(t, g.Scope, tt.want...)
				claims, _ := verifyAsResourceServer(t, env.URL, g.AccessToken, time.Now())
				wantClientClaims(t, claims, acme, tt.keyID, strings.Join(tt.want, " "))
			})
		}

		// Never more than the key: a superset is refused, not trimmed.
		for _, ask := range []string{"users:write", "users:read users:write", "admin", "users:read admin"} {
			form := url.Values{"grant_type": {"client_credentials"}, "client_id": {acme.Tenant.ClientID}, "client_secret": {read}, "scope": {ask}}
			r := postToken(t, env, form)
			if r.Status != http.StatusBadRequest {
				t.Fatalf("scope %q from a users:read key: got %d %s, want 400", ask, r.Status, r.Body)
			}
			if code, _ := oauthErr(t, asResponse(r)); code != "invalid_scope" {
				t.Errorf("scope %q from a users:read key: got %s, want invalid_scope", ask, code)
			}
		}
	})
}
