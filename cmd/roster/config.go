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

	"github.com/rosterhq/roster/internal/api"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/ratelimit"
	"github.com/rosterhq/roster/internal/store"
)

// config is every setting, from flags whose defaults come from ROSTER_*
// environment variables.
type config struct {
	Database string

	Listen        string
	BaseURL       string
	ShutdownGrace time.Duration

	RedisURL         string
	RedisPrefix      string
	RateLimit        int // requests per minute per credential; 0: none
	RateBurst        int // 0: RateLimit
	LoginMaxFailures int // 0: no lockout
	LoginLockout     time.Duration
	LoginRate        int // login attempts per minute per identity; 0: none

	LogLevel  string
	LogFormat string

	Argon2    core.Argon2Params
	HashPool  int
	HashQueue int
	HashWait  time.Duration

	Webhooks webhookConfig
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
	e.String(&c.RedisURL, "redis-url", "ROSTER_REDIS_URL", "", "Redis holding the rate limits' buckets, shared by every process using it (default: each process keeps its own)")
	e.String(&c.RedisPrefix, "redis-prefix", "ROSTER_REDIS_PREFIX", ratelimit.DefaultPrefix, "prefix of the rate limits' keys in Redis")
	e.Int(&c.RateLimit, "rate-limit", "ROSTER_RATE_LIMIT", 600, "requests per minute per API key (with its tokens) or logged-in user; a tenant's own limit wins; 0: no limit")
	e.Int(&c.RateBurst, "rate-burst", "ROSTER_RATE_BURST", 0, "requests a credential may make at once (0: the rate limit)")
	e.Int(&c.LoginMaxFailures, "login-max-failures", "ROSTER_LOGIN_MAX_FAILURES", 5, "failed logins per email and client address per lockout window before logins are refused (0: no lockout)")
	e.Duration(&c.LoginLockout, "login-lockout", "ROSTER_LOGIN_LOCKOUT", 15*time.Minute, "the lockout window: the failures it allows come back over it")
	e.Int(&c.LoginRate, "login-rate", "ROSTER_LOGIN_RATE", 10, "login attempts per minute per email and client address, failed or not (0: no limit)")
	c.Webhooks.register(e)
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
	for _, f := range []struct {
		name  string
		value int
	}{{"--rate-limit", c.RateLimit}, {"--rate-burst", c.RateBurst}, {"--login-max-failures", c.LoginMaxFailures}, {"--login-rate", c.LoginRate}} {
		if f.value < 0 {
			return fmt.Errorf("%s %d: must not be negative", f.name, f.value)
		}
	}
	if c.LoginMaxFailures > 0 && c.LoginLockout <= 0 {
		return fmt.Errorf("--login-lockout %s: must be positive when --login-max-failures is set", c.LoginLockout)
	}
	if c.Webhooks.Schedule != "" { // registered by serve only
		if err := c.Webhooks.validate(); err != nil {
			return err
		}
	}
	return nil
}

// limits turns the rate limit settings into the HTTP layer's.
func (c *config) limits() api.Limits {
	l := api.Limits{LoginMaxFailures: c.LoginMaxFailures, LoginLockout: c.LoginLockout}
	if c.RateLimit > 0 {
		l.Credential = ratelimit.Rule{Limit: c.RateLimit, Period: time.Minute, Burst: c.RateBurst}
	}
	if c.LoginRate > 0 {
		l.LoginAttempts = ratelimit.PerMinute(c.LoginRate)
	}
	return l
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("--log-level %q: must be debug, info, warn or error", s)
	}
	return l, nil
}
