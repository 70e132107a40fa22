package authapi_test

import (
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/api"
	"github.com/rosterhq/roster/internal/api/apitest"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/ratelimit"
)

// lockedOut is the one body of a login refused for too many failures.
const lockedOut = `{"error":"temporarily_unavailable","error_description":"too many failed logins; try again later"}` + "\n"

// withLoginProtection runs the server with in-process buckets, maxFailures
// failed logins per 15 minutes and attempts login attempts per minute (0:
// no such limit).
func withLoginProtection(maxFailures, attempts int) apitest.Option {
	return func(d *api.Deps) {
		stopped := time.Now() // no refill, however slow the machine
		d.Limiter = ratelimit.NewMemory(ratelimit.MemoryOptions{Now: func() time.Time { return stopped }})
		d.Limits = api.Limits{LoginMaxFailures: maxFailures, LoginLockout: 15 * time.Minute}
		if attempts > 0 {
			d.Limits.LoginAttempts = ratelimit.PerMinute(attempts)
		}
	}
}

// loginFrom posts a login from the loopback address source (127.0.0.1 or
// another address of 127/8), so that tests can be two clients.
func loginFrom(t *testing.T, env *apitest.Env, source, email, password string) apitest.Response {
	t.Helper()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(source)}}
	client := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	defer client.CloseIdleConnections()
	body := fmt.Sprintf(`{"email":%q,"password":%q}`, email, password)
	res, err := client.Post(env.URL+"/api/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("login from %s: %v", source, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return apitest.Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// wantLockedOut fails t unless res is the lockout answer.
func wantLockedOut(t *testing.T, what string, res apitest.Response, lockout time.Duration, maxFailures int) {
	t.Helper()
	if res.Status != http.StatusTooManyRequests || string(res.Body) != lockedOut {
		t.Fatalf("%s: got %d %s, want 429 %s", what, res.Status, res.Body, lockedOut)
	}
	retry, err := strconv.Atoi(res.Header.Get("Retry-After"))
	if err != nil || retry < 1 || time.Duration(retry)*time.Second > lockout/time.Duration(maxFailures)+time.Second {
		t.Fatalf("%s: Retry-After %q, want 1 s to %s", what, res.Header.Get("Retry-After"), lockout/time.Duration(maxFailures))
	}
	if res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("RateLimit-Remaining") != "0" {
		t.Fatalf("%s: headers %v", what, res.Header)
	}
}

func TestLoginLockout(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		other := env.NewTenant(t, "Other")
		known, unknown := acme.Admin.Email, "nobody@"+acme.Tenant.Subdomain+".roster.test"

		// Three failures for each identity, the known email written three
		// ways (the identity is the normalized email): each is the same 401.
		spellings := []string{known, strings.ToUpper(known), "  " + known + " "}
		for i := range 3 {
			for _, email := range []string{spellings[i], unknown} {
				res := loginFrom(t, env, "127.0.0.1", email, "wrong password "+strconv.Itoa(i))
				if res.Status != http.StatusUnauthorized || string(res.Body) != invalidLogin {
					t.Fatalf("failure %d for %s: got %d %s, want 401 %s", i+1, email, res.Status, res.Body, invalidLogin)
				}
			}
		}

		// Then both are refused, with the same status and the same bytes,
		// even with the right password.
		knownRes := loginFrom(t, env, "127.0.0.1", known, acme.AdminPassword)
		unknownRes := loginFrom(t, env, "127.0.0.1", unknown, acme.AdminPassword)
		wantLockedOut(t, "known email", knownRes, 15*time.Minute, 3)
		wantLockedOut(t, "unknown email", unknownRes, 15*time.Minute, 3)
		if knownRes.Status != unknownRes.Status || string(knownRes.Body) != string(unknownRes.Body) {
			t.Fatalf("known and unknown emails answered differently:\n%d %s\n%d %s", knownRes.Status, knownRes.Body, unknownRes.Status, unknownRes.Body)
		}
		if a, b := headerNames(knownRes.Header), headerNames(unknownRes.Header); a != b {
			t.Fatalf("known and unknown emails got different headers: %s / %s", a, b)
		}

		// Another client address is another identity: it logs in.
		if res := loginFrom(t, env, "127.0.0.2", known, acme.AdminPassword); res.Status != http.StatusOK {
			t.Fatalf("the same email from another address: got %d %s, want 200", res.Status, res.Body)
		}
		// So is another email from the same address.
		if res := loginFrom(t, env, "127.0.0.1", other.Admin.Email, other.AdminPassword); res.Status != http.StatusOK {
			t.Fatalf("another email from the same address: got %d %s, want 200", res.Status, res.Body)
		}
		env.AssertNoSecrets(t, acme.AdminPassword, other.AdminPassword)
	}, withLoginProtection(3, 0))
}

// TestLoginSuccessesAreNotFailures: successful logins never lock an
// identity out, and a success does not wipe the failures before it.
func TestLoginSuccessesAreNotFailures(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		email := acme.Admin.Email
		for i := range 6 {
			if res := loginFrom(t, env, "127.0.0.1", email, acme.AdminPassword); res.Status != http.StatusOK {
				t.Fatalf("login %d: %d %s", i+1, res.Status, res.Body)
			}
		}
		for _, password := range []string{"wrong-1", acme.AdminPassword, "wrong-2", "wrong-3"} {
			loginFrom(t, env, "127.0.0.1", email, password)
		}
		wantLockedOut(t, "after 3 failures around a success", loginFrom(t, env, "127.0.0.1", email, acme.AdminPassword), 15*time.Minute, 3)
	}, withLoginProtection(3, 0))
}

func TestLoginAttemptsLimit(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		want := `{"error":"temporarily_unavailable","error_description":"too many login attempts; try again later"}` + "\n"
		for _, c := range []struct{ email, password string }{
			{acme.Admin.Email, acme.AdminPassword},
			{"nobody@example.com", "whatever-password"},
		} {
			for i := range 3 {
				res := loginFrom(t, env, "127.0.0.1", c.email, c.password)
				if res.Status == http.StatusTooManyRequests {
					t.Fatalf("%s attempt %d refused: %s", c.email, i+1, res.Body)
				}
				if got := res.Header.Get("RateLimit-Remaining"); got != strconv.Itoa(2-i) {
					t.Fatalf("%s attempt %d: RateLimit-Remaining %q, want %d", c.email, i+1, got, 2-i)
				}
			}
			res := loginFrom(t, env, "127.0.0.1", c.email, c.password)
			if res.Status != http.StatusTooManyRequests || string(res.Body) != want || res.Header.Get("Retry-After") == "" {
				t.Fatalf("%s attempt 4: got %d %s, want 429 %s with Retry-After", c.email, res.Status, res.Body, want)
			}
		}
	}, withLoginProtection(0, 3))
}

// TestLoginLockoutUnderConcurrency: guesses sent at once cannot all slip
// past the failure count while their passwords are being checked: the
// attempts limit, taken before the check, bounds how many get checked.
// Hashing is made slow enough (and wide enough) for the guesses to overlap.
func TestLoginLockoutUnderConcurrency(t *testing.T) {
	pool := core.HashPoolConfig{Params: core.Argon2Params{MemoryKiB: 4096, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, Workers: 16}
	env := apitest.New(t, openStore(t), pool, withLoginProtection(3, 5))
	acme := env.NewTenant(t, "Acme")
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			res := loginFrom(t, env, "127.0.0.1", acme.Admin.Email, "guess-"+strconv.Itoa(i))
			mu.Lock()
			statuses[res.Status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if statuses[http.StatusUnauthorized] > 5 || statuses[http.StatusUnauthorized]+statuses[http.StatusTooManyRequests] != 30 {
		t.Fatalf("statuses %v: want at most 5 passwords checked (401) and the rest 429", statuses)
	}
}

// headerNames lists the names of h, for comparing two answers' shapes.
func headerNames(h http.Header) string {
	return strings.Join(slices.Sorted(maps.Keys(h)), ",")
}
