package core

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // IANA zones are validated the same on every host, with or without a zoneinfo directory
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// Limits of the user's optional fields.
const (
	maxTextLen                 = 255  // externalId, external_system_reference1..3, string1..5, in characters
	maxImageURLLen             = 2048 // octets
	maxLanguageLen             = 64   // octets
	maxTimezoneLen             = 64   // octets
	maxNotificationPreferences = 500
)

// Field names of the optional user fields in core errors.
const (
	fieldRoleID                  = "role_id"
	fieldLanguage                = "language"
	fieldTimezone                = "timezone"
	fieldPhone                   = "phone"
	fieldImageURL                = "imageUrl"
	fieldTeamID                  = "teamId"
	fieldExternalID              = "externalId"
	fieldNotificationPreferences = "notificationPreferences"
)

// externalRefField and stringField name external_system_reference1..3 and
// string1..5 (i from 0).
func externalRefField(i int) string { return fmt.Sprintf("external_system_reference%d", i+1) }
func stringField(i int) string      { return fmt.Sprintf("string%d", i+1) }

// validateLanguage checks a BCP 47 language tag written with hyphens
// ("pt-BR", "zh-Hant-TW") and returns its canonical form ("EN-us" is
// "en-US", "iw" is "he"). "" stays "" (none). Underscores ("en_US"), which
// golang.org/x/text would quietly accept, are refused, and so is "und".
func validateLanguage(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	bad := func() error {
		return FieldError(Invalid, fieldLanguage, "must be a BCP 47 language tag such as en or pt-BR")
	}
	if len(s) > maxLanguageLen || strings.ContainsRune(s, '_') {
		return "", bad()
	}
	tag, err := language.Parse(s)
	if err != nil || tag == language.Und {
		return "", bad()
	}
	return tag.String(), nil
}

// timezonePattern is the shape of an IANA zone name: "UTC", "Europe/Paris",
// "America/Argentina/Buenos_Aires", "Etc/GMT+5".
var timezonePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$`)

// validateTimezone checks an IANA time zone name against the zone database
// (embedded with time/tzdata). "Local", the host's zone, is not a zone name
// and is refused, and so is "" (callers that allow "none" check for it
// first).
func validateTimezone(s string) (string, error) {
	bad := func() error {
		return FieldError(Invalid, fieldTimezone, "must be an IANA time zone such as Europe/Paris")
	}
	if s == "" || s == "Local" || len(s) > maxTimezoneLen || !timezonePattern.MatchString(s) {
		return "", bad()
	}
	if _, err := time.LoadLocation(s); err != nil {
		return "", bad()
	}
	return s, nil
}

// phonePattern is an E.164 number: a plus, then up to 15 digits, the first
// not 0.
var phonePattern = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// validatePhone checks an E.164 phone number ("+5511999999999"). "" stays
// "" (none).
func validatePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if !phonePattern.MatchString(s) {
		return "", FieldError(Invalid, fieldPhone, "must be an E.164 number such as +5511999999999")
	}
	return s, nil
}

// validateImageURL checks an absolute http or https URL with a host, no
// user information and no white space, of at most 2048 octets. "" stays ""
// (none).
func validateImageURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if len(s) > maxImageURLLen {
		return "", FieldError(Invalid, fieldImageURL, "must be at most %d octets", maxImageURLLen)
	}
	bad := func() error {
		return FieldError(Invalid, fieldImageURL, "must be an absolute http or https URL")
	}
	if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return "", bad()
	}
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return "", bad()
	}
	if scheme := strings.ToLower(u.Scheme); scheme != "http" && scheme != "https" {
		return "", bad()
	}
	if u.User != nil {
		return "", FieldError(Invalid, fieldImageURL, "must not hold a user name or password")
	}
	return s, nil
}

// validateText checks a free-form stored string (externalId, the external
// references, string1..5): valid UTF-8 of at most 255 characters with no
// control characters other than tab and line breaks. It is stored as given.
func validateText(field, s string) (string, error) {
	switch {
	case !utf8.ValidString(s):
		return "", FieldError(Invalid, field, "must be valid UTF-8")
	case utf8.RuneCountInString(s) > maxTextLen:
		return "", FieldError(Invalid, field, "must be at most %d characters", maxTextLen)
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' }) >= 0:
		return "", FieldError(Invalid, field, "must not contain control characters")
	}
	return s, nil
}

// validateNotificationPreferences checks each preference: its event is in
// EventCatalogue, its accountId is empty or a decimal account ID, its
// delivery methods are in DeliveryMethods (duplicates are dropped, order
// kept), and no two preferences share an event and accountId. The error
// names the entry: "notificationPreferences[2].deliveryPref". An empty list
// is nil.
func validateNotificationPreferences(prefs []NotificationPreference) ([]NotificationPreference, error) {
	if len(prefs) == 0 {
		return nil, nil
	}
	if len(prefs) > maxNotificationPreferences {
		return nil, FieldError(Invalid, fieldNotificationPreferences, "must have at most %d entries", maxNotificationPreferences)
	}
	type rule struct{ event, account string }
	seen := make(map[rule]int, len(prefs))
	out := make([]NotificationPreference, len(prefs))
	for i, p := range prefs {
		field := func(name string) string { return fmt.Sprintf("%s[%d].%s", fieldNotificationPreferences, i, name) }
		switch {
		case p.Event == "":
			return nil, FieldError(Invalid, field("event"), "is required")
		case !IsCatalogueEvent(p.Event):
			return nil, FieldError(Invalid, field("event"), "%q is not an event of the catalogue", truncate(p.Event, 64))
		}
		if p.AccountID != "" {
			if _, ok := parseDecimalID(p.AccountID); !ok {
				return nil, FieldError(Invalid, field("accountId"), "must be an account ID: a decimal number such as \"2311\"")
			}
		}
		r := rule{p.Event, p.AccountID}
		if j, dup := seen[r]; dup {
			return nil, FieldError(Invalid, field("event"), "repeats %s[%d] (same event and accountId)", fieldNotificationPreferences, j)
		}
		seen[r] = i
		var methods []string
		for _, m := range p.DeliveryPref {
			if !IsDeliveryMethod(m) {
				return nil, FieldError(Invalid, field("deliveryPref"), "%q is not one of %s", truncate(m, 64), strings.Join(DeliveryMethods, ", "))
			}
			if !slices.Contains(methods, m) {
				methods = append(methods, m)
			}
		}
		out[i] = NotificationPreference{Event: p.Event, AccountID: p.AccountID, DeliveryPref: methods}
	}
	return out, nil
}

// truncate shortens s to at most n bytes (on a rune boundary) for quoting
// in an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// userFields is the validated form of the optional fields of CreateUser.
type userFields struct {
	language, timezone, phone, imageURL, externalID string
	externalRefs                                    [3]string
	strings                                         [5]string
	prefs                                           []NotificationPreference
}

// validateUserFields checks CreateUser's optional fields that need no
// store. "" is "none" for each of them.
func validateUserFields(cmd CreateUser) (userFields, error) {
	var f userFields
	var err error
	if f.language, err = validateLanguage(cmd.Language); err != nil {
		return f, err
	}
	if cmd.Timezone != "" {
		if f.timezone, err = validateTimezone(cmd.Timezone); err != nil {
			return f, err
		}
	}
	if f.phone, err = validatePhone(cmd.Phone); err != nil {
		return f, err
	}
	if f.imageURL, err = validateImageURL(cmd.ImageURL); err != nil {
		return f, err
	}
	if f.externalID, err = validateText(fieldExternalID, cmd.ExternalID); err != nil {
		return f, err
	}
	for i, s := range cmd.ExternalRefs {
		if f.externalRefs[i], err = validateText(externalRefField(i), s); err != nil {
			return f, err
		}
	}
	for i, s := range cmd.Strings {
		if f.strings[i], err = validateText(stringField(i), s); err != nil {
			return f, err
		}
	}
	if f.prefs, err = validateNotificationPreferences(cmd.NotificationPreferences); err != nil {
		return f, err
	}
	return f, nil
}
