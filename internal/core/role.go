package core

// Role is a named set of permissions. The built-in roles have fixed ids shared
// by every tenant; custom roles (later) are per tenant.
type Role struct {
	ID   int64
	Key  string
	Name string
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

// BuiltinRoles lists the roles every tenant has.
var BuiltinRoles = []Role{
	{ID: RoleIDClientUser, Key: RoleClientUser, Name: "User"},
	{ID: RoleIDEditor, Key: RoleEditor, Name: "Editor"},
	{ID: RoleIDClientAdmin, Key: RoleClientAdmin, Name: "Admin"},
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
			return r, true
		}
	}
	return Role{}, false
}

// BuiltinRoleByID returns the built-in role with that id.
func BuiltinRoleByID(id int64) (Role, bool) {
	for _, r := range BuiltinRoles {
		if r.ID == id {
			return r, true
		}
	}
	return Role{}, false
}
