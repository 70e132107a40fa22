package core

import "time"

// Team is a tenant-level group of users (a user's teamId).
type Team struct {
	ID        int64
	TenantID  int64
	Name      string // 1..255 characters, unique in the tenant case-insensitively
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}
