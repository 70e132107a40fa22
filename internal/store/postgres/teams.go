package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/rosterhq/roster/internal/core"
)

const teamColumns = `id, tenant_id, name, active, created_at, updated_at`

func scanTeam(row pgx.Row) (core.Team, error) {
	var t core.Team
	err := row.Scan(&t.ID, &t.TenantID, &t.Name, &t.Active, &t.CreatedAt, &t.UpdatedAt)
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, err
}

// teamNameKey is the form team names are unique in: lower case.
func teamNameKey(name string) string { return strings.ToLower(name) }

// ListTeams returns the tenant's teams in id order.
func (r reader) ListTeams(ctx context.Context, tenantID int64) ([]core.Team, error) {
	rows, err := r.q.Query(ctx, `
		SELECT `+teamColumns+`
		FROM teams
		WHERE tenant_id = $1
		ORDER BY id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list teams of tenant %d: %w", tenantID, err)
	}
	list, err := collect(rows, scanTeam)
	if err != nil {
		return nil, fmt.Errorf("list teams of tenant %d: %w", tenantID, err)
	}
	return list, nil
}

// GetTeam returns the tenant's team with that id, or NotFound. Inside a
// transaction it locks the row (see lockFor).
func (r reader) GetTeam(ctx context.Context, tenantID, teamID int64) (core.Team, error) {
	t, err := scanTeam(r.q.QueryRow(ctx, `
		SELECT `+teamColumns+`
		FROM teams
		WHERE tenant_id = $1 AND id = $2`+r.lockFor(), tenantID, teamID))
	if errors.Is(err, pgx.ErrNoRows) {
		return core.Team{}, core.Errorf(core.NotFound, "team %d not found", teamID)
	}
	if err != nil {
		return core.Team{}, fmt.Errorf("get team %d: %w", teamID, err)
	}
	return t, nil
}

// InsertTeam stores tm and sets tm.ID. Conflict (field "name") when the
// tenant has a team of that name, case-insensitively; NotFound when the
// tenant does not exist.
func (t *tx) InsertTeam(ctx context.Context, tm *core.Team) error {
	err := t.savepoint(ctx, func(q querier) error {
		return q.QueryRow(ctx, `
			INSERT INTO teams (tenant_id, name, name_normalized, active, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			RETURNING id`,
			tm.TenantID, tm.Name, teamNameKey(tm.Name), tm.Active, tm.CreatedAt, tm.UpdatedAt).Scan(&tm.ID)
	})
	return teamWriteError(fmt.Sprintf("insert team into tenant %d", tm.TenantID), tm.TenantID, err)
}

// UpdateTeam saves tm.Name, tm.Active and tm.UpdatedAt. NotFound when the
// tenant has no such team; Conflict as for InsertTeam.
func (t *tx) UpdateTeam(ctx context.Context, tm *core.Team) error {
	err := t.savepoint(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `
			UPDATE teams
			SET name = $3, name_normalized = $4, active = $5, updated_at = $6
			WHERE tenant_id = $1 AND id = $2`,
			tm.TenantID, tm.ID, tm.Name, teamNameKey(tm.Name), tm.Active, tm.UpdatedAt)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return core.Errorf(core.NotFound, "team %d not found", tm.ID)
		}
		return nil
	})
	return teamWriteError(fmt.Sprintf("update team %d", tm.ID), tm.TenantID, err)
}

// teamWriteError turns the name's unique violation into a Conflict and a
// missing tenant into NotFound; it wraps anything else except core errors.
func teamWriteError(op string, tenantID int64, err error) error {
	if err == nil || core.AsError(err) != nil {
		return err
	}
	if _, ok := violated(err, uniqueViolation); ok {
		e := core.FieldError(core.Conflict, "name", "is already a team's name")
		e.Err = err
		return e
	}
	if _, ok := violated(err, foreignKeyViolation); ok {
		return core.Errorf(core.NotFound, "tenant %d not found", tenantID)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// DeleteTeam takes the team's members out of it (team_id NULL, version
// bumped, so that their ETags change) and removes the team. NotFound when
// the tenant has no such team.
func (t *tx) DeleteTeam(ctx context.Context, tenantID, teamID int64) error {
	if _, err := t.GetTeam(ctx, tenantID, teamID); err != nil {
		return err
	}
	if _, err := t.tx.Exec(ctx, `
		UPDATE users SET team_id = NULL, version = version + 1 WHERE team_id = $1`, teamID); err != nil {
		return fmt.Errorf("clear team %d of its members: %w", teamID, err)
	}
	if _, err := t.tx.Exec(ctx, `DELETE FROM teams WHERE tenant_id = $1 AND id = $2`, tenantID, teamID); err != nil {
		return fmt.Errorf("delete team %d: %w", teamID, err)
	}
	return nil
}
