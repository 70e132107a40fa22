package bulkapi

import (
	"encoding/json"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// addRequest is seed 003's body, with the underscores its page lost.
type addRequest struct {
	Users []addUser `json:"users"`
	// Token, when present and not empty, must be the header's bearer
	// token. It is compared, never stored or logged.
	Token *string `json:"token"`
}

type addUser struct {
	Name            string     `json:"name"`
	Email           string     `json:"email"`
	Password        string     `json:"password"`
	ConfirmPassword string     `json:"confirm_password"`
	Image           string     `json:"image"`
	Type            string     `json:"type"`
	Notifications   *bool      `json:"notifications"`
	Update          bool       `json:"update"`
	Groups          []addGroup `json:"groups"`
}

// addGroup references a group by _id. The rest is seed 003's copy of the
// group: accepted so that a client can send what it has, and ignored (a
// user payload never changes a group).
type addGroup struct {
	ID          string          `json:"_id"`
	WorkspaceID *addWorkspace   `json:"workspace_id"`
	Name        string          `json:"name"`
	Permissions []addPermission `json:"permissions"`
}

type addWorkspace struct {
	ID   string `json:"_id"`
	Name string `json:"name"`
}

type addPermission struct {
	ID      string          `json:"_id"`
	PageID  string          `json:"page_id"`
	Filters json.RawMessage `json:"filters"`
}

// decodeAdd decodes body strictly (unknown members are refused with their
// path, such as users[3].displayname). Errors: 400 *httpkit.RequestError.
func decodeAdd(body []byte) (addRequest, error) {
	var req addRequest
	if err := httpkit.DecodeStrict(body, &req); err != nil {
		return addRequest{}, err
	}
	return req, nil
}

// command turns the request into the core's command.
func (req addRequest) command(atomic bool) core.BulkAddUsers {
	cmd := core.BulkAddUsers{Users: make([]core.BulkUser, len(req.Users)), Atomic: atomic}
	for i, u := range req.Users {
		bu := core.BulkUser{
			Name: u.Name, Email: u.Email, Password: u.Password, ConfirmPassword: u.ConfirmPassword,
			ImageURL: u.Image, Type: u.Type, Notifications: u.Notifications, Update: u.Update,
		}
		if u.Groups != nil {
			bu.Groups = make([]string, len(u.Groups))
			for j, g := range u.Groups {
				bu.Groups[j] = g.ID
			}
		}
		cmd.Users[i] = bu
	}
	return cmd
}
