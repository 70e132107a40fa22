package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

// The seed 000 example request's values.
const (
	seedEmail    = "john.doe@example.com"
	seedName     = "John Doe"
	seedPassword = "securepassword123"
	seedRole     = "clientUser"
)

// seedUser is the seed 000 example payload as a command.
func seedUser() core.CreateUser {
	return core.CreateUser{
		Email: seedEmail, Name: seedName, Password: ptr(seedPassword),
		Role: seedRole, EmailFilteringEnabled: ptr(true),
	}
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		globex := createTenant(t, svc, "Globex")

		tests := []struct {
			name string
			cmd  core.CreateUser
			// the user as stored
			wantEmail, wantRole      string
			wantRoleID               int64
			wantActive, wantFiltered bool
			wantAdmin                bool
			wantPassword             string // "" when the user has no password
		}{
			{
				name: "Seed000Payload", cmd: seedUser(),
				wantEmail: seedEmail, wantRole: core.RoleClientUser, wantRoleID: core.RoleIDClientUser,
				wantActive: true, wantFiltered: true, wantPassword: seedPassword,
			},
			{
				name:      "Defaults",
				cmd:       core.CreateUser{Email: "jane.roe@example.com", Name: "Jane Roe", Password: ptr(seedPassword)},
				wantEmail: "jane.roe@example.com", wantRole: core.RoleClientUser, wantRoleID: core.RoleIDClientUser,
				wantActive: true, wantFiltered: true, wantPassword: seedPassword,
			},
			{
				name:      "NoPassword",
				cmd:       core.CreateUser{Email: "nopass@example.com"},
				wantEmail: "nopass@example.com", wantRole: core.RoleClientUser, wantRoleID: core.RoleIDClientUser,
				wantActive: true, wantFiltered: true,
			},
			{
				name:      "AdminAlias",
				cmd:       core.CreateUser{Email: "boss@example.com", Password: ptr(seedPassword), Role: "admin"},
				wantEmail: "boss@example.com", wantRole: core.RoleClientAdmin, wantRoleID: core.RoleIDClientAdmin,
				wantActive: true, wantFiltered: true, wantAdmin: true, wantPassword: seedPassword,
			},
			{
				name: "ExplicitFalseFlags",
				cmd: core.CreateUser{Email: "quiet@example.com", Password: ptr(seedPassword),
					Active: ptr(false), EmailFilteringEnabled: ptr(false)},
				wantEmail: "quiet@example.com", wantRole: core.RoleClientUser, wantRoleID: core.RoleIDClientUser,
				wantPassword: seedPassword,
			},
			{
				name: "MatchingClientID",
				cmd: core.CreateUser{ClientID: acme.Tenant.ClientID, Email: "match@example.com",
					Password: ptr(seedPassword)},
				wantEmail: "match@example.com", wantRole: core.RoleClientUser, wantRoleID: core.RoleIDClientUser,
				wantActive: true, wantFiltered: true, wantPassword: seedPassword,
			},
			{
				name:      "EmailTrimmedCaseKept",
				cmd:       core.CreateUser{Email: "  Mixed.Case@Example.COM\t", Password: ptr(seedPassword)},
				wantEmail: "Mixed.Case@Example.COM", wantRole: core.RoleClientUser, wantRoleID: core.RoleIDClientUser,
				wantActive: true, wantFiltered: true, wantPassword: seedPassword,
			},
			{
				name:      "Password256Characters",
				cmd:       core.CreateUser{Email: "longpass@example.com", Password: ptr(strings.Repeat("p", 256))},
				wantEmail: "longpass@example.com", wantRole: core.RoleClientUser, wantRoleID: core.RoleIDClientUser,
				wantActive: true, wantFiltered: true, wantPassword: strings.Repeat("p", 256),
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := t.Context()
				before := len(allUsers(t, st, acme.Tenant.ID))
				lastEvent := events(t, st, acme.Tenant.ID, "")
				created, err := svc.CreateUser(ctx, acme.key, tt.cmd)
				if err != nil {
					t.Fatalf("CreateUser: %v", err)
				}
				u := created.User
				stored, err := st.GetUser(ctx, acme.Tenant.ID, u.ID)
				if err != nil {
					t.Fatalf("store GetUser(%d): %v", u.ID, err)
				}
				sameUser(t, stored, u)

				wantLabel := "api-key:" + acme.Key.Prefix
				for _, c := range []struct {
					field     string
					got, want any
				}{
					{"TenantID", stored.TenantID, acme.Tenant.ID},
					{"HomeTenantID", stored.HomeTenantID, acme.Tenant.ID},
					{"Email", stored.Email, tt.wantEmail},
					{"Name", stored.Name, strings.TrimSpace(tt.cmd.Name)},
					{"Role", stored.Role, tt.wantRole},
					{"RoleID", stored.RoleID, tt.wantRoleID},
					{"Active", stored.Active, tt.wantActive},
					{"EmailFilteringEnabled", stored.EmailFilteringEnabled, tt.wantFiltered},
					{"AccountAdmin", stored.AccountAdmin, tt.wantAdmin},
					{"IsPrimary", stored.IsPrimary, true},
					{"Notifications", stored.Notifications, false},
					{"CreatedBy", stored.CreatedBy, wantLabel},
					{"UpdatedBy", stored.UpdatedBy, wantLabel},
					{"Version", stored.Version, int64(1)},
				} {
					if c.got != c.want {
						t.Errorf("got %s %v, want %v", c.field, c.got, c.want)
					}
				}
				if tt.wantPassword == "" {
					if stored.PasswordHash != "" {
						t.Errorf("got password hash %q, want none", stored.PasswordHash)
					}
				} else {
					if !strings.HasPrefix(stored.PasswordHash, "$argon2id$") {
						t.Errorf("got password hash %q, want an argon2id PHC string", stored.PasswordHash)
					} else if !verifies(t, svc, tt.wantPassword, stored.PasswordHash) {
						t.Errorf("password %q does not verify against the stored hash", tt.wantPassword)
					}
				}
				if got := len(allUsers(t, st, acme.Tenant.ID)); got != before+1 {
					t.Errorf("got %d users, want %d", got, before+1)
				}

				// Exactly one new event: user_created about this user.
				all := events(t, st, acme.Tenant.ID, "")
				added := all[len(lastEvent):]
				if got := eventTypes(added); !slices.Equal(got, []string{core.EventUserCreated}) {
					t.Fatalf("got new events %v, want [user_created]", got)
				}
				e := added[0]
				if e.SubjectType != "user" || e.SubjectID != strconv.FormatInt(u.ID, 10) {
					t.Errorf("got event subject %s %s, want user %d", e.SubjectType, e.SubjectID, u.ID)
				}
				if e.Actor != wantLabel {
					t.Errorf("got event actor %q, want %q", e.Actor, wantLabel)
				}
				p := decodeUserEvent(t, e)
				if p.User.ID != u.ID || p.User.Email != tt.wantEmail || p.User.Role != tt.wantRole ||
					p.User.Active != tt.wantActive || p.User.EmailFilteringEnabled != tt.wantFiltered {
					t.Errorf("got event user %+v, want id %d, email %q, role %s, active %v, filtering %v",
						p.User, u.ID, tt.wantEmail, tt.wantRole, tt.wantActive, tt.wantFiltered)
				}
				wantNoSecrets(t, "user_created payload", string(e.Payload), tt.wantPassword, stored.PasswordHash)
			})
		}
		// Nothing leaked into the other tenant.
		if got := len(allUsers(t, st, globex.Tenant.ID)); got != 1 {
			t.Errorf("got %d users in the other tenant, want 1 (its admin)", got)
		}
	})
}

func TestCreateUserRefused(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		globex := createTenant(t, svc, "Globex")
		member := createUser(t, svc, acme, core.CreateUser{Email: "member@acme.test", Role: core.RoleClientUser})
		editor := createUser(t, svc, acme, core.CreateUser{Email: "editor@acme.test", Role: core.RoleEditor})
		createUser(t, svc, globex, core.CreateUser{Email: "taken@example.com"})
		createUser(t, svc, acme, core.CreateUser{Email: "Ours@Example.com"})

		withEmail := func(email string) core.CreateUser {
			c := seedUser()
			c.Email = email
			return c
		}
		withPassword := func(password string) core.CreateUser {
			c := seedUser()
			c.Password = &password
			return c
		}
		with := func(f func(*core.CreateUser)) core.CreateUser {
			c := seedUser()
			f(&c)
			return c
		}
		tests := []struct {
			name      string
			actor     core.Actor
			cmd       core.CreateUser
			wantCode  core.ErrorCode
			wantField string
		}{
			{"EmailMissing", acme.key, withEmail(""), core.Invalid, "email"},
			{"EmailBlank", acme.key, withEmail("   "), core.Invalid, "email"},
			{"EmailNoAt", acme.key, withEmail("john.doe.example.com"), core.Invalid, "email"},
			{"EmailNoDomainDot", acme.key, withEmail("john.doe@example"), core.Invalid, "email"},
			{"EmailDisplayName", acme.key, withEmail("John Doe <john.doe@example.com>"), core.Invalid, "email"},
			{"EmailTwoAddresses", acme.key, withEmail("john.doe@example.com, jane@example.com"), core.Invalid, "email"},
			{"EmailComment", acme.key, withEmail("john.doe@example.com (John)"), core.Invalid, "email"},
			{"EmailSpaceInside", acme.key, withEmail("john doe@example.com"), core.Invalid, "email"},
			{"EmailAddressLiteral", acme.key, withEmail("john.doe@[127.0.0.1]"), core.Invalid, "email"},
			{"EmailTooLong", acme.key, withEmail("john@" + strings.Repeat(strings.Repeat("b", 50)+".", 5) + "com"), core.Invalid, "email"},
			{"EmailLocalPartTooLong", acme.key, withEmail(strings.Repeat("a", 65) + "@example.com"), core.Invalid, "email"},
			{"PasswordTooShort", acme.key, withPassword("short12"), core.Invalid, "password"},
			{"PasswordTooLong", acme.key, withPassword(strings.Repeat("p", 257)), core.Invalid, "password"},
			{"PasswordIsEmail", acme.key, withPassword(seedEmail), core.Invalid, "password"},
			{"PasswordIsEmailOtherCase", acme.key, withPassword("John.Doe@Example.com"), core.Invalid, "password"},
			{"NameTooLong", acme.key, with(func(c *core.CreateUser) { c.Name = strings.Repeat("n", 256) }), core.Invalid, "name"},
			{"NameControlCharacter", acme.key, with(func(c *core.CreateUser) { c.Name = "John\x00Doe" }), core.Invalid, "name"},
			{"RoleUnknown", acme.key, with(func(c *core.CreateUser) { c.Role = "superAdmin" }), core.Invalid, "role"},
			{"RolePlatform", acme.key, with(func(c *core.CreateUser) { c.Role = "operator" }), core.Invalid, "role"},
			{"ClientIDOfAnotherTenant", acme.key, with(func(c *core.CreateUser) { c.ClientID = globex.Tenant.ClientID }), core.Forbidden, "clientId"},
			{"ClientIDMalformed", acme.key, with(func(c *core.CreateUser) { c.ClientID = "clt_nope" }), core.Forbidden, "clientId"},
			{"ClientUserActor", userActor(acme, member), seedUser(), core.Forbidden, ""},
			// Only a tenant's clientAdmin users may manage its users
			// (DESIGN §6), so an editor is refused before its role
			// level is even considered: no field.
			{"EditorActorGrantingClientAdmin", userActor(acme, editor),
				with(func(c *core.CreateUser) { c.Role = core.RoleClientAdmin }), core.Forbidden, ""},
			{"EditorActorGrantingClientUser", userActor(acme, editor), seedUser(), core.Forbidden, ""},
			{"NoTenant", core.Actor{Kind: core.ActorAPIKey}, seedUser(), core.Unauthenticated, ""},
			{"DuplicateEmailOtherTenant", acme.key, withEmail("TAKEN@example.COM"), core.Conflict, "email"},
			{"DuplicateEmailSameTenant", globex.key, withEmail(" Taken@Example.com "), core.Conflict, "email"},
			{"DuplicateEmailOwnTenant", acme.key, withEmail("ours@example.com"), core.Conflict, "email"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := takeCensus(t, st, acme.Tenant.ID, globex.Tenant.ID)
				created, err := svc.CreateUser(t.Context(), tt.actor, tt.cmd)
				u := created.User
				if wantError(t, err, tt.wantCode, tt.wantField) && tt.cmd.Password != nil {
					wantNoSecrets(t, "error", err.Error(), *tt.cmd.Password)
				}
				if u.ID != 0 {
					t.Errorf("got user id %d, want 0", u.ID)
				}
				wantSameCensus(t, st, before)
			})
		}
	})
}

// TestCreateUserConcurrentDuplicates: creates of one email in different
// cases, at once and from two tenants, yield exactly one user; every other
// create is a Conflict on email.
func TestCreateUserConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		tenants := []tenant{createTenant(t, svc, "Acme"), createTenant(t, svc, "Globex")}
		before := takeCensus(t, st, tenants[0].Tenant.ID, tenants[1].Tenant.ID)

		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				email := "A@X.io"
				if i%2 == 1 {
					email = "a@x.io"
				}
				_, errs[i] = svc.CreateUser(t.Context(), tenants[i%2].key, core.CreateUser{Email: email, Password: ptr(seedPassword)})
			})
		}
		wg.Wait()

		created := 0
		for i, err := range errs {
			if err == nil {
				created++
				continue
			}
			if e := core.AsError(err); e == nil || e.Code != core.Conflict || e.Field != "email" {
				t.Errorf("create %d: got %v, want a Conflict on email", i, err)
			}
		}
		if created != 1 {
			t.Errorf("got %d creates succeeding, want 1", created)
		}
		after := takeCensus(t, st, tenants[0].Tenant.ID, tenants[1].Tenant.ID)
		var addedUsers, addedEvents int
		for id, c := range after {
			addedUsers += c[0] - before[id][0]
			addedEvents += c[1] - before[id][1]
		}
		if addedUsers != 1 || addedEvents != 1 {
			t.Errorf("got %d users and %d events added, want 1 and 1", addedUsers, addedEvents)
		}
	})
}

func TestUserCrossTenant(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		globex := createTenant(t, svc, "Globex")
		victim := createUser(t, svc, acme, seedUser())
		globexAdmin := userActor(globex, globex.Admin)

		ids := map[string]int64{"ForeignID": victim.ID, "UnknownID": victim.ID + 1000, "ZeroID": 0}
		actors := map[string]core.Actor{"APIKey": globex.key, "AdminUser": globexAdmin}
		for idName, id := range ids {
			for actorName, actor := range actors {
				t.Run(idName+"/"+actorName, func(t *testing.T) {
					ctx := t.Context()
					before := takeCensus(t, st, acme.Tenant.ID, globex.Tenant.ID)

					_, err := svc.GetUser(ctx, actor, id)
					t.Run("Get", func(t *testing.T) { wantError(t, err, core.NotFound, "") })
					_, err = svc.UpdateUser(ctx, actor, id, core.UpdateUser{
						Name: ptr("Mallory"), Email: ptr("mallory@example.com"),
						Password: ptr("mallory-password"), Role: ptr(core.RoleClientAdmin), Active: ptr(false),
					})
					t.Run("Update", func(t *testing.T) { wantError(t, err, core.NotFound, "") })
					err = svc.DeleteUser(ctx, actor, id)
					t.Run("Delete", func(t *testing.T) { wantError(t, err, core.NotFound, "") })

					wantSameCensus(t, st, before)
					got, err := st.GetUser(ctx, acme.Tenant.ID, victim.ID)
					if err != nil {
						t.Fatalf("store GetUser(victim): %v", err)
					}
					sameUser(t, got, victim)
				})
			}
		}
	})
}

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		clock := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
		svc.SetClock(func() time.Time { return clock })
		acme := createTenant(t, svc, "Acme")
		globex := createTenant(t, svc, "Globex")
		createUser(t, svc, globex, core.CreateUser{Email: "taken@example.com"})
		acmeAdmin := userActor(acme, acme.Admin)

		tests := []struct {
			name        string
			actor       core.Actor
			cmd         core.UpdateUser
			wantChanged []string // nil: no change, no event
			check       func(t *testing.T, before, after core.User)
		}{
			{
				name: "Name", actor: acme.key, cmd: core.UpdateUser{Name: ptr("  Johnny Doe ")},
				wantChanged: []string{"name"},
				check: func(t *testing.T, _, after core.User) {
					if after.Name != "Johnny Doe" {
						t.Errorf("got name %q, want %q", after.Name, "Johnny Doe")
					}
				},
			},
			{
				name: "SeveralFields", actor: acmeAdmin,
				cmd: core.UpdateUser{
					Email: ptr("John.Doe2@Example.com"), Active: ptr(false), EmailFilteringEnabled: ptr(false),
					Notifications: ptr(true), Name: ptr(seedName), // name unchanged
				},
				wantChanged: []string{"email", "active", "emailFilteringEnabled", "notifications"},
				check: func(t *testing.T, _, after core.User) {
					if after.Email != "John.Doe2@Example.com" || after.Active || after.EmailFilteringEnabled || !after.Notifications {
						t.Errorf("got email %q active %v filtering %v notifications %v, want John.Doe2@Example.com false false true",
							after.Email, after.Active, after.EmailFilteringEnabled, after.Notifications)
					}
				},
			},
			{
				name: "EmailCaseOnly", actor: acme.key, cmd: core.UpdateUser{Email: ptr("JOHN.DOE@example.com")},
				wantChanged: []string{"email"},
				check: func(t *testing.T, _, after core.User) {
					if after.Email != "JOHN.DOE@example.com" {
						t.Errorf("got email %q, want JOHN.DOE@example.com", after.Email)
					}
				},
			},
			{
				name: "RoleAlias", actor: acme.key, cmd: core.UpdateUser{Role: ptr("admin")},
				wantChanged: []string{"role"},
				check: func(t *testing.T, _, after core.User) {
					if after.Role != core.RoleClientAdmin || after.RoleID != core.RoleIDClientAdmin {
						t.Errorf("got role %s (%d), want clientAdmin (%d)", after.Role, after.RoleID, core.RoleIDClientAdmin)
					}
				},
			},
			{
				name: "Password", actor: acme.key, cmd: core.UpdateUser{Password: ptr("a-new-password-456")},
				wantChanged: []string{"password"},
				check: func(t *testing.T, before, after core.User) {
					if after.PasswordHash == before.PasswordHash {
						t.Fatalf("got the same hash after a password change, want a new one")
					}
					if !verifies(t, svc, "a-new-password-456", after.PasswordHash) {
						t.Errorf("the new password does not verify against the new hash")
					}
					if verifies(t, svc, seedPassword, after.PasswordHash) {
						t.Errorf("the old password still verifies against the new hash")
					}
				},
			},
			{
				name: "NothingChanges", actor: acme.key,
				cmd: core.UpdateUser{
					Email: ptr(" " + seedEmail + " "), Name: ptr(seedName), Role: ptr("user"),
					Active: ptr(true), EmailFilteringEnabled: ptr(true), Notifications: ptr(false),
				},
			},
			{name: "EmptyCommand", actor: acme.key, cmd: core.UpdateUser{}},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := t.Context()
				u := createUser(t, svc, acme, core.CreateUser{
					Email: fmt.Sprintf("update%d@example.com", i), Name: seedName, Password: ptr(seedPassword),
				})
				// Start every case from the seed user's values.
				if _, err := svc.UpdateUser(ctx, acme.key, u.ID, core.UpdateUser{Email: ptr(seedEmail)}); err != nil {
					t.Fatalf("UpdateUser(reset email): %v", err)
				}
				before, err := st.GetUser(ctx, acme.Tenant.ID, u.ID)
				if err != nil {
					t.Fatalf("store GetUser: %v", err)
				}
				t.Cleanup(func() { // free the email for the next case
					// t.Context() is done by now.
					if err := svc.DeleteUser(context.Background(), acme.key, u.ID); err != nil {
						t.Errorf("DeleteUser: %v", err)
					}
				})
				clock = clock.Add(time.Minute)
				nBefore := len(events(t, st, acme.Tenant.ID, ""))

				got, err := svc.UpdateUser(ctx, tt.actor, u.ID, tt.cmd)
				if err != nil {
					t.Fatalf("UpdateUser: %v", err)
				}
				after, err := st.GetUser(ctx, acme.Tenant.ID, u.ID)
				if err != nil {
					t.Fatalf("store GetUser: %v", err)
				}
				sameUser(t, got, after)
				added := events(t, st, acme.Tenant.ID, "")[nBefore:]

				if tt.wantChanged == nil {
					sameUser(t, after, before)
					if len(added) != 0 {
						t.Errorf("got new events %v, want none", eventTypes(added))
					}
					return
				}
				if after.Version != before.Version+1 {
					t.Errorf("got version %d, want %d", after.Version, before.Version+1)
				}
				if !after.UpdatedAt.Equal(clock) || after.UpdatedBy != tt.actor.Label() {
					t.Errorf("got updated %v by %q, want %v by %q", after.UpdatedAt, after.UpdatedBy, clock, tt.actor.Label())
				}
				if !after.CreatedAt.Equal(before.CreatedAt) || after.CreatedBy != before.CreatedBy {
					t.Errorf("got created %v by %q, want %v by %q", after.CreatedAt, after.CreatedBy, before.CreatedAt, before.CreatedBy)
				}
				wantEvents := []string{core.EventUserUpdated}
				if slices.Contains(tt.wantChanged, "role") {
					// A role change is also user_roles_updated, from the role before to the role after.
					wantEvents = append(wantEvents, core.EventUserRolesUpdated)
				}
				if got := eventTypes(added); !slices.Equal(got, wantEvents) {
					t.Fatalf("got new events %v, want %v", got, wantEvents)
				}
				if len(added) > 1 {
					var roles struct {
						Roles         []string `json:"roles"`
						PreviousRoles []string `json:"previousRoles"`
					}
					if err := json.Unmarshal(added[1].Payload, &roles); err != nil ||
						!slices.Equal(roles.Roles, []string{after.Role}) || !slices.Equal(roles.PreviousRoles, []string{before.Role}) {
						t.Errorf("user_roles_updated payload %s, want roles [%s] and previousRoles [%s]", added[1].Payload, after.Role, before.Role)
					}
				}
				e := added[0]
				if e.SubjectID != strconv.FormatInt(u.ID, 10) || e.Actor != tt.actor.Label() {
					t.Errorf("got event about %s by %q, want %d by %q", e.SubjectID, e.Actor, u.ID, tt.actor.Label())
				}
				p := decodeUserEvent(t, e)
				if !slices.Equal(slices.Sorted(slices.Values(p.Changed)), slices.Sorted(slices.Values(tt.wantChanged))) {
					t.Errorf("got changed %v, want %v", p.Changed, tt.wantChanged)
				}
				if p.User.ID != u.ID || p.User.Email != after.Email || p.User.Name != after.Name || p.User.Role != after.Role {
					t.Errorf("got event user %+v, want the updated user %d %q %q %s", p.User, u.ID, after.Email, after.Name, after.Role)
				}
				secrets := []string{seedPassword, before.PasswordHash, after.PasswordHash}
				if tt.cmd.Password != nil {
					secrets = append(secrets, *tt.cmd.Password)
				}
				wantNoSecrets(t, "user_updated payload", string(e.Payload), secrets...)
				if tt.check != nil {
					tt.check(t, before, after)
				}
			})
		}
	})
}

func TestUpdateUserRefused(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		globex := createTenant(t, svc, "Globex")
		createUser(t, svc, globex, core.CreateUser{Email: "taken@example.com"})
		createUser(t, svc, acme, core.CreateUser{Email: "ours@example.com"})
		member := createUser(t, svc, acme, core.CreateUser{Email: "member@acme.test"})
		editor := createUser(t, svc, acme, core.CreateUser{Email: "editor@acme.test", Role: core.RoleEditor})
		u := createUser(t, svc, acme, seedUser())

		tests := []struct {
			name      string
			actor     core.Actor
			cmd       core.UpdateUser
			wantCode  core.ErrorCode
			wantField string
		}{
			{"EmailInvalid", acme.key, core.UpdateUser{Email: ptr("not-an-email")}, core.Invalid, "email"},
			{"EmailEmpty", acme.key, core.UpdateUser{Email: ptr("")}, core.Invalid, "email"},
			{"EmailTakenOtherTenant", acme.key, core.UpdateUser{Email: ptr("Taken@Example.com")}, core.Conflict, "email"},
			{"EmailTakenOwnTenant", acme.key, core.UpdateUser{Email: ptr("OURS@example.com")}, core.Conflict, "email"},
			{"PasswordTooShort", acme.key, core.UpdateUser{Password: ptr("short")}, core.Invalid, "password"},
			{"PasswordTooLong", acme.key, core.UpdateUser{Password: ptr(strings.Repeat("p", 257))}, core.Invalid, "password"},
			{"PasswordIsEmail", acme.key, core.UpdateUser{Password: ptr(seedEmail)}, core.Invalid, "password"},
			{"PasswordIsNewEmail", acme.key, core.UpdateUser{Email: ptr("new@example.com"), Password: ptr("new@example.com")}, core.Invalid, "password"},
			{"RoleUnknown", acme.key, core.UpdateUser{Role: ptr("owner")}, core.Invalid, "role"},
			{"NameTooLong", acme.key, core.UpdateUser{Name: ptr(strings.Repeat("n", 256))}, core.Invalid, "name"},
			{"ValidFieldsWithInvalidOne", acme.key, core.UpdateUser{Name: ptr("Changed"), Active: ptr(false), Email: ptr("bad@")}, core.Invalid, "email"},
			{"ClientUserActor", userActor(acme, member), core.UpdateUser{Name: ptr("Changed")}, core.Forbidden, ""},
			{"EditorActor", userActor(acme, editor), core.UpdateUser{Role: ptr(core.RoleClientAdmin)}, core.Forbidden, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := takeCensus(t, st, acme.Tenant.ID, globex.Tenant.ID)
				_, err := svc.UpdateUser(t.Context(), tt.actor, u.ID, tt.cmd)
				if wantError(t, err, tt.wantCode, tt.wantField) && tt.cmd.Password != nil {
					wantNoSecrets(t, "error", err.Error(), *tt.cmd.Password)
				}
				wantSameCensus(t, st, before)
				got, err := st.GetUser(t.Context(), acme.Tenant.ID, u.ID)
				if err != nil {
					t.Fatalf("store GetUser: %v", err)
				}
				sameUser(t, got, u)
			})
		}
	})
}

func TestDeleteUser(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		u := createUser(t, svc, acme, seedUser())
		member := createUser(t, svc, acme, core.CreateUser{Email: "member@acme.test"})
		nBefore := len(events(t, st, acme.Tenant.ID, ""))

		err := svc.DeleteUser(ctx, userActor(acme, member), u.ID)
		wantError(t, err, core.Forbidden, "")
		if _, err := st.GetUser(ctx, acme.Tenant.ID, u.ID); err != nil {
			t.Fatalf("after a refused delete: store GetUser: %v", err)
		}

		if err := svc.DeleteUser(ctx, userActor(acme, acme.Admin), u.ID); err != nil {
			t.Fatalf("DeleteUser: %v", err)
		}
		_, err = svc.GetUser(ctx, acme.key, u.ID)
		wantError(t, err, core.NotFound, "")
		added := events(t, st, acme.Tenant.ID, "")[nBefore:]
		if got := eventTypes(added); !slices.Equal(got, []string{core.EventUserDeleted}) {
			t.Fatalf("got new events %v, want [user_deleted]", got)
		}
		if e := added[0]; e.SubjectID != strconv.FormatInt(u.ID, 10) || e.Actor != acme.Admin.Email {
			t.Errorf("got event about %s by %q, want %d by %q", e.SubjectID, e.Actor, u.ID, acme.Admin.Email)
		}
		if p := decodeUserEvent(t, added[0]); p.User.ID != u.ID || p.User.Email != seedEmail {
			t.Errorf("got event user %+v, want %d %s", p.User, u.ID, seedEmail)
		}
		wantNoSecrets(t, "user_deleted payload", string(added[0].Payload), u.PasswordHash, seedPassword)

		err = svc.DeleteUser(ctx, acme.key, u.ID)
		wantError(t, err, core.NotFound, "")
		if got := len(events(t, st, acme.Tenant.ID, "")); got != nBefore+1 {
			t.Errorf("got %d events after a second delete, want %d", got, nBefore+1)
		}
		// The email is free again.
		if _, err := svc.CreateUser(ctx, acme.key, seedUser()); err != nil {
			t.Errorf("CreateUser with the deleted user's email: %v", err)
		}
	})
}

func TestListUsers(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		globex := createTenant(t, svc, "Globex")
		const n = core.DefaultPageSize + 7
		want := []int64{acme.Admin.ID}
		for i := range n {
			u := createUser(t, svc, acme, core.CreateUser{Email: fmt.Sprintf("user%02d@example.com", i)})
			want = append(want, u.ID)
			// Interleave the other tenant's users, so ids are not contiguous.
			if i%10 == 0 {
				createUser(t, svc, globex, core.CreateUser{Email: fmt.Sprintf("other%02d@example.com", i)})
			}
		}

		t.Run("DefaultLimit", func(t *testing.T) {
			page, err := svc.ListUsers(t.Context(), acme.key, core.UserFilter{})
			if err != nil {
				t.Fatalf("ListUsers: %v", err)
			}
			if len(page.Users) != core.DefaultPageSize {
				t.Fatalf("got %d users, want %d", len(page.Users), core.DefaultPageSize)
			}
			if page.Next != page.Users[len(page.Users)-1].ID {
				t.Errorf("got next %d, want the last id %d", page.Next, page.Users[len(page.Users)-1].ID)
			}
		})

		t.Run("Limits", func(t *testing.T) {
			for _, tt := range []struct {
				limit     int
				wantCode  core.ErrorCode
				wantField string
				wantLen   int
			}{
				{limit: 1, wantLen: 1},
				{limit: core.MaxPageSize, wantLen: n + 1},
				{limit: core.MaxPageSize + 1, wantCode: core.Invalid, wantField: "limit"},
				{limit: -1, wantCode: core.Invalid, wantField: "limit"},
			} {
				t.Run(strconv.Itoa(tt.limit), func(t *testing.T) {
					page, err := svc.ListUsers(t.Context(), acme.key, core.UserFilter{Limit: tt.limit})
					if tt.wantCode != "" {
						wantError(t, err, tt.wantCode, tt.wantField)
						return
					}
					if err != nil {
						t.Fatalf("ListUsers: %v", err)
					}
					if len(page.Users) != tt.wantLen {
						t.Errorf("got %d users, want %d", len(page.Users), tt.wantLen)
					}
				})
			}
		})

		t.Run("NegativeCursor", func(t *testing.T) {
			_, err := svc.ListUsers(t.Context(), acme.key, core.UserFilter{AfterID: -1})
			wantError(t, err, core.Invalid, "cursor")
		})

		for _, limit := range []int{7, n + 1, n + 2} {
			t.Run(fmt.Sprintf("PagingBy%d", limit), func(t *testing.T) {
				var got []int64
				f := core.UserFilter{Limit: limit}
				for pages := 0; ; pages++ {
					if pages > n+1 {
						t.Fatalf("paging did not end after %d pages", pages)
					}
					page, err := svc.ListUsers(t.Context(), acme.key, f)
					if err != nil {
						t.Fatalf("ListUsers(%+v): %v", f, err)
					}
					if len(page.Users) > limit {
						t.Fatalf("got a page of %d users, want at most %d", len(page.Users), limit)
					}
					for _, u := range page.Users {
						if u.TenantID != acme.Tenant.ID {
							t.Errorf("got user %d of tenant %d, want tenant %d", u.ID, u.TenantID, acme.Tenant.ID)
						}
						got = append(got, u.ID)
					}
					if page.Next == 0 {
						break
					}
					f.AfterID = page.Next
				}
				if !slices.Equal(got, want) {
					t.Errorf("got ids %v, want each of %v once, in order", got, want)
				}
			})
		}

		t.Run("EmailFilter", func(t *testing.T) {
			for _, tt := range []struct {
				email  string
				actor  core.Actor
				wantID int64 // 0: no user
			}{
				{"user07@example.com", acme.key, want[8]},
				{"  USER07@Example.COM ", acme.key, want[8]},
				{"other00@example.com", acme.key, 0}, // another tenant's user
				{"nobody@example.com", acme.key, 0},
				{"user07@example.com", globex.key, 0},
			} {
				t.Run(tt.email, func(t *testing.T) {
					page, err := svc.ListUsers(t.Context(), tt.actor, core.UserFilter{Email: tt.email})
					if err != nil {
						t.Fatalf("ListUsers: %v", err)
					}
					var ids []int64
					for _, u := range page.Users {
						ids = append(ids, u.ID)
					}
					var wantIDs []int64
					if tt.wantID != 0 {
						wantIDs = []int64{tt.wantID}
					}
					if !slices.Equal(ids, wantIDs) || page.Next != 0 {
						t.Errorf("got ids %v next %d, want %v next 0", ids, page.Next, wantIDs)
					}
				})
			}
		})
	})
}

// TestUserScopes: every user read needs scope users:read and every write
// users:write; of a tenant's users, only clientAdmins may use the user API.
func TestUserScopes(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		scoped := func(scopes ...string) core.Actor {
			t.Helper()
			_, plaintext, err := svc.CreateAPIKey(ctx, acme.key, core.CreateAPIKey{Name: strings.Join(scopes, "+"), Scopes: scopes})
			if err != nil {
				t.Fatalf("CreateAPIKey(%v): %v", scopes, err)
			}
			a, err := svc.AuthenticateAPIKey(ctx, plaintext)
			if err != nil {
				t.Fatalf("AuthenticateAPIKey(%v): %v", scopes, err)
			}
			return a
		}
		target := createUser(t, svc, acme, seedUser())
		member := createUser(t, svc, acme, core.CreateUser{Email: "member@acme.test"})
		editor := createUser(t, svc, acme, core.CreateUser{Email: "editor@acme.test", Role: core.RoleEditor})

		ops := []struct {
			name  string
			write bool
			do    func(a core.Actor) error
		}{
			{"Get", false, func(a core.Actor) error { _, err := svc.GetUser(ctx, a, target.ID); return err }},
			{"List", false, func(a core.Actor) error { _, err := svc.ListUsers(ctx, a, core.UserFilter{}); return err }},
			{"Create", true, func(a core.Actor) error {
				_, err := svc.CreateUser(ctx, a, core.CreateUser{Email: "new@example.com", Role: core.RoleClientAdmin})
				return err
			}},
			{"Update", true, func(a core.Actor) error {
				_, err := svc.UpdateUser(ctx, a, target.ID, core.UpdateUser{Role: ptr(core.RoleClientAdmin)})
				return err
			}},
			{"Delete", true, func(a core.Actor) error { return svc.DeleteUser(ctx, a, target.ID) }},
		}
		actors := []struct {
			name              string
			actor             core.Actor
			mayRead, mayWrite bool
		}{
			{"ReadKey", scoped(core.ScopeUsersRead), true, false},
			{"AdminScopeKey", scoped(core.ScopeAdmin), false, false},
			{"ClientUser", userActor(acme, member), false, false},
			{"Editor", userActor(acme, editor), false, false},
			// Last: its writes succeed, the delete removing target.
			{"WriteKey", scoped(core.ScopeUsersWrite), false, true},
		}
		for _, ac := range actors {
			for _, op := range ops {
				allowed := ac.mayRead
				if op.write {
					allowed = ac.mayWrite
				}
				t.Run(ac.name+"/"+op.name, func(t *testing.T) {
					before := takeCensus(t, st, acme.Tenant.ID)
					err := op.do(ac.actor)
					if allowed {
						if err != nil {
							t.Errorf("got %v, want success", err)
						}
						return
					}
					wantError(t, err, core.Forbidden, "")
					wantSameCensus(t, st, before)
					got, err := st.GetUser(ctx, acme.Tenant.ID, target.ID)
					if err != nil {
						t.Fatalf("store GetUser: %v", err)
					}
					sameUser(t, got, target)
				})
			}
		}
	})
}
