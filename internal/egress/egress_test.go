package egress

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestForbidden(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.255.0.9", true},
		{"10.0.0.1", true},
		{"172.16.5.4", true},
		{"172.32.0.1", false},
		{"192.168.1.1", true},
		{"169.254.169.254", true},
		{"100.64.0.1", true},
		{"100.128.0.1", false},
		{"0.0.0.0", true},
		{"224.0.0.1", true},
		{"255.255.255.255", true},
		{"::1", true},
		{"::", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"::127.0.0.1", true},
		{"64:ff9b::7f00:1", true}, // NAT64 of 127.0.0.1
		{"2002:7f00:1::", true},   // 6to4 of 127.0.0.1
		{"2002:808:808::", false}, // 6to4 of 8.8.8.8
		{"fd00:ec2::254", true},   // AWS IPv6 metadata
		{"fe80::1%eth0", true},    // link-local with a zone
		{"ff02::1", true},         // multicast
		{"8.8.8.8", false},
		{"93.184.215.14", false},
		{"::ffff:8.8.8.8", false},
		{"2606:4700:4700::1111", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := Forbidden(netip.MustParseAddr(tt.addr)); got != tt.want {
				t.Errorf("Forbidden(%s) = %v, want %v", tt.addr, got, tt.want)
			}
		})
	}
	if !Forbidden(netip.Addr{}) {
		t.Error("Forbidden(zero Addr) = false, want true")
	}
}

func TestCheckURL(t *testing.T) {
	strict := Policy{}
	open := Policy{AllowHTTP: true, AllowPrivate: true}
	tests := []struct {
		name          string
		policy        Policy
		url           string
		wantErr       string // substring; "" means accepted
		wantForbidden bool
	}{
		{"https public host", strict, "https://hooks.example.com/roster?x=1", "", false},
		{"https public IP", strict, "https://8.8.8.8:8443/in", "", false},
		{"https public IPv6", strict, "https://[2606:4700:4700::1111]/in", "", false},
		{"http refused by default", strict, "http://hooks.example.com/", "must use https", false},
		{"http allowed by setting", Policy{AllowHTTP: true}, "http://hooks.example.com/", "", false},
		{"other scheme", open, "ftp://hooks.example.com/", "absolute http or https", false},
		{"javascript scheme", open, "javascript:alert(1)", "absolute http or https", false},
		{"relative", open, "/hooks", "absolute http or https", false},
		{"empty", open, "", "absolute URL", false},
		{"spaces", open, " https://hooks.example.com/", "surrounding spaces", false},
		{"no host", open, "https:///path", "with a host", false},
		{"opaque", open, "https:hooks.example.com", "with a host", false},
		{"userinfo", open, "https://user:pw@hooks.example.com/", "user information", false},
		{"fragment", open, "https://hooks.example.com/#x", "fragment", false},
		{"bad port", open, "https://hooks.example.com:99999/", "invalid port", false},
		{"zero port", open, "https://hooks.example.com:0/", "invalid port", false},
		{"loopback v4", strict, "https://127.0.0.1/", "loopback", true},
		{"private v4", strict, "https://10.0.0.1/", "private", true},
		{"metadata", strict, "https://169.254.169.254/latest/meta-data", "link-local", true},
		{"loopback v6", strict, "https://[::1]:8080/", "loopback", true},
		{"mapped loopback", strict, "https://[::ffff:127.0.0.1]/", "loopback", true},
		{"aws v6 metadata", strict, "https://[fd00:ec2::254]/", "unique-local", true},
		{"localhost name", strict, "https://localhost:8080/", "loopback", true},
		{"localhost subdomain", strict, "https://api.LOCALHOST./", "loopback", true},
		{"decimal IPv4", strict, "https://2130706433/", "neither a valid IP", false},
		{"short IPv4", strict, "https://127.1/", "neither a valid IP", false},
		{"hex IPv4", strict, "https://0x7f.0.0.1/", "neither a valid IP", false},
		{"zone", open, "https://[fe80::1%25eth0]/", "zone", false},
		{"private allowed", open, "http://127.0.0.1:9000/hook", "", false},
		{"localhost allowed", open, "http://localhost:9000/hook", "", false},
		{"v6 loopback allowed", open, "https://[::1]/", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.policy.CheckURL(tt.url)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckURL(%q) = %v, want nil", tt.url, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckURL(%q) = nil, want error containing %q", tt.url, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("CheckURL(%q) = %q, want it to contain %q", tt.url, err, tt.wantErr)
			}
			if got := errors.Is(err, ErrForbiddenAddress); got != tt.wantForbidden {
				t.Errorf("errors.Is(err, ErrForbiddenAddress) = %v, want %v", got, tt.wantForbidden)
			}
			var ue *URLError
			if !errors.As(err, &ue) {
				t.Errorf("error %T is not a *URLError", err)
			}
			if tt.url != "" && strings.Contains(err.Error(), tt.url) {
				t.Errorf("error %q repeats the URL", err)
			}
		})
	}
}

// clientFor returns an http.Client that connects only through p's dialer.
func clientFor(p Policy) *http.Client {
	d := p.Dialer()
	return &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{DialContext: d.DialContext, Proxy: nil},
	}
}

// TestDialerRefusesAtConnectTime dials through a real client: the address is
// refused after resolution, before any byte is sent, whatever CheckURL said.
func TestDialerRefusesAtConnectTime(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.WriteString(w, "ok")
	}))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	portStr := itoa(port)

	tests := []struct {
		name       string
		url        string
		wantReason string
	}{
		{"loopback literal", "http://127.0.0.1:" + portStr + "/", "loopback"},
		{"hostname resolving to loopback", "http://localhost:" + portStr + "/", "loopback"},
		{"private", "http://10.0.0.1:" + portStr + "/", "private"},
		{"metadata", "http://169.254.169.254/latest/meta-data/", "link-local"},
		{"v6 loopback", "http://[::1]:" + portStr + "/", "loopback"},
		{"mapped loopback", "http://[::ffff:127.0.0.1]:" + portStr + "/", "loopback"},
	}
	client := clientFor(Policy{AllowHTTP: true})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, tt.url, strings.NewReader("{}"))
			resp, err := client.Do(req)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("POST %s succeeded with %d, want a refusal", tt.url, resp.StatusCode)
			}
			if !errors.Is(err, ErrForbiddenAddress) {
				t.Fatalf("POST %s: %v, want ErrForbiddenAddress", tt.url, err)
			}
			if !strings.Contains(err.Error(), tt.wantReason) {
				t.Errorf("POST %s: %q, want it to name %q", tt.url, err, tt.wantReason)
			}
		})
	}
	if hits.Load() != 0 {
		t.Fatalf("receiver got %d requests, want 0", hits.Load())
	}

	// AllowPrivate lets the same loopback targets through.
	open := clientFor(Policy{AllowHTTP: true, AllowPrivate: true})
	for _, u := range []string{"http://127.0.0.1:" + portStr + "/", "http://localhost:" + portStr + "/"} {
		resp, err := open.Post(u, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatalf("AllowPrivate POST %s: %v", u, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("AllowPrivate POST %s: status %d, want 200", u, resp.StatusCode)
		}
	}
	if hits.Load() != 2 {
		t.Fatalf("receiver got %d requests, want 2", hits.Load())
	}
}

func TestDialerRefusesOtherNetworks(t *testing.T) {
	err := Policy{}.checkDial("udp", "8.8.8.8:53")
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("checkDial(udp) = %v, want ErrForbiddenAddress", err)
	}
	if err := (Policy{}).checkDial("tcp", "8.8.8.8:443"); err != nil {
		t.Fatalf("checkDial(tcp, public) = %v, want nil", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
