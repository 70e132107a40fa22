package core_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/internal/core"
)

// TestCreateUserFields: every optional field of CreateUser, accepted in its
// canonical form and stored as such, or refused naming the field with
// nothing stored.
func TestCreateUserFields(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		globex := createTenant(t, svc, "Globex")
		sales, err := svc.CreateRole(ctx, acme.key, core.CreateRole{Key: "sales", Permissions: []string{"leads:read"}})
		if err != nil {
			t.Fatalf("CreateRole: %v", err)
		}
		theirRole, err := svc.CreateRole(ctx, globex.key, core.CreateRole{Key: "theirs"})
		if err != nil {
			t.Fatalf("CreateRole(globex): %v", err)
		}
		team, err := svc.CreateTeam(ctx, acme.key, "Red")
		if err != nil {
			t.Fatalf("CreateTeam: %v", err)
		}
		theirTeam, err := svc.CreateTeam(ctx, globex.key, "Red")
		if err != nil {
			t.Fatalf("CreateTeam(globex): %v", err)
		}

		long := strings.Repeat("é", 255) // 255 characters, 510 octets
		accepted := []struct {
			name  string
			cmd   func(*core.CreateUser)
			check func(t *testing.T, u core.User)
		}{
			{"LanguageShort", func(c *core.CreateUser) { c.Language = "en" }, wantLanguage("en")},
			{"LanguageRegion", func(c *core.CreateUser) { c.Language = "pt-BR" }, wantLanguage("pt-BR")},
			{"LanguageScriptRegion", func(c *core.CreateUser) { c.Language = "zh-Hant-TW" }, wantLanguage("zh-Hant-TW")},
			{"LanguageCanonicalCase", func(c *core.CreateUser) { c.Language = "EN-us" }, wantLanguage("en-US")},
			{"LanguageUNM49Region", func(c *core.CreateUser) { c.Language = "es-419" }, wantLanguage("es-419")},
			{"TimezoneParis", func(c *core.CreateUser) { c.Timezone = "Europe/Paris" }, func(t *testing.T, u core.User) { want(t, "timezone", u.Timezone, "Europe/Paris") }},
			{"TimezoneThreeParts", func(c *core.CreateUser) { c.Timezone = "America/Argentina/Buenos_Aires" },
				func(t *testing.T, u core.User) { want(t, "timezone", u.Timezone, "America/Argentina/Buenos_Aires") }},
			{"TimezoneUTC", func(c *core.CreateUser) { c.Timezone = "UTC" }, func(t *testing.T, u core.User) { want(t, "timezone", u.Timezone, "UTC") }},
			{"Phone", func(c *core.CreateUser) { c.Phone = "+5511999999999" }, func(t *testing.T, u core.User) { want(t, "phone", u.Phone, "+5511999999999") }},
			{"PhoneFifteenDigits", func(c *core.CreateUser) { c.Phone = "+123456789012345" }, func(t *testing.T, u core.User) { want(t, "phone", u.Phone, "+123456789012345") }},
			{"ImageHTTPS", func(c *core.CreateUser) { c.ImageURL = "https://cdn.example.com/a.png?s=64" },
				func(t *testing.T, u core.User) { want(t, "imageUrl", u.ImageURL, "https://cdn.example.com/a.png?s=64") }},
			{"ImageHTTP", func(c *core.CreateUser) { c.ImageURL = "http://example.com/a.png" },
				func(t *testing.T, u core.User) { want(t, "imageUrl", u.ImageURL, "http://example.com/a.png") }},
			{"ImageURL2048", func(c *core.CreateUser) { c.ImageURL = "https://example.com/" + strings.Repeat("a", 2048-20) },
				func(t *testing.T, u core.User) { want(t, "imageUrl length", len(u.ImageURL), 2048) }},
			{"Texts255Characters", func(c *core.CreateUser) {
				c.ExternalID = long
				c.ExternalRefs = [3]string{long, "r2", ""}
				c.Strings = [5]string{"s1", "", "s3", "", long}
			}, func(t *testing.T, u core.User) {
				want(t, "externalId", u.ExternalID, long)
				want(t, "externalRefs", u.ExternalRefs, [3]string{long, "r2", ""})
				want(t, "strings", u.Strings, [5]string{"s1", "", "s3", "", long})
			}},
			{"NotificationPreferences", func(c *core.CreateUser) {
				c.NotificationPreferences = []core.NotificationPreference{
					{Event: "user_created", AccountID: "2311", DeliveryPref: []string{"email", "sms", "email"}},
					{Event: "user_created"},
					{Event: "cron_job", DeliveryPref: []string{"website", "weekly_email_digest", "monthly_email_digest"}},
				}
			}, func(t *testing.T, u core.User) {
				want(t, "notificationPreferences", u.NotificationPreferences, []core.NotificationPreference{
					{Event: "user_created", AccountID: "2311", DeliveryPref: []string{"email", "sms"}},
					{Event: "user_created"},
					{Event: "cron_job", DeliveryPref: []string{"website", "weekly_email_digest", "monthly_email_digest"}},
				})
			}},
			{"RoleIDBuiltin", func(c *core.CreateUser) { c.RoleID = ptr(core.RoleIDEditor) }, func(t *testing.T, u core.User) {
				want(t, "role", [2]any{u.RoleID, u.Role}, [2]any{core.RoleIDEditor, core.RoleEditor})
			}},
			{"RoleIDClientAdminIsAccountAdmin", func(c *core.CreateUser) { c.RoleID = ptr(core.RoleIDClientAdmin) }, func(t *testing.T, u core.User) {
				want(t, "role", [3]any{u.RoleID, u.Role, u.AccountAdmin}, [3]any{core.RoleIDClientAdmin, core.RoleClientAdmin, true})
			}},
			{"RoleIDCustom", func(c *core.CreateUser) { c.RoleID = &sales.ID }, func(t *testing.T, u core.User) {
				want(t, "role", [3]any{u.RoleID, u.Role, u.AccountAdmin}, [3]any{sales.ID, "sales", false})
			}},
			{"RoleKeyCustom", func(c *core.CreateUser) { c.Role = "sales" }, func(t *testing.T, u core.User) {
				want(t, "role", [2]any{u.RoleID, u.Role}, [2]any{sales.ID, "sales"})
			}},
			{"Team", func(c *core.CreateUser) { c.TeamID = &team.ID }, func(t *testing.T, u core.User) {
				if u.TeamID == nil || *u.TeamID != team.ID {
					t.Errorf("got team %v, want %d", u.TeamID, team.ID)
				}
			}},
			{"NoneGiven", func(c *core.CreateUser) {}, func(t *testing.T, u core.User) {
				want(t, "optional fields", [5]string{u.Language, u.Timezone, u.Phone, u.ImageURL, u.ExternalID}, [5]string{})
				if u.TeamID != nil || u.NotificationPreferences != nil {
					t.Errorf("got team %v and preferences %v, want none", u.TeamID, u.NotificationPreferences)
				}
			}},
		}
		for i, tt := range accepted {
			t.Run("Accepted/"+tt.name, func(t *testing.T) {
				cmd := core.CreateUser{Email: fmt.Sprintf("ok%d@example.com", i), Password: ptr(seedPassword)}
				tt.cmd(&cmd)
				created, err := svc.CreateUser(ctx, acme.key, cmd)
				if err != nil {
					t.Fatalf("CreateUser: %v", err)
				}
				tt.check(t, created.User)
				stored, err := st.GetUser(ctx, acme.Tenant.ID, created.User.ID)
				if err != nil {
					t.Fatalf("store GetUser: %v", err)
				}
				if diff := cmp.Diff(created.User, stored); diff != "" {
					t.Errorf("stored user differs from the returned one (-returned +stored):\n%s", diff)
				}
			})
		}

		refused := []struct {
			name      string
			cmd       func(*core.CreateUser)
			wantCode  core.ErrorCode
			wantField string
		}{
			{"LanguageWord", func(c *core.CreateUser) { c.Language = "english" }, core.Invalid, "language"},
			{"LanguageUnderscore", func(c *core.CreateUser) { c.Language = "en_US" }, core.Invalid, "language"},
			{"LanguageUnknown", func(c *core.CreateUser) { c.Language = "xx-YY" }, core.Invalid, "language"},
			{"LanguageTrailingHyphen", func(c *core.CreateUser) { c.Language = "en-" }, core.Invalid, "language"},
			{"LanguageUndetermined", func(c *core.CreateUser) { c.Language = "und" }, core.Invalid, "language"},
			{"TimezoneLocal", func(c *core.CreateUser) { c.Timezone = "Local" }, core.Invalid, "timezone"},
			{"TimezoneUnknown", func(c *core.CreateUser) { c.Timezone = "Mars/Base" }, core.Invalid, "timezone"},
			{"TimezoneWrongCase", func(c *core.CreateUser) { c.Timezone = "europe/paris" }, core.Invalid, "timezone"},
			{"TimezonePath", func(c *core.CreateUser) { c.Timezone = "../etc/passwd" }, core.Invalid, "timezone"},
			{"TimezoneOffset", func(c *core.CreateUser) { c.Timezone = "+02:00" }, core.Invalid, "timezone"},
			{"PhoneNoPlus", func(c *core.CreateUser) { c.Phone = "5511999" }, core.Invalid, "phone"},
			{"PhoneLeadingZero", func(c *core.CreateUser) { c.Phone = "+0511999999" }, core.Invalid, "phone"},
			{"PhoneTooLong", func(c *core.CreateUser) { c.Phone = "+1234567890123456" }, core.Invalid, "phone"},
			{"PhoneFormatted", func(c *core.CreateUser) { c.Phone = "+55 11 99999-9999" }, core.Invalid, "phone"},
			{"PhoneOneDigit", func(c *core.CreateUser) { c.Phone = "+1" }, core.Invalid, "phone"},
			{"ImageJavascript", func(c *core.CreateUser) { c.ImageURL = "javascript:alert(1)" }, core.Invalid, "imageUrl"},
			{"ImageFTP", func(c *core.CreateUser) { c.ImageURL = "ftp://example.com/a.png" }, core.Invalid, "imageUrl"},
			{"ImageRelative", func(c *core.CreateUser) { c.ImageURL = "/images/a.png" }, core.Invalid, "imageUrl"},
			{"ImageSchemeRelative", func(c *core.CreateUser) { c.ImageURL = "//example.com/a.png" }, core.Invalid, "imageUrl"},
			{"ImageData", func(c *core.CreateUser) { c.ImageURL = "data:image/png;base64,AAAA" }, core.Invalid, "imageUrl"},
			{"ImageNoHost", func(c *core.CreateUser) { c.ImageURL = "https:///a.png" }, core.Invalid, "imageUrl"},
			{"ImageCredentials", func(c *core.CreateUser) { c.ImageURL = "https://user:pw@example.com/a.png" }, core.Invalid, "imageUrl"},
			{"ImageSpace", func(c *core.CreateUser) { c.ImageURL = "https://example.com/a b.png" }, core.Invalid, "imageUrl"},
			{"ImageTooLong", func(c *core.CreateUser) { c.ImageURL = "https://example.com/" + strings.Repeat("a", 2048-19) }, core.Invalid, "imageUrl"},
			{"ExternalIDTooLong", func(c *core.CreateUser) { c.ExternalID = strings.Repeat("x", 256) }, core.Invalid, "externalId"},
			{"ExternalIDNul", func(c *core.CreateUser) { c.ExternalID = "a\x00b" }, core.Invalid, "externalId"},
			{"ExternalRef1TooLong", func(c *core.CreateUser) { c.ExternalRefs[0] = strings.Repeat("x", 256) }, core.Invalid, "external_system_reference1"},
			{"ExternalRef3TooLong", func(c *core.CreateUser) { c.ExternalRefs[2] = strings.Repeat("é", 256) }, core.Invalid, "external_system_reference3"},
			{"String1TooLong", func(c *core.CreateUser) { c.Strings[0] = strings.Repeat("x", 256) }, core.Invalid, "string1"},
			{"String5TooLong", func(c *core.CreateUser) { c.Strings[4] = strings.Repeat("x", 256) }, core.Invalid, "string5"},
			{"String2BadUTF8", func(c *core.CreateUser) { c.Strings[1] = "\xff" }, core.Invalid, "string2"},
			{"PrefEventUnknown", prefs(core.NotificationPreference{Event: "user_created"}, core.NotificationPreference{Event: "user_exploded"}),
				core.Invalid, "notificationPreferences[1].event"},
			{"PrefEventMissing", prefs(core.NotificationPreference{DeliveryPref: []string{"email"}}), core.Invalid, "notificationPreferences[0].event"},
			{"PrefDeliveryUnknown", prefs(core.NotificationPreference{Event: "user_created"}, core.NotificationPreference{Event: "user_deleted"},
				core.NotificationPreference{Event: "user_updated", DeliveryPref: []string{"email", "pigeon"}}),
				core.Invalid, "notificationPreferences[2].deliveryPref"},
			{"PrefAccountIDNotDecimal", prefs(core.NotificationPreference{Event: "user_created", AccountID: "acme"}), core.Invalid, "notificationPreferences[0].accountId"},
			{"PrefAccountIDLeadingZero", prefs(core.NotificationPreference{Event: "user_created", AccountID: "0123"}), core.Invalid, "notificationPreferences[0].accountId"},
			{"PrefAccountIDNegative", prefs(core.NotificationPreference{Event: "user_created", AccountID: "-1"}), core.Invalid, "notificationPreferences[0].accountId"},
			{"PrefDuplicate", prefs(core.NotificationPreference{Event: "user_created", AccountID: "7"}, core.NotificationPreference{Event: "user_created", AccountID: "7"}),
				core.Invalid, "notificationPreferences[1].event"},
			{"RoleAndRoleID", func(c *core.CreateUser) { c.Role = core.RoleEditor; c.RoleID = ptr(core.RoleIDEditor) }, core.Invalid, "role_id"},
			{"RoleIDUnknown", func(c *core.CreateUser) { c.RoleID = ptr(int64(999999)) }, core.Invalid, "role_id"},
			{"RoleIDZero", func(c *core.CreateUser) { c.RoleID = ptr(int64(0)) }, core.Invalid, "role_id"},
			{"RoleIDOfAnotherTenant", func(c *core.CreateUser) { c.RoleID = &theirRole.ID }, core.Invalid, "role_id"},
			{"RoleKeyOfAnotherTenant", func(c *core.CreateUser) { c.Role = "theirs" }, core.Invalid, "role"},
			{"TeamOfAnotherTenant", func(c *core.CreateUser) { c.TeamID = &theirTeam.ID }, core.Invalid, "teamId"},
			{"TeamUnknown", func(c *core.CreateUser) { c.TeamID = ptr(int64(999999)) }, core.Invalid, "teamId"},
		}
		for _, tt := range refused {
			t.Run("Refused/"+tt.name, func(t *testing.T) {
				before := takeCensus(t, st, acme.Tenant.ID, globex.Tenant.ID)
				cmd := core.CreateUser{Email: "refused@example.com"}
				tt.cmd(&cmd)
				created, err := svc.CreateUser(ctx, acme.key, cmd)
				wantError(t, err, tt.wantCode, tt.wantField)
				if created.User.ID != 0 || created.PasswordToken != "" {
					t.Errorf("got %+v, want nothing", created)
				}
				wantSameCensus(t, st, before)
			})
		}
	})
}

// TestUpdateUserFields: the optional fields change, clear and are refused
// on update as on create, and user_updated names what changed.
func TestUpdateUserFields(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		globex := createTenant(t, svc, "Globex")
		sales, err := svc.CreateRole(ctx, acme.key, core.CreateRole{Key: "sales"})
		if err != nil {
			t.Fatalf("CreateRole: %v", err)
		}
		theirRole, err := svc.CreateRole(ctx, globex.key, core.CreateRole{Key: "theirs"})
		if err != nil {
			t.Fatalf("CreateRole(globex): %v", err)
		}
		red, err := svc.CreateTeam(ctx, acme.key, "Red")
		if err != nil {
			t.Fatalf("CreateTeam: %v", err)
		}
		theirTeam, err := svc.CreateTeam(ctx, globex.key, "Theirs")
		if err != nil {
			t.Fatalf("CreateTeam(globex): %v", err)
		}
		u := createUser(t, svc, acme, core.CreateUser{Email: "upd@example.com", Password: ptr(seedPassword),
			Language: "en", Timezone: "UTC", Phone: "+15555550100", ImageURL: "https://example.com/a.png",
			ExternalID: "ext", Strings: [5]string{"one"}})

		steps := []struct {
			name        string
			cmd         core.UpdateUser
			wantChanged []string
			check       func(t *testing.T, u core.User)
		}{
			{"Fields", core.UpdateUser{Language: ptr("pt-br"), Timezone: ptr("Europe/Paris"), Phone: ptr("+5511999999999"),
				ImageURL: ptr("https://example.com/b.png"), ExternalID: ptr("ext-2"),
				ExternalRefs: [3]*string{nil, ptr("r2"), nil}, Strings: [5]*string{nil, nil, nil, nil, ptr("five")}},
				[]string{"language", "timezone", "phone", "imageUrl", "externalId", "external_system_reference2", "string5"},
				func(t *testing.T, u core.User) {
					want(t, "fields", [5]string{u.Language, u.Timezone, u.Phone, u.ImageURL, u.ExternalID},
						[5]string{"pt-BR", "Europe/Paris", "+5511999999999", "https://example.com/b.png", "ext-2"})
					want(t, "refs", u.ExternalRefs, [3]string{"", "r2", ""})
					want(t, "strings", u.Strings, [5]string{"one", "", "", "", "five"})
				}},
			{"SameValuesChangeNothing", core.UpdateUser{Language: ptr("pt-BR"), Strings: [5]*string{ptr("one")}}, nil, nil},
			{"Clear", core.UpdateUser{Language: ptr(""), Phone: ptr(""), ImageURL: ptr(""), Strings: [5]*string{ptr("")}},
				[]string{"language", "phone", "imageUrl", "string1"},
				func(t *testing.T, u core.User) {
					want(t, "cleared", [4]string{u.Language, u.Phone, u.ImageURL, u.Strings[0]}, [4]string{})
				}},
			{"RoleIDCustom", core.UpdateUser{RoleID: &sales.ID}, []string{"role"}, func(t *testing.T, u core.User) {
				want(t, "role", [2]any{u.RoleID, u.Role}, [2]any{sales.ID, "sales"})
			}},
			{"RoleKeyBuiltin", core.UpdateUser{Role: ptr("admin")}, []string{"role"}, func(t *testing.T, u core.User) {
				want(t, "role", [3]any{u.RoleID, u.Role, u.AccountAdmin}, [3]any{core.RoleIDClientAdmin, core.RoleClientAdmin, true})
			}},
			{"Team", core.UpdateUser{TeamID: &red.ID}, []string{"teamId"}, func(t *testing.T, u core.User) {
				if u.TeamID == nil || *u.TeamID != red.ID {
					t.Errorf("got team %v, want %d", u.TeamID, red.ID)
				}
			}},
			{"ClearTeam", core.UpdateUser{ClearTeam: true}, []string{"teamId"}, func(t *testing.T, u core.User) {
				if u.TeamID != nil {
					t.Errorf("got team %v, want none", *u.TeamID)
				}
			}},
			{"Preferences", core.UpdateUser{NotificationPreferences: &[]core.NotificationPreference{{Event: "team_created", DeliveryPref: []string{"sms"}}}},
				[]string{"notificationPreferences"}, func(t *testing.T, u core.User) {
					want(t, "preferences", u.NotificationPreferences, []core.NotificationPreference{{Event: "team_created", DeliveryPref: []string{"sms"}}})
				}},
			{"ClearPreferences", core.UpdateUser{NotificationPreferences: &[]core.NotificationPreference{}},
				[]string{"notificationPreferences"}, func(t *testing.T, u core.User) {
					if u.NotificationPreferences != nil {
						t.Errorf("got preferences %v, want none", u.NotificationPreferences)
					}
				}},
		}
		for _, step := range steps {
			t.Run(step.name, func(t *testing.T) {
				before := len(events(t, st, acme.Tenant.ID, core.EventUserUpdated))
				got, err := svc.UpdateUser(ctx, acme.key, u.ID, step.cmd)
				if err != nil {
					t.Fatalf("UpdateUser: %v", err)
				}
				stored, err := st.GetUser(ctx, acme.Tenant.ID, u.ID)
				if err != nil {
					t.Fatalf("store GetUser: %v", err)
				}
				if diff := cmp.Diff(got, stored); diff != "" {
					t.Errorf("stored user differs from the returned one (-returned +stored):\n%s", diff)
				}
				if step.check != nil {
					step.check(t, stored)
				}
				list := events(t, st, acme.Tenant.ID, core.EventUserUpdated)
				if step.wantChanged == nil {
					if len(list) != before {
						t.Errorf("got %d new user_updated events, want none", len(list)-before)
					}
					return
				}
				if len(list) != before+1 {
					t.Fatalf("got %d new user_updated events, want 1", len(list)-before)
				}
				want(t, "changed", decodeUserEvent(t, list[len(list)-1]).Changed, step.wantChanged)
			})
		}

		refused := []struct {
			name      string
			cmd       core.UpdateUser
			wantField string
		}{
			{"TimezoneEmpty", core.UpdateUser{Timezone: ptr("")}, "timezone"},
			{"TimezoneLocal", core.UpdateUser{Timezone: ptr("Local")}, "timezone"},
			{"LanguageUnderscore", core.UpdateUser{Language: ptr("pt_BR")}, "language"},
			{"PhoneNoPlus", core.UpdateUser{Phone: ptr("5511999")}, "phone"},
			{"ImageRelative", core.UpdateUser{ImageURL: ptr("a.png")}, "imageUrl"},
			{"String3TooLong", core.UpdateUser{Strings: [5]*string{nil, nil, ptr(strings.Repeat("x", 256))}}, "string3"},
			{"ExternalRef2TooLong", core.UpdateUser{ExternalRefs: [3]*string{nil, ptr(strings.Repeat("x", 256))}}, "external_system_reference2"},
			{"PrefEvent", core.UpdateUser{NotificationPreferences: &[]core.NotificationPreference{{Event: "nope"}}}, "notificationPreferences[0].event"},
			{"RoleAndRoleID", core.UpdateUser{Role: ptr("editor"), RoleID: ptr(core.RoleIDEditor)}, "role_id"},
			{"RoleIDOfAnotherTenant", core.UpdateUser{RoleID: &theirRole.ID}, "role_id"},
			{"TeamOfAnotherTenant", core.UpdateUser{TeamID: &theirTeam.ID}, "teamId"},
			{"TeamAndClearTeam", core.UpdateUser{TeamID: &red.ID, ClearTeam: true}, "teamId"},
		}
		for _, tt := range refused {
			t.Run("Refused/"+tt.name, func(t *testing.T) {
				before, err := st.GetUser(ctx, acme.Tenant.ID, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				census := takeCensus(t, st, acme.Tenant.ID, globex.Tenant.ID)
				_, err = svc.UpdateUser(ctx, acme.key, u.ID, tt.cmd)
				wantError(t, err, core.Invalid, tt.wantField)
				after, err := st.GetUser(ctx, acme.Tenant.ID, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(before, after); diff != "" {
					t.Errorf("refused update changed the user (-before +after):\n%s", diff)
				}
				wantSameCensus(t, st, census)
			})
		}
	})
}

func prefs(p ...core.NotificationPreference) func(*core.CreateUser) {
	return func(c *core.CreateUser) { c.NotificationPreferences = p }
}

func wantLanguage(lang string) func(t *testing.T, u core.User) {
	return func(t *testing.T, u core.User) { want(t, "language", u.Language, lang) }
}

// want fails t when got and want differ.
func want(t *testing.T, what string, got, want any) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}
