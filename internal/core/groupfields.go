package core

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
)

// Limits of workspaces and groups.
const (
	maxGroupPermissions = 200
	maxFiltersBytes     = 4096 // one permission's filters, compacted
	// MaxUserGroups bounds the groups one user may be given at once.
	MaxUserGroups = 100
)

// objectIDPattern is the shape of workspace, group, permission and page
// ids: seed 003's are 24 hex characters; any id of up to 64 letters,
// digits, '_' and '-' is kept, so a tenant migrating from another system
// keeps its ids.
var objectIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ValidObjectID reports whether id has the shape of a workspace or group id.
func ValidObjectID(id string) bool { return objectIDPattern.MatchString(id) }

// newObjectID makes an id like seed 003's: 24 lowercase hex characters.
func newObjectID() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make an id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// objectIDOrNew returns id when it is valid, a fresh one when it is empty.
// Errors: Invalid (field).
func objectIDOrNew(field, id string) (string, error) {
	if id == "" {
		return newObjectID()
	}
	if !ValidObjectID(id) {
		return "", FieldError(Invalid, field, "must be 1 to 64 letters, digits, '_' or '-'")
	}
	return id, nil
}

// validatePermissionList checks a group's permissions: at most 200; each
// _id an object id (made when empty), page_id an object id, filters a JSON
// array of at most 4 KiB (stored compacted; null or missing is []).
// Errors: Invalid naming "permissions" or "permissions[<i>]._id",
// ".page_id", ".filters".
func validatePermissionList(in []Permission) ([]Permission, error) {
	if len(in) > maxGroupPermissions {
		return nil, FieldError(Invalid, "permissions", "must have at most %d entries", maxGroupPermissions)
	}
	out := make([]Permission, len(in))
	for i, p := range in {
		field := fmt.Sprintf("permissions[%d]", i)
		id, err := objectIDOrNew(field+"._id", p.ID)
		if err != nil {
			return nil, err
		}
		if !ValidObjectID(p.PageID) {
			return nil, FieldError(Invalid, field+".page_id", "must be 1 to 64 letters, digits, '_' or '-'")
		}
		filters, err := compactFilters(p.Filters)
		if err != nil {
			return nil, FieldError(Invalid, field+".filters", "%s", err.Error())
		}
		out[i] = Permission{ID: id, PageID: p.PageID, Filters: filters}
	}
	return out, nil
}

// compactFilters returns a permission's filters compacted: a JSON array of
// at most maxFiltersBytes; null or nothing is [].
func compactFilters(raw json.RawMessage) (json.RawMessage, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return json.RawMessage("[]"), nil
	}
	if trimmed[0] != '[' {
		return nil, fmt.Errorf("must be a JSON array")
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, trimmed); err != nil {
		return nil, fmt.Errorf("must be a JSON array")
	}
	if buf.Len() > maxFiltersBytes {
		return nil, fmt.Errorf("must be at most %d bytes of JSON", maxFiltersBytes)
	}
	return buf.Bytes(), nil
}
