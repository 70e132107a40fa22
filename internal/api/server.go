package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/rosterhq/roster/internal/api/accountsapi"
	"github.com/rosterhq/roster/internal/api/adminapi"
	"github.com/rosterhq/roster/internal/api/authapi"
	"github.com/rosterhq/roster/internal/api/authn"
	"github.com/rosterhq/roster/internal/api/bulkapi"
	"github.com/rosterhq/roster/internal/api/clientapi"
	"github.com/rosterhq/roster/internal/api/httpkit"
	"github.com/rosterhq/roster/internal/api/importapi"
	"github.com/rosterhq/roster/internal/api/jsonapi"
	"github.com/rosterhq/roster/internal/api/openapi"
	"github.com/rosterhq/roster/internal/api/webhookapi"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/ratelimit"
	"github.com/rosterhq/roster/internal/token"
)

// Deps is what the HTTP layer needs from the rest of Roster.
type Deps struct {
	Service *core.Service
	Store   core.Store    // for readiness only
	Tokens  *token.Issuer // nil: bearer tokens are refused, API keys still work
	Log     *slog.Logger

	// Limiter holds the rate limits' buckets (in process, or in Redis to
	// share them); nil: no rate limits at all.
	Limiter ratelimit.Limiter
	Limits  Limits
}

// Limits are the rate limits' settings, applied when Deps.Limiter is set.
type Limits struct {
	// Credential is the limit of each API key (with the tokens issued for
	// it) and each logged-in user; a tenant's own limits replace it for its
	// credentials. A zero Limit: none.
	Credential ratelimit.Rule
	// LoginMaxFailures failed logins per email and client address are
	// allowed per LoginLockout; 0: no lockout.
	LoginMaxFailures int
	LoginLockout     time.Duration
	// LoginAttempts limits every login attempt per email and client
	// address; a zero Limit: none.
	LoginAttempts ratelimit.Rule
}

// NewHandler returns the root handler: every route, wrapped in the shared
// middleware.
func NewHandler(d Deps) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("GET /readyz", readyz(d.Store, d.Log))
	openapi.Routes(mux)

	auth := &authn.Authenticator{Service: d.Service}
	if d.Tokens != nil {
		auth.Verify = verifierOf(d.Tokens)
	}
	var protect *authapi.LoginProtection
	if d.Limiter != nil {
		if d.Limits.Credential.Limit > 0 {
			auth.Limits = &authn.Limits{Limiter: d.Limiter, Rule: d.Limits.Credential, Service: d.Service, Log: d.Log}
		}
		if d.Limits.LoginMaxFailures > 0 || d.Limits.LoginAttempts.Limit > 0 {
			protect = &authapi.LoginProtection{Limiter: d.Limiter, MaxFailures: d.Limits.LoginMaxFailures,
				Lockout: d.Limits.LoginLockout, Attempts: d.Limits.LoginAttempts, Log: d.Log}
		}
	}
	clientapi.Routes(mux, clientapi.Deps{Service: d.Service, Auth: auth, Log: d.Log})
	adminapi.Routes(mux, adminapi.Deps{Service: d.Service, Auth: auth, Log: d.Log})
	accountsapi.Routes(mux, accountsapi.Deps{Service: d.Service, Auth: auth, Log: d.Log})
	webhookapi.Routes(mux, webhookapi.Deps{Service: d.Service, Auth: auth, Log: d.Log})
	importapi.Routes(mux, importapi.Deps{Service: d.Service, Auth: auth, Log: d.Log})
	bulkapi.Routes(mux, bulkapi.Deps{Service: d.Service, Auth: auth, Log: d.Log})
	if d.Tokens != nil {
		authapi.Routes(mux, authapi.Deps{Service: d.Service, Tokens: d.Tokens, Log: d.Log, Protection: protect, Limits: auth.Limits})
	}

	// /api/users is shared by the Client API and JSON:API: dispatchUsers
	// sends each request to its face.
	jsonapiMux := http.NewServeMux()
	jsonapi.Routes(jsonapiMux, jsonapi.Deps{Service: d.Service, Auth: auth, Log: d.Log})

	var h http.Handler = dispatchUsers(jsonapiMux, mux)
	h = httpkit.Recover(d.Log, h)
	h = httpkit.LogRequests(d.Log, h)
	h = httpkit.AssignRequestID(h)
	return h
}

// Server is Roster's HTTP server with a bounded graceful shutdown.
type Server struct {
	srv      *http.Server
	listener net.Listener
	log      *slog.Logger
}

// Listen binds addr (use port 0 for a free port) and returns a server ready
// to Serve handler.
func Listen(addr string, handler http.Handler, log *slog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return &Server{
		srv: &http.Server{
			Handler:           handler,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       60 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       120 * time.Second,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
		listener: ln,
		log:      log,
	}, nil
}

// SetHandler sets the handler, for when building it needs the address
// (the token issuer is named after the server's URL). Call before Serve.
func (s *Server) SetHandler(h http.Handler) { s.srv.Handler = h }

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.listener.Addr().String() }

// Serve serves until ctx ends, then stops accepting connections and gives
// in-flight requests up to grace to finish.
func (s *Server) Serve(ctx context.Context, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.listener) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down", slog.Duration("grace", grace))
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil {
		s.srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
