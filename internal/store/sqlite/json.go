package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
)

// formatList returns list as the JSON array stored for it: "[]" when empty.
func formatList[T any](list []T) (string, error) {
	if len(list) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(list)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// listDest scans a stored JSON array into *dst; an empty array reads as nil,
// so that nil and empty slices round-trip alike.
type listDest[T any] struct{ dst *[]T }

func (d listDest[T]) Scan(v any) error {
	s, ok := textOf(v)
	if !ok {
		return fmt.Errorf("stored JSON list: got %T, want text", v)
	}
	var list []T
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return fmt.Errorf("stored JSON list: %w", err)
	}
	if len(list) == 0 {
		list = nil
	}
	*d.dst = list
	return nil
}

var _ sql.Scanner = listDest[string]{}
