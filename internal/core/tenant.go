package core

import (
	"regexp"
	"strings"
	"time"
)

// Tenant is an organization: the isolation boundary for every read and write.
type Tenant struct {
	ID        int64  // internal key; also rendered as AccountID
	ClientID  string // "clt_" + 21 base62 characters
	Subdomain string // unique slug, used by the JSON:API face
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time

	// RateLimit and RateBurst override the server's per-credential rate
	// limit (requests per minute) and burst for this tenant's credentials;
	// nil takes the server's setting.
	RateLimit *int
	RateBurst *int
}

// AccountID is the tenant's identifier on the Accounts face: a decimal string.
func (t Tenant) AccountID() string { return formatInt(t.ID) }

// clientIDPrefix starts every tenant's client ID.
const clientIDPrefix = "clt_"

// newClientID returns "clt_" followed by 21 random base62 characters.
func newClientID() (string, error) {
	s, err := randomBase62(21)
	if err != nil {
		return "", err
	}
	return clientIDPrefix + s, nil
}

var clientIDPattern = regexp.MustCompile(`^clt_[0-9A-Za-z]{21}$`)

// ValidClientID reports whether s has the form of a client ID.
func ValidClientID(s string) bool { return clientIDPattern.MatchString(s) }

// subdomainPattern is a DNS label: lowercase letters, digits and inner hyphens.
var subdomainPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// ValidateSubdomain checks a tenant subdomain: a DNS label of 1 to 63
// lowercase letters, digits and inner hyphens.
func ValidateSubdomain(s string) error {
	if !subdomainPattern.MatchString(s) {
		return FieldError(Invalid, "subdomain", "must be 1 to 63 lowercase letters, digits or inner hyphens")
	}
	return nil
}

// ValidateTenantName checks a tenant's display name.
func ValidateTenantName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", FieldError(Invalid, "name", "is required")
	}
	if len([]rune(s)) > 200 {
		return "", FieldError(Invalid, "name", "must be at most 200 characters")
	}
	return s, nil
}

// slugify derives a subdomain candidate from a tenant name.
func slugify(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			hyphen = false
		case b.Len() > 0 && !hyphen:
			b.WriteByte('-')
			hyphen = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}
