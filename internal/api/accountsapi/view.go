package accountsapi

import (
	"context"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

// userView is seed 002's User. Every member is always present, with these
// choices where the seed is loose:
//
//   - name, phone and imgSrc are "" when unset; teamId is null without a
//     team;
//   - notificationPreferences is a list of NotificationPreference ([] when
//     none): the seed's User types it as an object, but each preference is
//     an object and a user has several;
//   - accounts lists only the account of the request: a user may belong to
//     other tenants, which this tenant must not see;
//   - token, the one-time set-password token, appears only in the 201 of a
//     user created without a password, and is omitted everywhere else
//     (including a replay of that 201).
type userView struct {
	ID                      int64            `json:"id"`
	Email                   string           `json:"email"`
	Name                    string           `json:"name"`
	Active                  bool             `json:"active"`
	TeamID                  *int64           `json:"teamId"`
	Phone                   string           `json:"phone"`
	ImgSrc                  string           `json:"imgSrc"`
	NotificationPreferences []preferenceView `json:"notificationPreferences"`
	CreatedBy               string           `json:"createdBy"`
	UpdatedBy               string           `json:"updatedBy"`
	CreatedAt               time.Time        `json:"createdAt"`
	UpdatedAt               time.Time        `json:"updatedAt"`
	Accounts                []accountView    `json:"accounts"`
	FlatRolesList           []string         `json:"flatRolesList"`
	FlatPermissionsList     []string         `json:"flatPermissionsList"`
	Token                   string           `json:"token,omitempty"`
}

// preferenceView is one NotificationPreference; accountId is omitted when
// the rule applies to every account, deliveryPref is always a list.
type preferenceView struct {
	Event        string   `json:"event"`
	AccountID    string   `json:"accountId,omitempty"`
	DeliveryPref []string `json:"deliveryPref"`
}

type accountView struct {
	AccountID           string `json:"accountId"`
	AccountName         string `json:"accountName"`
	UsersPrimaryAccount bool   `json:"usersPrimaryAccount"`
	AccountAdmin        bool   `json:"accountAdmin"`
}

// userList is a page of users.
type userList struct {
	Users      []userView `json:"users"`
	NextCursor *string    `json:"nextCursor"`
}

// view renders u as seen from tenant by actor.
//
// Errors: those of core.Service.UserPermissions.
func (h *handlers) view(ctx context.Context, actor core.Actor, tenant core.Tenant, u core.User) (userView, error) {
	perms, err := h.permissions(ctx, actor, u)
	if err != nil {
		return userView{}, err
	}
	prefs := make([]preferenceView, len(u.NotificationPreferences))
	for i, p := range u.NotificationPreferences {
		prefs[i] = preferenceView{Event: p.Event, AccountID: p.AccountID, DeliveryPref: p.DeliveryPref}
		if prefs[i].DeliveryPref == nil {
			prefs[i].DeliveryPref = []string{}
		}
	}
	roles := []string{}
	if u.Role != "" {
		roles = append(roles, u.Role)
	}
	return userView{
		ID: u.ID, Email: u.Email, Name: u.Name, Active: u.Active, TeamID: u.TeamID,
		Phone: u.Phone, ImgSrc: u.ImageURL, NotificationPreferences: prefs,
		CreatedBy: u.CreatedBy, UpdatedBy: u.UpdatedBy, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
		Accounts: []accountView{{
			AccountID: tenant.AccountID(), AccountName: tenant.Name,
			UsersPrimaryAccount: u.IsPrimary, AccountAdmin: u.AccountAdmin,
		}},
		FlatRolesList:       roles,
		FlatPermissionsList: perms,
	}, nil
}

// permissions is u's flat permission list. A built-in role's list is fixed,
// so it is read without a service call (a page of users costs no extra
// query, and a key with users:write alone can still see the user it just
// created); a custom role's comes from the core.
func (h *handlers) permissions(ctx context.Context, actor core.Actor, u core.User) ([]string, error) {
	var perms []string
	if r, ok := core.BuiltinRoleByID(u.RoleID); ok {
		perms = r.Permissions
	} else {
		var err error
		if perms, err = h.Service.UserPermissions(ctx, actor, u); err != nil {
			return nil, err
		}
	}
	if perms == nil {
		perms = []string{}
	}
	return perms, nil
}

// withoutToken is what an idempotent create keeps of its answer: the body
// without the set-password token, which is stored only as a hash and must
// not sit in plaintext in the idempotency record. A replay therefore lacks
// the token.
func withoutToken(res response) any {
	if v, ok := res.Body.(userView); ok {
		v.Token = ""
		return v
	}
	return res.Body
}
