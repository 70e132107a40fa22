package core

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
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
// A user created without a password gets a one-time set-password token,
// returned in UserCreated.PasswordToken and never again (not in the event
// either); only its SHA-256 is stored, and it expires after the service's
// password token TTL (DefaultPasswordTokenTTL).
//
// Errors: Invalid naming the field (see CreateUser's fields: "role_id",
// "language", "timezone", "phone", "imageUrl", "teamId", "externalId",
// "external_system_reference1".., "string1".., "notificationPreferences[<i>].event"..);
// Forbidden for a clientId of another tenant or a role the actor may not
// grant; Conflict (field "email") when the email is taken anywhere on the
// platform; Busy when hashing is saturated.
func (s *Service) CreateUser(ctx context.Context, a Actor, cmd CreateUser) (UserCreated, error) {
	if err := a.requireUsers(ScopeUsersWrite); err != nil {
		return UserCreated{}, err
	}
	if cmd.ClientID != "" && cmd.ClientID != a.ClientID {
		return UserCreated{}, FieldError(Forbidden, "clientId", "does not match the credential's tenant")
	}
	email, err := ValidateEmail(cmd.Email)
	if err != nil {
		return UserCreated{}, err
	}
	name, err := validateName("name", cmd.Name, false)
	if err != nil {
		return UserCreated{}, err
	}
	fields, err := validateUserFields(cmd)
	if err != nil {
		return UserCreated{}, err
	}
	var password string
	if cmd.Password != nil && *cmd.Password != "" {
		password = *cmd.Password
		if err := ValidatePassword(password, email); err != nil {
			return UserCreated{}, err
		}
	}
	// The store reads come after every check that needs none.
	role, err := s.resolveUserRole(ctx, a.TenantID, cmd.Role, cmd.RoleID)
	if err != nil {
		return UserCreated{}, err
	}
	if cmd.TeamID != nil {
		if err := s.checkUserTeam(ctx, a.TenantID, *cmd.TeamID); err != nil {
			return UserCreated{}, err
		}
	}

	var hash, token string
	var tokenHash []byte
	if password != "" {
		if hash, err = s.hashes.Hash(ctx, password); err != nil {
			return UserCreated{}, err
		}
	} else if token, tokenHash, err = newPasswordToken(); err != nil {
		return UserCreated{}, err
	}

	now := s.now()
	u := User{
		TenantID:                a.TenantID,
		Email:                   email,
		Name:                    name,
		PasswordHash:            hash,
		RoleID:                  role.ID,
		Role:                    role.Key,
		IsPrimary:               true,
		AccountAdmin:            role.ID == RoleIDClientAdmin,
		Active:                  boolOr(cmd.Active, true),
		EmailFilteringEnabled:   boolOr(cmd.EmailFilteringEnabled, true),
		Notifications:           boolOr(cmd.Notifications, false),
		NotificationPreferences: fields.prefs,
		Language:                fields.language,
		Timezone:                fields.timezone,
		Phone:                   fields.phone,
		ImageURL:                fields.imageURL,
		TeamID:                  cmd.TeamID,
		ExternalID:              fields.externalID,
		ExternalRefs:            fields.externalRefs,
		Strings:                 fields.strings,
		CreatedBy:               a.Label(),
		UpdatedBy:               a.Label(),
		CreatedAt:               now,
		UpdatedAt:               now,
	}
	if u.TeamID != nil {
		team := *u.TeamID
		u.TeamID = &team
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := tx.InsertUser(ctx, &u); err != nil {
			return err
		}
		if tokenHash != nil {
			if err := tx.InsertPasswordToken(ctx, &PasswordToken{
				Hash: tokenHash, UserID: u.ID, TenantID: u.TenantID,
				ExpiresAt: now.Add(s.passwordTokenTTL), CreatedAt: now,
			}); err != nil {
				return err
			}
		}
		return insertEvent(ctx, tx, a, EventUserCreated, "user", strconv.FormatInt(u.ID, 10), payloadOf(u), now)
	})
	if err != nil {
		return UserCreated{}, fmt.Errorf("create user: %w", err)
	}
	return UserCreated{User: u, PasswordToken: token}, nil
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
// f.Offset > 0 skips that many users: it is only for the JSON:API face's
// page numbers (an offset costs a scan of the skipped rows); cursor listing
// with f.AfterID stays the fast path. Errors: Invalid (field "limit",
// "cursor" or "offset"), Forbidden.
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
	if f.Offset < 0 {
		return UserPage{}, FieldError(Invalid, "offset", "must not be negative")
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

// CountUsers counts the actor's tenant's users that ListUsers would list
// with f's Email filter; f's AfterID, Limit and Offset are ignored.
// Errors: Forbidden.
func (s *Service) CountUsers(ctx context.Context, a Actor, f UserFilter) (int, error) {
	if err := a.requireUsers(ScopeUsersRead); err != nil {
		return 0, err
	}
	if f.Email != "" {
		f.Email = NormalizeEmail(f.Email)
	}
	n, err := s.store.CountUsers(ctx, a.TenantID, f)
	if err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// UpdateUser changes the given fields of a user of the actor's tenant and
// records user_updated with the names of the fields that changed, and
// user_roles_updated when the role changed.
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
		previousRole := latest.Role
		next = mergeUserUpdate(latest, next, changed)
		return saveUserUpdate(ctx, tx, a, &next, previousRole, changed, now)
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

	// The optional string fields: validate, then change what differs.
	type textField struct {
		name     string
		in       *string
		out      *string
		validate func(string) (string, error)
	}
	fields := []textField{
		{fieldLanguage, cmd.Language, &u.Language, validateLanguage},
		{fieldTimezone, cmd.Timezone, &u.Timezone, validateTimezone}, // "" is refused: see UpdateUser
		{fieldPhone, cmd.Phone, &u.Phone, validatePhone},
		{fieldImageURL, cmd.ImageURL, &u.ImageURL, validateImageURL},
		{fieldExternalID, cmd.ExternalID, &u.ExternalID, func(v string) (string, error) { return validateText(fieldExternalID, v) }},
	}
	for i := range cmd.ExternalRefs {
		field := externalRefField(i)
		fields = append(fields, textField{field, cmd.ExternalRefs[i], &u.ExternalRefs[i],
			func(v string) (string, error) { return validateText(field, v) }})
	}
	for i := range cmd.Strings {
		field := stringField(i)
		fields = append(fields, textField{field, cmd.Strings[i], &u.Strings[i],
			func(v string) (string, error) { return validateText(field, v) }})
	}
	for _, f := range fields {
		if f.in == nil {
			continue
		}
		v, err := f.validate(*f.in)
		if err != nil {
			return u, nil, err
		}
		if v != *f.out {
			*f.out = v
			changed = append(changed, f.name)
		}
	}
	if cmd.NotificationPreferences != nil {
		prefs, err := validateNotificationPreferences(*cmd.NotificationPreferences)
		if err != nil {
			return u, nil, err
		}
		if !slices.EqualFunc(prefs, u.NotificationPreferences, equalPreference) {
			u.NotificationPreferences = prefs
			changed = append(changed, fieldNotificationPreferences)
		}
	}

	// Then what needs the store: the role and the team.
	if cmd.Role != nil || cmd.RoleID != nil {
		key := ""
		if cmd.Role != nil {
			if key = *cmd.Role; key == "" && cmd.RoleID == nil {
				key = RoleClientUser // an explicit "" is the default role, as on create
			}
		}
		role, err := s.resolveUserRole(ctx, a.TenantID, key, cmd.RoleID)
		if err != nil {
			return u, nil, err
		}
		if role.ID != u.RoleID {
			u.RoleID, u.Role, u.AccountAdmin = role.ID, role.Key, role.ID == RoleIDClientAdmin
			changed = append(changed, "role")
		}
	}
	switch {
	case cmd.TeamID != nil && cmd.ClearTeam:
		return u, nil, FieldError(Invalid, fieldTeamID, "set teamId or clear it, not both")
	case cmd.TeamID != nil:
		if err := s.checkUserTeam(ctx, a.TenantID, *cmd.TeamID); err != nil {
			return u, nil, err
		}
		if u.TeamID == nil || *u.TeamID != *cmd.TeamID {
			team := *cmd.TeamID
			u.TeamID = &team
			changed = append(changed, fieldTeamID)
		}
	case cmd.ClearTeam && u.TeamID != nil:
		u.TeamID = nil
		changed = append(changed, fieldTeamID)
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

// equalPreference reports whether two notification preferences are the same.
func equalPreference(a, b NotificationPreference) bool {
	return a.Event == b.Event && a.AccountID == b.AccountID && slices.Equal(a.DeliveryPref, b.DeliveryPref)
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
		case fieldLanguage:
			latest.Language = next.Language
		case fieldTimezone:
			latest.Timezone = next.Timezone
		case fieldPhone:
			latest.Phone = next.Phone
		case fieldImageURL:
			latest.ImageURL = next.ImageURL
		case fieldTeamID:
			latest.TeamID = next.TeamID
		case fieldExternalID:
			latest.ExternalID = next.ExternalID
		case fieldNotificationPreferences:
			latest.NotificationPreferences = next.NotificationPreferences
		default:
			for i := range latest.ExternalRefs {
				if f == externalRefField(i) {
					latest.ExternalRefs[i] = next.ExternalRefs[i]
				}
			}
			for i := range latest.Strings {
				if f == stringField(i) {
					latest.Strings[i] = next.Strings[i]
				}
			}
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

// saveUserUpdate writes u's changes in tx: the user (as updated by a at
// now), its set-password tokens spent when the password changed (a
// password set any other way makes them moot), and its events.
func saveUserUpdate(ctx context.Context, tx Tx, a Actor, u *User, previousRole string, changed []string, now time.Time) error {
	u.UpdatedBy, u.UpdatedAt = a.Label(), now
	if err := tx.UpdateUser(ctx, u); err != nil {
		return err
	}
	if slices.Contains(changed, "password") {
		if err := tx.SpendPasswordTokensOfUser(ctx, u.ID, now); err != nil {
			return err
		}
	}
	events, err := userUpdatedEvents(a, *u, previousRole, changed, now)
	if err != nil {
		return err
	}
	for _, e := range events {
		if err := tx.InsertEvent(ctx, e); err != nil {
			return fmt.Errorf("insert %s event: %w", e.Type, err)
		}
	}
	return nil
}

// userUpdatedEvents are the events of a saved change to u: user_updated
// naming the changed fields, then user_roles_updated when the role moved
// from previousRole.
func userUpdatedEvents(a Actor, u User, previousRole string, changed []string, at time.Time) ([]*Event, error) {
	subject := strconv.FormatInt(u.ID, 10)
	updated, err := newEvent(a, EventUserUpdated, "user", subject, payloadOf(u, changed...), at)
	if err != nil {
		return nil, err
	}
	if u.Role == previousRole {
		return []*Event{updated}, nil
	}
	p := rolesUpdatedPayload{User: payloadOf(u).User, Roles: []string{u.Role}, PreviousRoles: []string{previousRole}}
	roles, err := newEvent(a, EventUserRolesUpdated, "user", subject, p, at)
	if err != nil {
		return nil, err
	}
	return []*Event{updated, roles}, nil
}
