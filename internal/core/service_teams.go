package core

import (
	"context"
	"fmt"
	"strconv"
)

type teamPayload struct {
	Team struct {
		ID     int64  `json:"id"`
		Name   string `json:"name"`
		Active bool   `json:"active"`
	} `json:"team"`
	Changed []string `json:"changed,omitempty"`
}

func teamPayloadOf(t Team, changed ...string) teamPayload {
	var p teamPayload
	p.Team.ID, p.Team.Name, p.Team.Active = t.ID, t.Name, t.Active
	p.Changed = changed
	return p
}

// validateTeamName trims a team name and checks it: 1..255 characters, no
// control characters. Errors: Invalid (field "name").
func validateTeamName(name string) (string, error) { return validateName("name", name, true) }

// ListTeams returns the teams of the actor's tenant in id order. Errors:
// Forbidden.
func (s *Service) ListTeams(ctx context.Context, a Actor) ([]Team, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	teams, err := s.store.ListTeams(ctx, a.TenantID)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	return teams, nil
}

// GetTeam returns a team of the actor's tenant. Errors: NotFound (also for
// another tenant's team), Forbidden.
func (s *Service) GetTeam(ctx context.Context, a Actor, id int64) (Team, error) {
	if err := a.requireAdmin(); err != nil {
		return Team{}, err
	}
	return s.store.GetTeam(ctx, a.TenantID, id)
}

// CreateTeam makes an active team in the actor's tenant and records
// team_created. Errors: Invalid (field "name": 1..255 characters after
// trimming, no control characters); Conflict (field "name") when the tenant
// has a team of that name, compared case-insensitively; Forbidden.
func (s *Service) CreateTeam(ctx context.Context, a Actor, name string) (Team, error) {
	if err := a.requireAdmin(); err != nil {
		return Team{}, err
	}
	name, err := validateTeamName(name)
	if err != nil {
		return Team{}, err
	}
	now := s.now()
	t := Team{TenantID: a.TenantID, Name: name, Active: true, CreatedAt: now, UpdatedAt: now}
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := tx.InsertTeam(ctx, &t); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventTeamCreated, "team", strconv.FormatInt(t.ID, 10), teamPayloadOf(t), now)
	})
	if err != nil {
		return Team{}, fmt.Errorf("create team: %w", err)
	}
	return t, nil
}

// RenameTeam renames a team of the actor's tenant and records team_updated;
// a name equal to the current one changes nothing and records nothing.
// Errors: as CreateTeam, and NotFound (also for another tenant's team).
func (s *Service) RenameTeam(ctx context.Context, a Actor, id int64, name string) (Team, error) {
	if err := a.requireAdmin(); err != nil {
		return Team{}, err
	}
	name, err := validateTeamName(name)
	if err != nil {
		return Team{}, err
	}
	now := s.now()
	var t Team
	err = s.store.Write(ctx, func(tx Tx) error {
		if t, err = tx.GetTeam(ctx, a.TenantID, id); err != nil {
			return err
		}
		if t.Name == name {
			return nil
		}
		t.Name, t.UpdatedAt = name, now
		if err := tx.UpdateTeam(ctx, &t); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventTeamUpdated, "team", strconv.FormatInt(id, 10), teamPayloadOf(t, "name"), now)
	})
	if err != nil {
		return Team{}, fmt.Errorf("rename team %d: %w", id, err)
	}
	return t, nil
}

// DeleteTeam removes a team of the actor's tenant and records team_deleted.
// Its members stay, with no team (their version changes). Errors: NotFound
// (also for another tenant's team), Forbidden.
func (s *Service) DeleteTeam(ctx context.Context, a Actor, id int64) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	now := s.now()
	err := s.store.Write(ctx, func(tx Tx) error {
		t, err := tx.GetTeam(ctx, a.TenantID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteTeam(ctx, a.TenantID, id); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventTeamDeleted, "team", strconv.FormatInt(id, 10), teamPayloadOf(t), now)
	})
	if err != nil {
		return fmt.Errorf("delete team %d: %w", id, err)
	}
	return nil
}
