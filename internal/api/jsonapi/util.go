package jsonapi

import (
	"strconv"
	"strings"
)

func itoa(i int) string { return strconv.Itoa(i) }

// quote quotes a member name for a message, bounded so that a huge name
// cannot make a huge error.
func quote(s string) string {
	const limit = 64
	if len(s) > limit {
		s = s[:limit] + "..."
	}
	return strconv.Quote(s)
}

// escapeToken escapes one reference token of a JSON Pointer (RFC 6901 §3).
func escapeToken(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}
