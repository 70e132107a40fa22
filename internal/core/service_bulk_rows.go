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

// insertRolesUpdated records user_roles_updated for u, whose role was
// previous.
func insertRolesUpdated(ctx context.Context, tx Tx, a Actor, u User, previous string, at time.Time) error {
	p := rolesUpdatedPayload{User: payloadOf(u).User, Roles: []string{u.Role}, PreviousRoles: []string{previous}}
	return insertEvent(ctx, tx, a, EventUserRolesUpdated, "user", strconv.FormatInt(u.ID, 10), p, at)
}

// applyBulkRow writes one planned row in tx with its events.
func (s *Service) applyBulkRow(ctx context.Context, tx Tx, a Actor, p *bulkPlan, now time.Time) (BulkRow, error) {
	if p.existing == nil {
		return s.createBulkUser(ctx, tx, a, p, now)
	}
	return s.updateBulkUser(ctx, tx, a, p, now)
}

func (s *Service) createBulkUser(ctx context.Context, tx Tx, a Actor, p *bulkPlan, now time.Time) (BulkRow, error) {
	role, _ := BuiltinRoleByID(RoleIDClientUser)
	if p.role != nil {
		role = *p.role
	}
	u := User{
		TenantID: a.TenantID, Email: p.email, Name: p.name, PasswordHash: p.hash,
		RoleID: role.ID, Role: role.Key, IsPrimary: true, AccountAdmin: role.ID == RoleIDClientAdmin,
		Active: true, EmailFilteringEnabled: true, Notifications: boolOr(p.notifications, false),
		ImageURL: p.imageURL, CreatedBy: a.Label(), UpdatedBy: a.Label(), CreatedAt: now, UpdatedAt: now,
	}
	var token string
	if err := tx.InsertUser(ctx, &u); err != nil {
		return BulkRow{}, err
	}
	if p.password == "" {
		plain, hash, err := newPasswordToken()
		if err != nil {
			return BulkRow{}, err
		}
		if err := tx.InsertPasswordToken(ctx, &PasswordToken{
			Hash: hash, UserID: u.ID, TenantID: u.TenantID, ExpiresAt: now.Add(s.passwordTokenTTL), CreatedAt: now,
		}); err != nil {
			return BulkRow{}, err
		}
		token = plain
	}
	if len(p.groups) > 0 {
		if err := tx.SetUserGroups(ctx, a.TenantID, u.ID, p.groups); err != nil {
			return BulkRow{}, err
		}
	}
	if err := insertEvent(ctx, tx, a, EventUserCreated, "user", strconv.FormatInt(u.ID, 10), payloadOf(u), now); err != nil {
		return BulkRow{}, err
	}
	return BulkRow{Index: p.index, Status: BulkCreated, UserID: u.ID, PasswordToken: token}, nil
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
	u.UpdatedBy, u.UpdatedAt = a.Label(), now
	// The version moves with groups too, so that ETags change.
	if err := tx.UpdateUser(ctx, &u); err != nil {
		return BulkRow{}, err
	}
	if slices.Contains(changed, "password") {
		if err := tx.SpendPasswordTokensOfUser(ctx, u.ID, now); err != nil {
			return BulkRow{}, err
		}
	}
	if err := insertEvent(ctx, tx, a, EventUserUpdated, "user", strconv.FormatInt(u.ID, 10), payloadOf(u, changed...), now); err != nil {
		return BulkRow{}, err
	}
	if u.Role != previousRole {
		if err := insertRolesUpdated(ctx, tx, a, u, previousRole, now); err != nil {
			return BulkRow{}, err
		}
	}
	return BulkRow{Index: p.index, Status: BulkUpdated, UserID: u.ID}, nil
}
