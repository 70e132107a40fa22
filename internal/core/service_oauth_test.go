package core_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/core"
)

func TestAuthenticateClient(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		other := createTenant(t, svc, "Other")
		ctx := t.Context()

		readKey, readPlain, err := svc.CreateAPIKey(ctx, acme.key, core.CreateAPIKey{Name: "reader", Scopes: []string{core.ScopeUsersRead}})
		if err != nil {
			t.Fatalf("CreateAPIKey: %v", err)
		}
		revoked, revokedPlain, err := svc.CreateAPIKey(ctx, acme.key, core.CreateAPIKey{Name: "gone"})
		if err != nil {
			t.Fatalf("CreateAPIKey: %v", err)
		}
		if err := svc.RevokeAPIKey(ctx, acme.key, revoked.ID); err != nil {
			t.Fatalf("RevokeAPIKey: %v", err)
		}

		t.Run("Success", func(t *testing.T) {
			for _, k := range []struct {
				plain  string
				id     int64
				scopes []string
			}{{acme.APIKey, acme.Key.ID, nil}, {readPlain, readKey.ID, []string{core.ScopeUsersRead}}} {
				a, err := svc.AuthenticateClient(ctx, acme.Tenant.ClientID, k.plain)
				if err != nil {
					t.Fatalf("AuthenticateClient: %v", err)
				}
				if a.Kind != core.ActorAPIKey || a.TenantID != acme.Tenant.ID || a.ClientID != acme.Tenant.ClientID ||
					a.APIKeyID != k.id || !slices.Equal(a.Scopes, k.scopes) {
					t.Errorf("got actor %+v, want key %d of tenant %d with scopes %v", a, k.id, acme.Tenant.ID, k.scopes)
				}
			}
		})

		tests := []struct {
			name, clientID, secret string
		}{
			{"AnotherTenantsKey", acme.Tenant.ClientID, other.APIKey},
			{"KeyOfTheOtherWay", other.Tenant.ClientID, acme.APIKey},
			{"UnknownKey", acme.Tenant.ClientID, "bdk_" + strings.Repeat("x", 40)},
			{"MalformedKey", acme.Tenant.ClientID, "not-a-key"},
			{"EmptySecret", acme.Tenant.ClientID, ""},
			{"RevokedKey", acme.Tenant.ClientID, revokedPlain},
			{"MalformedClientID", "clt_short", acme.APIKey},
			{"EmptyClientID", "", acme.APIKey},
			{"UnknownClientID", "clt_" + strings.Repeat("Z", 21), acme.APIKey},
			{"ClientIDOneCharOff", oneCharOff(acme.Tenant.ClientID), acme.APIKey},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := svc.AuthenticateClient(ctx, tt.clientID, tt.secret)
				if !wantError(t, err, core.Unauthenticated, "") {
					return
				}
				if msg := core.AsError(err).Message; msg != "client authentication failed" {
					t.Errorf("got message %q, want the one message for every failure", msg)
				}
				wantNoSecrets(t, "error", err.Error(), tt.secret)
			})
		}
	})
}

// oneCharOff returns s with its last character changed.
func oneCharOff(s string) string {
	last := byte('A')
	if s[len(s)-1] == last {
		last = 'B'
	}
	return s[:len(s)-1] + string(last)
}

func TestGrantScopes(t *testing.T) {
	t.Parallel()
	all := core.Actor{Kind: core.ActorAPIKey, TenantID: 1}
	readWrite := core.Actor{Kind: core.ActorAPIKey, TenantID: 1, Scopes: []string{core.ScopeUsersRead, core.ScopeUsersWrite}}
	read := core.Actor{Kind: core.ActorAPIKey, TenantID: 1, Scopes: []string{core.ScopeUsersRead}}

	tests := []struct {
		name      string
		actor     core.Actor
		requested string
		want      []string
		wantCode  core.ErrorCode
	}{
		{"DefaultEveryScope", all, "", core.AllScopes, ""},
		{"DefaultKeyScopes", readWrite, "", []string{core.ScopeUsersRead, core.ScopeUsersWrite}, ""},
		{"OnlySpaces", read, "   ", []string{core.ScopeUsersRead}, ""},
		{"Subset", readWrite, "users:read", []string{core.ScopeUsersRead}, ""},
		{"SubsetOfEvery", all, "admin users:write", []string{core.ScopeUsersWrite, core.ScopeAdmin}, ""},
		{"Equal", readWrite, "users:write users:read", []string{core.ScopeUsersRead, core.ScopeUsersWrite}, ""},
		{"Duplicates", read, "users:read users:read", []string{core.ScopeUsersRead}, ""},
		{"Superset", read, "users:read users:write", nil, core.Forbidden},
		{"AdminFromReadWrite", readWrite, "admin", nil, core.Forbidden},
		{"Unknown", all, "users:delete", nil, core.Invalid},
		{"UnknownAmongKnown", all, "users:read openid", nil, core.Invalid},
		{"WrongCase", all, "USERS:READ", nil, core.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := core.GrantScopes(tt.actor, tt.requested)
			if tt.wantCode != "" {
				if wantError(t, err, tt.wantCode, "scope") && got != nil {
					t.Errorf("got scopes %v with the error, want none", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("GrantScopes: %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}

	// The default grant is a copy: changing it cannot change AllScopes.
	got, _ := core.GrantScopes(all, "")
	got[0] = "changed"
	if core.AllScopes[0] != core.ScopeUsersRead {
		t.Fatalf("GrantScopes returned AllScopes itself")
	}
}

// TestClientTokenScopesBind: a client token speaks with the scopes it was
// granted, not its key's: the admin routes (API keys) need admin, the user
// routes users:read or users:write.
func TestClientTokenScopesBind(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		svc := newService(t, st)
		acme := createTenant(t, svc, "Acme")
		ctx := t.Context()
		tokenActor := func(scopes ...string) core.Actor {
			t.Helper()
			granted, err := core.GrantScopes(acme.key, strings.Join(scopes, " "))
			if err != nil {
				t.Fatalf("GrantScopes(%v): %v", scopes, err)
			}
			a, err := svc.ActorForToken(ctx, core.TokenSubject{
				Kind: core.TokenKindClient, Subject: strconv.FormatInt(acme.Key.ID, 10), ClientID: acme.Tenant.ClientID, Scopes: granted,
			})
			if err != nil {
				t.Fatalf("ActorForToken: %v", err)
			}
			return a
		}

		usersOnly := tokenActor(core.ScopeUsersRead, core.ScopeUsersWrite)
		_, _, err := svc.CreateAPIKey(ctx, usersOnly, core.CreateAPIKey{Name: "escalate"})
		if wantError(t, err, core.Forbidden, "") && !strings.Contains(err.Error(), core.ScopeAdmin) {
			t.Errorf("got %v, want a refusal naming scope admin", err)
		}
		_, err = svc.ListAPIKeys(ctx, usersOnly)
		wantError(t, err, core.Forbidden, "")
		if _, err := svc.ListUsers(ctx, usersOnly, core.UserFilter{}); err != nil {
			t.Errorf("ListUsers with users:read: %v", err)
		}

		admin := tokenActor(core.ScopeAdmin)
		if _, _, err := svc.CreateAPIKey(ctx, admin, core.CreateAPIKey{Name: "by token"}); err != nil {
			t.Errorf("CreateAPIKey with an admin token: %v", err)
		}
		_, err = svc.ListUsers(ctx, admin, core.UserFilter{})
		if wantError(t, err, core.Forbidden, "") && !strings.Contains(err.Error(), core.ScopeUsersRead) {
			t.Errorf("got %v, want a refusal naming scope users:read", err)
		}
		_, err = svc.CreateUser(ctx, admin, core.CreateUser{Email: "x@example.com"})
		if wantError(t, err, core.Forbidden, "") && !strings.Contains(err.Error(), core.ScopeUsersWrite) {
			t.Errorf("got %v, want a refusal naming scope users:write", err)
		}
	})
}
