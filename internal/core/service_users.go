package core

import (
	"context"
	"fmt"
	"strconv"
)

// Listing bounds for ListUsers.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// userPayload is what events say about a user: never a password or hash.
type userPayload struct {
	ID                    int64  `json:"id"`
	Email                 string `json:"email"`
	Name                  string `json:"name"`
	Role                  string `json:"role"`
	Active                bool   `json:"active"`
	EmailFilteringEnabled bool   `json:"emailFilteringEnabled"`
}

type userEventPayload struct {
	User    userPayload `json:"user"`
	Changed []string    `json:"changed,omitempty"`
}

func payloadOf(u User, changed ...string) userEventPayload {
	return userEventPayload{
		User: userPayload{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Active: u.Active,
			EmailFilteringEnabled: u.EmailFilteringEnabled},
		Changed: changed,
	}
}

// CreateUser creates a user in the actor's tenant and records user_created.
//
// Errors: Invalid naming the field; Forbidden for a clientId of another
// tenant or a role the actor may not grant; Conflict (field "email") when the
// email is taken anywhere on the platform; Busy when hashing is saturated.
func (s *Service) CreateUser(ctx context.Context, a Actor, cmd CreateUser) (User, error) {
	if err := a.requireUsers(ScopeUsersWrite); err != nil {
		return User{}, err
	}
	if cmd.ClientID != "" && cmd.ClientID != a.ClientID {
		return User{}, FieldError(Forbidden, "clientId", "does not match the credential's tenant")
	}
	email, err := ValidateEmail(cmd.Email)
	if err != nil {
		return User{}, err
	}
	name, err := validateName("name", cmd.Name, false)
	if err != nil {
		return User{}, err
	}
	role, err := resolveRole(cmd.Role)
	if err != nil {
		return User{}, err
	}
	var hash string
	if cmd.Password != nil && *cmd.Password != "" {
		if err := ValidatePassword(*cmd.Password, email); err != nil {
			return User{}, err
		}
		if hash, err = s.hashes.Hash(ctx, *cmd.Password); err != nil {
			return User{}, err
		}
	}

	now := s.now()
	u := User{
		TenantID:              a.TenantID,
		Email:                 email,
		Name:                  name,
		PasswordHash:          hash,
		RoleID:                role.ID,
		Role:                  role.Key,
		IsPrimary:             true,
		AccountAdmin:          role.Key == RoleClientAdmin,
		Active:                boolOr(cmd.Active, true),
		EmailFilteringEnabled: boolOr(cmd.EmailFilteringEnabled, true),
		Notifications:         boolOr(cmd.Notifications, false),
		CreatedBy:             a.Label(),
		UpdatedBy:             a.Label(),
		CreatedAt:             now,
		UpdatedAt:             now,
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := tx.InsertUser(ctx, &u); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventUserCreated, "user", strconv.FormatInt(u.ID, 10), payloadOf(u), now)
	})
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// GetUser returns a user of the actor's tenant. Errors: NotFound for an
// unknown id or another tenant's user.
func (s *Service) GetUser(ctx context.Context, a Actor, id int64) (User, error) {
	if err := a.requireUsers(ScopeUsersRead); err != nil {
		return User{}, err
	}
	return s.store.GetUser(ctx, a.TenantID, id)
}

// UserPage is one page of a user listing. Next is the cursor of the next
// page (the last id), 0 when this page is the last.
type UserPage struct {
	Users []User
	Next  int64
}

// ListUsers returns a page of the actor's tenant's users in id order.
// Errors: Invalid (field "limit" or "email").
func (s *Service) ListUsers(ctx context.Context, a Actor, f UserFilter) (UserPage, error) {
	if err := a.requireUsers(ScopeUsersRead); err != nil {
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
	if f.Email != "" {
		f.Email = NormalizeEmail(f.Email)
	}
	want := f.Limit
	f.Limit++ // one more tells whether another page exists
	users, err := s.store.ListUsers(ctx, a.TenantID, f)
	if err != nil {
		return UserPage{}, fmt.Errorf("list users: %w", err)
	}
	page := UserPage{Users: users}
	if len(users) > want {
		page.Users = users[:want]
		page.Next = page.Users[want-1].ID
	}
	return page, nil
}

// UpdateUser changes the given fields of a user of the actor's tenant and
// records user_updated with the names of the fields that changed.
//
// Errors: as CreateUser, and NotFound for an unknown or foreign id.
func (s *Service) UpdateUser(ctx context.Context, a Actor, id int64, cmd UpdateUser) (User, error) {
	if err := a.requireUsers(ScopeUsersWrite); err != nil {
		return User{}, err
	}
	current, err := s.store.GetUser(ctx, a.TenantID, id)
	if err != nil {
		return User{}, err
	}
	next, changed, err := s.applyUserUpdate(ctx, a, current, cmd)
	if err != nil {
		return User{}, err
	}
	if len(changed) == 0 {
		return current, nil
	}
	now := s.now()
	err = s.store.Write(ctx, func(tx Tx) error {
		// Re-read inside the transaction: apply the validated changes to the
		// latest row, not to what we read before hashing.
		latest, err := tx.GetUser(ctx, a.TenantID, id)
		if err != nil {
			return err
		}
		next = mergeUserUpdate(latest, next, changed)
		next.UpdatedBy, next.UpdatedAt = a.Label(), now
		if err := tx.UpdateUser(ctx, &next); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventUserUpdated, "user", strconv.FormatInt(id, 10), payloadOf(next, changed...), now)
	})
	if err != nil {
		return User{}, fmt.Errorf("update user %d: %w", id, err)
	}
	return next, nil
}

// applyUserUpdate validates cmd against u and returns the changed user with
// the names of the fields that differ. Hashing happens here, outside any
// transaction.
func (s *Service) applyUserUpdate(ctx context.Context, a Actor, u User, cmd UpdateUser) (User, []string, error) {
	var changed []string
	if cmd.Email != nil {
		email, err := ValidateEmail(*cmd.Email)
		if err != nil {
			return u, nil, err
		}
		if email != u.Email {
			u.Email = email
			changed = append(changed, "email")
		}
	}
	if cmd.Name != nil {
		name, err := validateName("name", *cmd.Name, false)
		if err != nil {
			return u, nil, err
		}
		if name != u.Name {
			u.Name = name
			changed = append(changed, "name")
		}
	}
	if cmd.Role != nil {
		role, err := resolveRole(*cmd.Role)
		if err != nil {
			return u, nil, err
		}
		if role.ID != u.RoleID {
			u.RoleID, u.Role, u.AccountAdmin = role.ID, role.Key, role.Key == RoleClientAdmin
			changed = append(changed, "role")
		}
	}
	for _, f := range []struct {
		name string
		in   *bool
		out  *bool
	}{
		{"active", cmd.Active, &u.Active},
		{"emailFilteringEnabled", cmd.EmailFilteringEnabled, &u.EmailFilteringEnabled},
		{"notifications", cmd.Notifications, &u.Notifications},
	} {
		if f.in != nil && *f.in != *f.out {
			*f.out = *f.in
			changed = append(changed, f.name)
		}
	}
	if cmd.Password != nil {
		if err := ValidatePassword(*cmd.Password, u.Email); err != nil {
			return u, nil, err
		}
		hash, err := s.hashes.Hash(ctx, *cmd.Password)
		if err != nil {
			return u, nil, err
		}
		u.PasswordHash = hash
		changed = append(changed, "password")
	}
	return u, changed, nil
}

// mergeUserUpdate copies the changed fields of next onto latest.
func mergeUserUpdate(latest, next User, changed []string) User {
	for _, f := range changed {
		switch f {
		case "email":
			latest.Email = next.Email
		case "name":
			latest.Name = next.Name
		case "role":
			latest.RoleID, latest.Role, latest.AccountAdmin = next.RoleID, next.Role, next.AccountAdmin
		case "active":
			latest.Active = next.Active
		case "emailFilteringEnabled":
			latest.EmailFilteringEnabled = next.EmailFilteringEnabled
		case "notifications":
			latest.Notifications = next.Notifications
		case "password":
			latest.PasswordHash = next.PasswordHash
		}
	}
	return latest
}

// DeleteUser removes a user from the actor's tenant and records
// user_deleted. Errors: NotFound for an unknown or foreign id.
func (s *Service) DeleteUser(ctx context.Context, a Actor, id int64) error {
	if err := a.requireUsers(ScopeUsersWrite); err != nil {
		return err
	}
	now := s.now()
	err := s.store.Write(ctx, func(tx Tx) error {
		u, err := tx.GetUser(ctx, a.TenantID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteUser(ctx, a.TenantID, id); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventUserDeleted, "user", strconv.FormatInt(id, 10), payloadOf(u), now)
	})
	if err != nil {
		return fmt.Errorf("delete user %d: %w", id, err)
	}
	return nil
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}
