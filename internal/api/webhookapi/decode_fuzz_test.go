package webhookapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/api"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store/sqlite"
)

// FuzzWebhookBodies sends arbitrary bodies to every route that reads one:
// the answer is a success or a client error, never a 500, and never echoes
// a secret-shaped value it was sent.
func FuzzWebhookBodies(f *testing.F) {
	for _, s := range []string{
		`{"url":"https://hooks.example.com/x"}`,
		`{"url":"https://hooks.example.com/x","description":"d","eventTypes":["user_created"],"enabled":false}`,
		`{"url":"https://[::ffff:127.0.0.1]/","eventTypes":[null]}`,
		`{"url":"https://0x7f.1/","eventTypes":"user_created"}`,
		`{"url":"https://ex\u0000ample.com/"}`,
		`{"target_url":"https://hooks.zapier.com/x","event":"user_created"}`,
		`{"enabled":null,"url":null}`,
		`[]`, `null`, `{"url":1e999}`,
	} {
		f.Add([]byte(s))
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(f.TempDir(), "roster.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		f.Fatal(err)
	}
	pool, err := core.NewHashPool(core.HashPoolConfig{Params: core.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		f.Fatal(err)
	}
	svc := core.NewService(st, pool)
	tn, err := svc.CreateTenant(ctx, core.CreateTenant{Name: "Fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	ep, err := svc.CreateWebhookEndpoint(ctx, core.OperatorFor(tn.Tenant), core.CreateWebhookEndpoint{URL: "https://hooks.example.com/f"})
	if err != nil {
		f.Fatal(err)
	}
	h := api.NewHandler(api.Deps{Service: svc, Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, rt := range []struct{ method, path string }{
			{"POST", "/api/v1/webhooks"},
			{"PATCH", "/api/v1/webhooks/" + ep.ID},
			{"POST", "/api/v1/hooks"},
		} {
			req := httptest.NewRequest(rt.method, rt.path, strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tn.APIKey)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			switch rec.Code {
			case http.StatusOK, http.StatusCreated, http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity:
			default:
				t.Fatalf("%s %s %q: %d %s", rt.method, rt.path, body, rec.Code, rec.Body)
			}
			if rec.Code >= 400 && strings.Contains(rec.Body.String(), ep.Secret) {
				t.Fatalf("an error shows the endpoint's secret")
			}
		}
	})
}
