package clientapi

import (
	"context"
	"net/http"

	"github.com/rosterhq/roster/internal/api/errorjson"
)

// errorResponse turns any error into this face's status, headers and body:
// the face's one mapping of errors to HTTP.
func (h *handlers) errorResponse(ctx context.Context, err error) response {
	return errorjson.Mapper{Log: h.Log, Face: "client api", FieldNames: map[string]string{"name": "displayName"}, NotFound: "no such user"}.Reply(ctx, err)
}

// writeError renders err.
func (h *handlers) writeError(w http.ResponseWriter, r *http.Request, err error) {
	h.errorResponse(r.Context(), err).Write(w)
}
