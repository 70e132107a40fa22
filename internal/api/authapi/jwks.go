package authapi

import "net/http"

// jwks serves the JSON Web Key Set that verifies Roster's access tokens.
// Resource servers may cache it for five minutes.
func (h *handler) jwks(w http.ResponseWriter, r *http.Request) {
	doc, err := h.tokens.JWKS(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(doc)
}
