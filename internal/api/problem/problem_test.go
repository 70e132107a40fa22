package problem

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/core"
)

func TestFrom(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name     string
		err      error
		status   int
		pointers []string
		header   string
	}{
		{"Invalid", core.FieldError(core.Invalid, "key", "is required"), 422, []string{"/key"}, ""},
		{"InvalidIndexed", core.FieldError(core.Invalid, "permissions[2]", "is unknown"), 422, []string{"/permissions/2"}, ""},
		{"Renamed", core.FieldError(core.Invalid, "name", "too long"), 422, []string{"/displayName"}, ""},
		{"Conflict", core.FieldError(core.Conflict, "key", "is taken"), 409, []string{"/key"}, ""},
		{"NotFound", core.Errorf(core.NotFound, "no role 3"), 404, nil, ""},
		{"Forbidden", core.Errorf(core.Forbidden, "built in"), 403, nil, ""},
		{"Unauthenticated", core.Errorf(core.Unauthenticated, "missing"), 401, nil, "WWW-Authenticate"},
		{"RateLimited", &core.Error{Code: core.RateLimited, Message: "slow down", Retry: 1500 * time.Millisecond}, 429, nil, "Retry-After"},
		{"Busy", &core.Error{Code: core.Busy, Message: "busy"}, 503, nil, "Retry-After"},
		{"IdempotencyKey", core.FieldError(core.Unprocessable, "Idempotency-Key", "reused"), 422, nil, ""},
		{"RequestError", &httpkit.RequestError{Status: 400, Field: "items[1].extra", Message: "is not a known field"}, 400, []string{"/items/1/extra"}, ""},
		{"TooLarge", &httpkit.RequestError{Status: 413, Message: "too large"}, 413, nil, ""},
		{"Internal", errors.New("disk on fire"), 500, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := From(context.Background(), log, tt.err, Options{Fields: map[string]string{"name": "displayName"}})
			if p.Status != tt.status || p.Details.Status != tt.status || p.Details.Title == "" || p.Details.Type == "" {
				t.Fatalf("got %+v, want status %d with type and title", p, tt.status)
			}
			var got []string
			for _, e := range p.Details.Errors {
				got = append(got, e.Pointer)
			}
			if len(got) != len(tt.pointers) || (len(got) > 0 && got[0] != tt.pointers[0]) {
				t.Errorf("pointers: got %q, want %q", got, tt.pointers)
			}
			if tt.header != "" && p.Header.Get(tt.header) == "" {
				t.Errorf("no %s header", tt.header)
			}
			if tt.status == http.StatusInternalServerError && p.Details.Detail == "disk on fire" {
				t.Error("an internal error's message reached the client")
			}
		})
	}
	if got := PointerOf("a/b.c~d"); got != "/a~1b/c~0d" {
		t.Errorf("PointerOf: got %q", got)
	}
}
