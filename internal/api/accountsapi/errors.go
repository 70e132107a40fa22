package accountsapi

import (
	"context"
	"net/http"

	"github.com/rosterhq/roster/internal/api/errorjson"
)

// fieldNames maps the core's field names to this face's payload names.
var fieldNames = map[string]string{"imageUrl": "imgSrc"}

// fieldName renames a core field path ("imageUrl",
// "notificationPreferences[2].event") to this face's names.
func fieldName(field string) string { return errorjson.Mapper{FieldNames: fieldNames}.FieldName(field) }

// errorResponse turns any error into this face's status, headers and body:
// the face's one mapping of errors to HTTP.
func (h *handlers) errorResponse(ctx context.Context, err error) response {
	return errorjson.Mapper{Log: h.Log, Face: "accounts api", FieldNames: fieldNames, NotFound: "no such user"}.Reply(ctx, err)
}

// writeError renders err in the Accounts shape.
func (h *handlers) writeError(w http.ResponseWriter, r *http.Request, err error) {
	h.errorResponse(r.Context(), err).Write(w)
}

// accountsDialect is the Accounts shape for the idempotency wrapper.
func (h *handlers) accountsDialect() dialect {
	return dialect{
		errorResponse: h.errorResponse,
		contentType:   func(int) string { return "" },
		stored:        withoutToken,
	}
}
