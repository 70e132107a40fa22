package bulkapi

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

// requestDeadline replaces the server's 60 s read and write timeouts for a
// bulk request: 32 MiB to read, and up to 10,000 argon2id hashes (about two
// minutes on two cores at OWASP's parameters) before the answer.
const requestDeadline = 10 * time.Minute

// addUsers serves POST /api/users/add.
func (h *handlers) addUsers(w http.ResponseWriter, r *http.Request) {
	actor, err := h.Auth.Actor(w, r)
	if err != nil {
		h.errorReply(r.Context(), err).Write(w)
		return
	}
	// Past authentication only, so that no stranger holds a connection
	// this long. Errors mean the writer cannot move its deadlines; the
	// server's own timeouts then apply.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(requestDeadline))
	_ = rc.SetWriteDeadline(time.Now().Add(requestDeadline))
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
