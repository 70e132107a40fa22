package httpkit

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rosterhq/roster/internal/core"
)

// PathID returns the {id} path value. Anything that is not a positive
// integer cannot name an object, so it becomes 0, which every store answers
// with NotFound, exactly like an unknown id.
func PathID(r *http.Request) int64 {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0
	}
	return id
}

// UserFilter reads a cursor-paged user listing's query: limit (1 to
// core.MaxPageSize), cursor (as returned by EncodeCursor) and email.
// Errors: core Invalid naming "limit" or "cursor".
func UserFilter(q url.Values) (core.UserFilter, error) {
	var f core.UserFilter
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > core.MaxPageSize {
			return f, core.FieldError(core.Invalid, "limit", "must be a whole number from 1 to %d", core.MaxPageSize)
		}
		f.Limit = n
	}
	if s := q.Get("cursor"); s != "" {
		after, ok := decodeCursor(s)
		if !ok {
			return f, core.FieldError(core.Invalid, "cursor", "is not a cursor this API returned")
		}
		f.AfterID = after
	}
	f.Email = q.Get("email")
	return f, nil
}

// NextCursor is the cursor of the page after one that ended at afterID, or
// nil when there is none (afterID 0).
func NextCursor(afterID int64) *string {
	if afterID == 0 {
		return nil
	}
	c := base64.RawURLEncoding.EncodeToString([]byte("u" + strconv.FormatInt(afterID, 10)))
	return &c
}

// Cursors are opaque to clients: "u" and the last id, base64url.
func decodeCursor(s string) (int64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !strings.HasPrefix(string(raw), "u") {
		return 0, false
	}
	id, err := strconv.ParseInt(string(raw[1:]), 10, 64)
	return id, err == nil && id > 0
}

// DecodeCursor returns the id a cursor made by NextCursor ends at; false
// for anything NextCursor cannot have made.
func DecodeCursor(s string) (int64, bool) { return decodeCursor(s) }
