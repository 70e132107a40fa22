package core

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"
)

// importPlan is one validated row of an import batch, ready to write.
type importPlan struct {
	row   ImportUser
	email string // validated; the key of MatchEmail
	name  string
	// fields are the validated optional fields.
	fields userFields
	// role is set when the row names one (and, for a new user, is the
	// default role otherwise); roleGiven tells which.
	role      Role
	roleGiven bool
	// hash is the password hash to store: the row's imported hash, or the
	// hash of its plaintext password; "" for none.
	hash string
	// plaintext rows whose password already verifies against the matched
	// user's stored hash keep that hash: keptHash is it.
	plaintext bool
	keptHash  string
}

// importCaches remembers, for one batch, the roles and teams already
// looked up: a batch names few of them, and each costs a read.
type importCaches struct {
	roles map[string]Role
	teams map[int64]error
}

// ImportUsers creates or updates a batch of users in the actor's tenant,
// one result per row, in order. Each row is validated as CreateUser
// validates (an imported PasswordHash must pass ValidateImportedHash; a
// plaintext Password is hashed on the hash pool, at most one hash per
// worker at a time) and matched by match (MatchEmail when ""):
//
//   - no user matches: the user is created (user_created). A row without a
//     password gets none, and no set-password token: an import cannot hand
//     tokens to anyone.
//   - a user of this tenant matches: the row's fields that are set replace
//     the stored ones (user_updated, naming the changed fields), or nothing
//     changes (unchanged, no event). A plaintext password that already
//     verifies against the stored hash is not a change.
//   - the email belongs to a user of another tenant: the row is refused
//     with the create conflict (Conflict "email"); that user is untouched.
//   - an email or externalId used by an earlier row of the batch: the later
//     row is refused (Conflict).
//
// The batch commits in one transaction with its events; rows refused do not
// stop the others. Separate calls are separate transactions: an import of
// many batches is not atomic, and running a batch again leaves its rows
// unchanged.
//
// Errors (for the whole batch; per-row errors are in the results):
// Forbidden without users:write; Invalid (field "match") for an unknown
// mode, (field "users") past MaxImportBatch rows; the context's error;
// Internal when the store fails.
func (s *Service) ImportUsers(ctx context.Context, a Actor, match ImportMatch, rows []ImportUser) ([]ImportResult, error) {
	if err := a.requireUsers(ScopeUsersWrite); err != nil {
		return nil, err
	}
	switch match {
	case "":
		match = MatchEmail
	case MatchEmail, MatchExternalID:
	default:
		return nil, FieldError(Invalid, "match", "must be %s or %s", MatchEmail, MatchExternalID)
	}
	if len(rows) > MaxImportBatch {
		return nil, FieldError(Invalid, "users", "at most %d users per batch", MaxImportBatch)
	}

	if len(rows) == 0 {
		return []ImportResult{}, nil // the checks above are all an empty batch needs
	}

	results := make([]ImportResult, len(rows))
	plans := make([]*importPlan, len(rows))
	caches := importCaches{roles: map[string]Role{}, teams: map[int64]error{}}
	seenEmail := make(map[string]bool, len(rows))
	seenExternal := make(map[string]bool, len(rows))
	for i, row := range rows {
		results[i].Email = row.Email
		p, err := s.planImportRow(ctx, a, match, row, &caches)
		if err == nil {
			results[i].Email = p.email
			err = claimKeys(p, seenEmail, seenExternal)
		}
		if err != nil {
			if results[i].Err = AsError(err); results[i].Err == nil || results[i].Err.Code == Internal {
				return nil, fmt.Errorf("import row %d: %w", i, err)
			}
			results[i].Status = ImportError
			continue
		}
		plans[i] = p
	}
	if err := s.hashImportPasswords(ctx, a, match, plans, results); err != nil {
		return nil, err
	}

	now := s.now()
	var committed []ImportResult
	err := s.store.Write(ctx, func(tx Tx) error {
		committed = slices.Clone(results) // a retried closure starts afresh
		return s.writeImportBatch(ctx, tx, a, match, plans, committed, now)
	})
	if err != nil {
		return nil, fmt.Errorf("import %d users: %w", len(rows), err)
	}
	return committed, nil
}

// claimKeys refuses a row whose email or externalId an earlier row of the
// batch has, and records the row's.
func claimKeys(p *importPlan, seenEmail, seenExternal map[string]bool) error {
	key := NormalizeEmail(p.email)
	if seenEmail[key] {
		return FieldError(Conflict, "email", "is already used by an earlier row of this import")
	}
	if ext := p.fields.externalID; ext != "" {
		if seenExternal[ext] {
			return FieldError(Conflict, fieldExternalID, "is already used by an earlier row of this import")
		}
		seenExternal[ext] = true
	}
	seenEmail[key] = true
	return nil
}

// planImportRow validates one row with CreateUser's validators and resolves
// its role and team (through caches). Errors: as CreateUser's, and Invalid
// "password_hash".
func (s *Service) planImportRow(ctx context.Context, a Actor, match ImportMatch, row ImportUser, caches *importCaches) (*importPlan, error) {
	p := &importPlan{row: row}
	var err error
	if p.email, err = ValidateEmail(row.Email); err != nil {
		return nil, err
	}
	if p.name, err = validateName("name", row.Name, false); err != nil {
		return nil, err
	}
	if p.fields, err = validateUserFields(row.CreateUser); err != nil {
		return nil, err
	}
	if match == MatchExternalID && p.fields.externalID == "" {
		return nil, FieldError(Invalid, fieldExternalID, "is required when matching by externalId")
	}
	hasPassword := row.Password != nil && *row.Password != ""
	switch {
	case hasPassword && row.PasswordHash != "":
		return nil, FieldError(Invalid, fieldPasswordHash, "set password or password_hash, not both")
	case hasPassword:
		if err := ValidatePassword(*row.Password, p.email); err != nil {
			return nil, err
		}
		p.plaintext = true
	case row.PasswordHash != "":
		if err := ValidateImportedHash(row.PasswordHash); err != nil {
			return nil, err
		}
		p.hash = row.PasswordHash
	}

	p.roleGiven = row.Role != "" || row.RoleID != nil
	cacheKey := row.Role
	if row.RoleID != nil {
		cacheKey = "#" + strconv.FormatInt(*row.RoleID, 10) + "/" + row.Role
	}
	role, ok := caches.roles[cacheKey]
	if !ok {
		if role, err = s.resolveUserRole(ctx, a.TenantID, row.Role, row.RoleID); err != nil {
			return nil, err
		}
		caches.roles[cacheKey] = role
	}
	p.role = role
	if row.TeamID != nil {
		err, ok := caches.teams[*row.TeamID]
		if !ok {
			err = s.checkUserTeam(ctx, a.TenantID, *row.TeamID)
			if err != nil && AsError(err) == nil {
				return nil, err
			}
			caches.teams[*row.TeamID] = err
		}
		if err != nil {
			return nil, err
		}
	}
	return p, nil
}

// importMatches is what a batch's lookups found.
type importMatches struct {
	byEmail    map[string]User
	byExternal map[string]User
}

// lookupImportMatches looks up, in tx, every user a plan of the batch may
// match or collide with.
func lookupImportMatches(ctx context.Context, tx Tx, a Actor, plans []*importPlan) (importMatches, error) {
	var emails, externalIDs []string
	for _, p := range plans {
		if p == nil {
			continue
		}
		emails = append(emails, NormalizeEmail(p.email))
		if p.fields.externalID != "" {
			externalIDs = append(externalIDs, p.fields.externalID)
		}
	}
	var m importMatches
	var err error
	if m.byEmail, err = tx.LookupUsersByEmail(ctx, emails); err != nil {
		return m, err
	}
	if m.byExternal, err = tx.LookupUsersByExternalID(ctx, a.TenantID, externalIDs); err != nil {
		return m, err
	}
	return m, nil
}

// matchImportRow finds the user p updates (nil: p creates one), or the
// conflict that refuses p.
func matchImportRow(a Actor, match ImportMatch, p *importPlan, m importMatches) (*User, error) {
	taken := func(field string) error { return FieldError(Conflict, field, "is already taken") }
	byEmail, emailTaken := m.byEmail[NormalizeEmail(p.email)]
	byExternal, externalTaken := m.byExternal[p.fields.externalID]
	externalTaken = externalTaken && p.fields.externalID != ""
	if match == MatchExternalID {
		switch {
		case externalTaken && emailTaken && byEmail.ID != byExternal.ID:
			return nil, taken("email")
		case externalTaken:
			return &byExternal, nil
		case emailTaken:
			return nil, taken("email")
		}
		return nil, nil
	}
	switch {
	case emailTaken && byEmail.HomeTenantID != a.TenantID:
		// Another tenant's user: the create conflict, and nothing more.
		return nil, taken("email")
	case emailTaken && externalTaken && byExternal.ID != byEmail.ID:
		return nil, taken(fieldExternalID)
	case emailTaken:
		return &byEmail, nil
	case externalTaken:
		return nil, taken(fieldExternalID)
	}
	return nil, nil
}

// hashImportPasswords hashes the plaintext passwords of the batch on the
// hash pool, one goroutine per worker. A row matching a user whose stored
// hash already verifies its password keeps that hash (so that importing a
// file again leaves its users unchanged). A row the pool refuses (Busy)
// gets that error as its result.
func (s *Service) hashImportPasswords(ctx context.Context, a Actor, match ImportMatch, plans []*importPlan, results []ImportResult) error {
	var todo []int
	for i, p := range plans {
		if p != nil && p.plaintext {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	// What each row matches now, to verify rather than rehash. A read-only
	// transaction, as the batch lookups live on Tx.
	var m importMatches
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		m, err = lookupImportMatches(ctx, tx, a, plans)
		return err
	})
	if err != nil {
		return fmt.Errorf("import: look up users: %w", err)
	}

	jobs := make(chan int)
	errs := make([]error, len(plans))
	var wg sync.WaitGroup
	for range min(s.hashes.Workers(), len(todo)) {
		wg.Go(func() {
			for i := range jobs {
				p := plans[i]
				password := *p.row.Password
				if u, err := matchImportRow(a, match, p, m); err == nil && u != nil && u.PasswordHash != "" {
					ok, _, err := s.hashes.Verify(ctx, password, u.PasswordHash)
					if err == nil && ok {
						p.keptHash = u.PasswordHash
						continue
					}
					if err != nil && (ErrorCodeOf(err) == Busy || ctx.Err() != nil) {
						errs[i] = err
						continue
					}
				}
				p.hash, errs[i] = s.hashes.Hash(ctx, password)
			}
		})
	}
	for _, i := range todo {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	for i, err := range errs {
		if err == nil {
			continue
		}
		if e := AsError(err); e != nil && e.Code == Busy {
			results[i] = ImportResult{Status: ImportError, Email: results[i].Email, Err: e}
			plans[i] = nil
			continue
		}
		return fmt.Errorf("import: hash the password of row %d: %w", i, err)
	}
	return nil
}

// writeImportBatch writes the planned rows in tx and fills results.
func (s *Service) writeImportBatch(ctx context.Context, tx Tx, a Actor, match ImportMatch, plans []*importPlan, results []ImportResult, now time.Time) error {
	m, err := lookupImportMatches(ctx, tx, a, plans)
	if err != nil {
		return err
	}
	var creates []User
	var createRows []int
	var events []*Event
	for i, p := range plans {
		if p == nil {
			continue
		}
		fail := func(err error) error {
			e := AsError(err)
			if e == nil || e.Code == Internal {
				return fmt.Errorf("import row %d: %w", i, err)
			}
			results[i].Status, results[i].Err = ImportError, e
			return nil
		}
		existing, err := matchImportRow(a, match, p, m)
		if err != nil {
			if err := fail(err); err != nil {
				return err
			}
			continue
		}
		if existing == nil {
			creates = append(creates, s.importedUser(a, p, now))
			createRows = append(createRows, i)
			continue
		}
		next, changed, err := s.importUpdate(ctx, a, match, p, *existing)
		if err != nil {
			if err := fail(err); err != nil {
				return err
			}
			continue
		}
		if len(changed) == 0 {
			results[i].Status, results[i].ID = ImportUnchanged, existing.ID
			continue
		}
		next.UpdatedBy, next.UpdatedAt = a.Label(), now
		if err := tx.UpdateUser(ctx, &next); err != nil {
			if err := fail(err); err != nil {
				return err
			}
			continue
		}
		if slices.Contains(changed, "password") {
			if err := tx.SpendPasswordTokensOfUser(ctx, next.ID, now); err != nil {
				return err
			}
		}
		updated, err := userUpdatedEvents(a, next, existing.Role, changed, now)
		if err != nil {
			return err
		}
		events = append(events, updated...)
		results[i].Status, results[i].ID = ImportUpdated, existing.ID
	}

	rowErrs, err := tx.InsertUsers(ctx, creates)
	if err != nil {
		return err
	}
	for j, i := range createRows {
		if rowErrs[j] != nil {
			e := AsError(rowErrs[j])
			if e == nil || e.Code == Internal {
				return fmt.Errorf("import row %d: %w", i, rowErrs[j])
			}
			results[i].Status, results[i].Err = ImportError, e
			continue
		}
		u := creates[j]
		results[i].Status, results[i].ID = ImportCreated, u.ID
		e, err := newEvent(a, EventUserCreated, "user", strconv.FormatInt(u.ID, 10), payloadOf(u), now)
		if err != nil {
			return err
		}
		events = append(events, e)
	}
	return tx.InsertEvents(ctx, events)
}

// importedUser is the new user a row describes, built as CreateUser builds
// one.
func (s *Service) importedUser(a Actor, p *importPlan, now time.Time) User {
	row := p.row
	var team *int64
	if row.TeamID != nil {
		id := *row.TeamID
		team = &id
	}
	return User{
		TenantID:                a.TenantID,
		Email:                   p.email,
		Name:                    p.name,
		PasswordHash:            p.hash,
		RoleID:                  p.role.ID,
		Role:                    p.role.Key,
		IsPrimary:               true,
		AccountAdmin:            p.role.ID == RoleIDClientAdmin,
		Active:                  boolOr(row.Active, true),
		EmailFilteringEnabled:   boolOr(row.EmailFilteringEnabled, true),
		Notifications:           boolOr(row.Notifications, false),
		NotificationPreferences: p.fields.prefs,
		Language:                p.fields.language,
		Timezone:                p.fields.timezone,
		Phone:                   p.fields.phone,
		ImageURL:                p.fields.imageURL,
		TeamID:                  team,
		ExternalID:              p.fields.externalID,
		ExternalRefs:            p.fields.externalRefs,
		Strings:                 p.fields.strings,
		CreatedBy:               a.Label(),
		UpdatedBy:               a.Label(),
		CreatedAt:               now,
		UpdatedAt:               now,
	}
}

// importUpdate applies the fields p sets to u, with UpdateUser's rules
// (applyUserUpdate), and returns the changed user and the changed fields.
// The role and team were resolved when p was planned, and the password
// hashed, so nothing here reads the store or hashes.
func (s *Service) importUpdate(ctx context.Context, a Actor, match ImportMatch, p *importPlan, u User) (User, []string, error) {
	row := p.row
	cmd := UpdateUser{
		Active: row.Active, EmailFilteringEnabled: row.EmailFilteringEnabled, Notifications: row.Notifications,
	}
	set := func(v string) *string {
		if v == "" {
			return nil
		}
		return &v
	}
	if match == MatchExternalID {
		cmd.Email = &p.email
	} else {
		cmd.ExternalID = set(p.fields.externalID)
	}
	cmd.Name = set(p.name)
	cmd.Language, cmd.Timezone = set(p.fields.language), set(p.fields.timezone)
	cmd.Phone, cmd.ImageURL = set(p.fields.phone), set(p.fields.imageURL)
	for i := range cmd.ExternalRefs {
		cmd.ExternalRefs[i] = set(p.fields.externalRefs[i])
	}
	for i := range cmd.Strings {
		cmd.Strings[i] = set(p.fields.strings[i])
	}
	if len(p.fields.prefs) > 0 {
		cmd.NotificationPreferences = &p.fields.prefs
	}
	next, changed, err := s.applyUserUpdate(ctx, a, u, cmd)
	if err != nil {
		return u, nil, err
	}
	if p.roleGiven && p.role.ID != next.RoleID {
		next.RoleID, next.Role, next.AccountAdmin = p.role.ID, p.role.Key, p.role.ID == RoleIDClientAdmin
		changed = append(changed, "role")
	}
	if row.TeamID != nil && (next.TeamID == nil || *next.TeamID != *row.TeamID) {
		team := *row.TeamID
		next.TeamID = &team
		changed = append(changed, fieldTeamID)
	}
	switch {
	case p.plaintext && p.keptHash != "" && p.keptHash != u.PasswordHash:
		// The stored hash changed since the password was checked against it.
		return u, nil, FieldError(Conflict, "password", "the user's password changed during the import; import the row again")
	case p.hash != "" && p.hash != u.PasswordHash:
		next.PasswordHash = p.hash
		changed = append(changed, "password")
	}
	return next, changed, nil
}
