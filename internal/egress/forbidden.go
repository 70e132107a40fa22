package egress

import "net/netip"

// forbiddenRanges are the networks no webhook may reach without AllowPrivate:
// the machine itself, private and shared networks, link-local (which holds
// the cloud metadata services), and addresses that are never a real remote
// host. Sources: RFC 6890 special-purpose registries and the cloud providers'
// metadata addresses.
var forbiddenRanges = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared/CGNAT"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local/metadata"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
	{netip.MustParsePrefix("192.88.99.0/24"), "6to4 relay"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"}, // includes 255.255.255.255

	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("::/96"), "IPv4-compatible"},
	{netip.MustParsePrefix("100::/64"), "discard"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("fc00::/7"), "unique-local/metadata"}, // includes fd00:ec2::254
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

// IPv6 prefixes that embed an IPv4 address which is what is really reached.
var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
	teredo      = netip.MustParsePrefix("2001::/32")
)

// Forbidden reports whether ip is an address webhooks must not reach unless
// the policy allows private addresses: loopback, private, link-local,
// unique-local, unspecified, multicast, CGNAT, documentation and reserved
// ranges, cloud metadata addresses, and IPv6 forms (IPv4-mapped, NAT64, 6to4)
// that embed any of them. An invalid address is forbidden.
func Forbidden(ip netip.Addr) bool { return forbiddenReason(ip) != "" }

// forbiddenReason names the range ip belongs to, or "" when ip is allowed.
func forbiddenReason(ip netip.Addr) string {
	if !ip.IsValid() {
		return "invalid"
	}
	ip = ip.WithZone("").Unmap()
	if ip.Is6() {
		if v4, ok := embeddedIPv4(ip); ok {
			if r := forbiddenReason(v4); r != "" {
				return r
			}
		}
		if teredo.Contains(ip) {
			return "Teredo tunnel"
		}
	}
	for _, r := range forbiddenRanges {
		if r.prefix.Contains(ip) {
			return r.reason
		}
	}
	return ""
}

// embeddedIPv4 returns the IPv4 address carried by a NAT64 or 6to4 address.
func embeddedIPv4(ip netip.Addr) (netip.Addr, bool) {
	b := ip.As16()
	switch {
	case nat64Prefix.Contains(ip):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	}
	return netip.Addr{}, false
}
