package importer

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// Row is one user in the import format: an NDJSON object, or a CSV row
// whose header names these fields. The names are the Client and Accounts
// APIs' (displayName is accepted for name).
type Row struct {
	Email                   string                        `json:"email"`
	Name                    string                        `json:"name,omitempty"`
	DisplayName             string                        `json:"displayName,omitempty"`
	Password                *string                       `json:"password,omitempty"`
	PasswordHash            string                        `json:"password_hash,omitempty"`
	Role                    string                        `json:"role,omitempty"`
	RoleID                  *int64                        `json:"role_id,omitempty"`
	Active                  *bool                         `json:"active,omitempty"`
	EmailFilteringEnabled   *bool                         `json:"emailFilteringEnabled,omitempty"`
	Notifications           *bool                         `json:"notifications,omitempty"`
	Language                string                        `json:"language,omitempty"`
	Timezone                string                        `json:"timezone,omitempty"`
	Phone                   string                        `json:"phone,omitempty"`
	ImageURL                string                        `json:"imageUrl,omitempty"`
	TeamID                  *int64                        `json:"teamId,omitempty"`
	ExternalID              string                        `json:"externalId,omitempty"`
	ExternalRef1            string                        `json:"external_system_reference1,omitempty"`
	ExternalRef2            string                        `json:"external_system_reference2,omitempty"`
	ExternalRef3            string                        `json:"external_system_reference3,omitempty"`
	String1                 string                        `json:"string1,omitempty"`
	String2                 string                        `json:"string2,omitempty"`
	String3                 string                        `json:"string3,omitempty"`
	String4                 string                        `json:"string4,omitempty"`
	String5                 string                        `json:"string5,omitempty"`
	NotificationPreferences []core.NotificationPreference `json:"notificationPreferences,omitempty"`
}

// secretFields are the row fields never copied into an errors file or a
// log.
var secretFields = map[string]bool{"password": true, "password_hash": true}

// ImportUser converts the row to the core's import command.
// Errors: Invalid (field "name") when both name and displayName are set.
func (r Row) ImportUser() (core.ImportUser, error) {
	name := r.Name
	if r.DisplayName != "" {
		if name != "" {
			return core.ImportUser{}, core.FieldError(core.Invalid, "name", "set name or displayName, not both")
		}
		name = r.DisplayName
	}
	return core.ImportUser{
		CreateUser: core.CreateUser{
			Email: r.Email, Name: name, Password: r.Password, Role: r.Role, RoleID: r.RoleID,
			Active: r.Active, EmailFilteringEnabled: r.EmailFilteringEnabled, Notifications: r.Notifications,
			Language: r.Language, Timezone: r.Timezone, Phone: r.Phone, ImageURL: r.ImageURL,
			TeamID: r.TeamID, ExternalID: r.ExternalID,
			ExternalRefs:            [3]string{r.ExternalRef1, r.ExternalRef2, r.ExternalRef3},
			Strings:                 [5]string{r.String1, r.String2, r.String3, r.String4, r.String5},
			NotificationPreferences: r.NotificationPreferences,
		},
		PasswordHash: r.PasswordHash,
	}, nil
}

// DecodeJSONRow decodes one NDJSON line strictly: an object whose members
// are all Row fields, each once, of the right type. Errors: Invalid naming
// the field (or none, for a line that is not a JSON object).
func DecodeJSONRow(line []byte) (Row, error) {
	var r Row
	if err := httpkit.DecodeStrict(line, &r); err != nil {
		if re, ok := err.(*httpkit.RequestError); ok {
			msg := re.Message
			if re.Field == "" {
				msg = strings.Replace(msg, "the request body", "the line", 1)
			}
			return Row{}, core.FieldError(core.Invalid, re.Field, "%s", msg)
		}
		return Row{}, core.FieldError(core.Invalid, "", "the line is not a JSON object")
	}
	return r, nil
}

// csvSetter stores one CSV cell in a Row. An empty cell sets nothing.
type csvSetter func(r *Row, v string) error

// csvColumns maps every accepted CSV header name to its setter.
var csvColumns = map[string]csvSetter{
	"email":                      func(r *Row, v string) error { r.Email = v; return nil },
	"name":                       func(r *Row, v string) error { r.Name = v; return nil },
	"displayName":                func(r *Row, v string) error { r.DisplayName = v; return nil },
	"password":                   func(r *Row, v string) error { r.Password = &v; return nil },
	"password_hash":              func(r *Row, v string) error { r.PasswordHash = v; return nil },
	"role":                       func(r *Row, v string) error { r.Role = v; return nil },
	"role_id":                    func(r *Row, v string) error { return setInt(&r.RoleID, "role_id", v) },
	"active":                     func(r *Row, v string) error { return setBool(&r.Active, "active", v) },
	"emailFilteringEnabled":      func(r *Row, v string) error { return setBool(&r.EmailFilteringEnabled, "emailFilteringEnabled", v) },
	"notifications":              func(r *Row, v string) error { return setBool(&r.Notifications, "notifications", v) },
	"language":                   func(r *Row, v string) error { r.Language = v; return nil },
	"timezone":                   func(r *Row, v string) error { r.Timezone = v; return nil },
	"phone":                      func(r *Row, v string) error { r.Phone = v; return nil },
	"imageUrl":                   func(r *Row, v string) error { r.ImageURL = v; return nil },
	"teamId":                     func(r *Row, v string) error { return setInt(&r.TeamID, "teamId", v) },
	"externalId":                 func(r *Row, v string) error { r.ExternalID = v; return nil },
	"external_system_reference1": func(r *Row, v string) error { r.ExternalRef1 = v; return nil },
	"external_system_reference2": func(r *Row, v string) error { r.ExternalRef2 = v; return nil },
	"external_system_reference3": func(r *Row, v string) error { r.ExternalRef3 = v; return nil },
	"string1":                    func(r *Row, v string) error { r.String1 = v; return nil },
	"string2":                    func(r *Row, v string) error { r.String2 = v; return nil },
	"string3":                    func(r *Row, v string) error { r.String3 = v; return nil },
	"string4":                    func(r *Row, v string) error { r.String4 = v; return nil },
	"string5":                    func(r *Row, v string) error { r.String5 = v; return nil },
	"notificationPreferences": func(r *Row, v string) error {
		if err := json.Unmarshal([]byte(v), &r.NotificationPreferences); err != nil {
			return core.FieldError(core.Invalid, "notificationPreferences", "must be a JSON array of {event, accountId, deliveryPref}")
		}
		return nil
	},
}

func setBool(dst **bool, field, v string) error {
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return core.FieldError(core.Invalid, field, "must be true or false")
	}
	*dst = &b
	return nil
}

func setInt(dst **int64, field, v string) error {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return core.FieldError(core.Invalid, field, "must be a whole number")
	}
	*dst = &n
	return nil
}

// checkCSVHeader refuses a header with an unknown or repeated column,
// naming it, or without an email column.
func checkCSVHeader(header []string) error {
	seen := map[string]bool{}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // a byte order mark from a spreadsheet
			header[0] = h
		}
		if _, ok := csvColumns[h]; !ok {
			return fmt.Errorf("CSV header: column %d %q is not a known field (the NDJSON field names: email, name, password, password_hash, role, active, externalId, ...)", i+1, h)
		}
		if seen[h] {
			return fmt.Errorf("CSV header: column %q appears more than once", h)
		}
		seen[h] = true
	}
	if !seen["email"] {
		return fmt.Errorf("CSV header: no email column")
	}
	return nil
}

// csvRow builds a Row from a CSV record under header. Errors: Invalid
// naming the column.
func csvRow(header, record []string) (Row, error) {
	var r Row
	if len(record) != len(header) {
		return r, core.FieldError(core.Invalid, "", "the row has %d fields, the header %d", len(record), len(header))
	}
	for i, v := range record {
		if v == "" {
			continue
		}
		if err := csvColumns[header[i]](&r, v); err != nil {
			return Row{}, err
		}
	}
	return r, nil
}
