package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

// healthz answers while the process runs.
func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// readyz answers 200 when the store is reachable, 503 otherwise.
func readyz(store core.Store, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		if err := store.Ping(ctx); err != nil {
			log.WarnContext(r.Context(), "readiness: store unreachable", slog.Any("error", err))
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":"unavailable","store":"unreachable"}` + "\n"))
			return
		}
		_, _ = w.Write([]byte(`{"status":"ok","store":"ok"}` + "\n"))
	}
}
