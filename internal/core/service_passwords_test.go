package core_test

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

const newPassword = "brand-new-password-42"

// createWithToken creates a user without a password and returns it with its
// set-password token.
func createWithToken(t *testing.T, svc *core.Service, tn tenant, email string) (core.User, string) {
	t.Helper()
	created, err := svc.CreateUser(t.Context(), tn.key, core.CreateUser{Email: email})
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", email, err)
	}
	return created.User, created.PasswordToken
}

func wantInvalidToken(t *testing.T, err error) {
	t.Helper()
	if wantError(t, err, core.Unauthenticated, "") {
		if got := core.AsError(err).Message; got != "the token is invalid or expired" {
			t.Errorf("got message %q, want %q", got, "the token is invalid or expired")
		}
	}
}

func TestSetPasswordToken(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")

		t.Run("OnlyWithoutPassword", func(t *testing.T) {
			created, err := svc.CreateUser(ctx, acme.key, core.CreateUser{Email: "haspass@example.com", Password: ptr(seedPassword)})
			if err != nil {
				t.Fatalf("CreateUser: %v", err)
			}
			if created.PasswordToken != "" {
				t.Errorf("a user created with a password got a token")
			}
			created, err = svc.CreateUser(ctx, acme.key, core.CreateUser{Email: "emptypass@example.com", Password: ptr("")})
			if err != nil {
				t.Fatalf("CreateUser: %v", err)
			}
			if created.PasswordToken == "" {
				t.Errorf("a user created with an empty password got no token")
			}
		})

		t.Run("ShapeAndStorage", func(t *testing.T) {
			u, token := createWithToken(t, svc, acme, "shape@example.com")
			rest, ok := strings.CutPrefix(token, "spt_")
			if !ok || len(rest) < 32 || strings.Trim(rest, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != "" {
				t.Errorf("got token %q, want spt_ and >= 32 base62 characters", token)
			}
			pt, err := st.GetPasswordToken(ctx, core.HashPasswordToken(token))
			if err != nil {
				t.Fatalf("the token's hash is not stored: %v", err)
			}
			if pt.UserID != u.ID || pt.TenantID != acme.Tenant.ID || pt.SpentAt != nil {
				t.Errorf("stored token: got user %d tenant %d spent %v", pt.UserID, pt.TenantID, pt.SpentAt)
			}
			if got, want := pt.ExpiresAt.Sub(pt.CreatedAt), core.DefaultPasswordTokenTTL; got != want {
				t.Errorf("token lifetime: got %v, want %v", got, want)
			}
			if _, err := st.GetPasswordToken(ctx, []byte(token)); core.ErrorCodeOf(err) != core.NotFound {
				t.Errorf("the plaintext token is stored as a hash: %v", err)
			}
			// Nothing else ever shows it: not the stored user, not an event.
			got, err := svc.GetUser(ctx, acme.key, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			sameUser(t, got, u)
			for _, e := range events(t, st, acme.Tenant.ID, "") {
				wantNoSecrets(t, e.Type+" event", string(e.Payload), token, strings.TrimPrefix(token, "spt_"))
			}
		})

		t.Run("WorksOnce", func(t *testing.T) {
			u, token := createWithToken(t, svc, acme, "once@example.com")
			if _, _, err := svc.Login(ctx, u.Email, newPassword); core.ErrorCodeOf(err) != core.Unauthenticated {
				t.Fatalf("login before the password is set: got %v, want unauthenticated", err)
			}
			if err := svc.SetPasswordWithToken(ctx, token, newPassword); err != nil {
				t.Fatalf("SetPasswordWithToken: %v", err)
			}
			got, _, err := svc.Login(ctx, u.Email, newPassword)
			if err != nil {
				t.Fatalf("login with the new password: %v", err)
			}
			if got.Version != u.Version+1 || got.UpdatedBy != u.Email {
				t.Errorf("after set password: version %d updatedBy %q, want %d %q", got.Version, got.UpdatedBy, u.Version+1, u.Email)
			}
			list := events(t, st, acme.Tenant.ID, core.EventUserPasswordChanged)
			if len(list) == 0 || list[len(list)-1].SubjectID != formatID(u.ID) || list[len(list)-1].Actor != u.Email {
				t.Fatalf("got user_password_changed events %+v, want one for user %d by %s", list, u.ID, u.Email)
			}
			e := list[len(list)-1]
			wantNoSecrets(t, "user_password_changed event", string(e.Payload), token, newPassword)

			before := takeCensus(t, st, acme.Tenant.ID)
			wantInvalidToken(t, svc.SetPasswordWithToken(ctx, token, "another-password-1"))
			wantSameCensus(t, st, before)
			if _, _, err := svc.Login(ctx, u.Email, newPassword); err != nil {
				t.Errorf("a spent token changed the password: %v", err)
			}
		})

		t.Run("Expired", func(t *testing.T) {
			clock := newTestClock(time.Now())
			svc := newService(t, st)
			svc.SetClock(clock.Now)
			_, token := createWithToken(t, svc, acme, "expired@example.com")
			clock.Advance(core.DefaultPasswordTokenTTL - time.Second)
			before := takeCensus(t, st, acme.Tenant.ID)
			wantError(t, svc.SetPasswordWithToken(ctx, token, "short"), core.Invalid, "password") // still valid: the password is checked
			clock.Advance(time.Second)
			wantInvalidToken(t, svc.SetPasswordWithToken(ctx, token, newPassword))
			wantSameCensus(t, st, before)
		})

		t.Run("ShorterTTL", func(t *testing.T) {
			clock := newTestClock(time.Now())
			svc := newService(t, st)
			svc.SetClock(clock.Now)
			svc.SetPasswordTokenTTL(time.Hour)
			_, token := createWithToken(t, svc, acme, "ttl@example.com")
			clock.Advance(time.Hour)
			wantInvalidToken(t, svc.SetPasswordWithToken(ctx, token, newPassword))
		})

		t.Run("BadPasswordDoesNotSpend", func(t *testing.T) {
			u, token := createWithToken(t, svc, acme, "badpass@example.com")
			for _, p := range []string{"short", strings.Repeat("p", 257), u.Email} {
				wantError(t, svc.SetPasswordWithToken(ctx, token, p), core.Invalid, "password")
			}
			if err := svc.SetPasswordWithToken(ctx, token, newPassword); err != nil {
				t.Fatalf("the token was spent by a refused password: %v", err)
			}
		})

		t.Run("Unknown", func(t *testing.T) {
			_, token := createWithToken(t, svc, acme, "unknown@example.com")
			for _, bad := range []string{"", "spt_", "spt_short", token + "x", strings.Replace(token, "spt_", "bdk_", 1),
				"spt_" + strings.Repeat("A", 40), token[:len(token)-1] + "!"} {
				wantInvalidToken(t, svc.SetPasswordWithToken(ctx, bad, newPassword))
			}
		})

		t.Run("UserDeleted", func(t *testing.T) {
			u, token := createWithToken(t, svc, acme, "deleted@example.com")
			if err := svc.DeleteUser(ctx, acme.key, u.ID); err != nil {
				t.Fatal(err)
			}
			wantInvalidToken(t, svc.SetPasswordWithToken(ctx, token, newPassword))
		})

		t.Run("PasswordSetByAdminSpendsToken", func(t *testing.T) {
			u, token := createWithToken(t, svc, acme, "adminset@example.com")
			if _, err := svc.UpdateUser(ctx, acme.key, u.ID, core.UpdateUser{Password: ptr(seedPassword)}); err != nil {
				t.Fatal(err)
			}
			wantInvalidToken(t, svc.SetPasswordWithToken(ctx, token, newPassword))
		})

		t.Run("ConcurrentUseOnce", func(t *testing.T) {
			_, token := createWithToken(t, svc, acme, "race@example.com")
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Go(func() { errs[i] = svc.SetPasswordWithToken(ctx, token, newPassword) })
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else {
					wantInvalidToken(t, err)
				}
			}
			if ok != 1 {
				t.Errorf("got %d successful uses of one token, want 1", ok)
			}
		})
	})
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		u := createUser(t, svc, acme, core.CreateUser{Email: "change@example.com", Password: ptr(seedPassword)})
		createUser(t, svc, acme, core.CreateUser{Email: "inactive@example.com", Password: ptr(seedPassword), Active: ptr(false)})
		createUser(t, svc, acme, core.CreateUser{Email: "nopass@example.com"})

		t.Run("Refused", func(t *testing.T) {
			before := takeCensus(t, st, acme.Tenant.ID)
			for _, tt := range []struct{ name, email, current string }{
				{"UnknownEmail", "nobody@example.com", seedPassword},
				{"MalformedEmail", "not an email", seedPassword},
				{"WrongPassword", u.Email, "wrong-password-1"},
				{"Inactive", "inactive@example.com", seedPassword},
				{"NoPassword", "nopass@example.com", ""},
			} {
				t.Run(tt.name, func(t *testing.T) {
					err := svc.ChangePassword(ctx, tt.email, tt.current, newPassword)
					if wantError(t, err, core.Unauthenticated, "") {
						if got := core.AsError(err).Message; got != "invalid email or password" {
							t.Errorf("got message %q, want the login's", got)
						}
					}
				})
			}
			wantError(t, svc.ChangePassword(ctx, u.Email, seedPassword, "short"), core.Invalid, "password")
			wantError(t, svc.ChangePassword(ctx, u.Email, seedPassword, u.Email), core.Invalid, "password")
			wantSameCensus(t, st, before)
		})

		t.Run("Changes", func(t *testing.T) {
			if err := svc.ChangePassword(ctx, "  CHANGE@example.com ", seedPassword, newPassword); err != nil {
				t.Fatalf("ChangePassword: %v", err)
			}
			if _, _, err := svc.Login(ctx, u.Email, seedPassword); core.ErrorCodeOf(err) != core.Unauthenticated {
				t.Errorf("the old password still works: %v", err)
			}
			if _, _, err := svc.Login(ctx, u.Email, newPassword); err != nil {
				t.Errorf("the new password does not work: %v", err)
			}
			list := events(t, st, acme.Tenant.ID, core.EventUserPasswordChanged)
			if len(list) != 1 || list[0].SubjectID != formatID(u.ID) || list[0].Actor != u.Email {
				t.Fatalf("got user_password_changed events %+v, want one for user %d by %s", list, u.ID, u.Email)
			}
			wantNoSecrets(t, "user_password_changed event", string(list[0].Payload), seedPassword, newPassword)
		})
	})
}

// testClock is a settable clock for Service.SetClock.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock(start time.Time) *testClock { return &testClock{now: start} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func formatID(id int64) string { return strconv.FormatInt(id, 10) }
