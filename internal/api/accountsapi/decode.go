package accountsapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// createUserRequest is seed 002's create payload: only email is required.
type createUserRequest struct {
	Email                   string          `json:"email"`
	Name                    string          `json:"name"`
	Active                  *bool           `json:"active"`
	TeamID                  *int64          `json:"teamId"` // null: no team
	Phone                   string          `json:"phone"`
	ImgSrc                  string          `json:"imgSrc"`
	NotificationPreferences json.RawMessage `json:"notificationPreferences"` // decoded by decodePreferences
}

// updateUserRequest changes only the members it carries. null clears name,
// phone, imgSrc, teamId and notificationPreferences; email and active
// cannot be null.
type updateUserRequest struct {
	Email                   optional[string] `json:"email"`
	Name                    optional[string] `json:"name"`
	Active                  optional[bool]   `json:"active"`
	TeamID                  optional[int64]  `json:"teamId"`
	Phone                   optional[string] `json:"phone"`
	ImgSrc                  optional[string] `json:"imgSrc"`
	NotificationPreferences json.RawMessage  `json:"notificationPreferences"`
}

// preferenceRequest is one NotificationPreference of seed 002.
type preferenceRequest struct {
	Event        string   `json:"event"`
	AccountID    string   `json:"accountId"`
	DeliveryPref []string `json:"deliveryPref"`
}

// optional is a member that may be absent (Set false), null (Set true,
// Value nil) or a value.
type optional[T any] struct {
	Set   bool `json:"-"`
	Value *T   `json:"-"`
}

// UnmarshalJSON records that the member was present.
func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Value = nil
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	o.Value = &v
	return nil
}

// decodeCreate decodes a create body into the core's command. The tenant's
// account id is what a preference's accountId may name.
//
// Errors: *httpkit.RequestError (400) for a body that is not the payload;
// core Forbidden for a preference naming another account.
func decodeCreate(body []byte, accountID string) (core.CreateUser, error) {
	var req createUserRequest
	if err := httpkit.DecodeStrict(body, &req); err != nil {
		return core.CreateUser{}, err
	}
	prefs, _, err := decodePreferences(req.NotificationPreferences, accountID)
	if err != nil {
		return core.CreateUser{}, err
	}
	return core.CreateUser{
		Email: req.Email, Name: req.Name, Active: req.Active, TeamID: req.TeamID,
		Phone: req.Phone, ImageURL: req.ImgSrc, NotificationPreferences: prefs,
	}, nil
}

// decodeUpdate decodes a PATCH body into the core's command.
//
// Errors: as decodeCreate.
func decodeUpdate(body []byte, accountID string) (core.UpdateUser, error) {
	var req updateUserRequest
	if err := httpkit.DecodeStrict(body, &req); err != nil {
		return core.UpdateUser{}, err
	}
	for _, f := range []struct {
		name  string
		isNil bool
	}{
		{"email", req.Email.Set && req.Email.Value == nil},
		{"active", req.Active.Set && req.Active.Value == nil},
	} {
		if f.isNil {
			return core.UpdateUser{}, badRequest(f.name, "cannot be null")
		}
	}
	cmd := core.UpdateUser{
		Email: req.Email.Value, Active: req.Active.Value,
		Name: orEmpty(req.Name), Phone: orEmpty(req.Phone), ImageURL: orEmpty(req.ImgSrc),
	}
	if req.TeamID.Set {
		cmd.TeamID, cmd.ClearTeam = req.TeamID.Value, req.TeamID.Value == nil
	}
	prefs, set, err := decodePreferences(req.NotificationPreferences, accountID)
	if err != nil {
		return core.UpdateUser{}, err
	}
	if set {
		if prefs == nil {
			prefs = []core.NotificationPreference{}
		}
		cmd.NotificationPreferences = &prefs
	}
	return cmd, nil
}

// orEmpty maps an optional string onto the core's pointer: absent is nil
// (no change), null is "" (cleared).
func orEmpty(o optional[string]) *string {
	if !o.Set {
		return nil
	}
	if o.Value == nil {
		return new(string)
	}
	return o.Value
}

// msgPreferences says what notificationPreferences must be. Seed 002 types
// the User's notificationPreferences as an object ({}), but its
// NotificationPreference schema is one rule: the member is a list of them.
const msgPreferences = "must be a list of notification preferences, each an object " +
	`{"event", "accountId", "deliveryPref"}, such as [{"event":"user_created","deliveryPref":["email"]}]`

// decodePreferences decodes notificationPreferences: a list of seed 002's
// NotificationPreference objects, each decoded as strictly as the body and
// named by its index when refused. set is false when the member is absent;
// null is an empty list. Only the tenant's own account id may be named.
//
// Errors: *httpkit.RequestError (400) naming
// "notificationPreferences[<i>]..."; core Forbidden (field
// "notificationPreferences[<i>].accountId") for another account.
func decodePreferences(raw json.RawMessage, accountID string) (prefs []core.NotificationPreference, set bool, err error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0:
		return nil, false, nil
	case bytes.Equal(raw, []byte("null")):
		return nil, true, nil
	case raw[0] != '[':
		return nil, false, badRequest("notificationPreferences", msgPreferences)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, false, badRequest("notificationPreferences", msgPreferences)
	}
	prefs = make([]core.NotificationPreference, 0, len(items))
	for i, item := range items {
		field := fmt.Sprintf("notificationPreferences[%d]", i)
		var p preferenceRequest
		if err := httpkit.DecodeStrict(item, &p); err != nil {
			var re *httpkit.RequestError
			if !errors.As(err, &re) || re.Field == "" {
				return nil, false, badRequest(field, `must be an object {"event", "accountId", "deliveryPref"}`)
			}
			return nil, false, badRequest(field+"."+re.Field, "%s", re.Message)
		}
		// A malformed accountId is the core's to refuse (400); a well-formed
		// one must be this account's.
		if accountIDPattern.MatchString(p.AccountID) && p.AccountID != accountID {
			return nil, false, core.FieldError(core.Forbidden, field+".accountId",
				"%q is not this account: a preference may name only the account %q", p.AccountID, accountID)
		}
		prefs = append(prefs, core.NotificationPreference{Event: p.Event, AccountID: p.AccountID, DeliveryPref: p.DeliveryPref})
	}
	return prefs, true, nil
}

func badRequest(field, format string, args ...any) *httpkit.RequestError {
	return &httpkit.RequestError{Status: http.StatusBadRequest, Field: field, Message: fmt.Sprintf(format, args...)}
}
