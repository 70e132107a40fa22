package clientapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/sqlite"
)

func TestSeedExamples(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		examples := []struct {
			name, path, body, email, password string
		}{
			{"CurlExample", "/_api/client/users", fixture(t, "seed000_create.json"), "john.doe@example.com", "securepassword123"},
			{"ZapierWithClientID", "/api/users", fixture(t, "seed000_zapier.json",
				"clt_SNHRbI6ttrOckf925lbaX", tenant.Tenant.ClientID,
				"{{user_email}}", "jane.roe@example.com",
				"{{user_name}}", "Jane Roe",
				"{{user_password}}", "another-secure-pw"), "jane.roe@example.com", "another-secure-pw"},
		}
		for _, ex := range examples {
			t.Run(ex.name, func(t *testing.T) {
				res := env.Do(t, http.MethodPost, ex.path, ex.body, apitest.Bearer(tenant.APIKey)...)
				if res.Status != http.StatusCreated {
					t.Fatalf("status: got %d, want 201; body %s", res.Status, res.Body)
				}
				var u userView
				res.JSON(t, &u)
				if u.ID == 0 || u.Email != ex.email || u.Role != "clientUser" || !u.EmailFilteringEnabled || u.ClientID != tenant.Tenant.ClientID {
					t.Fatalf("created user: %+v", u)
				}
				if _, err := time.Parse(time.RFC3339, u.CreatedAt); err != nil {
					t.Fatalf("createdAt %q is not RFC 3339", u.CreatedAt)
				}
				if strings.Contains(string(res.Body), ex.password) || strings.Contains(string(res.Body), "argon2") {
					t.Fatalf("the response shows the password or its hash: %s", res.Body)
				}
				// "Users can log in right away using their email and the password you provided."
				login := env.Do(t, http.MethodPost, "/api/auth/login",
					fmt.Sprintf(`{"email":%q,"password":%q}`, ex.email, ex.password))
				if login.Status != http.StatusOK {
					t.Fatalf("login: got %d %s", login.Status, login.Body)
				}
				var tok struct {
					AccessToken string `json:"access_token"`
				}
				login.JSON(t, &tok)
				claims := verifyWithJWKS(t, env, tok.AccessToken)
				if claims["sub"] != fmt.Sprint(u.ID) || claims["tenant"] != tenant.Tenant.ClientID {
					t.Fatalf("token claims: %v", claims)
				}
				env.AssertNoSecrets(t, tenant.APIKey, ex.password, tok.AccessToken)
			})
		}
	})
}

func TestCreateUserRefusals(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		other := env.NewTenant(t, "Other")
		revoked, revokedKey, err := env.Service.CreateAPIKey(context.Background(), core.OperatorFor(tenant.Tenant), core.CreateAPIKey{Name: "old"})
		if err != nil {
			t.Fatal(err)
		}
		if err := env.Service.RevokeAPIKey(context.Background(), core.OperatorFor(tenant.Tenant), revoked.ID); err != nil {
			t.Fatal(err)
		}
		readOnly, readOnlyKey, err := env.Service.CreateAPIKey(context.Background(), core.OperatorFor(tenant.Tenant), core.CreateAPIKey{Scopes: []string{core.ScopeUsersRead}})
		if err != nil || readOnly.ID == 0 {
			t.Fatal(err)
		}
		taken := `{"email":"taken@example.com","password":"securepassword123"}`
		if res := env.Do(t, http.MethodPost, "/api/users", taken, apitest.Bearer(tenant.APIKey)...); res.Status != http.StatusCreated {
			t.Fatalf("setup: %d %s", res.Status, res.Body)
		}
		valid := fixture(t, "seed000_create.json")
		auth := apitest.Bearer(tenant.APIKey)

		tests := []struct {
			name       string
			body       string
			headers    []string
			wantStatus int
			wantMsg    string
		}{
			{"NoCredentials", valid, nil, 401, "Authorization: Bearer"},
			{"ZapierBearerLabel", valid, []string{"Bearer", tenant.APIKey}, 401, `header named "Bearer"`},
			{"KeyWithoutBearerWord", valid, []string{"Authorization", tenant.APIKey}, 401, "put the word Bearer and a space before the key"},
			{"BasicScheme", valid, []string{"Authorization", "Basic dXNlcjpwYXNz"}, 401, "unsupported authorization scheme"},
			{"UnknownKey", valid, apitest.Bearer("bdk_" + strings.Repeat("x", 40)), 401, "not valid"},
			{"MalformedKey", valid, apitest.Bearer("bdk_short"), 401, "malformed"},
			{"RevokedKey", valid, apitest.Bearer(revokedKey), 401, "revoked"},
			{"GarbageToken", valid, apitest.Bearer("eyJ.garbage.token"), 401, ""},
			{"ReadOnlyKey", valid, apitest.Bearer(readOnlyKey), 403, "users:write"},
			{"NotJSON", `email=a@x.io`, auth, 400, "not valid JSON"},
			{"Array", `[` + valid + `]`, auth, 400, "JSON object"},
			{"TrailingData", valid + `{}`, auth, 400, "after the JSON object"},
			{"DuplicateKey", `{"email":"a@x.io","email":"b@x.io","password":"securepassword123"}`, auth, 400, "email: appears more than once"},
			{"TypoDisplayname", `{"email":"a@x.io","displayname":"A","password":"securepassword123"}`, auth, 400, "displayname: is not a known field"},
			{"PasswordHashField", `{"email":"a@x.io","passwordHash":"$argon2id$..."}`, auth, 400, "passwordHash: is not a known field"},
			{"IDField", `{"id":7,"email":"a@x.io"}`, auth, 400, "id: is not a known field"},
			{"CreatedByField", `{"createdBy":"me","email":"a@x.io"}`, auth, 400, "createdBy: is not a known field"},
			{"WrongType", `{"email":"a@x.io","emailFilteringEnabled":"yes"}`, auth, 400, "emailFilteringEnabled: must be true or false"},
			{"MissingEmail", `{"displayName":"A","password":"securepassword123"}`, auth, 400, "email: is required"},
			{"BadEmail", `{"email":"John <john@example.com>","password":"securepassword123"}`, auth, 400, "email:"},
			{"EmailWithoutDomainDot", `{"email":"a@b","password":"securepassword123"}`, auth, 400, "email:"},
			{"ShortPassword", `{"email":"a@x.io","password":"1234567"}`, auth, 400, "password: must be at least 8"},
			{"LongPassword", `{"email":"a@x.io","password":"` + strings.Repeat("p", 257) + `"}`, auth, 400, "password: must be at most 256"},
			{"PasswordIsEmail", `{"email":"a@x.io.com","password":"a@x.io.com"}`, auth, 400, "password: must not be the email"},
			{"LongDisplayName", `{"email":"a@x.io","displayName":"` + strings.Repeat("n", 256) + `"}`, auth, 400, "displayName: must be at most 255"},
			{"EditorRole", `{"email":"a@x.io","role":"editor"}`, auth, 403, `role: only "clientUser" or "clientAdmin"`},
			{"UnknownRole", `{"email":"a@x.io","role":"superAdmin"}`, auth, 403, "role:"},
			{"OtherTenantClientID", `{"clientId":"` + other.Tenant.ClientID + `","email":"a@x.io"}`, auth, 403, "clientId: does not match"},
			{"DuplicateEmailOtherCase", `{"email":"TAKEN@example.com","password":"securepassword123"}`, auth, 409, "email:"},
			{"DuplicateEmailOtherTenant", `{"email":"taken@EXAMPLE.com"}`, apitest.Bearer(other.APIKey), 409, "email:"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				users, events := counts(t, env, tenant)
				otherUsers, otherEvents := counts(t, env, other)
				res := env.Do(t, http.MethodPost, "/api/users", tt.body, tt.headers...)
				wantError(t, res, tt.wantStatus, tt.wantMsg)
				if tt.wantStatus == 401 && res.Header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
				u2, e2 := counts(t, env, tenant)
				o2, oe2 := counts(t, env, other)
				if u2 != users || e2 != events || o2 != otherUsers || oe2 != otherEvents {
					t.Fatalf("a refused request changed state: users %d->%d, events %d->%d (other tenant %d->%d, %d->%d)",
						users, u2, events, e2, otherUsers, o2, otherEvents, oe2)
				}
			})
		}

		t.Run("MediaTypeAndSize", func(t *testing.T) {
			users, events := counts(t, env, tenant)
			res := env.Do(t, http.MethodPost, "/api/users", valid, append(auth, "Content-Type", "text/plain")...)
			wantError(t, res, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
			big := `{"email":"big@example.com","displayName":"` + strings.Repeat("x", 1<<20) + `"}`
			res = env.Do(t, http.MethodPost, "/api/users", big, auth...)
			wantError(t, res, http.StatusRequestEntityTooLarge, "larger than the limit")
			if u2, e2 := counts(t, env, tenant); u2 != users || e2 != events {
				t.Fatalf("state changed: users %d->%d events %d->%d", users, u2, events, e2)
			}
		})
		env.AssertNoSecrets(t, tenant.APIKey, other.APIKey, revokedKey, readOnlyKey, "securepassword123")
	})
}

func TestCreateUserDefaultsAndEvent(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		res := env.Do(t, http.MethodPost, "/api/users", `{"email":"  Min@Example.com ","password":"securepassword123"}`, apitest.Bearer(tenant.APIKey)...)
		if res.Status != http.StatusCreated {
			t.Fatalf("got %d %s", res.Status, res.Body)
		}
		var u userView
		res.JSON(t, &u)
		if u.Email != "Min@Example.com" || u.Role != core.RoleClientUser || !u.EmailFilteringEnabled || u.DisplayName != "" {
			t.Fatalf("defaults: %+v", u)
		}
		events, err := env.Store.ListEvents(context.Background(), tenant.Tenant.ID, core.EventFilter{Type: core.EventUserCreated, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		last := events[len(events)-1]
		if last.SubjectID != fmt.Sprint(u.ID) || last.Actor != "api-key:"+tenant.Key.Prefix {
			t.Fatalf("user_created event: %+v", last)
		}
		if strings.Contains(string(last.Payload), "securepassword123") || strings.Contains(string(last.Payload), "argon2") {
			t.Fatalf("event payload holds a secret: %s", last.Payload)
		}
		admin := env.Do(t, http.MethodPost, "/api/users", `{"email":"boss@example.com","role":"clientAdmin","emailFilteringEnabled":false}`, apitest.Bearer(tenant.APIKey)...)
		var a userView
		admin.JSON(t, &a)
		if admin.Status != http.StatusCreated || a.Role != core.RoleClientAdmin || a.EmailFilteringEnabled {
			t.Fatalf("clientAdmin create: %d %s", admin.Status, admin.Body)
		}
	})
}

// TestConcurrentDuplicateEmail: twenty creates of one address in mixed case
// race; the unique index lets exactly one through.
func TestConcurrentDuplicateEmail(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		const n = 20
		statuses := make([]int, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				email := "race@example.com"
				if i%2 == 1 {
					email = "RACE@Example.COM"
				}
				<-start
				res := env.Do(t, http.MethodPost, "/api/users", fmt.Sprintf(`{"email":%q,"password":"securepassword123"}`, email), apitest.Bearer(tenant.APIKey)...)
				statuses[i] = res.Status
			}()
		}
		close(start)
		wg.Wait()
		created, conflicts := 0, 0
		for _, s := range statuses {
			switch s {
			case http.StatusCreated:
				created++
			case http.StatusConflict:
				conflicts++
			}
		}
		if created != 1 || conflicts != n-1 {
			t.Fatalf("statuses %v: got %d created and %d conflicts, want 1 and %d", statuses, created, conflicts, n-1)
		}
	})
}

// TestBusyHashPool: when every hashing worker is taken and the wait runs
// out, a create answers 503 with Retry-After and stores nothing.
func TestBusyHashPool(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir()+"/r.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	env := apitest.New(t, st, core.HashPoolConfig{Workers: 1, Queue: 1, Wait: 20 * time.Millisecond})
	tenant := env.NewTenant(t, "Acme")
	users, events := counts(t, env, tenant)

	// Hold the only worker with a slow verification of a costly hash.
	costly := "$argon2id$v=19$m=262144,t=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
	held := make(chan struct{})
	go func() {
		defer close(held)
		_, _, _ = env.Service.Hashes().Verify(context.Background(), "x", costly)
	}()
	time.Sleep(30 * time.Millisecond)

	res := env.Do(t, http.MethodPost, "/api/users", `{"email":"busy@example.com","password":"securepassword123"}`, apitest.Bearer(tenant.APIKey)...)
	wantError(t, res, http.StatusServiceUnavailable, "busy")
	if ra := res.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After: got %q, want a positive number of seconds", ra)
	}
	if u2, e2 := counts(t, env, tenant); u2 != users || e2 != events {
		t.Fatalf("a busy refusal changed state: users %d->%d, events %d->%d", users, u2, events, e2)
	}
	<-held
}
