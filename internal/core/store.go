package core

import (
	"context"
	"time"
)

// Reader is the read half of the store. Every method that returns a tenant's
// object takes the tenant and scopes its query by it: another tenant's id
// answers NotFound, exactly like an id that does not exist.
//
// Errors: NotFound when nothing matches; anything else is Internal.
type Reader interface {
	groupReader
	webhookReader

	GetTenant(ctx context.Context, id int64) (Tenant, error)
	GetTenantByClientID(ctx context.Context, clientID string) (Tenant, error)
	GetTenantBySubdomain(ctx context.Context, subdomain string) (Tenant, error)
	ListTenants(ctx context.Context, afterID int64, limit int) ([]Tenant, error)

	GetUser(ctx context.Context, tenantID, userID int64) (User, error)
	// GetUserByEmail finds a user platform-wide by normalized email, as seen
	// from the user's home tenant.
	GetUserByEmail(ctx context.Context, normalizedEmail string) (User, error)
	// LookupUsersByEmail returns the users whose normalized email is in
	// normalizedEmails, in any tenant, each as seen from its home tenant,
	// keyed by normalized email. Unknown emails are absent. Inside a write
	// transaction on PostgreSQL the rows stay locked until it ends.
	LookupUsersByEmail(ctx context.Context, normalizedEmails []string) (map[string]User, error)
	// ListUsers returns the tenant's members in id order: ids above
	// f.AfterID matching f.Email (normalized) when set, skipping f.Offset of
	// them, at most f.Limit (100 when <= 0).
	ListUsers(ctx context.Context, tenantID int64, f UserFilter) ([]User, error)
	// CountUsers counts the tenant's members matching f.Email (normalized)
	// when set; f's other fields are ignored.
	CountUsers(ctx context.Context, tenantID int64, f UserFilter) (int, error)

	// ListRoles returns the built-in roles and the tenant's custom roles, in
	// id order.
	ListRoles(ctx context.Context, tenantID int64) ([]Role, error)
	// GetRole returns a built-in role or a custom role of the tenant.
	GetRole(ctx context.Context, tenantID, roleID int64) (Role, error)
	// CountMembersWithRole counts the tenant's memberships with that role.
	CountMembersWithRole(ctx context.Context, tenantID, roleID int64) (int, error)

	// ListTeams returns the tenant's teams in id order.
	ListTeams(ctx context.Context, tenantID int64) ([]Team, error)
	GetTeam(ctx context.Context, tenantID, teamID int64) (Team, error)

	// GetPasswordToken returns the set-password token with that hash,
	// spent or expired ones included.
	GetPasswordToken(ctx context.Context, hash []byte) (PasswordToken, error)

	GetAPIKey(ctx context.Context, tenantID, keyID int64) (APIKey, error)
	GetAPIKeyByHash(ctx context.Context, hash []byte) (APIKey, error)
	ListAPIKeys(ctx context.Context, tenantID int64) ([]APIKey, error)

	ListEvents(ctx context.Context, tenantID int64, f EventFilter) ([]Event, error)

	// ListSigningKeys returns every signing key, newest first.
	ListSigningKeys(ctx context.Context) ([]SigningKey, error)

	// GetIdempotencyRecord returns the record of (tenant, key).
	GetIdempotencyRecord(ctx context.Context, tenantID int64, key string) (IdempotencyRecord, error)
}

// Tx is one write transaction. Everything done through it commits together or
// not at all, events included.
type Tx interface {
	Reader
	groupWriter
	importWriter
	webhookWriter

	// InsertTenant stores t and sets t.ID. Conflict (field "subdomain") when
	// the subdomain is taken.
	InsertTenant(ctx context.Context, t *Tenant) error
	// UpdateTenant saves t.Name, t.Subdomain, t.RateLimit, t.RateBurst and
	// t.UpdatedAt.
	UpdateTenant(ctx context.Context, t *Tenant) error
	// DeleteTenant removes the tenant with its keys, memberships and the
	// users whose home it is. Its events stay.
	DeleteTenant(ctx context.Context, id int64) error

	// InsertUser stores u with its membership of u.TenantID (which is also
	// its home tenant) and sets u.ID. Conflict (field "email") when the
	// normalized email is taken anywhere on the platform, (field
	// "externalId") when the home tenant has a user with u.ExternalID;
	// Invalid (field
	// "role") when u.RoleID names no role, (field "teamId") when u.TeamID
	// names no team.
	InsertUser(ctx context.Context, u *User) error
	// UpdateUser saves every field of u (scoped by u.TenantID) and bumps
	// u.Version. Conflict (field "email" or "externalId") as for
	// InsertUser.
	UpdateUser(ctx context.Context, u *User) error
	// DeleteUser removes the user from the tenant: the whole user when it is
	// the user's home tenant, else only the membership.
	DeleteUser(ctx context.Context, tenantID, userID int64) error

	// InsertRole stores a custom role (r.TenantID set) and sets r.ID, from
	// 1000 up. Conflict (field "key") when the tenant has a role with r.Key.
	InsertRole(ctx context.Context, r *Role) error
	// DeleteRole removes a custom role of the tenant. NotFound for an
	// unknown, foreign or built-in role; Conflict while a membership has it.
	DeleteRole(ctx context.Context, tenantID, roleID int64) error

	// InsertTeam stores t and sets t.ID. Conflict (field "name") when the
	// tenant has a team whose name is t.Name case-insensitively.
	InsertTeam(ctx context.Context, t *Team) error
	// UpdateTeam saves t.Name, t.Active and t.UpdatedAt (scoped by
	// t.TenantID). NotFound; Conflict as for InsertTeam.
	UpdateTeam(ctx context.Context, t *Team) error
	// DeleteTeam removes a team of the tenant, first taking its members out
	// of it (team_id NULL, version bumped). NotFound when unknown or foreign.
	DeleteTeam(ctx context.Context, tenantID, teamID int64) error

	// InsertPasswordToken stores a set-password token.
	InsertPasswordToken(ctx context.Context, t *PasswordToken) error
	// SpendPasswordToken marks the token with that hash spent at at, when it
	// is unspent and expires after at. NotFound otherwise: of two concurrent
	// spends, exactly one succeeds.
	SpendPasswordToken(ctx context.Context, hash []byte, at time.Time) error
	// SpendPasswordTokensOfUser marks every unspent token of the user spent
	// at at (its password was set another way).
	SpendPasswordTokensOfUser(ctx context.Context, userID int64, at time.Time) error

	// InsertAPIKey stores k and sets k.ID.
	InsertAPIKey(ctx context.Context, k *APIKey) error
	// RevokeAPIKey sets the key's RevokedAt (scoped by tenant). NotFound when
	// the key is unknown or already revoked.
	RevokeAPIKey(ctx context.Context, tenantID, keyID int64, at time.Time) error
	// TouchAPIKey records that the key was used at t.
	TouchAPIKey(ctx context.Context, keyID int64, at time.Time) error

	// InsertEvent appends e and sets e.ID.
	InsertEvent(ctx context.Context, e *Event) error

	// InsertSigningKey stores k. Conflict when k.ID exists.
	InsertSigningKey(ctx context.Context, k *SigningKey) error
	// RetireSigningKey sets the key's RetiredAt. NotFound when unknown.
	RetireSigningKey(ctx context.Context, id string, at time.Time) error
	// DeleteSigningKey removes a key. NotFound when unknown.
	DeleteSigningKey(ctx context.Context, id string) error

	// InsertIdempotencyRecord stores r (not completed). Conflict (field
	// "Idempotency-Key") when the tenant already has a record with r.Key.
	InsertIdempotencyRecord(ctx context.Context, r *IdempotencyRecord) error
	// CompleteIdempotencyRecord stores the response of (tenant, key).
	// NotFound when there is no such record.
	CompleteIdempotencyRecord(ctx context.Context, tenantID int64, key string, status int, body []byte) error
	// DeleteIdempotencyRecord removes (tenant, key). NotFound when unknown.
	DeleteIdempotencyRecord(ctx context.Context, tenantID int64, key string) error
	// DeleteIdempotencyRecordsBefore removes every record created before t
	// and returns how many it removed.
	DeleteIdempotencyRecordsBefore(ctx context.Context, t time.Time) (int64, error)
}

// Store persists the core's objects.
type Store interface {
	Reader
	// Write runs fn in one transaction: committed when fn returns nil,
	// rolled back otherwise (fn's error is returned as is). Writes never
	// fail because another writer holds a lock; they wait.
	Write(ctx context.Context, fn func(tx Tx) error) error
	// Ping reports whether the store is reachable.
	Ping(ctx context.Context) error
	Close() error
}
