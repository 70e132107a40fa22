package core

import (
	"context"
	"slices"
	"strconv"
	"time"
)

type rolesUpdatedPayload struct {
	User          userPayload `json:"user"`
	Roles         []string    `json:"roles"`
	PreviousRoles []string    `json:"previousRoles"`
}

// createBulkUsers creates the planned users in tx with a few batch writes:
// the users with their memberships, then their set-password tokens, group
// memberships and user_created events. rows[i] is plans[i]'s result, or
// rowErrs[i] its own failure. When any user is refused, rows is nil and
// nothing more is written: the caller rolls back, since a failed row
// (alone in its transaction, or in an atomic request) stores nothing.
func (s *Service) createBulkUsers(ctx context.Context, tx Tx, a Actor, plans []*bulkPlan, now time.Time) (rows []BulkRow, rowErrs []*Error, err error) {
	rowErrs = make([]*Error, len(plans))
	if len(plans) == 0 {
		return nil, rowErrs, nil
	}
	users := make([]User, len(plans))
	for i, p := range plans {
		role, _ := BuiltinRoleByID(RoleIDClientUser)
		if p.role != nil {
			role = *p.role
		}
		users[i] = User{
			TenantID: a.TenantID, Email: p.email, Name: p.name, PasswordHash: p.hash,
			RoleID: role.ID, Role: role.Key, IsPrimary: true, AccountAdmin: role.ID == RoleIDClientAdmin,
			Active: true, EmailFilteringEnabled: true, Notifications: boolOr(p.notifications, false),
			ImageURL: p.imageURL, CreatedBy: a.Label(), UpdatedBy: a.Label(), CreatedAt: now, UpdatedAt: now,
		}
	}
	insertErrs, err := tx.InsertUsers(ctx, users)
	if err != nil {
		return nil, nil, err
	}
	refused := false
	for i, err := range insertErrs {
		if err == nil {
			continue
		}
		e := AsError(err)
		if e == nil || e.Code == Internal {
			return nil, nil, err
		}
		rowErrs[i], refused = e, true
	}
	if refused {
		return nil, rowErrs, nil
	}

	rows = make([]BulkRow, len(plans))
	events := make([]*Event, len(plans))
	var tokens []PasswordToken
	var members []GroupMember
	for i, p := range plans {
		u := users[i]
		rows[i] = BulkRow{Index: p.index, Status: BulkCreated, UserID: u.ID}
		if p.password == "" {
			plain, hash, err := newPasswordToken()
			if err != nil {
				return nil, nil, err
			}
			tokens = append(tokens, PasswordToken{
				Hash: hash, UserID: u.ID, TenantID: u.TenantID, ExpiresAt: now.Add(s.passwordTokenTTL), CreatedAt: now,
			})
			rows[i].PasswordToken = plain
		}
		for _, g := range p.groups {
			members = append(members, GroupMember{UserID: u.ID, GroupID: g})
		}
		if events[i], err = newEvent(a, EventUserCreated, "user", strconv.FormatInt(u.ID, 10), payloadOf(u), now); err != nil {
			return nil, nil, err
		}
	}
	if err := tx.InsertPasswordTokens(ctx, tokens); err != nil {
		return nil, nil, err
	}
	// The groups were checked before the transaction: a refusal here means
	// one was deleted since. Which row named it is not known, so the
	// caller's transaction fails as a whole.
	if err := tx.InsertUserGroups(ctx, a.TenantID, members); err != nil {
		return nil, nil, err
	}
	if err := tx.InsertEvents(ctx, events); err != nil {
		return nil, nil, err
	}
	return rows, rowErrs, nil
}

func (s *Service) updateBulkUser(ctx context.Context, tx Tx, a Actor, p *bulkPlan, now time.Time) (BulkRow, error) {
	// Read again inside the transaction: change the latest row.
	u, err := tx.GetUser(ctx, a.TenantID, p.existing.ID)
	if ErrorCodeOf(err) == NotFound {
		return BulkRow{}, FieldError(Conflict, "email", "the user was removed while the request ran; send it again")
	}
	if err != nil {
		return BulkRow{}, err
	}
	previousRole := u.Role
	var changed []string
	if p.name != "" && p.name != u.Name {
		u.Name = p.name
		changed = append(changed, "name")
	}
	if p.imageURL != "" && p.imageURL != u.ImageURL {
		u.ImageURL = p.imageURL
		changed = append(changed, fieldImageURL)
	}
	if p.notifications != nil && *p.notifications != u.Notifications {
		u.Notifications = *p.notifications
		changed = append(changed, "notifications")
	}
	if p.role != nil && p.role.ID != u.RoleID {
		u.RoleID, u.Role, u.AccountAdmin = p.role.ID, p.role.Key, p.role.ID == RoleIDClientAdmin
		changed = append(changed, "role")
	}
	// No hash was made when the password is the user's already.
	if p.hash != "" {
		u.PasswordHash = p.hash
		changed = append(changed, "password")
	}
	if p.groups != nil {
		current, err := tx.ListUserGroupIDs(ctx, a.TenantID, u.ID)
		if err != nil {
			return BulkRow{}, err
		}
		if !slices.Equal(current, p.groups) {
			if err := tx.SetUserGroups(ctx, a.TenantID, u.ID, p.groups); err != nil {
				return BulkRow{}, err
			}
			changed = append(changed, "groups")
		}
	}
	if len(changed) == 0 {
		return BulkRow{Index: p.index, Status: BulkUnchanged, UserID: u.ID}, nil
	}
	// The version moves with groups too, so that ETags change.
	if err := saveUserUpdate(ctx, tx, a, &u, previousRole, changed, now); err != nil {
		return BulkRow{}, err
	}
	return BulkRow{Index: p.index, Status: BulkUpdated, UserID: u.ID}, nil
}
