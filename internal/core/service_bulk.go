package core

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
)

// EventUserRolesUpdated records a change of a user's role (seed 002's
// catalogue name).
const EventUserRolesUpdated = "user_roles_updated"

// bulkTypes maps seed 003's user types to roles.
var bulkTypes = map[string]int64{"user": RoleIDClientUser, "editor": RoleIDEditor, "admin": RoleIDClientAdmin}

// bulkPlan is a validated row, then what the store and the hash pool said.
type bulkPlan struct {
	index         int
	email         string // validated
	name          string
	password      string
	imageURL      string
	role          *Role
	notifications *bool
	update        bool
	groups        []string // sorted, without duplicates; nil: not given
	groupsSent    []string // as sent, to name a missing one by its index

	existing     *User  // the tenant's user with that email, for an update
	hash         string // the new password's hash
	samePassword bool   // the password is the existing user's already
}

// errBulkRollback makes an atomic request's transaction roll back after a
// row failed.
var errBulkRollback = errors.New("bulk: a row failed")

// BulkAddUsers creates or updates up to MaxBulkUsers users of the actor's
// tenant (seed 003's POST /api/users/add) and reports one row per user.
//
// A row with update creates the user when the email is new, updates the
// tenant's user with that email (name, image, type, notifications, password
// and groups, when given) or reports it unchanged; without update an
// existing email is refused. An email of another tenant's user is refused
// in both cases with the same error as any taken email, and that user is
// never touched. An email given twice fails the later row. Groups are ids
// of the tenant's groups and replace the user's memberships; nothing in a
// row changes a group. Passwords are hashed before any transaction,
// Workers() at a time, so a large request never fills the hash pool's
// queue; a password equal to the user's current one is unchanged.
//
// Atomic: one transaction; if any row fails, nothing is stored (no user, no
// event) and the other rows are NotAdded. Otherwise each row commits on its
// own. Every row's error is reported, not only the first.
//
// Errors (the request as a whole): Invalid (field "users") for no users or
// more than MaxBulkUsers; Forbidden; Busy when hashing is saturated; the
// context's error; Internal. A row's own errors are in its BulkRow.
func (s *Service) BulkAddUsers(ctx context.Context, a Actor, cmd BulkAddUsers) (BulkResult, error) {
	if err := a.requireUsers(ScopeUsersWrite); err != nil {
		return BulkResult{}, err
	}
	switch n := len(cmd.Users); {
	case n == 0:
		return BulkResult{}, FieldError(Invalid, "users", "must hold at least one user")
	case n > MaxBulkUsers:
		return BulkResult{}, FieldError(Invalid, "users", "holds %d users; the limit is %d users per request", n, MaxBulkUsers)
	}
	res := BulkResult{Rows: make([]BulkRow, len(cmd.Users)), Atomic: cmd.Atomic}
	fail := func(i int, err *Error) {
		res.Rows[i].Status, res.Rows[i].Err = BulkFailed, err
		res.Failed++
	}
	plans := make([]*bulkPlan, len(cmd.Users))
	first := map[string]int{}
	for i, u := range cmd.Users {
		res.Rows[i] = BulkRow{Index: i, Email: u.Email}
		p, err := validateBulkUser(u)
		if err != nil {
			fail(i, err)
			continue
		}
		p.index = i
		key := NormalizeEmail(p.email)
		if j, dup := first[key]; dup {
			fail(i, FieldError(Invalid, "email", "appears more than once in this request (first at index %d)", j))
			continue
		}
		first[key] = i
		plans[i] = p
	}
	if err := s.checkBulkGroups(ctx, a.TenantID, plans, fail); err != nil {
		return BulkResult{}, err
	}
	if err := s.findBulkUsers(ctx, a.TenantID, plans, fail); err != nil {
		return BulkResult{}, err
	}
	if cmd.Atomic && res.Failed > 0 {
		return notAdded(res), nil // no hashing for a request that cannot succeed
	}
	if err := s.hashBulkPasswords(ctx, plans); err != nil {
		return BulkResult{}, err
	}

	now := s.now()
	// rowError is a row's own failure; anything else fails the request.
	rowError := func(err error) *Error {
		if e := AsError(err); e != nil && e.Code != Internal && e.Code != Busy {
			return e
		}
		return nil
	}
	// write writes the plans in tx, the updates one by one and then the
	// creates in one batch, and records each row's result. Every row is
	// tried, so that all row errors are reported; then errBulkRollback if
	// any row failed. Any other error fails the request.
	write := func(tx Tx, plans []*bulkPlan) error {
		updates, creates := lockOrder(plans)
		failed := false
		for _, p := range updates {
			row, err := s.updateBulkUser(ctx, tx, a, p, now)
			if err != nil {
				e := rowError(err)
				if e == nil {
					return err
				}
				fail(p.index, e)
				failed = true
				continue
			}
			row.Email = res.Rows[p.index].Email
			res.Rows[p.index] = row
		}
		rows, rowErrs, err := s.createBulkUsers(ctx, tx, a, creates, now)
		if err != nil {
			return err
		}
		for i, p := range creates {
			switch {
			case rowErrs[i] != nil:
				fail(p.index, rowErrs[i])
				failed = true
			case rows != nil:
				rows[i].Email = res.Rows[p.index].Email
				res.Rows[p.index] = rows[i]
			}
		}
		if failed {
			return errBulkRollback
		}
		return nil
	}
	if cmd.Atomic {
		err := s.store.Write(ctx, func(tx Tx) error { return write(tx, plans) })
		if errors.Is(err, errBulkRollback) {
			return notAdded(res), nil
		}
		if err != nil {
			return BulkResult{}, fmt.Errorf("bulk add users: %w", err)
		}
		return res, nil
	}
	for _, p := range plans {
		if p == nil {
			continue
		}
		err := s.store.Write(ctx, func(tx Tx) error { return write(tx, []*bulkPlan{p}) })
		if errors.Is(err, errBulkRollback) {
			continue // the row's failure is recorded
		}
		if e := rowError(err); e != nil {
			fail(p.index, e)
			continue
		}
		if err != nil {
			return BulkResult{}, fmt.Errorf("bulk add users: row %d: %w", p.index, err)
		}
	}
	return res, nil
}

// lockOrder splits the plans a transaction writes: the updates, by user
// id, and the creates, in request order. Two requests that update the same
// users then lock their rows in the same order and cannot deadlock each
// other; new users still get ids in request order.
func lockOrder(plans []*bulkPlan) (updates, creates []*bulkPlan) {
	for _, p := range plans {
		switch {
		case p == nil:
		case p.existing != nil:
			updates = append(updates, p)
		default:
			creates = append(creates, p)
		}
	}
	slices.SortFunc(updates, func(a, b *bulkPlan) int { return cmp.Compare(a.existing.ID, b.existing.ID) })
	return updates, creates
}

// notAdded marks the rows that did not fail on their own as not added, and
// drops what they would have returned.
func notAdded(res BulkResult) BulkResult {
	for i, r := range res.Rows {
		if r.Err == nil {
			res.Rows[i] = BulkRow{Index: r.Index, Email: r.Email, Status: BulkFailed, NotAdded: true}
		}
	}
	return res
}

// validateBulkUser checks a row without the store. Errors name the row's
// fields: "email", "name", "password", "confirm_password", "imageUrl",
// "type", "groups", "groups[<j>]._id".
func validateBulkUser(u BulkUser) (*bulkPlan, *Error) {
	asError := func(err error) *Error {
		if e := AsError(err); e != nil {
			return e
		}
		return &Error{Code: Invalid, Message: "is not valid", Err: err}
	}
	email, err := ValidateEmail(u.Email)
	if err != nil {
		return nil, asError(err)
	}
	name, err := validateName("name", u.Name, false)
	if err != nil {
		return nil, asError(err)
	}
	if u.Password != u.ConfirmPassword {
		return nil, FieldError(Invalid, "confirm_password", "must equal password")
	}
	if u.Password != "" {
		if err := ValidatePassword(u.Password, email); err != nil {
			return nil, asError(err)
		}
	}
	image, err := validateImageURL(u.ImageURL)
	if err != nil {
		return nil, asError(err)
	}
	p := &bulkPlan{email: email, name: name, password: u.Password, imageURL: image, notifications: u.Notifications, update: u.Update}
	if u.Type != "" {
		id, ok := bulkTypes[u.Type]
		if !ok {
			return nil, FieldError(Invalid, "type", "must be user, editor or admin")
		}
		r, _ := BuiltinRoleByID(id)
		p.role = &r
	}
	if u.Groups != nil {
		if len(u.Groups) > MaxUserGroups {
			return nil, FieldError(Invalid, "groups", "must have at most %d groups", MaxUserGroups)
		}
		for j, id := range u.Groups {
			if !ValidObjectID(id) {
				return nil, FieldError(Invalid, fmt.Sprintf("groups[%d]._id", j), "is not a group of this tenant")
			}
		}
		p.groupsSent = u.Groups
		p.groups = append([]string{}, slices.Compact(slices.Sorted(slices.Values(u.Groups)))...) // [] stays given
	}
	return p, nil
}

// checkBulkGroups fails the rows that name a group the tenant does not
// have, with one store read for the whole request.
func (s *Service) checkBulkGroups(ctx context.Context, tenantID int64, plans []*bulkPlan, fail func(int, *Error)) error {
	var ids []string
	for _, p := range plans {
		if p != nil {
			ids = append(ids, p.groups...)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	found, err := s.store.GetGroups(ctx, tenantID, slices.Compact(ids))
	if err != nil {
		return fmt.Errorf("bulk add users: read groups: %w", err)
	}
	exists := make(map[string]bool, len(found))
	for _, g := range found {
		exists[g.ID] = true
	}
	for i, p := range plans {
		if p == nil {
			continue
		}
		for _, id := range p.groups {
			if !exists[id] {
				// Name the group by its place in the row as sent.
				j := slices.Index(p.groupsSent, id)
				fail(i, FieldError(Invalid, fmt.Sprintf("groups[%d]._id", j), "is not a group of this tenant"))
				plans[i] = nil
				break
			}
		}
	}
	return nil
}

// findBulkUsers looks up each row's email: a new email is a create; the
// tenant's own user is an update when the row allows it; anything else
// (the row does not allow it, or the user is another tenant's) fails with
// the wording of any taken email, so nothing more leaks than a create
// already tells.
func (s *Service) findBulkUsers(ctx context.Context, tenantID int64, plans []*bulkPlan, fail func(int, *Error)) error {
	var emails []string
	for _, p := range plans {
		if p != nil {
			emails = append(emails, NormalizeEmail(p.email))
		}
	}
	found, err := s.store.LookupUsersByEmail(ctx, emails)
	if err != nil {
		return fmt.Errorf("bulk add users: find users: %w", err)
	}
	for i, p := range plans {
		if p == nil {
			continue
		}
		u, ok := found[NormalizeEmail(p.email)]
		if !ok {
			continue
		}
		if u.TenantID != tenantID {
			// A member of this tenant whose home is another one is still
			// this tenant's user: see it as this tenant does.
			if u, err = s.store.GetUser(ctx, tenantID, u.ID); ErrorCodeOf(err) == NotFound {
				fail(i, emailTaken())
				plans[i] = nil
				continue
			} else if err != nil {
				return fmt.Errorf("bulk add users: read user of row %d: %w", i, err)
			}
		}
		if !p.update {
			fail(i, emailTaken())
			plans[i] = nil
			continue
		}
		p.existing = &u
	}
	return nil
}

// emailTaken is the error of a taken email, worded as the stores word it.
func emailTaken() *Error { return FieldError(Conflict, "email", "is already taken") }
