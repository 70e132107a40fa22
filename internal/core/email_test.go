package core

import (
	"strings"
	"testing"
)

func TestValidateEmail(t *testing.T) {
	local64 := strings.Repeat("a", 64)
	// 64 + 1 + 189 = 254 octets: the longest address allowed.
	domain189 := strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 58) + ".io"
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"Plain", "john.doe@example.com", "john.doe@example.com", true},
		{"TrimmedKeepsCase", "  John.Doe@Example.COM\t", "John.Doe@Example.COM", true},
		{"PlusTag", "a+tag@x.io", "a+tag@x.io", true},
		{"Subdomain", "a@mail.example.co.uk", "a@mail.example.co.uk", true},
		{"Internationalized", "jörg@bücher.de", "jörg@bücher.de", true},
		{"Longest254", local64 + "@" + domain189, local64 + "@" + domain189, true},
		{"Empty", "", "", false},
		{"Spaces", "   ", "", false},
		{"TooLong255", local64 + "@" + domain189 + "x", "", false},
		{"LocalTooLong", local64 + "a@example.com", "", false},
		{"NoAt", "john.example.com", "", false},
		{"NoDomainDot", "a@b", "", false},
		{"DisplayName", "John <john@example.com>", "", false},
		{"AngleOnly", "<john@example.com>", "", false},
		{"Comment", "john@example.com (John)", "", false},
		{"TwoAddresses", "a@x.io, b@x.io", "", false},
		{"TrailingDot", "a@example.com.", "", false},
		{"EmptyLabel", "a@example..com", "", false},
		{"HyphenLabel", "a@-example.com", "", false},
		{"IPLiteral", "a@[127.0.0.1]", "", false},
		{"InnerSpace", "a b@example.com", "", false},
		{"Underscore", "a@exa_mple.com", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ValidateEmail(tt.in)
			if tt.ok {
				if err != nil || got != tt.want {
					t.Fatalf("ValidateEmail(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
				}
				return
			}
			e := AsError(err)
			if e == nil || e.Code != Invalid || e.Field != "email" {
				t.Fatalf("ValidateEmail(%q) = %q, %v; want an invalid error on field email", tt.in, got, err)
			}
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	if got := NormalizeEmail("  A@X.io "); got != "a@x.io" {
		t.Fatalf("NormalizeEmail: got %q, want %q", got, "a@x.io")
	}
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		name, password, email string
		ok                    bool
	}{
		{"Min8", "12345678", "a@x.io", true},
		{"Seven", "1234567", "a@x.io", false},
		{"Empty", "", "a@x.io", false},
		{"Max256", strings.Repeat("p", 256), "a@x.io", true},
		{"TooLong257RefusedNotTruncated", strings.Repeat("p", 257), "a@x.io", false},
		{"CountsCharactersNotBytes", strings.Repeat("é", 8), "a@x.io", true},
		{"MultibyteMax", strings.Repeat("密", 256), "a@x.io", true},
		{"MultibyteTooLong", strings.Repeat("密", 257), "a@x.io", false},
		{"NoCompositionRules", "aaaaaaaa", "a@x.io", true},
		{"EqualsEmail", "john@example.com", "john@example.com", false},
		{"EqualsEmailOtherCase", "John@Example.com", "john@example.com", false},
		{"InvalidUTF8", "abcdefg\xff", "a@x.io", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidatePassword(tt.password, tt.email)
			if tt.ok && err != nil {
				t.Fatalf("got %v, want nil", err)
			}
			if !tt.ok {
				if e := AsError(err); e == nil || e.Code != Invalid || e.Field != "password" {
					t.Fatalf("got %v, want an invalid error on field password", err)
				}
				if strings.Contains(err.Error(), tt.password) && tt.password != "" {
					t.Fatalf("error %q repeats the password", err)
				}
			}
		})
	}
}
