package core

import (
	"context"
	"fmt"
	"slices"
	"strconv"
)

type groupPayload struct {
	Group struct {
		ID          string `json:"_id"`
		WorkspaceID string `json:"workspace_id"`
		Name        string `json:"name"`
	} `json:"group"`
	Changed []string `json:"changed,omitempty"`
}

func groupPayloadOf(g Group, changed ...string) groupPayload {
	var p groupPayload
	p.Group.ID, p.Group.WorkspaceID, p.Group.Name, p.Changed = g.ID, g.WorkspaceID, g.Name, changed
	return p
}

// ListGroups returns the actor's tenant's groups in id order, only those
// of workspaceID when it is not empty. Errors: Forbidden.
func (s *Service) ListGroups(ctx context.Context, a Actor, workspaceID string) ([]Group, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	if workspaceID != "" && !ValidObjectID(workspaceID) {
		return []Group{}, nil // no workspace has that id
	}
	list, err := s.store.ListGroups(ctx, a.TenantID, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	return list, nil
}

// GetGroup returns a group of the actor's tenant. Errors: NotFound (also
// for another tenant's), Forbidden.
func (s *Service) GetGroup(ctx context.Context, a Actor, id string) (Group, error) {
	if err := a.requireAdmin(); err != nil {
		return Group{}, err
	}
	if !ValidObjectID(id) {
		return Group{}, Errorf(NotFound, "group not found")
	}
	return s.store.GetGroup(ctx, a.TenantID, id)
}

// CreateGroup makes a group in a workspace of the actor's tenant and
// records group_created. Errors: Invalid ("_id", "workspace_id" also when
// it is not a workspace of the tenant, "name", "permissions[<i>]...");
// Conflict ("_id"); Forbidden.
func (s *Service) CreateGroup(ctx context.Context, a Actor, cmd CreateGroup) (Group, error) {
	if err := a.requireAdmin(); err != nil {
		return Group{}, err
	}
	id, err := objectIDOrNew("_id", cmd.ID)
	if err != nil {
		return Group{}, err
	}
	if !ValidObjectID(cmd.WorkspaceID) {
		return Group{}, FieldError(Invalid, "workspace_id", "is not a workspace of this tenant")
	}
	name, err := validateName("name", cmd.Name, true)
	if err != nil {
		return Group{}, err
	}
	perms, err := validatePermissionList(cmd.Permissions)
	if err != nil {
		return Group{}, err
	}
	now := s.now()
	g := Group{TenantID: a.TenantID, ID: id, WorkspaceID: cmd.WorkspaceID, Name: name, Permissions: perms, CreatedAt: now, UpdatedAt: now}
	err = s.store.Write(ctx, func(tx Tx) error {
		w, err := tx.GetWorkspace(ctx, a.TenantID, g.WorkspaceID)
		if ErrorCodeOf(err) == NotFound {
			return FieldError(Invalid, "workspace_id", "is not a workspace of this tenant")
		}
		if err != nil {
			return err
		}
		g.WorkspaceName = w.Name
		if err := tx.InsertGroup(ctx, &g); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventGroupCreated, "group", g.ID, groupPayloadOf(g), now)
	})
	if err != nil {
		return Group{}, fmt.Errorf("create group: %w", err)
	}
	return g, nil
}

// UpdateGroup changes a group's workspace, name or permissions and records
// group_updated with what changed; nothing changed records nothing.
// Errors: as CreateGroup, and NotFound.
func (s *Service) UpdateGroup(ctx context.Context, a Actor, id string, cmd UpdateGroup) (Group, error) {
	if err := a.requireAdmin(); err != nil {
		return Group{}, err
	}
	if !ValidObjectID(id) {
		return Group{}, Errorf(NotFound, "group not found")
	}
	var name string
	var perms []Permission
	var err error
	if cmd.WorkspaceID != nil && !ValidObjectID(*cmd.WorkspaceID) {
		return Group{}, FieldError(Invalid, "workspace_id", "is not a workspace of this tenant")
	}
	if cmd.Name != nil {
		if name, err = validateName("name", *cmd.Name, true); err != nil {
			return Group{}, err
		}
	}
	if cmd.Permissions != nil {
		if perms, err = validatePermissionList(*cmd.Permissions); err != nil {
			return Group{}, err
		}
	}
	now := s.now()
	var g Group
	err = s.store.Write(ctx, func(tx Tx) error {
		if g, err = tx.GetGroup(ctx, a.TenantID, id); err != nil {
			return err
		}
		var changed []string
		if cmd.WorkspaceID != nil && *cmd.WorkspaceID != g.WorkspaceID {
			w, err := tx.GetWorkspace(ctx, a.TenantID, *cmd.WorkspaceID)
			if ErrorCodeOf(err) == NotFound {
				return FieldError(Invalid, "workspace_id", "is not a workspace of this tenant")
			}
			if err != nil {
				return err
			}
			g.WorkspaceID, g.WorkspaceName = w.ID, w.Name
			changed = append(changed, "workspace_id")
		}
		if cmd.Name != nil && name != g.Name {
			g.Name = name
			changed = append(changed, "name")
		}
		if cmd.Permissions != nil && !slices.EqualFunc(perms, g.Permissions, equalPermission) {
			g.Permissions = perms
			changed = append(changed, "permissions")
		}
		if len(changed) == 0 {
			return nil
		}
		g.UpdatedAt = now
		if err := tx.UpdateGroup(ctx, &g); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventGroupUpdated, "group", id, groupPayloadOf(g, changed...), now)
	})
	if err != nil {
		return Group{}, fmt.Errorf("update group %s: %w", id, err)
	}
	return g, nil
}

func equalPermission(a, b Permission) bool {
	return a.ID == b.ID && a.PageID == b.PageID && string(a.Filters) == string(b.Filters)
}

// DeleteGroup removes a group (its members stay, out of it) and records
// group_deleted. Errors: NotFound; Forbidden.
func (s *Service) DeleteGroup(ctx context.Context, a Actor, id string) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	if !ValidObjectID(id) {
		return Errorf(NotFound, "group not found")
	}
	now := s.now()
	err := s.store.Write(ctx, func(tx Tx) error {
		g, err := tx.GetGroup(ctx, a.TenantID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteGroup(ctx, a.TenantID, id); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventGroupDeleted, "group", id, groupPayloadOf(g), now)
	})
	if err != nil {
		return fmt.Errorf("delete group %s: %w", id, err)
	}
	return nil
}

// ListGroupMembers returns a page of a group's members in id order (see
// UserPage). Errors: Invalid ("limit", "cursor"); NotFound for an unknown
// or foreign group; Forbidden.
func (s *Service) ListGroupMembers(ctx context.Context, a Actor, groupID string, f UserFilter) (UserPage, error) {
	if err := a.requireAdmin(); err != nil {
		return UserPage{}, err
	}
	switch {
	case f.Limit == 0:
		f.Limit = DefaultPageSize
	case f.Limit < 0 || f.Limit > MaxPageSize:
		return UserPage{}, FieldError(Invalid, "limit", "must be between 1 and %d", MaxPageSize)
	}
	if f.AfterID < 0 {
		return UserPage{}, FieldError(Invalid, "cursor", "is not a valid cursor")
	}
	if _, err := s.GetGroup(ctx, a, groupID); err != nil {
		return UserPage{}, err
	}
	users, err := s.store.ListGroupMembers(ctx, a.TenantID, groupID, f.AfterID, f.Limit+1)
	if err != nil {
		return UserPage{}, fmt.Errorf("list members of group %s: %w", groupID, err)
	}
	page := UserPage{Users: users}
	if len(users) > f.Limit {
		page.Users = users[:f.Limit]
		page.Next = page.Users[f.Limit-1].ID
	}
	return page, nil
}

// AddGroupMember puts a user of the actor's tenant in a group and records
// user_updated (changed: groups); a member already in it changes nothing.
// Errors: NotFound for an unknown or foreign group or user; Forbidden.
func (s *Service) AddGroupMember(ctx context.Context, a Actor, groupID string, userID int64) error {
	return s.changeGroupMember(ctx, a, groupID, userID, true)
}

// RemoveGroupMember takes a user out of a group and records user_updated
// (changed: groups). Errors: NotFound for an unknown or foreign group or
// user, or a user not in the group; Forbidden.
func (s *Service) RemoveGroupMember(ctx context.Context, a Actor, groupID string, userID int64) error {
	return s.changeGroupMember(ctx, a, groupID, userID, false)
}

func (s *Service) changeGroupMember(ctx context.Context, a Actor, groupID string, userID int64, add bool) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	if !ValidObjectID(groupID) {
		return Errorf(NotFound, "group not found")
	}
	now := s.now()
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.GetGroup(ctx, a.TenantID, groupID); err != nil {
			return err
		}
		u, err := tx.GetUser(ctx, a.TenantID, userID)
		if err != nil {
			return err
		}
		ids, err := tx.ListUserGroupIDs(ctx, a.TenantID, userID)
		if err != nil {
			return err
		}
		in := slices.Contains(ids, groupID)
		switch {
		case add && in:
			return nil
		case add:
			ids = append(ids, groupID)
		case !in:
			return Errorf(NotFound, "the user is not a member of the group")
		default:
			ids = slices.DeleteFunc(ids, func(id string) bool { return id == groupID })
		}
		if err := tx.SetUserGroups(ctx, a.TenantID, userID, ids); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventUserUpdated, "user", strconv.FormatInt(userID, 10), payloadOf(u, "groups"), now)
	})
	if err != nil {
		return fmt.Errorf("change members of group %s: %w", groupID, err)
	}
	return nil
}

// UserGroupIDs returns the ids of a user's groups in the actor's tenant,
// sorted. Errors: NotFound; Forbidden.
func (s *Service) UserGroupIDs(ctx context.Context, a Actor, userID int64) ([]string, error) {
	if err := a.requireUsers(ScopeUsersRead); err != nil {
		return nil, err
	}
	if _, err := s.store.GetUser(ctx, a.TenantID, userID); err != nil {
		return nil, err
	}
	return s.store.ListUserGroupIDs(ctx, a.TenantID, userID)
}
