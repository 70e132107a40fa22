// Package egress owns Roster's outbound-connection policy: which URLs a
// tenant may register as a webhook target (CheckURL) and which addresses a
// connection may reach once DNS has answered (Dialer). The dial-time check is
// the one that matters: a hostname can resolve to a public address when the
// endpoint is saved and to 127.0.0.1 when it is called (DNS rebinding), so
// every connection is checked against the address actually dialed.
//
// The package is pure (no HTTP client, no SQL): the core imports it to
// validate URLs, the webhook dispatcher to build its client.
package egress

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Policy says how far outbound connections may reach. The zero value is the
// strict default: https only, public addresses only.
type Policy struct {
	// AllowHTTP accepts plain http:// URLs (ROSTER_WEBHOOK_ALLOW_HTTP).
	AllowHTTP bool
	// AllowPrivate accepts loopback, private, link-local and metadata
	// addresses (ROSTER_WEBHOOK_ALLOW_PRIVATE; tests and closed networks).
	AllowPrivate bool
}

// ErrForbiddenAddress is wrapped by every refusal of an address, at
// validation or at connect time, so callers can tell it from other failures.
var ErrForbiddenAddress = errors.New("forbidden address")

// URLError explains why a URL was refused. Its message never repeats the URL:
// URLs may carry tokens in their path or query.
type URLError struct {
	Reason string
	Err    error // ErrForbiddenAddress for address refusals, else nil
}

func (e *URLError) Error() string { return e.Reason }
func (e *URLError) Unwrap() error { return e.Err }

// CheckURL reports whether raw may be used as an outbound target: an absolute
// http(s) URL (https unless AllowHTTP), with a host, without userinfo, and,
// when the host is a literal IP address or a localhost name, an address the
// policy allows. Hostnames are otherwise accepted here and checked again,
// after resolution, each time a connection is made (see Dialer).
func (p Policy) CheckURL(raw string) error {
	if strings.TrimSpace(raw) != raw || raw == "" {
		return &URLError{Reason: "must be an absolute URL without surrounding spaces"}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return &URLError{Reason: "is not a valid URL"}
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && p.AllowHTTP:
	case u.Scheme == "http":
		return &URLError{Reason: "must use https (http is not allowed by this server)"}
	default:
		return &URLError{Reason: "must be an absolute http or https URL"}
	}
	if u.Opaque != "" || u.Host == "" {
		return &URLError{Reason: "must be an absolute URL with a host"}
	}
	if u.User != nil {
		return &URLError{Reason: "must not contain user information (user:password@)"}
	}
	if u.Fragment != "" {
		return &URLError{Reason: "must not contain a fragment"}
	}
	host := u.Hostname()
	if host == "" {
		return &URLError{Reason: "must be an absolute URL with a host"}
	}
	if port := u.Port(); port != "" {
		if n, err := parsePort(port); err != nil || n == 0 {
			return &URLError{Reason: "has an invalid port"}
		}
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Zone() != "" {
			return &URLError{Reason: "must not use an IPv6 zone"}
		}
		if reason := forbiddenReason(ip); reason != "" && !p.AllowPrivate {
			return &URLError{Reason: fmt.Sprintf("points to a forbidden address (%s)", reason), Err: ErrForbiddenAddress}
		}
		return nil
	}
	if looksNumeric(host) {
		// "127.1", "0x7f.0.0.1" or "2130706433" are not valid IP literals for
		// netip but some resolvers read them as 127.0.0.1: refuse the ambiguity.
		return &URLError{Reason: "has a host that is neither a valid IP address nor a hostname"}
	}
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if (name == "localhost" || strings.HasSuffix(name, ".localhost")) && !p.AllowPrivate {
		// RFC 6761: localhost names always resolve to loopback.
		return &URLError{Reason: "points to a forbidden address (loopback)", Err: ErrForbiddenAddress}
	}
	return nil
}

// Dialer returns a dialer whose Control hook refuses, just before connect,
// any address the policy forbids. It sees the resolved address, so a
// hostname that resolves (or later re-resolves) to a private address is
// refused however it was validated before.
func (p Policy) Dialer() *net.Dialer {
	return &net.Dialer{
		Timeout:   10 * time.Second,
		KeepAlive: 30 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			return p.checkDial(network, address)
		},
	}
}

func (p Policy) checkDial(network, address string) error {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return fmt.Errorf("egress: network %s not allowed: %w", network, ErrForbiddenAddress)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("egress: cannot parse dialed address %q: %w", address, ErrForbiddenAddress)
	}
	if p.AllowPrivate {
		return nil
	}
	if reason := forbiddenReason(ap.Addr()); reason != "" {
		return fmt.Errorf("egress: connection to %s refused, %s address: %w", ap.Addr().Unmap(), reason, ErrForbiddenAddress)
	}
	return nil
}

func parsePort(s string) (int, error) {
	n := 0
	if len(s) > 5 {
		return 0, errors.New("port too long")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errors.New("port not numeric")
		}
		n = n*10 + int(c-'0')
	}
	if n > 65535 {
		return 0, errors.New("port out of range")
	}
	return n, nil
}

// looksNumeric reports whether host's last label is a number (decimal or
// 0x hex): no public top-level domain is, but IPv4 shorthands are.
func looksNumeric(host string) bool {
	host = strings.TrimSuffix(host, ".")
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	l := strings.ToLower(last)
	if strings.HasPrefix(l, "0x") {
		return true
	}
	for _, c := range l {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
