package accountsapi

import (
	"errors"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// decodeErrorOK reports whether err is one the face renders as a client
// error: a *httpkit.RequestError or a core error with a field.
func decodeErrorOK(err error) bool {
	var re *httpkit.RequestError
	if errors.As(err, &re) {
		return re.Status == 400
	}
	e := core.AsError(err)
	return e != nil && e.Code == core.Forbidden && strings.HasPrefix(e.Field, "notificationPreferences[")
}

func FuzzDecodeCreate(f *testing.F) {
	for _, s := range []string{
		`{"email":"a@example.com"}`,
		"{\n\"email\": \"string\"\n}",
		`{"email":"a@example.com","name":"A","phone":"+14155550123","imgSrc":"https://x.io/a.png","teamId":3,"active":false,` +
			`"notificationPreferences":[{"event":"user_created","accountId":"7","deliveryPref":["email"]}]}`,
		`{"notificationPreferences":{}}`,
		`{"notificationPreferences":[null,{"event":1},{"x":2}]}`,
		`{"teamId":1e99}`,
		`[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		cmd, err := decodeCreate(body, "7")
		if err != nil {
			if !decodeErrorOK(err) {
				t.Fatalf("error %T %v: want a 400 request error or a preference's 403", err, err)
			}
			return
		}
		for _, p := range cmd.NotificationPreferences {
			if p.AccountID != "" && accountIDPattern.MatchString(p.AccountID) && p.AccountID != "7" {
				t.Fatalf("another account's preference passed: %+v", p)
			}
		}
	})
}

func FuzzDecodeUpdate(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"name":null,"phone":null,"imgSrc":null,"teamId":null,"notificationPreferences":null}`,
		`{"email":null}`,
		`{"teamId":"1"}`,
		`{"notificationPreferences":[{"event":"user_created","accountId":"8"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		cmd, err := decodeUpdate(body, "7")
		if err != nil {
			if !decodeErrorOK(err) {
				t.Fatalf("error %T %v: want a 400 request error or a preference's 403", err, err)
			}
			return
		}
		if cmd.TeamID != nil && cmd.ClearTeam {
			t.Fatalf("both a team and no team: %+v", cmd)
		}
	})
}

func TestDecodeUpdateNulls(t *testing.T) {
	cmd, err := decodeUpdate([]byte(`{"name":null,"phone":"+14155550123","teamId":null,"notificationPreferences":null}`), "7")
	if err != nil {
		t.Fatal(err)
	}
	if cmd.Name == nil || *cmd.Name != "" || cmd.Phone == nil || *cmd.Phone != "+14155550123" || cmd.ImageURL != nil ||
		cmd.TeamID != nil || !cmd.ClearTeam || cmd.NotificationPreferences == nil || len(*cmd.NotificationPreferences) != 0 ||
		cmd.Email != nil || cmd.Active != nil {
		t.Fatalf("got %+v", cmd)
	}
	cmd, err = decodeUpdate([]byte(`{"teamId":4}`), "7")
	if err != nil || cmd.TeamID == nil || *cmd.TeamID != 4 || cmd.ClearTeam || cmd.NotificationPreferences != nil || cmd.Name != nil {
		t.Fatalf("got %+v, %v", cmd, err)
	}
}

func TestFieldName(t *testing.T) {
	for in, want := range map[string]string{
		"imageUrl": "imgSrc", "imageUrl.x": "imgSrc.x", "email": "email", "imageUrlx": "imageUrlx",
		"notificationPreferences[2].event": "notificationPreferences[2].event",
	} {
		if got := fieldName(in); got != want {
			t.Errorf("fieldName(%q): got %q, want %q", in, got, want)
		}
	}
}
