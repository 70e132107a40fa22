package core

import "slices"

// Role is a named set of permissions. The built-in roles have fixed ids
// (1..3) shared by every tenant and TenantID 0; custom roles belong to one
// tenant and have ids from 1000 up.
type Role struct {
	ID          int64
	TenantID    int64 // 0: built in
	Key         string
	Name        string
	Permissions []string
}

// BuiltIn reports whether r is one of the built-in roles.
func (r Role) BuiltIn() bool { return r.TenantID == 0 }

// CreateRole is the command to make a custom role in the actor's tenant.
type CreateRole struct {
	Key         string   // unique in the tenant, built-in keys and aliases included
	Name        string   // display name; the key when empty
	Permissions []string // the role's flat permission list
}

// Built-in role ids. They are seeded by the migrations and never change.
const (
	RoleIDClientUser  int64 = 1
	RoleIDEditor      int64 = 2
	RoleIDClientAdmin int64 = 3
)

// Built-in role keys.
const (
	RoleClientUser  = "clientUser"
	RoleEditor      = "editor"
	RoleClientAdmin = "clientAdmin"
)

// Permissions the built-in roles carry. They are what the faces show as a
// user's flat permission list; what a credential may actually do is decided
// by its role key and scopes (see Actor).
const (
	PermissionUsersReadSelf = "users:read:self" // a user may read its own record
	PermissionUsersRead     = "users:read"
	PermissionUsersWrite    = "users:write"
	PermissionAdmin         = "admin"
	PermissionContentRead   = "content:read"
	PermissionContentWrite  = "content:write"
)

// BuiltinRoles lists the roles every tenant has, with their fixed
// permission lists:
//
//   - clientUser: users:read:self
//   - editor: users:read:self, content:read, content:write
//   - clientAdmin: users:read, users:write, admin
var BuiltinRoles = []Role{
	{ID: RoleIDClientUser, Key: RoleClientUser, Name: "User",
		Permissions: []string{PermissionUsersReadSelf}},
	{ID: RoleIDEditor, Key: RoleEditor, Name: "Editor",
		Permissions: []string{PermissionUsersReadSelf, PermissionContentRead, PermissionContentWrite}},
	{ID: RoleIDClientAdmin, Key: RoleClientAdmin, Name: "Admin",
		Permissions: []string{PermissionUsersRead, PermissionUsersWrite, PermissionAdmin}},
}

// roleAliases maps the names the faces use onto built-in role keys.
var roleAliases = map[string]string{
	RoleClientUser:  RoleClientUser,
	"user":          RoleClientUser,
	RoleEditor:      RoleEditor,
	RoleClientAdmin: RoleClientAdmin,
	"admin":         RoleClientAdmin,
}

// BuiltinRole resolves a role key or alias ("user", "admin") to a built-in role.
func BuiltinRole(keyOrAlias string) (Role, bool) {
	key, ok := roleAliases[keyOrAlias]
	if !ok {
		return Role{}, false
	}
	for _, r := range BuiltinRoles {
		if r.Key == key {
			return cloneRole(r), true
		}
	}
	return Role{}, false
}

// BuiltinRoleByID returns the built-in role with that id.
func BuiltinRoleByID(id int64) (Role, bool) {
	for _, r := range BuiltinRoles {
		if r.ID == id {
			return cloneRole(r), true
		}
	}
	return Role{}, false
}

// cloneRole copies r's permission list, so that callers cannot change the
// built-in roles.
func cloneRole(r Role) Role {
	r.Permissions = slices.Clone(r.Permissions)
	return r
}
