package core

import "context"

// groupReader is the store's read half for workspaces and groups. Every
// method is scoped by the tenant: another tenant's ids answer NotFound (or
// are left out of lists), exactly like unknown ids.
type groupReader interface {
	// ListWorkspaces returns the tenant's workspaces in id order.
	ListWorkspaces(ctx context.Context, tenantID int64) ([]Workspace, error)
	GetWorkspace(ctx context.Context, tenantID int64, id string) (Workspace, error)
	// CountGroupsInWorkspace counts the groups of one workspace.
	CountGroupsInWorkspace(ctx context.Context, tenantID int64, workspaceID string) (int, error)

	// ListGroups returns the tenant's groups in id order, only those of
	// workspaceID when it is not empty, with their WorkspaceName.
	ListGroups(ctx context.Context, tenantID int64, workspaceID string) ([]Group, error)
	GetGroup(ctx context.Context, tenantID int64, id string) (Group, error)
	// GetGroups returns those of ids that are groups of the tenant, in id
	// order; the caller compares to find the missing ones.
	GetGroups(ctx context.Context, tenantID int64, ids []string) ([]Group, error)

	// ListUserGroupIDs returns the ids of the user's groups in the tenant,
	// sorted.
	ListUserGroupIDs(ctx context.Context, tenantID, userID int64) ([]string, error)
	// ListGroupMembers returns the group's members with an id above
	// afterUserID, in id order, at most limit (100 when <= 0).
	ListGroupMembers(ctx context.Context, tenantID int64, groupID string, afterUserID int64, limit int) ([]User, error)
}

// groupWriter is the store's write half for workspaces and groups.
type groupWriter interface {
	// InsertWorkspace stores w. Conflict (field "_id") when the tenant has a
	// workspace with w.ID; NotFound when the tenant does not exist.
	InsertWorkspace(ctx context.Context, w *Workspace) error
	// UpdateWorkspace saves w.Name and w.UpdatedAt. NotFound.
	UpdateWorkspace(ctx context.Context, w *Workspace) error
	// DeleteWorkspace removes a workspace. NotFound; Conflict while it has
	// groups.
	DeleteWorkspace(ctx context.Context, tenantID int64, id string) error

	// InsertGroup stores g. Conflict (field "_id") when the tenant has a
	// group with g.ID; Invalid (field "workspace_id") when g.WorkspaceID is
	// not a workspace of the tenant.
	InsertGroup(ctx context.Context, g *Group) error
	// UpdateGroup saves g.WorkspaceID, g.Name, g.Permissions and
	// g.UpdatedAt. NotFound; Invalid as for InsertGroup.
	UpdateGroup(ctx context.Context, g *Group) error
	// DeleteGroup removes a group and its memberships. NotFound.
	DeleteGroup(ctx context.Context, tenantID int64, id string) error

	// SetUserGroups replaces the user's groups in the tenant with groupIDs.
	// NotFound when the user is not a member of the tenant; Invalid (field
	// "groups") when an id is not a group of the tenant.
	SetUserGroups(ctx context.Context, tenantID, userID int64, groupIDs []string) error
}
