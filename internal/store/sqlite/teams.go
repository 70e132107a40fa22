package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/rosterhq/roster/internal/core"
)

const teamSelect = `
SELECT id, tenant_id, name, active, created_at, updated_at
FROM teams`

func scanTeam(row scanner) (core.Team, error) {
	var t core.Team
	err := row.Scan(&t.ID, &t.TenantID, &t.Name, &t.Active, timeDest{&t.CreatedAt}, timeDest{&t.UpdatedAt})
	return t, err
}

// teamNameKey is the form team names are unique in: lower case.
func teamNameKey(name string) string { return strings.ToLower(name) }

// ListTeams returns the tenant's teams in id order.
func (r reader) ListTeams(ctx context.Context, tenantID int64) ([]core.Team, error) {
	list, err := queryAll(ctx, r.q, scanTeam, teamSelect+`
WHERE tenant_id = ?
ORDER BY id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list teams of tenant %d: %w", tenantID, err)
	}
	return list, nil
}

// GetTeam returns the tenant's team with that id, or NotFound.
func (r reader) GetTeam(ctx context.Context, tenantID, teamID int64) (core.Team, error) {
	t, err := scanTeam(r.q.QueryRowContext(ctx, teamSelect+`
WHERE tenant_id = ? AND id = ?`, tenantID, teamID))
	if err != nil {
		return core.Team{}, getError(err, "team", fmt.Sprintf("get team %d", teamID))
	}
	return t, nil
}

// InsertTeam stores tm and sets tm.ID. Conflict (field "name") when the
// tenant has a team of that name, case-insensitively; NotFound when the
// tenant does not exist.
func (t *tx) InsertTeam(ctx context.Context, tm *core.Team) error {
	res, err := t.q.ExecContext(ctx, `
INSERT INTO teams (tenant_id, name, name_normalized, active, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?)`,
		tm.TenantID, tm.Name, teamNameKey(tm.Name), tm.Active, formatTime(tm.CreatedAt), formatTime(tm.UpdatedAt))
	switch {
	case isUniqueViolation(err):
		return core.FieldError(core.Conflict, "name", "is already a team's name")
	case isForeignKeyViolation(err):
		return notFound("tenant")
	case err != nil:
		return fmt.Errorf("insert team: %w", err)
	}
	if tm.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("insert team: %w", err)
	}
	return nil
}

// UpdateTeam saves tm.Name, tm.Active and tm.UpdatedAt. NotFound when the
// tenant has no such team; Conflict as for InsertTeam.
func (t *tx) UpdateTeam(ctx context.Context, tm *core.Team) error {
	res, err := t.q.ExecContext(ctx, `
UPDATE teams SET name = ?, name_normalized = ?, active = ?, updated_at = ?
WHERE tenant_id = ? AND id = ?`,
		tm.Name, teamNameKey(tm.Name), tm.Active, formatTime(tm.UpdatedAt), tm.TenantID, tm.ID)
	if isUniqueViolation(err) {
		return core.FieldError(core.Conflict, "name", "is already a team's name")
	}
	if err != nil {
		return fmt.Errorf("update team %d: %w", tm.ID, err)
	}
	return mustChange(res, "team", fmt.Sprintf("update team %d", tm.ID))
}

// DeleteTeam takes the team's members out of it (team_id NULL, version
// bumped) and removes the team. NotFound when the tenant has no such team.
func (t *tx) DeleteTeam(ctx context.Context, tenantID, teamID int64) error {
	if _, err := t.GetTeam(ctx, tenantID, teamID); err != nil {
		return err
	}
	if _, err := t.q.ExecContext(ctx, `
UPDATE users SET team_id = NULL, version = version + 1 WHERE team_id = ?`, teamID); err != nil {
		return fmt.Errorf("clear team %d of its members: %w", teamID, err)
	}
	res, err := t.q.ExecContext(ctx, `DELETE FROM teams WHERE tenant_id = ? AND id = ?`, tenantID, teamID)
	if err != nil {
		return fmt.Errorf("delete team %d: %w", teamID, err)
	}
	return mustChange(res, "team", fmt.Sprintf("delete team %d", teamID))
}
