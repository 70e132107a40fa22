package sqlite

import (
	"database/sql"
	"fmt"
	"time"
)

// timeLayout is how timestamps are stored: TEXT in UTC with microseconds,
// fixed width, so that they sort as they compare. The trailing Z is literal.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// formatTime returns t as stored. Anything finer than a microsecond is
// dropped (the core truncates before it stores).
func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// formatNullTime returns t as stored, or NULL for nil.
func formatNullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

// parseTime reads a stored timestamp back as a UTC time.Time.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// timeDest scans a stored timestamp into *dst.
type timeDest struct{ dst *time.Time }

func (d timeDest) Scan(v any) error {
	s, ok := textOf(v)
	if !ok {
		return fmt.Errorf("stored time: got %T, want text", v)
	}
	t, err := parseTime(s)
	if err != nil {
		return err
	}
	*d.dst = t
	return nil
}

// nullTimeDest scans a nullable stored timestamp into *dst (nil for NULL).
type nullTimeDest struct{ dst **time.Time }

func (d nullTimeDest) Scan(v any) error {
	if v == nil {
		*d.dst = nil
		return nil
	}
	var t time.Time
	if err := (timeDest{&t}).Scan(v); err != nil {
		return err
	}
	*d.dst = &t
	return nil
}

var (
	_ sql.Scanner = timeDest{}
	_ sql.Scanner = nullTimeDest{}
)

// textOf returns a TEXT value as the driver hands it over.
func textOf(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case []byte:
		return string(v), true
	}
	return "", false
}
