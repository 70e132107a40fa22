package core

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Limits of custom roles.
const (
	maxRolePermissions   = 200
	maxPermissionLen     = 128
	roleKeyPatternSource = `^[A-Za-z][A-Za-z0-9_.:-]{0,63}$`
)

var (
	roleKeyPattern    = regexp.MustCompile(roleKeyPatternSource)
	permissionPattern = regexp.MustCompile(`^[A-Za-z0-9*][A-Za-z0-9_.:*/-]*$`)
)

type rolePayload struct {
	ID          int64    `json:"id"`
	Key         string   `json:"key"`
	Name        string   `json:"name"`
	Permissions []string `json:"permissions"`
}

func rolePayloadOf(r Role) map[string]rolePayload {
	perms := r.Permissions
	if perms == nil {
		perms = []string{}
	}
	return map[string]rolePayload{"role": {ID: r.ID, Key: r.Key, Name: r.Name, Permissions: perms}}
}

// withBuiltinPermissions returns r with the core's permission list when it
// is a built-in role (the store keeps none for them).
func withBuiltinPermissions(r Role) Role {
	if b, ok := BuiltinRoleByID(r.ID); ok && r.BuiltIn() {
		return b
	}
	return r
}

// ListRoles returns the roles of the actor's tenant: the built-in roles
// (ids 1..3) then its custom roles, in id order. Errors: Forbidden.
func (s *Service) ListRoles(ctx context.Context, a Actor) ([]Role, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	roles, err := s.store.ListRoles(ctx, a.TenantID)
	if err != nil {
		return nil, fmt.Errorf("list roles: %w", err)
	}
	for i, r := range roles {
		roles[i] = withBuiltinPermissions(r)
	}
	return roles, nil
}

// GetRole returns a built-in role or a custom role of the actor's tenant.
// Errors: NotFound (also for another tenant's role), Forbidden.
func (s *Service) GetRole(ctx context.Context, a Actor, id int64) (Role, error) {
	if err := a.requireAdmin(); err != nil {
		return Role{}, err
	}
	if r, ok := BuiltinRoleByID(id); ok {
		return r, nil
	}
	r, err := s.store.GetRole(ctx, a.TenantID, id)
	if err != nil {
		return Role{}, err
	}
	return withBuiltinPermissions(r), nil
}

// CreateRole makes a custom role in the actor's tenant and records
// role_created.
//
// The key is 1..64 letters, digits, '_', '.', ':' or '-', starting with a
// letter; the name defaults to the key; permissions are 1..128 characters
// each (letters, digits and _ . : * / -), at most 200, duplicates dropped,
// order kept.
//
// Errors: Invalid (key, name, permissions, permissions[<i>]); Conflict
// (field "key") when the key is a built-in role's key or alias (compared
// case-insensitively) or another custom role's; Forbidden.
func (s *Service) CreateRole(ctx context.Context, a Actor, cmd CreateRole) (Role, error) {
	if err := a.requireAdmin(); err != nil {
		return Role{}, err
	}
	key := strings.TrimSpace(cmd.Key)
	switch {
	case key == "":
		return Role{}, FieldError(Invalid, "key", "is required")
	case !roleKeyPattern.MatchString(key):
		return Role{}, FieldError(Invalid, "key", "must be 1 to 64 letters, digits, '_', '.', ':' or '-', starting with a letter")
	}
	for alias := range roleAliases {
		if strings.EqualFold(key, alias) {
			return Role{}, FieldError(Conflict, "key", "is a built-in role's key")
		}
	}
	name, err := validateName("name", cmd.Name, false)
	if err != nil {
		return Role{}, err
	}
	if name == "" {
		name = key
	}
	perms, err := validatePermissions(cmd.Permissions)
	if err != nil {
		return Role{}, err
	}
	r := Role{TenantID: a.TenantID, Key: key, Name: name, Permissions: perms}
	now := s.now()
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := tx.InsertRole(ctx, &r); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventRoleCreated, "role", strconv.FormatInt(r.ID, 10), rolePayloadOf(r), now)
	})
	if err != nil {
		return Role{}, fmt.Errorf("create role %q: %w", key, err)
	}
	return r, nil
}

// validatePermissions checks a custom role's permission list and returns it
// trimmed, without duplicates, in the given order (nil when empty).
func validatePermissions(in []string) ([]string, error) {
	if len(in) > maxRolePermissions {
		return nil, FieldError(Invalid, "permissions", "must have at most %d entries", maxRolePermissions)
	}
	var out []string
	for i, p := range in {
		p = strings.TrimSpace(p)
		if p == "" || len(p) > maxPermissionLen || !permissionPattern.MatchString(p) {
			return nil, FieldError(Invalid, fmt.Sprintf("permissions[%d]", i),
				"must be 1 to %d letters, digits or _ . : * / -", maxPermissionLen)
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// DeleteRole removes a custom role of the actor's tenant and records
// role_deleted. Errors: Forbidden for a built-in role; Conflict while a
// member of the tenant has the role; NotFound (also for another tenant's
// role).
func (s *Service) DeleteRole(ctx context.Context, a Actor, id int64) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	if _, ok := BuiltinRoleByID(id); ok {
		return Errorf(Forbidden, "built-in roles cannot be deleted")
	}
	now := s.now()
	err := s.store.Write(ctx, func(tx Tx) error {
		r, err := tx.GetRole(ctx, a.TenantID, id)
		if err != nil {
			return err
		}
		if r.BuiltIn() { // ids 1..3 are caught above; kept for safety
			return Errorf(Forbidden, "built-in roles cannot be deleted")
		}
		n, err := tx.CountMembersWithRole(ctx, a.TenantID, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return Errorf(Conflict, "the role is in use by %d member(s)", n)
		}
		// A member given the role meanwhile makes the store refuse with a
		// Conflict too (memberships.role_id is RESTRICT).
		if err := tx.DeleteRole(ctx, a.TenantID, id); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventRoleDeleted, "role", strconv.FormatInt(id, 10), rolePayloadOf(r), now)
	})
	if err != nil {
		return fmt.Errorf("delete role %d: %w", id, err)
	}
	return nil
}

// UserPermissions returns u's flat permission list, sorted: its role's
// permissions. The built-in roles' lists are fixed (see BuiltinRoles); a
// custom role's are its own. u must be a user of the actor's tenant, as
// returned by the service. Errors: NotFound (a user or role of another
// tenant), Forbidden.
func (s *Service) UserPermissions(ctx context.Context, a Actor, u User) ([]string, error) {
	// Either users scope will do: a face renders permissions after a write
	// too, and a write-only key must not see its committed change answered
	// with a 403.
	if err := a.requireUsers(ScopeUsersRead); err != nil {
		if err := a.requireUsers(ScopeUsersWrite); err != nil {
			return nil, err
		}
	}
	if u.TenantID != a.TenantID {
		return nil, Errorf(NotFound, "user %d not found", u.ID)
	}
	r, ok := BuiltinRoleByID(u.RoleID)
	if !ok {
		var err error
		if r, err = s.store.GetRole(ctx, a.TenantID, u.RoleID); err != nil {
			return nil, fmt.Errorf("permissions of user %d: %w", u.ID, err)
		}
	}
	perms := slices.Clone(r.Permissions)
	slices.Sort(perms)
	if perms == nil {
		perms = []string{}
	}
	return perms, nil
}
