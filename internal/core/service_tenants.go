package core

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// CreateTenant is the platform operator's command to create a tenant with
// its first admin user and API key.
type CreateTenant struct {
	Name       string
	Subdomain  string // optional: derived from Name when empty
	AdminEmail string // optional: admin@<subdomain>.roster.test when empty
}

// TenantCreated is what creating a tenant returns. APIKey and AdminPassword
// are the only copies of those secrets: show them once.
type TenantCreated struct {
	Tenant        Tenant
	Admin         User
	Key           APIKey
	APIKey        string
	AdminPassword string
}

// adminPasswordLen is the length of generated admin passwords (base62:
// about 143 bits).
const adminPasswordLen = 24

// CreateTenant creates a tenant, a clientAdmin user with a generated
// password, and an API key with every scope, in one transaction with their
// events (account_created, user_created, api_key_created).
//
// Errors: Invalid (name, subdomain, adminEmail), Conflict (subdomain taken,
// or the admin email taken), Busy.
func (s *Service) CreateTenant(ctx context.Context, cmd CreateTenant) (TenantCreated, error) {
	name, err := ValidateTenantName(cmd.Name)
	if err != nil {
		return TenantCreated{}, err
	}
	subdomain, derived := strings.TrimSpace(cmd.Subdomain), false
	if subdomain == "" {
		subdomain, derived = slugify(name), true
		if subdomain == "" {
			subdomain = "tenant"
		}
	}
	base := subdomain
	if err := ValidateSubdomain(subdomain); err != nil {
		return TenantCreated{}, err
	}
	password, err := randomBase62(adminPasswordLen)
	if err != nil {
		return TenantCreated{}, err
	}
	hash, err := s.hashes.Hash(ctx, password)
	if err != nil {
		return TenantCreated{}, err
	}

	// A derived subdomain that is taken gets a random suffix; a chosen one
	// is the caller's to change.
	for attempt := 0; ; attempt++ {
		out, err := s.createTenant(ctx, name, subdomain, cmd.AdminEmail, hash)
		if err == nil {
			out.AdminPassword = password
			return out, nil
		}
		if e := AsError(err); !derived || attempt >= 3 || e == nil || e.Code != Conflict || e.Field != "subdomain" {
			return TenantCreated{}, err
		}
		suffix, rerr := randomBase62(6)
		if rerr != nil {
			return TenantCreated{}, rerr
		}
		subdomain = base + "-" + strings.ToLower(suffix)
	}
}

func (s *Service) createTenant(ctx context.Context, name, subdomain, adminEmail, hash string) (TenantCreated, error) {
	clientID, err := newClientID()
	if err != nil {
		return TenantCreated{}, err
	}
	if adminEmail == "" {
		adminEmail = "admin@" + subdomain + ".roster.test"
	}
	email, err := ValidateEmail(adminEmail)
	if err != nil {
		return TenantCreated{}, FieldError(Invalid, "adminEmail", "%s", AsError(err).Message)
	}
	plaintext, prefix, keyHash, err := newAPIKey()
	if err != nil {
		return TenantCreated{}, err
	}
	now := s.now()
	out := TenantCreated{
		Tenant: Tenant{ClientID: clientID, Subdomain: subdomain, Name: name, CreatedAt: now, UpdatedAt: now},
		APIKey: plaintext,
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := tx.InsertTenant(ctx, &out.Tenant); err != nil {
			return err
		}
		op := OperatorFor(out.Tenant)
		if err := insertEvent(ctx, tx, op, EventAccountCreated, "tenant", out.Tenant.AccountID(),
			map[string]string{"clientId": clientID, "subdomain": subdomain, "name": name}, now); err != nil {
			return err
		}
		out.Admin = User{
			TenantID: out.Tenant.ID, Email: email, Name: "Admin", PasswordHash: hash,
			RoleID: RoleIDClientAdmin, Role: RoleClientAdmin, IsPrimary: true, AccountAdmin: true,
			Active: true, EmailFilteringEnabled: true,
			CreatedBy: op.Label(), UpdatedBy: op.Label(), CreatedAt: now, UpdatedAt: now,
		}
		if err := tx.InsertUser(ctx, &out.Admin); err != nil {
			if e := AsError(err); e != nil && e.Code == Conflict {
				return FieldError(Conflict, "adminEmail", "is already a user's email")
			}
			return err
		}
		if err := insertEvent(ctx, tx, op, EventUserCreated, "user", strconv.FormatInt(out.Admin.ID, 10), payloadOf(out.Admin), now); err != nil {
			return err
		}
		out.Key = APIKey{TenantID: out.Tenant.ID, Name: "default", Prefix: prefix, Hash: keyHash, CreatedAt: now}
		return insertAPIKey(ctx, tx, op, &out.Key)
	})
	if err != nil {
		return TenantCreated{}, fmt.Errorf("create tenant %q: %w", subdomain, err)
	}
	return out, nil
}

// TenantByClientID returns the tenant with that client ID. Errors: NotFound.
func (s *Service) TenantByClientID(ctx context.Context, clientID string) (Tenant, error) {
	if !ValidClientID(clientID) {
		return Tenant{}, Errorf(NotFound, "no tenant with client ID %q", clientID)
	}
	return s.store.GetTenantByClientID(ctx, clientID)
}

// TenantBySubdomain returns the tenant with that subdomain (compared in lower
// case, as DNS names are). Errors: NotFound, also for anything that is not a
// valid subdomain.
func (s *Service) TenantBySubdomain(ctx context.Context, subdomain string) (Tenant, error) {
	subdomain = strings.ToLower(strings.TrimSpace(subdomain))
	if ValidateSubdomain(subdomain) != nil {
		return Tenant{}, Errorf(NotFound, "no tenant with subdomain %q", subdomain)
	}
	return s.store.GetTenantBySubdomain(ctx, subdomain)
}

// TenantByAccountID returns the tenant whose account ID (a decimal string,
// see Tenant.AccountID) is accountID. Errors: NotFound, also for anything
// that is not a canonical positive decimal number ("007", "+7", "7.0").
func (s *Service) TenantByAccountID(ctx context.Context, accountID string) (Tenant, error) {
	id, ok := parseDecimalID(accountID)
	if !ok {
		return Tenant{}, Errorf(NotFound, "no tenant with account ID %q", accountID)
	}
	return s.store.GetTenant(ctx, id)
}

// parseDecimalID parses a positive int64 written in canonical decimal: digits
// only, no sign, no leading zero.
func parseDecimalID(s string) (int64, bool) {
	if s == "" || len(s) > 19 || s[0] == '0' {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}
