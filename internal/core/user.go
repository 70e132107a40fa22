package core

import "time"

// User is a person who can log in, as seen from one tenant: Role, RoleID,
// IsPrimary and AccountAdmin come from the user's membership of TenantID.
type User struct {
	ID           int64
	TenantID     int64 // the tenant this view belongs to
	HomeTenantID int64 // the tenant that created the user
	Email        string
	Name         string // displayName / name
	PasswordHash string // PHC string; "" when the user has no password yet

	RoleID       int64
	Role         string // the role's key ("clientUser", ...)
	IsPrimary    bool   // this tenant is the user's primary account
	AccountAdmin bool

	Active                  bool
	EmailFilteringEnabled   bool
	Notifications           bool
	NotificationPreferences []NotificationPreference
	Language                string // BCP 47
	Timezone                string // IANA
	Phone                   string // E.164
	ImageURL                string
	TeamID                  *int64
	ExternalID              string
	ExternalRefs            [3]string // external_system_reference1..3
	Strings                 [5]string // string1..5

	CreatedBy string
	UpdatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64 // bumped on every update, for ETags
}

// NotificationPreference is one rule of a user's notification settings.
type NotificationPreference struct {
	Event        string   `json:"event"`
	AccountID    string   `json:"accountId,omitempty"`
	DeliveryPref []string `json:"deliveryPref,omitempty"`
}

// CreateUser is the command to create a user in the actor's tenant. Pointer
// fields are optional: nil takes the default.
type CreateUser struct {
	// ClientID, when set, must be the actor's tenant's client ID: the
	// credential names the tenant, a payload can only confirm it.
	ClientID string

	Email                 string
	Name                  string
	Password              *string // nil or "": no password
	Role                  string  // key or alias; "" is clientUser
	Active                *bool   // default true
	EmailFilteringEnabled *bool   // default true
	Notifications         *bool   // default false
}

// UpdateUser is the command to change a user. Only non-nil fields change.
type UpdateUser struct {
	Email                 *string
	Name                  *string
	Password              *string
	Role                  *string
	Active                *bool
	EmailFilteringEnabled *bool
	Notifications         *bool
}

// UserFilter selects a page of a tenant's users, in id order.
type UserFilter struct {
	AfterID int64  // keyset cursor: only users with a larger id
	Limit   int    // page size; the store caps nothing, the service does
	Email   string // exact match on the normalized email, optional
}
