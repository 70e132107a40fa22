package core_test

import (
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

func TestCreateAPIKey(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")

		tests := []struct {
			name       string
			actor      core.Actor
			cmd        core.CreateAPIKey
			wantScopes []string // nil: every scope
		}{
			{"EveryScope", acme.key, core.CreateAPIKey{Name: "zapier"}, nil},
			{"Subset", acme.key, core.CreateAPIKey{Name: "sync", Scopes: []string{core.ScopeUsersWrite, " users:read ", core.ScopeUsersRead}},
				[]string{core.ScopeUsersRead, core.ScopeUsersWrite}},
			{"ReadOnly", acme.key, core.CreateAPIKey{Name: "reporting", Scopes: []string{core.ScopeUsersRead}}, []string{core.ScopeUsersRead}},
			{"ByAdminUser", userActor(acme, acme.Admin), core.CreateAPIKey{Name: "console", Scopes: []string{core.ScopeAdmin}}, []string{core.ScopeAdmin}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := t.Context()
				nBefore := len(events(t, st, acme.Tenant.ID, ""))
				k, plaintext, err := svc.CreateAPIKey(ctx, tt.actor, tt.cmd)
				if err != nil {
					t.Fatalf("CreateAPIKey: %v", err)
				}
				if !core.LooksLikeAPIKey(plaintext) || !strings.HasPrefix(plaintext, k.Prefix) || k.Prefix == plaintext {
					t.Errorf("got key %q with prefix %q, want a bdk_ key starting with a shorter prefix", plaintext, k.Prefix)
				}
				if !slices.Equal(k.Scopes, tt.wantScopes) {
					t.Errorf("got scopes %v, want %v", k.Scopes, tt.wantScopes)
				}
				stored, err := st.GetAPIKey(ctx, acme.Tenant.ID, k.ID)
				if err != nil {
					t.Fatalf("store GetAPIKey: %v", err)
				}
				if stored.Name != tt.cmd.Name || !slices.Equal(stored.Scopes, tt.wantScopes) ||
					!slices.Equal(stored.Hash, core.HashAPIKey(plaintext)) || stored.LastUsedAt != nil || stored.Revoked() {
					t.Errorf("got stored key %+v, want %q with scopes %v, the key's hash, never used, not revoked", stored, tt.cmd.Name, tt.wantScopes)
				}

				a, err := svc.AuthenticateAPIKey(ctx, plaintext)
				if err != nil {
					t.Fatalf("AuthenticateAPIKey: %v", err)
				}
				if a.TenantID != acme.Tenant.ID || a.APIKeyID != k.ID || !slices.Equal(a.Scopes, tt.wantScopes) {
					t.Errorf("got actor %+v, want key %d of tenant %d with scopes %v", a, k.ID, acme.Tenant.ID, tt.wantScopes)
				}
				for _, sc := range core.AllScopes {
					want := tt.wantScopes == nil || slices.Contains(tt.wantScopes, sc)
					if a.HasScope(sc) != want {
						t.Errorf("got HasScope(%s) %v, want %v", sc, a.HasScope(sc), want)
					}
				}

				added := events(t, st, acme.Tenant.ID, "")[nBefore:]
				if got := eventTypes(added); !slices.Equal(got, []string{core.EventAPIKeyCreated}) {
					t.Fatalf("got new events %v, want [api_key_created]", got)
				}
				e := added[0]
				if e.SubjectType != "api_key" || e.SubjectID != strconv.FormatInt(k.ID, 10) || e.Actor != tt.actor.Label() {
					t.Errorf("got event about %s %s by %q, want api_key %d by %q", e.SubjectType, e.SubjectID, e.Actor, k.ID, tt.actor.Label())
				}
				if !strings.Contains(string(e.Payload), k.Prefix) {
					t.Errorf("got payload %s, want the key's prefix %s", e.Payload, k.Prefix)
				}
				wantNoSecrets(t, "api_key_created payload", string(e.Payload), plaintext, hex.EncodeToString(k.Hash))
			})
		}
	})
}

func TestCreateAPIKeyRefused(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		member := createUser(t, svc, acme, core.CreateUser{Email: "member@acme.test"})
		editor := createUser(t, svc, acme, core.CreateUser{Email: "editor@acme.test", Role: core.RoleEditor})
		_, usersOnly, err := svc.CreateAPIKey(ctx, acme.key, core.CreateAPIKey{Name: "users only",
			Scopes: []string{core.ScopeUsersRead, core.ScopeUsersWrite}})
		if err != nil {
			t.Fatalf("CreateAPIKey(users only): %v", err)
		}
		usersOnlyActor, err := svc.AuthenticateAPIKey(ctx, usersOnly)
		if err != nil {
			t.Fatalf("AuthenticateAPIKey(users only): %v", err)
		}

		tests := []struct {
			name      string
			actor     core.Actor
			cmd       core.CreateAPIKey
			wantCode  core.ErrorCode
			wantField string
		}{
			{"UnknownScope", acme.key, core.CreateAPIKey{Name: "k", Scopes: []string{core.ScopeUsersRead, "superuser"}}, core.Invalid, "scopes"},
			{"ScopeWrongCase", acme.key, core.CreateAPIKey{Name: "k", Scopes: []string{"ADMIN"}}, core.Invalid, "scopes"},
			{"ScopeEmptyString", acme.key, core.CreateAPIKey{Name: "k", Scopes: []string{""}}, core.Invalid, "scopes"},
			{"NameTooLong", acme.key, core.CreateAPIKey{Name: strings.Repeat("n", 256)}, core.Invalid, "name"},
			{"KeyWithoutAdminScope", usersOnlyActor, core.CreateAPIKey{Name: "escalate"}, core.Forbidden, ""},
			{"ClientUser", userActor(acme, member), core.CreateAPIKey{Name: "k"}, core.Forbidden, ""},
			{"Editor", userActor(acme, editor), core.CreateAPIKey{Name: "k"}, core.Forbidden, ""},
			{"NoTenant", core.Actor{Kind: core.ActorAPIKey}, core.CreateAPIKey{Name: "k"}, core.Unauthenticated, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := takeCensus(t, st, acme.Tenant.ID)
				k, plaintext, err := svc.CreateAPIKey(t.Context(), tt.actor, tt.cmd)
				wantError(t, err, tt.wantCode, tt.wantField)
				if plaintext != "" || k.ID != 0 {
					t.Errorf("got key %d %q, want none", k.ID, plaintext)
				}
				wantSameCensus(t, st, before)
			})
		}

		// A key without the admin scope may not list or revoke keys either.
		_, err = svc.ListAPIKeys(ctx, usersOnlyActor)
		wantError(t, err, core.Forbidden, "")
		err = svc.RevokeAPIKey(ctx, usersOnlyActor, acme.Key.ID)
		wantError(t, err, core.Forbidden, "")
		if _, err := svc.AuthenticateAPIKey(ctx, acme.APIKey); err != nil {
			t.Errorf("the admin key stopped working after a refused revoke: %v", err)
		}
	})
}

func TestAuthenticateAPIKeyRefused(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		revokedKey, revoked, err := svc.CreateAPIKey(ctx, acme.key, core.CreateAPIKey{Name: "old"})
		if err != nil {
			t.Fatalf("CreateAPIKey: %v", err)
		}
		if err := svc.RevokeAPIKey(ctx, acme.key, revokedKey.ID); err != nil {
			t.Fatalf("RevokeAPIKey: %v", err)
		}
		valid := acme.APIKey

		tests := []struct {
			name string
			key  string
		}{
			{"Empty", ""},
			{"NoPrefix", strings.TrimPrefix(valid, "bdk_")},
			{"WrongPrefix", "sk_" + strings.TrimPrefix(valid, "bdk_")},
			{"TooShort", valid[:len("bdk_")+31]},
			{"TooLong", "bdk_" + strings.Repeat("A", 125)},
			{"BadCharacter", valid[:20] + "!" + valid[21:]},
			{"BearerPrefix", "Bearer " + valid},
			{"TrailingSpace", valid + " "},
			{"Truncated", valid[:len(valid)-1]},
			{"OneCharacterChanged", valid[:len(valid)-1] + flip(valid[len(valid)-1])},
			{"Unknown", "bdk_" + strings.Repeat("Zz9", 14)},
			{"Revoked", revoked},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a, err := svc.AuthenticateAPIKey(t.Context(), tt.key)
				wantError(t, err, core.Unauthenticated, "")
				if a.TenantID != 0 {
					t.Errorf("got actor of tenant %d, want none", a.TenantID)
				}
				if err != nil {
					// Neither the key nor its random part may be echoed.
					for _, secret := range []string{tt.key, strings.TrimPrefix(tt.key, "bdk_"), valid, revoked} {
						if len(secret) >= 8 && strings.Contains(err.Error(), secret) {
							t.Errorf("error %q contains the key %q", err, secret)
						}
					}
				}
			})
		}
	})
}

// flip returns another base62 character than c.
func flip(c byte) string {
	if c == 'a' {
		return "b"
	}
	return "a"
}

func TestRevokeAPIKey(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		globex := createTenant(t, svc, "Globex")
		k, plaintext, err := svc.CreateAPIKey(ctx, acme.key, core.CreateAPIKey{Name: "zapier", Scopes: []string{core.ScopeUsersWrite}})
		if err != nil {
			t.Fatalf("CreateAPIKey: %v", err)
		}

		t.Run("CrossTenant", func(t *testing.T) {
			before := takeCensus(t, st, acme.Tenant.ID, globex.Tenant.ID)
			for _, actor := range []core.Actor{globex.key, userActor(globex, globex.Admin)} {
				err := svc.RevokeAPIKey(ctx, actor, k.ID)
				wantError(t, err, core.NotFound, "")
			}
			wantSameCensus(t, st, before)
			if _, err := svc.AuthenticateAPIKey(ctx, plaintext); err != nil {
				t.Errorf("the key stopped working after another tenant's revoke: %v", err)
			}
			keys, err := svc.ListAPIKeys(ctx, globex.key)
			if err != nil {
				t.Fatalf("ListAPIKeys(globex): %v", err)
			}
			for _, gk := range keys {
				if gk.ID == k.ID || gk.TenantID != globex.Tenant.ID {
					t.Errorf("got key %d of tenant %d in the other tenant's list", gk.ID, gk.TenantID)
				}
			}
		})

		t.Run("UnknownID", func(t *testing.T) {
			err := svc.RevokeAPIKey(ctx, acme.key, k.ID+1000)
			wantError(t, err, core.NotFound, "")
		})

		t.Run("Revoke", func(t *testing.T) {
			nBefore := len(events(t, st, acme.Tenant.ID, ""))
			if err := svc.RevokeAPIKey(ctx, acme.key, k.ID); err != nil {
				t.Fatalf("RevokeAPIKey: %v", err)
			}
			_, err := svc.AuthenticateAPIKey(ctx, plaintext)
			wantError(t, err, core.Unauthenticated, "")

			added := events(t, st, acme.Tenant.ID, "")[nBefore:]
			if got := eventTypes(added); !slices.Equal(got, []string{core.EventAPIKeyDeleted}) {
				t.Fatalf("got new events %v, want [api_key_deleted]", got)
			}
			e := added[0]
			if e.SubjectID != strconv.FormatInt(k.ID, 10) || e.Actor != acme.key.Label() || !strings.Contains(string(e.Payload), k.Prefix) {
				t.Errorf("got event about %s by %q with payload %s, want key %d by %q naming %s",
					e.SubjectID, e.Actor, e.Payload, k.ID, acme.key.Label(), k.Prefix)
			}
			wantNoSecrets(t, "api_key_deleted payload", string(e.Payload), plaintext, hex.EncodeToString(k.Hash))

			keys, err := svc.ListAPIKeys(ctx, acme.key)
			if err != nil {
				t.Fatalf("ListAPIKeys: %v", err)
			}
			i := slices.IndexFunc(keys, func(x core.APIKey) bool { return x.ID == k.ID })
			if i < 0 || !keys[i].Revoked() {
				t.Errorf("got keys %+v, want key %d listed as revoked", keys, k.ID)
			}

			// Revoking again: NotFound, and no second event.
			err = svc.RevokeAPIKey(ctx, acme.key, k.ID)
			wantError(t, err, core.NotFound, "")
			if got := len(events(t, st, acme.Tenant.ID, "")); got != nBefore+1 {
				t.Errorf("got %d events, want %d", got, nBefore+1)
			}
			// The tenant's other key is untouched.
			if _, err := svc.AuthenticateAPIKey(ctx, acme.APIKey); err != nil {
				t.Errorf("the tenant's other key stopped working: %v", err)
			}
		})
	})
}

func TestAPIKeyLastUsed(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		svc := newService(t, st)
		now := time.Date(2025, 6, 1, 9, 0, 0, 123456000, time.UTC)
		svc.SetClock(func() time.Time { return now })
		acme := createTenant(t, svc, "Acme")
		k, plaintext, err := svc.CreateAPIKey(ctx, acme.key, core.CreateAPIKey{Name: "fresh"})
		if err != nil {
			t.Fatalf("CreateAPIKey: %v", err)
		}
		lastUsed := func() *time.Time {
			t.Helper()
			got, err := st.GetAPIKey(ctx, acme.Tenant.ID, k.ID)
			if err != nil {
				t.Fatalf("store GetAPIKey: %v", err)
			}
			return got.LastUsedAt
		}
		if got := lastUsed(); got != nil {
			t.Fatalf("got last used %v before any use, want none", got)
		}

		first := now.Add(time.Hour)
		steps := []struct {
			name string
			at   time.Time
			want time.Time
		}{
			{"FirstUse", first, first},
			{"WithinAMinute", first.Add(30 * time.Second), first},
			{"AfterAMinute", first.Add(2 * time.Minute), first.Add(2 * time.Minute)},
		}
		for _, step := range steps {
			now = step.at
			if _, err := svc.AuthenticateAPIKey(ctx, plaintext); err != nil {
				t.Fatalf("%s: AuthenticateAPIKey: %v", step.name, err)
			}
			if got := lastUsed(); got == nil || !got.Equal(step.want) {
				t.Errorf("%s: got last used %v, want %v", step.name, got, step.want)
			}
		}
	})
}
