package core

import (
	"net/mail"
	"strings"
	"unicode/utf8"
)

const (
	maxEmailOctets      = 254 // RFC 5321 path limit less the angle brackets
	maxEmailLocalOctets = 64
)

// NormalizeEmail returns the form that platform-wide uniqueness compares:
// the trimmed address in lower case.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// ValidateEmail trims email and checks that it is one plain address: no
// display name, no comments or angle brackets, a domain with a dot, at most
// 254 octets. It returns the trimmed address (case kept) or an Invalid error
// naming field "email".
func ValidateEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	switch {
	case email == "":
		return "", FieldError(Invalid, "email", "is required")
	case len(email) > maxEmailOctets:
		return "", FieldError(Invalid, "email", "must be at most %d octets", maxEmailOctets)
	case !utf8.ValidString(email):
		return "", FieldError(Invalid, "email", "must be valid UTF-8")
	}
	addr, err := mail.ParseAddress(email)
	// net/mail accepts "Name <a@b.c>" and "a@b.c (comment)"; a plain
	// address must parse back to exactly itself.
	if err != nil || addr.Name != "" || addr.Address != email {
		return "", FieldError(Invalid, "email", "must be a single email address such as name@example.com")
	}
	at := strings.LastIndexByte(email, '@')
	local, domain := email[:at], email[at+1:]
	if len(local) > maxEmailLocalOctets {
		return "", FieldError(Invalid, "email", "local part must be at most %d octets", maxEmailLocalOctets)
	}
	if !validEmailDomain(domain) {
		return "", FieldError(Invalid, "email", "must have a domain such as example.com")
	}
	return email, nil
}

// validEmailDomain accepts a dotted host name: labels of letters, digits,
// hyphens (or non-ASCII, for internationalized names), none empty or
// starting or ending with a hyphen. Address literals ("[1.2.3.4]") are refused.
func validEmailDomain(domain string) bool {
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			ok := r == '-' || r >= 0x80 || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
			if !ok {
				return false
			}
		}
	}
	return true
}
