package bulkapi

import (
	"log/slog"
	"net/http"

	"github.com/rosterhq/roster/internal/api/authn"
	"github.com/rosterhq/roster/internal/core"
)

// MaxBodyBytes bounds a bulk request's body (DESIGN §2: 32 MiB).
const MaxBodyBytes = 32 << 20

// Deps is what the face needs.
type Deps struct {
	Service *core.Service
	Auth    *authn.Authenticator
	Log     *slog.Logger // slog.Default() when nil
}

type handlers struct{ Deps }

// Routes registers the face's route on mux.
func Routes(mux *http.ServeMux, d Deps) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	h := &handlers{d}
	mux.HandleFunc("POST /api/users/add", h.addUsers)
}
