package core

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameLen bounds display names, in characters.
const maxNameLen = 255

// validateName trims a display name and checks its length and characters.
func validateName(field, name string, required bool) (string, error) {
	return validateLine(field, name, maxNameLen, required)
}

// validateLine trims one line of free text and checks it: valid UTF-8, at
// most max characters, no control characters.
func validateLine(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		return "", FieldError(Invalid, field, "is required")
	case !utf8.ValidString(s):
		return "", FieldError(Invalid, field, "must be valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		return "", FieldError(Invalid, field, "must be at most %d characters", max)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "", FieldError(Invalid, field, "must not contain control characters")
	}
	return s, nil
}
