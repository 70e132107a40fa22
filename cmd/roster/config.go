package main

import (
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// config is every setting, from flags whose defaults come from ROSTER_*
// environment variables.
type config struct {
	Database string

	Listen        string
	BaseURL       string
	ShutdownGrace time.Duration

	LogLevel  string
	LogFormat string

	Argon2    core.Argon2Params
	HashPool  int
	HashQueue int
	HashWait  time.Duration
}

// envFlags registers flags whose defaults are read from the environment and
// whose help names the variable. Bad environment values are remembered and
// reported by err, so a typo never silently falls back to the default.
type envFlags struct {
	fs   *pflag.FlagSet
	errs []string
}

func (e *envFlags) env(name string) (string, bool) {
	v, ok := os.LookupEnv(name)
	return strings.TrimSpace(v), ok && strings.TrimSpace(v) != ""
}

func (e *envFlags) usage(usage, env string) string { return fmt.Sprintf("%s (env %s)", usage, env) }

func (e *envFlags) String(p *string, name, env, def, usage string) {
	if v, ok := e.env(env); ok {
		def = v
	}
	e.fs.StringVar(p, name, def, e.usage(usage, env))
}

func (e *envFlags) Int(p *int, name, env string, def int, usage string) {
	if v, ok := e.env(env); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Sprintf("%s=%q: not a whole number", env, v))
		} else {
			def = n
		}
	}
	e.fs.IntVar(p, name, def, e.usage(usage, env))
}

func (e *envFlags) Uint32(p *uint32, name, env string, def uint32, usage string) {
	if v, ok := e.env(env); ok {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			e.errs = append(e.errs, fmt.Sprintf("%s=%q: not a whole number", env, v))
		} else {
			def = uint32(n)
		}
	}
	e.fs.Uint32Var(p, name, def, e.usage(usage, env))
}

func (e *envFlags) Uint8(p *uint8, name, env string, def uint8, usage string) {
	if v, ok := e.env(env); ok {
		n, err := strconv.ParseUint(v, 10, 8)
		if err != nil {
			e.errs = append(e.errs, fmt.Sprintf("%s=%q: not a whole number from 0 to 255", env, v))
		} else {
			def = uint8(n)
		}
	}
	e.fs.Uint8Var(p, name, def, e.usage(usage, env))
}

func (e *envFlags) Duration(p *time.Duration, name, env string, def time.Duration, usage string) {
	if v, ok := e.env(env); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Sprintf("%s=%q: not a duration such as 10s", env, v))
		} else {
			def = d
		}
	}
	e.fs.DurationVar(p, name, def, e.usage(usage, env))
}

func (e *envFlags) err() error {
	if len(e.errs) == 0 {
		return nil
	}
	return fmt.Errorf("bad environment: %s", strings.Join(e.errs, "; "))
}

// registerStoreFlags adds the settings every command that opens the store
// needs: the database and the password hashing parameters.
func (c *config) registerStoreFlags(e *envFlags) {
	e.String(&c.Database, "database", "ROSTER_DATABASE_URL", store.DefaultURL,
		"database: a postgres:// or postgresql:// URL, or a SQLite file path")
	e.Uint32(&c.Argon2.MemoryKiB, "argon2-memory", "ROSTER_ARGON2_MEMORY_KIB", core.DefaultArgon2Params.MemoryKiB, "argon2id memory in KiB")
	e.Uint32(&c.Argon2.Time, "argon2-time", "ROSTER_ARGON2_TIME", core.DefaultArgon2Params.Time, "argon2id iterations")
	e.Uint8(&c.Argon2.Threads, "argon2-threads", "ROSTER_ARGON2_THREADS", core.DefaultArgon2Params.Threads, "argon2id parallelism")
	e.Int(&c.HashPool, "hash-workers", "ROSTER_HASH_WORKERS", runtime.GOMAXPROCS(0), "password hashes run at once")
	e.Int(&c.HashQueue, "hash-queue", "ROSTER_HASH_QUEUE", 0, "requests allowed to wait for a hashing worker (0: 64 per worker)")
	e.Duration(&c.HashWait, "hash-wait", "ROSTER_HASH_WAIT", 5*time.Second, "longest wait for a hashing worker before answering 503")
	e.String(&c.LogLevel, "log-level", "ROSTER_LOG_LEVEL", "info", "log level: debug, info, warn or error")
	e.String(&c.LogFormat, "log-format", "ROSTER_LOG_FORMAT", "text", "log format: text or json")
}

// registerServeFlags adds the HTTP server's settings.
func (c *config) registerServeFlags(e *envFlags) {
	e.String(&c.Listen, "listen", "ROSTER_LISTEN", "127.0.0.1:8080", "address to listen on")
	e.String(&c.BaseURL, "base-url", "ROSTER_BASE_URL", "", "public URL of this server (default: http://<listen address>)")
	e.Duration(&c.ShutdownGrace, "shutdown-grace", "ROSTER_SHUTDOWN_GRACE", 15*time.Second, "how long in-flight requests may take to finish on SIGTERM")
}

// Validate checks the settings that flags cannot type-check.
func (c *config) Validate() error {
	c.Argon2.SaltLen, c.Argon2.KeyLen = core.DefaultArgon2Params.SaltLen, core.DefaultArgon2Params.KeyLen
	if err := c.Argon2.Validate(); err != nil {
		return err
	}
	if c.HashPool < 1 {
		return fmt.Errorf("--hash-workers %d: must be at least 1", c.HashPool)
	}
	if c.HashQueue < 0 {
		return fmt.Errorf("--hash-queue %d: must not be negative", c.HashQueue)
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		return err
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format %q: must be text or json", c.LogFormat)
	}
	return nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("--log-level %q: must be debug, info, warn or error", s)
	}
	return l, nil
}
