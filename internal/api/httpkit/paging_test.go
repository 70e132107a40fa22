package httpkit

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/rosterhq/roster/internal/core"
)

func TestUserFilter(t *testing.T) {
	next := NextCursor(42)
	if next == nil || NextCursor(0) != nil {
		t.Fatalf("NextCursor: got %v and %v, want a cursor and nil", next, NextCursor(0))
	}
	tests := []struct {
		query     string
		want      core.UserFilter
		wantField string
	}{
		{"", core.UserFilter{}, ""},
		{"limit=200&email=A@x.io&cursor=" + *next, core.UserFilter{Limit: 200, AfterID: 42, Email: "A@x.io"}, ""},
		{"limit=0", core.UserFilter{}, "limit"},
		{"limit=201", core.UserFilter{}, "limit"},
		{"limit=ten", core.UserFilter{}, "limit"},
		{"cursor=42", core.UserFilter{}, "cursor"},
		{"cursor=!!", core.UserFilter{}, "cursor"},
	}
	for _, tt := range tests {
		q, _ := url.ParseQuery(tt.query)
		got, err := UserFilter(q)
		if tt.wantField != "" {
			if e := core.AsError(err); e == nil || e.Code != core.Invalid || e.Field != tt.wantField {
				t.Errorf("UserFilter(%q): got %v, want invalid %s", tt.query, err, tt.wantField)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("UserFilter(%q) = %+v, %v; want %+v", tt.query, got, err, tt.want)
		}
	}
}

func TestPathID(t *testing.T) {
	for value, want := range map[string]int64{"7": 7, "0": 0, "-3": 0, "x": 0, "99999999999999999999": 0} {
		r := httptest.NewRequest("GET", "/", nil)
		r.SetPathValue("id", value)
		if got := PathID(r); got != want {
			t.Errorf("PathID(%q) = %d, want %d", value, got, want)
		}
	}
}
