package core

import (
	"encoding/json"
	"time"
)

// Workspace holds groups (seed 003). Its id is an opaque string unique in
// its tenant.
type Workspace struct {
	TenantID  int64
	ID        string // [A-Za-z0-9_-]{1,64}; made as 24 lowercase hex characters when not given
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Group is a set of users in a workspace, carrying permissions (seed 003).
// Its id is an opaque string unique in its tenant.
type Group struct {
	TenantID      int64
	ID            string
	WorkspaceID   string
	WorkspaceName string // read from the workspace; ignored on writes
	Name          string
	Permissions   []Permission
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Permission is one entry of a group's permission list, in seed 003's
// names. Filters is an opaque JSON array that Roster stores as given.
type Permission struct {
	ID      string          `json:"_id"`
	PageID  string          `json:"page_id"`
	Filters json.RawMessage `json:"filters"`
}

// CreateWorkspace is the command to make a workspace. ID is optional.
type CreateWorkspace struct {
	ID   string
	Name string
}

// CreateGroup is the command to make a group. ID is optional; WorkspaceID
// must name a workspace of the tenant.
type CreateGroup struct {
	ID          string
	WorkspaceID string
	Name        string
	Permissions []Permission
}

// UpdateGroup changes the non-nil fields of a group.
type UpdateGroup struct {
	WorkspaceID *string
	Name        *string
	Permissions *[]Permission // a pointer to an empty list clears them
}
