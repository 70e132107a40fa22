package core_test

import (
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/core"
)

func TestCreateTenant(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		svc := newService(t, st)
		out, err := svc.CreateTenant(ctx, core.CreateTenant{Name: "  Acme Corp  "})
		if err != nil {
			t.Fatalf("CreateTenant: %v", err)
		}
		tn := out.Tenant

		t.Run("Tenant", func(t *testing.T) {
			if tn.ID == 0 || !core.ValidClientID(tn.ClientID) || tn.Subdomain != "acme-corp" || tn.Name != "Acme Corp" {
				t.Errorf("got tenant %+v, want an id, a valid client ID, subdomain acme-corp and name \"Acme Corp\"", tn)
			}
			for _, lookup := range []struct {
				name string
				get  func() (core.Tenant, error)
			}{
				{"TenantByClientID", func() (core.Tenant, error) { return svc.TenantByClientID(ctx, tn.ClientID) }},
				{"GetTenantBySubdomain", func() (core.Tenant, error) { return st.GetTenantBySubdomain(ctx, "acme-corp") }},
			} {
				got, err := lookup.get()
				if err != nil {
					t.Errorf("%s: %v", lookup.name, err)
				} else if got.ID != tn.ID || got.ClientID != tn.ClientID || got.Name != tn.Name {
					t.Errorf("%s: got %+v, want %+v", lookup.name, got, tn)
				}
			}
			_, err := svc.TenantByClientID(ctx, "clt_"+strings.Repeat("x", 21))
			wantError(t, err, core.NotFound, "")
			_, err = svc.TenantByClientID(ctx, "not a client id")
			wantError(t, err, core.NotFound, "")
		})

		t.Run("Admin", func(t *testing.T) {
			admin, err := st.GetUser(ctx, tn.ID, out.Admin.ID)
			if err != nil {
				t.Fatalf("store GetUser(admin): %v", err)
			}
			sameUser(t, admin, out.Admin)
			if admin.Email != "admin@acme-corp.roster.test" || admin.Role != core.RoleClientAdmin ||
				admin.RoleID != core.RoleIDClientAdmin || !admin.AccountAdmin || !admin.Active || admin.HomeTenantID != tn.ID {
				t.Errorf("got admin %+v, want an active clientAdmin account admin admin@acme-corp.roster.test of tenant %d", admin, tn.ID)
			}
			if len(out.AdminPassword) < 16 {
				t.Errorf("got admin password of %d characters, want at least 16", len(out.AdminPassword))
			}
			if !verifies(t, svc, out.AdminPassword, admin.PasswordHash) {
				t.Errorf("the admin password does not verify against the stored hash")
			}
			if verifies(t, svc, out.AdminPassword+"x", admin.PasswordHash) {
				t.Errorf("a wrong password verifies against the admin's hash")
			}
			if err := core.ValidatePassword(out.AdminPassword, admin.Email); err != nil {
				t.Errorf("the generated admin password breaks the password rules: %v", err)
			}
		})

		t.Run("APIKey", func(t *testing.T) {
			if !core.LooksLikeAPIKey(out.APIKey) || !strings.HasPrefix(out.APIKey, out.Key.Prefix) {
				t.Errorf("got key %q with prefix %q, want a bdk_ key starting with its prefix", out.APIKey, out.Key.Prefix)
			}
			a, err := svc.AuthenticateAPIKey(ctx, out.APIKey)
			if err != nil {
				t.Fatalf("AuthenticateAPIKey: %v", err)
			}
			if a.Kind != core.ActorAPIKey || a.TenantID != tn.ID || a.ClientID != tn.ClientID ||
				a.APIKeyID != out.Key.ID || a.KeyPrefix != out.Key.Prefix {
				t.Errorf("got actor %+v, want the API key %d (%s) of tenant %d (%s)", a, out.Key.ID, out.Key.Prefix, tn.ID, tn.ClientID)
			}
			for _, sc := range core.AllScopes {
				if !a.HasScope(sc) {
					t.Errorf("the tenant's first key lacks scope %s", sc)
				}
			}
			// The key works: it can create a user in its tenant.
			created, err := svc.CreateUser(ctx, a, core.CreateUser{Email: "first@acme.example"})
			if err != nil {
				t.Fatalf("CreateUser with the new key: %v", err)
			}
			if u := created.User; u.TenantID != tn.ID {
				t.Errorf("got user of tenant %d, want %d", u.TenantID, tn.ID)
			}
			k, err := st.GetAPIKey(ctx, tn.ID, out.Key.ID)
			if err != nil {
				t.Fatalf("store GetAPIKey: %v", err)
			}
			if !slices.Equal(k.Hash, core.HashAPIKey(out.APIKey)) {
				t.Errorf("got stored hash %x, want the SHA-256 of the key", k.Hash)
			}
		})

		t.Run("Events", func(t *testing.T) {
			list := events(t, st, tn.ID, "")
			want := []string{core.EventAccountCreated, core.EventUserCreated, core.EventAPIKeyCreated}
			if got := eventTypes(list); len(got) < 3 || !slices.Equal(got[:3], want) {
				t.Fatalf("got events %v, want %v first", got, want)
			}
			subjects := []string{tn.AccountID(), strconv.FormatInt(out.Admin.ID, 10), strconv.FormatInt(out.Key.ID, 10)}
			for i, e := range list[:3] {
				if e.SubjectID != subjects[i] || e.Actor != "operator" || e.TenantID != tn.ID {
					t.Errorf("got %s about %s by %q in tenant %d, want about %s by operator in tenant %d",
						e.Type, e.SubjectID, e.Actor, e.TenantID, subjects[i], tn.ID)
				}
				wantNoSecrets(t, e.Type+" payload", string(e.Payload),
					out.APIKey, out.AdminPassword, out.Admin.PasswordHash, hex.EncodeToString(core.HashAPIKey(out.APIKey)))
			}
		})
	})
}

func TestCreateTenantSubdomains(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, st core.Store) {
		ctx := t.Context()
		svc := newService(t, st)

		t.Run("DerivedCollisionGetsSuffix", func(t *testing.T) {
			seen := map[string]bool{}
			for i := range 3 {
				out, err := svc.CreateTenant(ctx, core.CreateTenant{Name: "Collide Co"})
				if err != nil {
					t.Fatalf("CreateTenant #%d: %v", i+1, err)
				}
				sub := out.Tenant.Subdomain
				switch {
				case i == 0 && sub != "collide-co":
					t.Errorf("got subdomain %q, want collide-co", sub)
				case i > 0 && !strings.HasPrefix(sub, "collide-co-"):
					t.Errorf("got subdomain %q, want collide-co-<suffix>", sub)
				}
				if err := core.ValidateSubdomain(sub); err != nil {
					t.Errorf("got invalid subdomain %q: %v", sub, err)
				}
				if seen[sub] {
					t.Errorf("got subdomain %q twice", sub)
				}
				seen[sub] = true
				if want := "admin@" + sub + ".roster.test"; out.Admin.Email != want {
					t.Errorf("got admin email %q, want %q", out.Admin.Email, want)
				}
			}
		})

		t.Run("NameWithoutLetters", func(t *testing.T) {
			out, err := svc.CreateTenant(ctx, core.CreateTenant{Name: "!!!"})
			if err != nil {
				t.Fatalf("CreateTenant: %v", err)
			}
			if out.Tenant.Subdomain != "tenant" {
				t.Errorf("got subdomain %q, want tenant", out.Tenant.Subdomain)
			}
		})

		t.Run("ExplicitSubdomainAndAdminEmail", func(t *testing.T) {
			out, err := svc.CreateTenant(ctx, core.CreateTenant{Name: "Initech", Subdomain: " initech-hq ", AdminEmail: "Owner@Initech.example"})
			if err != nil {
				t.Fatalf("CreateTenant: %v", err)
			}
			if out.Tenant.Subdomain != "initech-hq" || out.Admin.Email != "Owner@Initech.example" {
				t.Errorf("got subdomain %q admin %q, want initech-hq Owner@Initech.example", out.Tenant.Subdomain, out.Admin.Email)
			}
		})

		// Every refusal below leaves the tenants as they were.
		tests := []struct {
			name      string
			cmd       core.CreateTenant
			wantCode  core.ErrorCode
			wantField string
		}{
			{"ExplicitSubdomainTaken", core.CreateTenant{Name: "Other", Subdomain: "collide-co"}, core.Conflict, "subdomain"},
			{"NameEmpty", core.CreateTenant{Name: ""}, core.Invalid, "name"},
			{"NameBlank", core.CreateTenant{Name: " \t "}, core.Invalid, "name"},
			{"NameTooLong", core.CreateTenant{Name: strings.Repeat("n", 201)}, core.Invalid, "name"},
			{"SubdomainUpperCase", core.CreateTenant{Name: "Ok", Subdomain: "Acme"}, core.Invalid, "subdomain"},
			{"SubdomainUnderscore", core.CreateTenant{Name: "Ok", Subdomain: "ac_me"}, core.Invalid, "subdomain"},
			{"SubdomainLeadingHyphen", core.CreateTenant{Name: "Ok", Subdomain: "-acme"}, core.Invalid, "subdomain"},
			{"SubdomainDot", core.CreateTenant{Name: "Ok", Subdomain: "acme.corp"}, core.Invalid, "subdomain"},
			{"SubdomainTooLong", core.CreateTenant{Name: "Ok", Subdomain: strings.Repeat("a", 64)}, core.Invalid, "subdomain"},
			{"AdminEmailInvalid", core.CreateTenant{Name: "Ok", AdminEmail: "not-an-email"}, core.Invalid, "adminEmail"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := tenantCount(t, st)
				_, err := svc.CreateTenant(ctx, tt.cmd)
				wantError(t, err, tt.wantCode, tt.wantField)
				if got := tenantCount(t, st); got != before {
					t.Errorf("got %d tenants, want %d", got, before)
				}
			})
		}

		t.Run("AdminEmailTaken", func(t *testing.T) {
			before := tenantCount(t, st)
			_, err := svc.CreateTenant(ctx, core.CreateTenant{Name: "Dup Admin", AdminEmail: "OWNER@initech.example"})
			// The field is not asserted: the store reports "email" while
			// the command's field is "adminEmail" (see the report).
			if got := core.ErrorCodeOf(err); got != core.Conflict {
				t.Errorf("got %v (code %s), want Conflict", err, got)
			}
			if got := tenantCount(t, st); got != before {
				t.Errorf("got %d tenants, want %d: the tenant must roll back with its admin", got, before)
			}
		})
	})
}

func tenantCount(t *testing.T, st core.Store) int {
	t.Helper()
	list, err := st.ListTenants(t.Context(), 0, 100000)
	if err != nil {
		t.Fatalf("store ListTenants: %v", err)
	}
	return len(list)
}
