package core

// ActorKind tells who is calling.
type ActorKind int

const (
	// ActorOperator is the platform operator (the host's CLI, or an
	// operator key): it may act for any tenant.
	ActorOperator ActorKind = iota + 1
	// ActorAPIKey is a tenant credential: an API key or a token issued for one.
	ActorAPIKey
	// ActorUser is a logged-in user of a tenant.
	ActorUser
)

// Actor is the authenticated caller of a core method. Every tenant-scoped
// method acts on Actor.TenantID and nothing else.
type Actor struct {
	Kind     ActorKind
	TenantID int64
	ClientID string

	APIKeyID  int64  // ActorAPIKey
	KeyPrefix string // ActorAPIKey: the key's display prefix

	UserID int64  // ActorUser
	Email  string // ActorUser
	Role   string // ActorUser: the user's role key in TenantID

	Scopes []string // empty: every scope
}

// OperatorFor returns the platform operator acting on tenant t.
func OperatorFor(t Tenant) Actor {
	return Actor{Kind: ActorOperator, TenantID: t.ID, ClientID: t.ClientID}
}

// Label is how the actor is recorded in createdBy, updatedBy and events:
// "api-key:<prefix>", the user's email, or "operator".
func (a Actor) Label() string {
	switch a.Kind {
	case ActorAPIKey:
		return "api-key:" + a.KeyPrefix
	case ActorUser:
		return a.Email
	default:
		return "operator"
	}
}

func (a Actor) requireTenant() error {
	if a.TenantID == 0 {
		return Errorf(Unauthenticated, "no tenant credential")
	}
	return nil
}

// requireUsers allows the operator, tenant credentials with scope, and the
// tenant's clientAdmin users (with scope, when their token carries scopes):
// the gate of every user read (ScopeUsersRead) and write (ScopeUsersWrite).
// Because only clientAdmin, the highest tenant role, may manage users, "a
// credential grants at most its own level" (DESIGN §2) holds without a
// per-role check.
func (a Actor) requireUsers(scope string) error {
	if err := a.requireTenant(); err != nil {
		return err
	}
	switch {
	case a.Kind == ActorUser && a.Role != RoleClientAdmin:
		return Errorf(Forbidden, "role %s may not manage users", a.Role)
	case !a.HasScope(scope):
		return Errorf(Forbidden, "the credential lacks scope %s", scope)
	}
	return nil
}

// requireAdmin allows the operator, tenant credentials with the admin scope,
// and the tenant's clientAdmin users.
func (a Actor) requireAdmin() error {
	if err := a.requireTenant(); err != nil {
		return err
	}
	switch {
	case a.Kind == ActorUser && a.Role != RoleClientAdmin:
		return Errorf(Forbidden, "role %s may not manage API keys", a.Role)
	case !a.HasScope(ScopeAdmin):
		return Errorf(Forbidden, "the credential lacks scope %s", ScopeAdmin)
	}
	return nil
}

// HasScope reports whether the actor's credential carries scope (an empty
// scope list carries every scope).
func (a Actor) HasScope(scope string) bool {
	if len(a.Scopes) == 0 {
		return true
	}
	for _, s := range a.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}
