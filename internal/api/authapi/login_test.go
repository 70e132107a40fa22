package authapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/token"
)

const loginPath = "/api/auth/login"

// invalidLogin is the one body every failed login gets.
const invalidLogin = `{"error":"invalid_grant","error_description":"invalid email or password"}` + "\n"

// loginBody is a successful login, decoded strictly.
type loginBody struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	User        struct {
		ID          int64  `json:"id"`
		Email       string `json:"email"`
		DisplayName string `json:"displayName"`
		Role        string `json:"role"`
		ClientID    string `json:"clientId"`
	} `json:"user"`
}

func decodeLoginBody(t *testing.T, r response) loginBody {
	t.Helper()
	var b loginBody
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		t.Fatalf("decode login body %s: %v", r.Body, err)
	}
	return b
}

func TestLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.Acme.Admin

	r := e.login(t, "  "+strings.ToUpper(admin.Email)+" ", e.Acme.AdminPassword)
	if r.Status != http.StatusOK {
		t.Fatalf("got status %d %s, want 200", r.Status, r.Body)
	}
	wantNoStore(t, r)
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type: got %q, want application/json", ct)
	}
	b := decodeLoginBody(t, r)
	if b.TokenType != "Bearer" || b.ExpiresIn != int64(token.DefaultTTL/time.Second) || b.AccessToken == "" {
		t.Errorf("got token_type %q expires_in %d token %q, want Bearer, %d and a token",
			b.TokenType, b.ExpiresIn, b.AccessToken, int64(token.DefaultTTL/time.Second))
	}
	u := b.User
	if u.ID != admin.ID || u.Email != admin.Email || u.DisplayName != admin.Name ||
		u.Role != core.RoleClientAdmin || u.ClientID != e.Acme.Tenant.ClientID {
		t.Errorf("got user %+v, want id %d email %q displayName %q role %q clientId %q",
			u, admin.ID, admin.Email, admin.Name, core.RoleClientAdmin, e.Acme.Tenant.ClientID)
	}

	// The token verifies as a resource server would check it: with only the
	// JWKS fetched over HTTP.
	jr := e.do(t, http.MethodGet, "/.well-known/jwks.json", "", nil)
	if jr.Status != http.StatusOK {
		t.Fatalf("GET jwks.json: got status %d, want 200", jr.Status)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(jr.Body, &set); err != nil {
		t.Fatalf("decode JWKS %s: %v", jr.Body, err)
	}
	tok, err := jwt.ParseSigned(b.AccessToken, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("ParseSigned: %v", err)
	}
	keys := set.Key(tok.Headers[0].KeyID)
	if len(keys) != 1 || !keys[0].IsPublic() || keys[0].Algorithm != "ES256" || keys[0].Use != "sig" {
		t.Fatalf("JWKS %s: want one public ES256 signing key with kid %q", jr.Body, tok.Headers[0].KeyID)
	}
	var std jwt.Claims
	var priv struct {
		Tenant string `json:"tenant"`
		Role   string `json:"role"`
		Kind   string `json:"kind"`
	}
	if err := tok.Claims(keys[0].Key, &std, &priv); err != nil {
		t.Fatalf("verify with the JWKS key: %v", err)
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: testIssuer, AnyAudience: jwt.Audience{"roster"}}, 0); err != nil {
		t.Errorf("validate claims: %v", err)
	}
	if std.Subject != strconv.FormatInt(admin.ID, 10) || priv.Tenant != e.Acme.Tenant.ClientID ||
		priv.Role != core.RoleClientAdmin || priv.Kind != token.KindUser {
		t.Errorf("got sub %q tenant %q role %q kind %q, want %d %q %q user",
			std.Subject, priv.Tenant, priv.Role, priv.Kind, admin.ID, e.Acme.Tenant.ClientID, core.RoleClientAdmin)
	}
	if _, err := e.Tokens.Verify(t.Context(), b.AccessToken); err != nil {
		t.Errorf("Issuer.Verify: %v", err)
	}

	// A charset parameter is fine.
	body := `{"email":"` + admin.Email + `","password":"` + e.Acme.AdminPassword + `"}`
	if r := e.do(t, http.MethodPost, loginPath, "application/json; charset=utf-8", strings.NewReader(body)); r.Status != http.StatusOK {
		t.Errorf("with a charset: got status %d %s, want 200", r.Status, r.Body)
	}
}

func TestLogin_FailuresAreIdentical(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	password := "correct horse battery"
	for _, cmd := range []core.CreateUser{
		{Email: "inactive@example.com", Password: &password, Active: new(false)},
		{Email: "nopass@example.com"},
	} {
		if _, err := e.Svc.CreateUser(t.Context(), e.Key, cmd); err != nil {
			t.Fatalf("CreateUser(%s): %v", cmd.Email, err)
		}
	}

	var first response
	for i, tt := range []struct{ name, email, password string }{
		{"UnknownEmail", "nobody@example.com", password},
		{"WrongPassword", e.Acme.Admin.Email, "not the password"},
		{"InactiveUser", "inactive@example.com", password},
		{"NoPassword", "nopass@example.com", password},
		{"MalformedEmail", "not an email", password},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.login(t, tt.email, tt.password)
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("got status %d %s, want 401", r.Status, r.Body)
			}
			if string(r.Body) != invalidLogin {
				t.Errorf("got body %s, want %s", r.Body, invalidLogin)
			}
			wantNoStore(t, r)
			if i == 0 {
				first = r
				return
			}
			if !bytes.Equal(r.Body, first.Body) {
				t.Errorf("got body %q, want byte-identical %q", r.Body, first.Body)
			}
			for _, h := range []string{"Content-Type", "Content-Length", "Cache-Control", "Pragma", "Www-Authenticate", "Retry-After"} {
				if got, want := r.Header.Values(h), first.Header.Values(h); strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("header %s: got %q, want %q as for an unknown email", h, got, want)
				}
			}
		})
	}
}

func TestLogin_BadRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	good := `"email":"a@example.com","password":"secret-password"`
	tests := []struct {
		name, contentType, body string
		wantStatus              int
		wantDescription         string // a part of error_description
	}{
		{"NotJSON", "application/json", `{"email":`, 400, "not valid JSON"},
		{"Empty", "application/json", ``, 400, "JSON object"},
		{"Array", "application/json", `[]`, 400, "JSON object"},
		{"Null", "application/json", `null`, 400, "JSON object"},
		{"String", "application/json", `"a@example.com"`, 400, "JSON object"},
		{"MissingEmail", "application/json", `{"password":"secret-password"}`, 400, "email: is required"},
		{"EmptyEmail", "application/json", `{"email":"","password":"secret-password"}`, 400, "email: is required"},
		{"MissingPassword", "application/json", `{"email":"a@example.com"}`, 400, "password: is required"},
		{"UnknownField", "application/json", `{` + good + `,"emial":"b@example.com"}`, 400, "emial: is not a known field"},
		{"WrongCase", "application/json", `{"Email":"a@example.com","password":"secret-password"}`, 400, "Email: is not a known field"},
		{"EmailNotString", "application/json", `{"email":42,"password":"secret-password"}`, 400, "email: must be a string"},
		{"PasswordNull", "application/json", `{"email":"a@example.com","password":null}`, 400, "password: is required"},
		{"PasswordObject", "application/json", `{"email":"a@example.com","password":{"x":1}}`, 400, "password: must be a string"},
		{"DuplicateField", "application/json", `{` + good + `,"password":"other-password"}`, 400, "password: appears more than once"},
		{"TrailingData", "application/json", `{` + good + `} {}`, 400, "after the JSON object"},
		{"NoContentType", "", `{` + good + `}`, 415, "application/json"},
		{"TextPlain", "text/plain", `{` + good + `}`, 415, "application/json"},
		{"Form", "application/x-www-form-urlencoded", `email=a%40example.com&password=x`, 415, "application/json"},
		{"BadMediaType", "application/json;;", `{` + good + `}`, 415, "application/json"},
		{"TooLarge", "application/json", `{` + good + `,"x":"` + strings.Repeat("a", 64<<10) + `"}`, 413, "65536 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, http.MethodPost, loginPath, tt.contentType, strings.NewReader(tt.body))
			if r.Status != tt.wantStatus {
				t.Fatalf("got status %d %s, want %d", r.Status, r.Body, tt.wantStatus)
			}
			code, desc := oauthErr(t, r)
			if code != "invalid_request" {
				t.Errorf("got error %q, want invalid_request", code)
			}
			if !strings.Contains(desc, tt.wantDescription) {
				t.Errorf("got error_description %q, want it to contain %q", desc, tt.wantDescription)
			}
			wantNoStore(t, r)
			wantNotIn(t, "error body", string(r.Body), "secret-password", "other-password")
		})
	}
}

// failingStore fails every user lookup, as a store that lost its disk would.
type failingStore struct{ core.Store }

func (failingStore) GetUserByEmail(context.Context, string) (core.User, error) {
	return core.User{}, errors.New("disk on fire")
}

func TestLogin_InternalError(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *envOptions) {
		o.store = func(st core.Store) core.Store { return failingStore{st} }
	})
	r := e.login(t, e.Acme.Admin.Email, e.Acme.AdminPassword)
	if r.Status != http.StatusInternalServerError {
		t.Fatalf("got status %d %s, want 500", r.Status, r.Body)
	}
	id := r.Header.Get(httpkit.RequestIDHeader)
	code, desc := oauthErr(t, r)
	if code != "server_error" || desc != "internal error; request id "+id || id == "" {
		t.Errorf("got %s %q, want server_error %q", code, desc, "internal error; request id "+id)
	}
	wantNotIn(t, "500 body", string(r.Body), "disk on fire")
	wantNoStore(t, r)

	var found bool
	for line := range strings.Lines(e.Logs.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["level"] == "ERROR" && rec["request_id"] == id && strings.Contains(rec["error"].(string), "disk on fire") {
			found = true
		}
	}
	if !found {
		t.Errorf("no error log line with request_id %s and the cause in:\n%s", id, e.Logs)
	}
	wantNotIn(t, "logs", e.Logs.String(), e.Acme.AdminPassword)
}

func TestLogin_Busy(t *testing.T) {
	t.Parallel()
	// One worker, and no waiting for it: while the hammers below keep it
	// busy, a login cannot get it.
	pool := newPool(t, core.HashPoolConfig{
		Params:  core.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		Workers: 1, Wait: time.Nanosecond,
	})
	e := newEnv(t, func(o *envOptions) { o.pool = pool })

	ctx, stop := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for ctx.Err() == nil {
				_, _ = pool.Hash(ctx, "keep the worker busy")
			}
		})
	}
	defer wg.Wait()
	defer stop()

	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		r := e.login(t, "nobody@example.com", "some password")
		if r.Status == http.StatusUnauthorized {
			continue // the login got the worker this time
		}
		if r.Status != http.StatusServiceUnavailable {
			t.Fatalf("got status %d %s, want 503 or 401", r.Status, r.Body)
		}
		if got := r.Header.Get("Retry-After"); got != "1" {
			t.Errorf("Retry-After: got %q, want 1", got)
		}
		if code, _ := oauthErr(t, r); code != "temporarily_unavailable" {
			t.Errorf("got error %q, want temporarily_unavailable", code)
		}
		wantNoStore(t, r)
		return
	}
	t.Fatalf("no login was refused as busy in 20 s")
}

// TestLogin_LogsNoSecrets runs successful and failed logins and looks for
// the passwords and the token in everything logged.
func TestLogin_LogsNoSecrets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ok := e.login(t, e.Acme.Admin.Email, e.Acme.AdminPassword)
	if ok.Status != http.StatusOK {
		t.Fatalf("login: got status %d, want 200", ok.Status)
	}
	tok := decodeLoginBody(t, ok).AccessToken
	const wrong = "wrong-password-in-logs"
	e.login(t, e.Acme.Admin.Email, wrong)
	e.login(t, "nobody@example.com", wrong)
	e.do(t, http.MethodPost, loginPath, "application/json", strings.NewReader(`{"email":"a@example.com","password":"`+wrong+`","x":1}`))
	e.do(t, http.MethodGet, "/.well-known/jwks.json", "", nil)

	logs := e.Logs.String()
	if !strings.Contains(logs, loginPath) {
		t.Fatalf("the logs hold no request lines: %s", logs)
	}
	wantNotIn(t, "logs", logs, e.Acme.AdminPassword, wrong, tok, strings.Split(tok, ".")[2])
}
