package core

import (
	"strings"
	"testing"
)

func TestValidateSubdomain(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"acme", true}, {"a", true}, {"acme-corp", true}, {"a1-b2", true}, {strings.Repeat("a", 63), true},
		{"", false}, {"-acme", false}, {"acme-", false}, {"Acme", false}, {"ac_me", false},
		{"ac.me", false}, {strings.Repeat("a", 64), false}, {"acmé", false},
	}
	for _, tt := range tests {
		err := ValidateSubdomain(tt.in)
		if tt.ok != (err == nil) {
			t.Errorf("ValidateSubdomain(%q) = %v, want ok=%v", tt.in, err, tt.ok)
		}
		if err != nil && AsError(err).Field != "subdomain" {
			t.Errorf("ValidateSubdomain(%q): field %q, want subdomain", tt.in, AsError(err).Field)
		}
	}
}

func TestSlugify(t *testing.T) {
	tests := map[string]string{
		"Acme Corp":             "acme-corp",
		"  ACME -- Corp!! ":     "acme-corp",
		"Ünïcode Ltd":           "n-code-ltd",
		"!!!":                   "",
		strings.Repeat("a", 80): strings.Repeat("a", 40),
	}
	for in, want := range tests {
		if got := slugify(in); got != want {
			t.Errorf("slugify(%q) = %q, want %q", in, got, want)
		}
		if got := slugify(in); got != "" {
			if err := ValidateSubdomain(got); err != nil {
				t.Errorf("slugify(%q) = %q is not a valid subdomain: %v", in, got, err)
			}
		}
	}
}

func TestClientIDAndAPIKeyShapes(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		id, err := newClientID()
		if err != nil {
			t.Fatal(err)
		}
		if !ValidClientID(id) {
			t.Fatalf("newClientID() = %q, not clt_ + 21 base62", id)
		}
		key, prefix, hash, err := newAPIKey()
		if err != nil {
			t.Fatal(err)
		}
		if !LooksLikeAPIKey(key) || len(key) < len("bdk_")+32 || !strings.HasPrefix(key, prefix) || len(hash) != 32 {
			t.Fatalf("newAPIKey() = %q, %q, %d-byte hash", key, prefix, len(hash))
		}
		if seen[id] || seen[key] {
			t.Fatalf("duplicate random value")
		}
		seen[id], seen[key] = true, true
	}
	for _, s := range []string{"", "bdk_", "bdk_short", "xyz_" + strings.Repeat("a", 40), "bdk_" + strings.Repeat("a", 39) + "!"} {
		if LooksLikeAPIKey(s) {
			t.Errorf("LooksLikeAPIKey(%q) = true, want false", s)
		}
	}
}

func TestBuiltinRoleAliases(t *testing.T) {
	for alias, want := range map[string]string{
		"clientUser": RoleClientUser, "user": RoleClientUser, "editor": RoleEditor,
		"clientAdmin": RoleClientAdmin, "admin": RoleClientAdmin,
	} {
		r, ok := BuiltinRole(alias)
		if !ok || r.Key != want {
			t.Errorf("BuiltinRole(%q) = %+v, %v; want %s", alias, r, ok, want)
		}
	}
	for _, bad := range []string{"", "Admin", "owner", "superAdmin"} {
		if _, ok := BuiltinRole(bad); ok {
			t.Errorf("BuiltinRole(%q) resolved, want refused", bad)
		}
	}
}
