package bulkapi

import (
	"fmt"
	"net/http"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// response is the face's only body: seed 003's {"message", "status"} with
// one result per user.
type response struct {
	Message string   `json:"message"`
	Status  string   `json:"status"` // "success" or "error"
	Results []result `json:"results"`
}

// result is one user's outcome.
type result struct {
	Index  int    `json:"index"`
	Email  string `json:"email"`
	Status string `json:"status"` // created, updated, unchanged or error
	ID     int64  `json:"id,omitempty"`
	// Token is the set-password token of a user created without a
	// password: shown here once, never stored in plaintext.
	Token string `json:"token,omitempty"`
	Error string `json:"error,omitempty"`
	Field string `json:"field,omitempty"`
}

const msgNotAdded = "not added: the request is atomic and another user failed"

// resultReply renders the core's outcome: 200 when every user succeeded
// ("success"), 400 when an atomic request failed (nothing stored), 200
// with "error" when some users of a non-atomic request failed. Keep is the
// same body without set-password tokens, for the idempotency record.
func resultReply(res core.BulkResult) httpkit.Reply {
	body := response{Status: "success", Results: make([]result, len(res.Rows))}
	kept := response{Results: make([]result, len(res.Rows))}
	for i, row := range res.Rows {
		r := result{Index: row.Index, Email: row.Email, Status: string(row.Status)}
		switch {
		case row.NotAdded:
			r.Error = msgNotAdded
		case row.Err != nil:
			r.Field = faceField(row.Err.Field)
			r.Error = row.Err.Message
			if r.Field != "" {
				r.Error = r.Field + ": " + r.Error
			}
		default:
			r.ID, r.Token = row.UserID, row.PasswordToken
		}
		body.Results[i] = r
		r.Token = ""
		kept.Results[i] = r
	}
	total, status := len(res.Rows), http.StatusOK
	switch {
	case res.Failed == 0:
		body.Message = "user(s) added successfully"
	case res.Atomic:
		body.Status, status = "error", http.StatusBadRequest
		body.Message = fmt.Sprintf("no users were added: %d of %d user(s) failed", res.Failed, total)
	default:
		body.Status = "error"
		body.Message = fmt.Sprintf("%d of %d user(s) added; %d failed", total-res.Failed, total, res.Failed)
	}
	kept.Message, kept.Status = body.Message, body.Status
	// The body may carry set-password tokens: no cache may keep it.
	header := http.Header{"Cache-Control": {"no-store"}}
	return httpkit.Reply{Status: status, Header: header, Body: body, Keep: kept}
}
