package core

import (
	"context"
	"fmt"
)

// Workspace and group events. Seed 002's catalogue has none for them, so
// these are Roster's own names, in the catalogue's style.
const (
	EventWorkspaceCreated = "workspace_created"
	EventWorkspaceUpdated = "workspace_updated"
	EventWorkspaceDeleted = "workspace_deleted"
	EventGroupCreated     = "group_created"
	EventGroupUpdated     = "group_updated"
	EventGroupDeleted     = "group_deleted"
)

type workspacePayload struct {
	Workspace struct {
		ID   string `json:"_id"`
		Name string `json:"name"`
	} `json:"workspace"`
	Changed []string `json:"changed,omitempty"`
}

func workspacePayloadOf(w Workspace, changed ...string) workspacePayload {
	var p workspacePayload
	p.Workspace.ID, p.Workspace.Name, p.Changed = w.ID, w.Name, changed
	return p
}

// ListWorkspaces returns the actor's tenant's workspaces in id order.
// Errors: Forbidden.
func (s *Service) ListWorkspaces(ctx context.Context, a Actor) ([]Workspace, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	list, err := s.store.ListWorkspaces(ctx, a.TenantID)
	if err != nil {
		return nil, fmt.Errorf("list workspaces: %w", err)
	}
	return list, nil
}

// GetWorkspace returns a workspace of the actor's tenant. Errors: NotFound
// (also for another tenant's), Forbidden.
func (s *Service) GetWorkspace(ctx context.Context, a Actor, id string) (Workspace, error) {
	if err := a.requireAdmin(); err != nil {
		return Workspace{}, err
	}
	if !ValidObjectID(id) {
		return Workspace{}, Errorf(NotFound, "workspace not found")
	}
	return s.store.GetWorkspace(ctx, a.TenantID, id)
}

// CreateWorkspace makes a workspace and records workspace_created. Its id
// is cmd.ID, or 24 lowercase hex characters when empty. Errors: Invalid
// ("_id", "name": 1..255 characters); Conflict ("_id") when the tenant has
// that id; Forbidden.
func (s *Service) CreateWorkspace(ctx context.Context, a Actor, cmd CreateWorkspace) (Workspace, error) {
	if err := a.requireAdmin(); err != nil {
		return Workspace{}, err
	}
	id, err := objectIDOrNew("_id", cmd.ID)
	if err != nil {
		return Workspace{}, err
	}
	name, err := validateName("name", cmd.Name, true)
	if err != nil {
		return Workspace{}, err
	}
	now := s.now()
	w := Workspace{TenantID: a.TenantID, ID: id, Name: name, CreatedAt: now, UpdatedAt: now}
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := tx.InsertWorkspace(ctx, &w); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventWorkspaceCreated, "workspace", w.ID, workspacePayloadOf(w), now)
	})
	if err != nil {
		return Workspace{}, fmt.Errorf("create workspace: %w", err)
	}
	return w, nil
}

// RenameWorkspace renames a workspace and records workspace_updated; the
// same name changes nothing. Errors: as CreateWorkspace, and NotFound.
func (s *Service) RenameWorkspace(ctx context.Context, a Actor, id, name string) (Workspace, error) {
	if err := a.requireAdmin(); err != nil {
		return Workspace{}, err
	}
	if !ValidObjectID(id) {
		return Workspace{}, Errorf(NotFound, "workspace not found")
	}
	name, err := validateName("name", name, true)
	if err != nil {
		return Workspace{}, err
	}
	now := s.now()
	var w Workspace
	err = s.store.Write(ctx, func(tx Tx) error {
		if w, err = tx.GetWorkspace(ctx, a.TenantID, id); err != nil {
			return err
		}
		if w.Name == name {
			return nil
		}
		w.Name, w.UpdatedAt = name, now
		if err := tx.UpdateWorkspace(ctx, &w); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventWorkspaceUpdated, "workspace", id, workspacePayloadOf(w, "name"), now)
	})
	if err != nil {
		return Workspace{}, fmt.Errorf("rename workspace %s: %w", id, err)
	}
	return w, nil
}

// DeleteWorkspace removes a workspace and records workspace_deleted.
// Errors: Conflict while it has groups; NotFound; Forbidden.
func (s *Service) DeleteWorkspace(ctx context.Context, a Actor, id string) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	if !ValidObjectID(id) {
		return Errorf(NotFound, "workspace not found")
	}
	now := s.now()
	err := s.store.Write(ctx, func(tx Tx) error {
		w, err := tx.GetWorkspace(ctx, a.TenantID, id)
		if err != nil {
			return err
		}
		n, err := tx.CountGroupsInWorkspace(ctx, a.TenantID, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return Errorf(Conflict, "the workspace still has %d group(s): delete or move them first", n)
		}
		if err := tx.DeleteWorkspace(ctx, a.TenantID, id); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, EventWorkspaceDeleted, "workspace", id, workspacePayloadOf(w), now)
	})
	if err != nil {
		return fmt.Errorf("delete workspace %s: %w", id, err)
	}
	return nil
}
