package core

import (
	"context"
	"fmt"
)

// resolveUserRole returns the role a user command names: by key or alias
// (a built-in role's, or one of the tenant's custom roles'), or by id (a
// built-in id 1..3, or one of the tenant's custom roles). With neither, it
// returns clientUser.
//
// Errors: Invalid (field "role_id") when both are set or the id is not a role
// of the tenant; Invalid (field "role") for an unknown key.
func (s *Service) resolveUserRole(ctx context.Context, tenantID int64, key string, id *int64) (Role, error) {
	switch {
	case key != "" && id != nil:
		return Role{}, FieldError(Invalid, fieldRoleID, "set role or role_id, not both")
	case id != nil:
		if r, ok := BuiltinRoleByID(*id); ok {
			return r, nil
		}
		if *id <= 0 {
			return Role{}, FieldError(Invalid, fieldRoleID, "is not a role of this tenant")
		}
		r, err := s.store.GetRole(ctx, tenantID, *id)
		if ErrorCodeOf(err) == NotFound {
			return Role{}, FieldError(Invalid, fieldRoleID, "is not a role of this tenant")
		}
		if err != nil {
			return Role{}, fmt.Errorf("get role %d: %w", *id, err)
		}
		return r, nil
	case key == "":
		r, _ := BuiltinRole(RoleClientUser)
		return r, nil
	}
	if r, ok := BuiltinRole(key); ok {
		return r, nil
	}
	roles, err := s.store.ListRoles(ctx, tenantID)
	if err != nil {
		return Role{}, fmt.Errorf("list roles: %w", err)
	}
	for _, r := range roles {
		if !r.BuiltIn() && r.Key == key {
			return r, nil
		}
	}
	return Role{}, FieldError(Invalid, "role", "must be one of clientUser, editor, clientAdmin or a custom role's key")
}

// checkUserTeam checks that id is a team of the tenant. Errors: Invalid
// (field "teamId").
func (s *Service) checkUserTeam(ctx context.Context, tenantID, id int64) error {
	if id <= 0 {
		return FieldError(Invalid, fieldTeamID, "is not a team of this tenant")
	}
	_, err := s.store.GetTeam(ctx, tenantID, id)
	if ErrorCodeOf(err) == NotFound {
		return FieldError(Invalid, fieldTeamID, "is not a team of this tenant")
	}
	if err != nil {
		return fmt.Errorf("get team %d: %w", id, err)
	}
	return nil
}
