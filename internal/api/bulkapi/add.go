package bulkapi

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// addUsers serves POST /api/users/add.
func (h *handlers) addUsers(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.errorReply(r.Context(), err).Write(w)
		return
	}
	atomic, err := atomicParam(r)
	if err != nil {
		h.errorReply(r.Context(), err).Write(w)
		return
	}
	body, err := httpkit.ReadJSONBody(w, r, MaxBodyBytes)
	if err != nil {
		h.errorReply(r.Context(), err).Write(w)
		return
	}
	// The same body with another ?atomic is another request: the
	// fingerprint (method, path and what Run is given) includes it.
	fingerprinted := append([]byte("atomic="+strconv.FormatBool(atomic)+"\n"), body...)
	httpkit.Idempotent{
		Service: h.Service, Log: h.Log, Face: "bulk",
		Error: h.errorReply,
	}.Run(w, r, actor, fingerprinted, func(ctx context.Context) httpkit.Reply {
		req, err := decodeAdd(body)
		if err != nil {
			return h.errorReply(ctx, err)
		}
		if req.Token != nil && *req.Token != "" && !sameToken(*req.Token, bearerToken(r)) {
			return h.errorReply(ctx, core.Errorf(core.Unauthenticated, "the body's token is not the bearer token"))
		}
		res, err := h.Service.BulkAddUsers(ctx, actor, req.command(atomic))
		if err != nil {
			return h.errorReply(ctx, err)
		}
		return resultReply(res)
	})
}

// atomicParam reads ?atomic: absent or "true" is atomic, "false" is not.
func atomicParam(r *http.Request) (bool, error) {
	values, ok := r.URL.Query()["atomic"]
	if !ok {
		return true, nil
	}
	if len(values) == 1 {
		switch values[0] {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, &httpkit.RequestError{Status: http.StatusBadRequest, Field: "atomic", Message: "must be true or false"}
}

// bearerToken is the credential of the Authorization header (already
// authenticated by then).
func bearerToken(r *http.Request) string {
	_, credential, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	return strings.TrimSpace(credential)
}

// sameToken compares in constant time: the body's token is a secret.
func sameToken(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
