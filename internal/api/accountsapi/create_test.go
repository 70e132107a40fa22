package accountsapi_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
)

// documented are the members of seed 002's User, every one of which the
// 201 of a create carries.
var documented = []string{
	"id", "email", "name", "active", "teamId", "phone", "imgSrc", "notificationPreferences",
	"createdBy", "updatedBy", "createdAt", "updatedAt", "accounts", "flatRolesList",
	"flatPermissionsList", "token",
}

// wantUserTypes checks that u has exactly the documented members (token
// only when withToken) typed as seed 002 documents them.
func wantUserTypes(t *testing.T, u map[string]any, withToken bool) {
	t.Helper()
	var keys []string
	for k := range u {
		keys = append(keys, k)
	}
	want := documented
	if !withToken {
		want = slices.DeleteFunc(slices.Clone(documented), func(k string) bool { return k == "token" })
	}
	slices.Sort(keys)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(keys, want) {
		t.Fatalf("members: got %v, want %v", keys, want)
	}
	if id, ok := u["id"].(float64); !ok || id < 1 || id != float64(int64(id)) {
		t.Errorf("id: got %#v, want a positive integer", u["id"])
	}
	for _, k := range []string{"email", "name", "phone", "imgSrc", "createdBy", "updatedBy"} {
		if _, ok := u[k].(string); !ok {
			t.Errorf("%s: got %#v, want a string", k, u[k])
		}
	}
	for _, k := range []string{"createdAt", "updatedAt"} {
		s, _ := u[k].(string)
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Errorf("%s: got %#v, want an RFC 3339 date-time", k, u[k])
		}
	}
	if _, ok := u["active"].(bool); !ok {
		t.Errorf("active: got %#v, want a boolean", u["active"])
	}
	if team, ok := u["teamId"].(float64); u["teamId"] != nil && (!ok || team < 1 || team != float64(int64(team))) {
		t.Errorf("teamId: got %#v, want an integer or null", u["teamId"])
	}
	prefs, ok := u["notificationPreferences"].([]any)
	if !ok {
		t.Errorf("notificationPreferences: got %#v, want a list", u["notificationPreferences"])
	}
	for i, p := range prefs {
		m, ok := p.(map[string]any)
		if _, isString := m["event"].(string); !ok || !isString {
			t.Errorf("notificationPreferences[%d]: got %#v, want an object with an event", i, p)
		}
		if _, isList := m["deliveryPref"].([]any); !isList {
			t.Errorf("notificationPreferences[%d].deliveryPref: got %#v, want a list", i, m["deliveryPref"])
		}
	}
	accounts, ok := u["accounts"].([]any)
	if !ok || len(accounts) == 0 {
		t.Errorf("accounts: got %#v, want a non-empty list", u["accounts"])
	}
	for i, a := range accounts {
		m, ok := a.(map[string]any)
		if !ok || len(m) != 4 {
			t.Errorf("accounts[%d]: got %#v, want an object of exactly 4 members", i, a)
			continue
		}
		_, id := m["accountId"].(string)
		_, name := m["accountName"].(string)
		_, primary := m["usersPrimaryAccount"].(bool)
		_, admin := m["accountAdmin"].(bool)
		if !id || !name || !primary || !admin {
			t.Errorf("accounts[%d]: got %#v, want accountId, accountName (strings), usersPrimaryAccount, accountAdmin (booleans)", i, m)
		}
	}
	for _, k := range []string{"flatRolesList", "flatPermissionsList"} {
		list, ok := u[k].([]any)
		if !ok {
			t.Errorf("%s: got %#v, want a list of strings", k, u[k])
		}
		for _, s := range list {
			if _, ok := s.(string); !ok {
				t.Errorf("%s: got %#v, want a list of strings", k, u[k])
			}
		}
	}
	if withToken {
		if tok, ok := u["token"].(string); !ok || tok == "" {
			t.Errorf("token: got %#v, want a string", u["token"])
		}
	}
}

// TestSeedExample: seed 002's own example request, with its placeholder
// replaced by a valid email, creates a user and answers seed 002's User
// with every member present and typed as documented.
func TestSeedExample(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		res := env.Do(t, http.MethodPost, "/users", seedCreate(t, "jane.roe@example.com"), key(tenant)...)
		if res.Status != http.StatusCreated {
			t.Fatalf("status: got %d, want 201; body %s", res.Status, res.Body)
		}
		if got := res.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control: got %q, want no-store (the answer holds a secret)", got)
		}
		var u map[string]any
		res.JSON(t, &u)
		wantUserTypes(t, u, true)

		label := "api-key:" + tenant.Key.Prefix
		for k, want := range map[string]any{
			"email": "jane.roe@example.com", "name": "", "active": true, "teamId": nil, "phone": "", "imgSrc": "",
			"createdBy": label, "updatedBy": label,
		} {
			if u[k] != want {
				t.Errorf("%s: got %#v, want %#v", k, u[k], want)
			}
		}
		if prefs := u["notificationPreferences"].([]any); len(prefs) != 0 {
			t.Errorf("notificationPreferences: got %v, want []", prefs)
		}
		account := u["accounts"].([]any)[0].(map[string]any)
		if len(u["accounts"].([]any)) != 1 || account["accountId"] != tenant.Tenant.AccountID() || account["accountName"] != "Acme" ||
			account["usersPrimaryAccount"] != true || account["accountAdmin"] != false {
			t.Errorf("accounts: got %v, want only Acme's, primary, not admin", u["accounts"])
		}
		if roles := fmt.Sprint(u["flatRolesList"]); roles != "[clientUser]" {
			t.Errorf("flatRolesList: got %s, want [clientUser]", roles)
		}
		if perms := fmt.Sprint(u["flatPermissionsList"]); perms != fmt.Sprint([]string{core.PermissionUsersReadSelf}) {
			t.Errorf("flatPermissionsList: got %s, want the clientUser role's", perms)
		}
		token := u["token"].(string)
		if !strings.HasPrefix(token, "spt_") {
			t.Errorf("token: got %q, want a set-password token (spt_...)", token)
		}

		events, err := env.Store.ListEvents(context.Background(), tenant.Tenant.ID, core.EventFilter{Type: core.EventUserCreated, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		last := events[len(events)-1]
		if last.SubjectID != fmt.Sprint(u["id"]) || last.Actor != label || strings.Contains(string(last.Payload), token) {
			t.Errorf("user_created event: %+v", last)
		}

		// The token is shown once: reading the user never shows it again.
		res = env.Do(t, http.MethodGet, userPath(u), "", key(tenant)...)
		var got map[string]any
		res.JSON(t, &got)
		wantUserTypes(t, got, false)
		if strings.Contains(string(res.Body), token) {
			t.Fatalf("GET shows the set-password token: %s", res.Body)
		}
		delete(u, "token")
		if fmt.Sprint(got) != fmt.Sprint(u) {
			t.Errorf("GET: got %v, want the created user %v", got, u)
		}
		env.AssertNoSecrets(t, tenant.APIKey, token)
	})
}

// TestCreateFullPayload: every member the face accepts is stored and shown
// back, and a clientAdmin's token is recorded by its email.
func TestCreateFullPayload(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		team := newTeam(t, env, tenant, "Sales")
		admin := login(t, env, tenant.Admin.Email, tenant.AdminPassword)
		body := fmt.Sprintf(`{
			"email": "full@example.com",
			"name": "  Full Name  ",
			"phone": "+14155550123",
			"imgSrc": "https://cdn.example.com/u/full.png",
			"teamId": %d,
			"active": false,
			"notificationPreferences": [
				{"event": "user_created", "accountId": %q, "deliveryPref": ["email", "sms"]},
				{"event": "team_created"},
				{"event": "webhook_delivery_failed", "deliveryPref": ["website", "weekly_email_digest", "monthly_email_digest"]}
			]
		}`, team.ID, tenant.Tenant.AccountID())
		res := env.Do(t, http.MethodPost, "/users", body, as(admin, tenant.Tenant.AccountID())...)
		if res.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.Status, res.Body)
		}
		var u map[string]any
		res.JSON(t, &u)
		wantUserTypes(t, u, true)
		for k, want := range map[string]any{
			"email": "full@example.com", "name": "Full Name", "phone": "+14155550123",
			"imgSrc": "https://cdn.example.com/u/full.png", "teamId": float64(team.ID), "active": false,
			"createdBy": tenant.Admin.Email, "updatedBy": tenant.Admin.Email,
		} {
			if u[k] != want {
				t.Errorf("%s: got %#v, want %#v", k, u[k], want)
			}
		}
		wantPrefs := fmt.Sprintf("[map[accountId:%s deliveryPref:[email sms] event:user_created] map[deliveryPref:[] event:team_created] "+
			"map[deliveryPref:[website weekly_email_digest monthly_email_digest] event:webhook_delivery_failed]]", tenant.Tenant.AccountID())
		if got := fmt.Sprint(u["notificationPreferences"]); got != wantPrefs {
			t.Errorf("notificationPreferences:\n got %s\nwant %s", got, wantPrefs)
		}
		// Stored, not only echoed.
		stored, err := env.Service.GetUser(context.Background(), core.OperatorFor(tenant.Tenant), int64(u["id"].(float64)))
		if err != nil {
			t.Fatal(err)
		}
		if stored.Phone != "+14155550123" || stored.ImageURL != "https://cdn.example.com/u/full.png" || stored.TeamID == nil ||
			*stored.TeamID != team.ID || stored.Active || len(stored.NotificationPreferences) != 3 {
			t.Errorf("stored user: %+v", stored)
		}
		env.AssertNoSecrets(t, tenant.APIKey, tenant.AdminPassword, admin, u["token"].(string))
	})
}

func TestCreateRefusals(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant(t, "Acme")
		other := env.NewTenant(t, "Other")
		otherTeam := newTeam(t, env, other, "Theirs")
		readOnly := scopedKey(t, env, tenant, core.ScopeUsersRead)
		createUser(t, env, tenant, `{"email":"taken@example.com"}`)
		if res := env.Do(t, http.MethodPost, "/api/users", `{"email":"plain@example.com","password":"plain-password-1"}`, apitest.Bearer(tenant.APIKey)...); res.Status != http.StatusCreated {
			t.Fatalf("setup: %d %s", res.Status, res.Body)
		}
		plain := login(t, env, "plain@example.com", "plain-password-1")
		valid := seedCreate(t, "new@example.com")
		mine, theirs := tenant.Tenant.AccountID(), other.Tenant.AccountID()
		prefs := func(list string) string { return `{"email":"p@example.com","notificationPreferences":` + list + `}` }

		tests := []struct {
			name       string
			body       string
			headers    []string
			wantStatus int
			wantMsg    string
		}{
			{"NoCredentials", valid, []string{"x-account-id", mine}, 401, "Authorization: Bearer"},
			{"NoAccountHeader", valid, as(tenant.APIKey, ""), 400, "x-account-id: the header is required"},
			{"MalformedAccountHeader", valid, as(tenant.APIKey, "acme"), 400, "x-account-id: must be an account id"},
			{"ZeroPaddedAccountHeader", valid, as(tenant.APIKey, "0"+mine), 400, "x-account-id: must be an account id"},
			{"OtherAccountHeader", valid, as(tenant.APIKey, theirs), 403, "x-account-id"},
			{"OtherTenantsKeyForThisAccount", valid, as(other.APIKey, mine), 403, "x-account-id"},
			{"ReadOnlyKey", valid, as(readOnly, mine), 403, "users:write"},
			{"ClientUserToken", valid, as(plain, mine), 403, "clientUser"},
			{"NotJSON", `email=a@example.com`, key(tenant), 400, "not valid JSON"},
			{"Array", `[` + valid + `]`, key(tenant), 400, "JSON object"},
			{"TrailingData", valid + `{}`, key(tenant), 400, "after the JSON object"},
			{"DuplicateKey", `{"email":"a@example.com","email":"b@example.com"}`, key(tenant), 400, "email: appears more than once"},
			{"UnknownField", `{"email":"a@example.com","displayName":"A"}`, key(tenant), 400, "displayName: is not a known field"},
			{"WrongCase", `{"email":"a@example.com","imgsrc":"https://x.example.com/a.png"}`, key(tenant), 400, "imgsrc: is not a known field"},
			{"PasswordField", `{"email":"a@example.com","password":"securepassword123"}`, key(tenant), 400, "password: is not a known field"},
			{"IDField", `{"id":7,"email":"a@example.com"}`, key(tenant), 400, "id: is not a known field"},
			{"TokenField", `{"email":"a@example.com","token":"spt_x"}`, key(tenant), 400, "token: is not a known field"},
			{"CreatedByField", `{"email":"a@example.com","createdBy":"me"}`, key(tenant), 400, "createdBy: is not a known field"},
			{"AccountsField", `{"email":"a@example.com","accounts":[]}`, key(tenant), 400, "accounts: is not a known field"},
			{"RolesField", `{"email":"a@example.com","flatRolesList":["clientAdmin"]}`, key(tenant), 400, "flatRolesList: is not a known field"},
			{"MissingEmail", `{"name":"No Email"}`, key(tenant), 400, "email: is required"},
			{"BadEmail", `{"email":"John <john@example.com>"}`, key(tenant), 400, "email:"},
			{"EmailPlaceholder", seedCreate(t, "string"), key(tenant), 400, "email:"},
			{"LongName", `{"email":"a@example.com","name":"` + strings.Repeat("n", 256) + `"}`, key(tenant), 400, "name: must be at most 255"},
			{"ActiveNotBool", `{"email":"a@example.com","active":"yes"}`, key(tenant), 400, "active: must be true or false"},
			{"PhoneNotE164", `{"email":"a@example.com","phone":"0412 345 678"}`, key(tenant), 400, "phone:"},
			{"PhoneNotString", `{"email":"a@example.com","phone":14155550123}`, key(tenant), 400, "phone: must be a string"},
			{"ImgSrcNotURL", `{"email":"a@example.com","imgSrc":"not a url"}`, key(tenant), 400, "imgSrc:"},
			{"ImgSrcJavascript", `{"email":"a@example.com","imgSrc":"javascript:alert(1)"}`, key(tenant), 400, "imgSrc:"},
			{"ImgSrcFTP", `{"email":"a@example.com","imgSrc":"ftp://files.example.com/a.png"}`, key(tenant), 400, "imgSrc:"},
			{"TeamIDNotNumber", `{"email":"a@example.com","teamId":"7"}`, key(tenant), 400, "teamId: must be a whole number"},
			{"TeamIDFraction", `{"email":"a@example.com","teamId":1.5}`, key(tenant), 400, "teamId: must be a whole number"},
			{"TeamIDUnknown", `{"email":"a@example.com","teamId":987654321}`, key(tenant), 400, "teamId:"},
			{"TeamIDOtherTenant", fmt.Sprintf(`{"email":"a@example.com","teamId":%d}`, otherTeam.ID), key(tenant), 400, "teamId:"},
			{"PreferencesObject", prefs(`{}`), key(tenant), 400, "notificationPreferences: must be a list"},
			{"PreferencesString", prefs(`"user_created"`), key(tenant), 400, "notificationPreferences: must be a list"},
			{"PreferenceNotObject", prefs(`["user_created"]`), key(tenant), 400, "notificationPreferences[0]: must be an object"},
			{"PreferenceNull", prefs(`[{"event":"user_created"},null]`), key(tenant), 400, "notificationPreferences[1]: must be an object"},
			{"PreferenceUnknownField", prefs(`[{"event":"user_created","channel":"email"}]`), key(tenant), 400, "notificationPreferences[0].channel: is not a known field"},
			{"PreferenceDuplicateField", prefs(`[{"event":"user_created","event":"user_deleted"}]`), key(tenant), 400, "notificationPreferences[0].event: appears more than once"},
			{"PreferenceEventNotString", prefs(`[{"event":5}]`), key(tenant), 400, "notificationPreferences[0].event: must be a string"},
			{"PreferenceDeliveryNotList", prefs(`[{"event":"user_created","deliveryPref":"email"}]`), key(tenant), 400, "notificationPreferences[0].deliveryPref: must be an array"},
			{"PreferenceMissingEvent", prefs(`[{"deliveryPref":["email"]}]`), key(tenant), 400, "notificationPreferences[0].event"},
			{"PreferenceUnknownEvent", prefs(`[{"event":"user_created"},{"event":"user_updated"},{"event":"lunch_served"}]`), key(tenant), 400, "notificationPreferences[2].event"},
			{"PreferenceUnknownDelivery", prefs(`[{"event":"user_created"},{"event":"user_updated","deliveryPref":["email","fax"]}]`), key(tenant), 400, "notificationPreferences[1].deliveryPref"},
			{"PreferenceMalformedAccount", prefs(`[{"event":"user_created","accountId":"acme"}]`), key(tenant), 400, "notificationPreferences[0].accountId"},
			{"PreferenceOtherAccount", prefs(`[{"event":"user_created","accountId":"` + theirs + `"}]`), key(tenant), 403, "notificationPreferences[0].accountId"},
			{"DuplicateEmailOtherCase", `{"email":"TAKEN@example.com"}`, key(tenant), 409, "email:"},
			{"DuplicateEmailOtherTenant", `{"email":"taken@EXAMPLE.com"}`, key(other), 409, "email:"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				unchanged(t, env, func() {
					res := env.Do(t, http.MethodPost, "/users", tt.body, tt.headers...)
					wantError(t, res, tt.wantStatus, tt.wantMsg)
					if tt.wantStatus == 401 && res.Header.Get("WWW-Authenticate") == "" {
						t.Error("401 without WWW-Authenticate")
					}
				}, tenant, other)
			})
		}

		t.Run("MediaTypeAndSize", func(t *testing.T) {
			unchanged(t, env, func() {
				wantError(t, env.Do(t, http.MethodPost, "/users", valid, key(tenant, "Content-Type", "text/plain")...),
					http.StatusUnsupportedMediaType, "Content-Type must be application/json")
				big := `{"email":"big@example.com","name":"` + strings.Repeat("x", 1<<20) + `"}`
				wantError(t, env.Do(t, http.MethodPost, "/users", big, key(tenant)...), http.StatusRequestEntityTooLarge, "larger than the limit")
			}, tenant)
		})
		env.AssertNoSecrets(t, tenant.APIKey, other.APIKey, readOnly, plain, "plain-password-1")
	})
}
