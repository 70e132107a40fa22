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
	name = strings.TrimSpace(name)
	switch {
	case name == "" && required:
		return "", FieldError(Invalid, field, "is required")
	case !utf8.ValidString(name):
		return "", FieldError(Invalid, field, "must be valid UTF-8")
	case utf8.RuneCountInString(name) > maxNameLen:
		return "", FieldError(Invalid, field, "must be at most %d characters", maxNameLen)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", FieldError(Invalid, field, "must not contain control characters")
	}
	return name, nil
}
