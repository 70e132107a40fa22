package httpkit

import (
	"encoding/json"
	"net/http"
)

// WriteJSON writes v as a JSON response with status. A value that cannot be
// encoded is a programming error; it is answered with a bare 500.
func WriteJSON(w http.ResponseWriter, status int, contentType string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	WriteBody(w, status, contentType, body)
}

// WriteBody writes an already-encoded JSON body.
func WriteBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	if contentType == "" {
		contentType = "application/json"
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
	_, _ = w.Write([]byte("\n"))
}
