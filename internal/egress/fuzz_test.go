package egress

import (
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

// FuzzCheckURL: CheckURL never panics, and a URL it accepts under the strict
// policy is https with a host that is not a forbidden IP literal nor a
// localhost name.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{
		"https://hooks.example.com/x", "https://127.0.0.1/", "https://[::ffff:127.0.0.1]/", "http://10.0.0.1",
		"https://2130706433/", "https://0x7f.1/", "https://[fe80::1%25eth0]/", "https://user@h/", "https://localhost./",
		"https://[64:ff9b::7f00:1]/", "https://%31%32%37.0.0.1/", "HTTPS://EXAMPLE.COM", "https://example.com:65536/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if err := (Policy{}).CheckURL(raw); err != nil {
			if strings.Contains(err.Error(), raw) && len(raw) > 8 {
				t.Fatalf("error %q repeats the URL", err)
			}
			return
		}
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "https" || u.User != nil {
			t.Fatalf("accepted %q: scheme %q, user %v, parse error %v", raw, u.Scheme, u.User, err)
		}
		host := u.Hostname()
		if ip, err := netip.ParseAddr(host); err == nil && Forbidden(ip) {
			t.Fatalf("accepted %q with forbidden address %s", raw, ip)
		}
		if h := strings.ToLower(strings.TrimSuffix(host, ".")); h == "localhost" || strings.HasSuffix(h, ".localhost") {
			t.Fatalf("accepted %q with a localhost name", raw)
		}
	})
}
