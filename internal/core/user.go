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
// fields are optional: nil takes the default; empty strings mean "none".
type CreateUser struct {
	// ClientID, when set, must be the actor's tenant's client ID: the
	// credential names the tenant, a payload can only confirm it.
	ClientID string

	Email                 string
	Name                  string
	Password              *string // nil or "": no password (a set-password token is made)
	Role                  string  // key or alias of a built-in role, or a custom role's key; "" is clientUser
	Active                *bool   // default true
	EmailFilteringEnabled *bool   // default true
	Notifications         *bool   // default false

	// RoleID is a built-in role id (1..3) or the id of one of the tenant's
	// custom roles. Set at most one of Role and RoleID (both: Invalid field
	// "role_id"); an unknown id, or another tenant's role, is Invalid
	// (field "role_id").
	RoleID *int64
	// Language is a BCP 47 tag in hyphen form ("pt-BR"); its canonical form
	// is stored. "" is none.
	Language string
	// Timezone is an IANA zone name ("Europe/Paris"); "Local" is refused.
	// "" is none.
	Timezone string
	// Phone is an E.164 number (^\+[1-9]\d{1,14}$). "" is none.
	Phone string
	// ImageURL is an absolute http or https URL of at most 2048 octets. ""
	// is none.
	ImageURL string
	// TeamID, when set, must be a team of the actor's tenant (else Invalid
	// field "teamId").
	TeamID *int64
	// ExternalID is the identity provider's id for the user (SCIM), at most
	// 255 characters.
	ExternalID string
	// ExternalRefs are external_system_reference1..3, each at most 255
	// characters.
	ExternalRefs [3]string
	// Strings are string1..5, each at most 255 characters.
	Strings [5]string
	// NotificationPreferences: each event must be in EventCatalogue, each
	// deliveryPref one of DeliveryMethods, accountId empty or a decimal
	// string. A refused entry is Invalid with field
	// "notificationPreferences[<i>].event" (".accountId", ".deliveryPref").
	NotificationPreferences []NotificationPreference
}

// UserCreated is what CreateUser returns. PasswordToken is set when the user
// was created without a password: the one-time set-password token ("spt_"
// and 40 base62 characters), stored only as its SHA-256 and valid for the
// service's PasswordTokenTTL. This is its only copy: show it once.
type UserCreated struct {
	User          User
	PasswordToken string
}

// UpdateUser is the command to change a user. Only non-nil fields change.
// A pointer to "" clears an optional string field, except Timezone: "" is
// not a time zone, and is refused (Invalid field "timezone"). Fields are
// validated as in CreateUser, under the same names.
type UpdateUser struct {
	Email                 *string
	Name                  *string
	Password              *string
	Role                  *string
	Active                *bool
	EmailFilteringEnabled *bool
	Notifications         *bool

	RoleID   *int64 // set at most one of Role and RoleID (both: Invalid field "role_id")
	Language *string
	Timezone *string
	Phone    *string
	ImageURL *string
	// TeamID moves the user to that team of the actor's tenant; ClearTeam
	// takes the user out of its team. Setting both is Invalid (field
	// "teamId").
	TeamID                  *int64
	ClearTeam               bool
	ExternalID              *string
	ExternalRefs            [3]*string
	Strings                 [5]*string
	NotificationPreferences *[]NotificationPreference // a pointer to an empty list clears them
}

// UserFilter selects a page of a tenant's users, in id order.
type UserFilter struct {
	AfterID int64  // keyset cursor: only users with a larger id
	Limit   int    // page size; the store caps nothing, the service does
	Email   string // exact match on the normalized email, optional
	// Offset skips that many users after AfterID. It exists only for the
	// JSON:API face's page numbers: an offset scan costs O(offset), so
	// cursor listing (AfterID) stays the fast path.
	Offset int
}
