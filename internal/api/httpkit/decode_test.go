package httpkit

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type inner struct {
	ID   string `json:"_id"`
	Tags []string
}

type payload struct {
	Email   string          `json:"email"`
	Enabled *bool           `json:"emailFilteringEnabled"`
	Count   int             `json:"count"`
	Inner   *inner          `json:"inner"`
	Items   []inner         `json:"items"`
	Meta    map[string]int  `json:"meta"`
	Raw     json.RawMessage `json:"raw"`
	Skipped string          `json:"-"`
}

func TestDecodeStrict(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantField string // "" with wantOK
		wantOK    bool
		wantMsg   string
	}{
		{name: "Valid", body: `{"email":"a@x.io","emailFilteringEnabled":false,"count":3}`, wantOK: true},
		{name: "NestedValid", body: `{"inner":{"_id":"x","Tags":["a"]},"items":[{"_id":"y"}],"meta":{"any":1},"raw":{"whatever":[1,{"k":2}]}}`, wantOK: true},
		{name: "UnknownField", body: `{"email":"a@x.io","displayname":"typo"}`, wantField: "displayname", wantMsg: "not a known field"},
		{name: "UnknownNested", body: `{"inner":{"id":"x"}}`, wantField: "inner.id", wantMsg: "not a known field"},
		{name: "UnknownInArray", body: `{"items":[{"_id":"a"},{"_id":"b","extra":1}]}`, wantField: "items[1].extra", wantMsg: "not a known field"},
		{name: "DashTagIsUnknown", body: `{"-":"x"}`, wantField: "-", wantMsg: "not a known field"},
		{name: "DuplicateKey", body: `{"email":"a@x.io","email":"b@x.io"}`, wantField: "email", wantMsg: "more than once"},
		{name: "DuplicateNested", body: `{"inner":{"_id":"a","_id":"b"}}`, wantField: "inner._id", wantMsg: "more than once"},
		{name: "TrailingData", body: `{"email":"a@x.io"} {"email":"b@x.io"}`, wantMsg: "after the JSON object"},
		{name: "TrailingGarbage", body: `{"email":"a@x.io"}x`, wantMsg: "after the JSON object"},
		{name: "Array", body: `[{"email":"a@x.io"}]`, wantMsg: "must be a JSON object"},
		{name: "String", body: `"a@x.io"`, wantMsg: "must be a JSON object"},
		{name: "Null", body: `null`, wantMsg: "must be a JSON object"},
		{name: "NotJSON", body: `email=a@x.io`, wantMsg: "not valid JSON"},
		{name: "Truncated", body: `{"email":"a@x.io"`, wantMsg: "not valid JSON"},
		{name: "WrongType", body: `{"email":42}`, wantField: "email", wantMsg: "must be a string"},
		{name: "WrongBool", body: `{"emailFilteringEnabled":"yes"}`, wantField: "emailFilteringEnabled", wantMsg: "must be true or false"},
		{name: "FractionForInt", body: `{"count":1.5}`, wantField: "count", wantMsg: "must be a whole number"},
		{name: "IntOverflow", body: `{"count":99999999999999999999}`, wantField: "count", wantMsg: "must be a whole number"},
		{name: "WrongTypeInArray", body: `{"items":[{"_id":"a"},{"_id":7}]}`, wantField: "items[1]._id", wantMsg: "must be a string"},
		{name: "WrongTypeDeepInArray", body: `{"items":[{"Tags":["a",false]}]}`, wantField: "items[0].Tags[1]", wantMsg: "must be a string"},
		{name: "ObjectForString", body: `{"email":{"a":1}}`, wantField: "email", wantMsg: "must be a string"},
		{name: "ArrayForObject", body: `{"inner":[1]}`, wantField: "inner", wantMsg: "must be an object"},
		{name: "ObjectForArray", body: `{"items":{"_id":"a"}}`, wantField: "items", wantMsg: "must be an array"},
		{name: "WrongMapValue", body: `{"meta":{"a":"x"}}`, wantField: "meta.a", wantMsg: "must be a whole number"},
		{name: "NullsAnywhere", body: `{"email":null,"inner":null,"items":[null],"meta":{"a":null},"count":null}`, wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p payload
			err := DecodeStrict([]byte(tt.body), &p)
			if tt.wantOK {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			re, ok := err.(*RequestError)
			if !ok || re.Status != http.StatusBadRequest {
				t.Fatalf("got %#v, want a 400 *RequestError", err)
			}
			if re.Field != tt.wantField || !strings.Contains(re.Message, tt.wantMsg) {
				t.Fatalf("got field %q message %q, want field %q message containing %q", re.Field, re.Message, tt.wantField, tt.wantMsg)
			}
		})
	}
}

func TestReadJSONBody(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		limit       int64
		wantStatus  int // 0: accepted
	}{
		{"JSON", "application/json", `{}`, 100, 0},
		{"JSONWithCharset", "application/json; charset=utf-8", `{}`, 100, 0},
		{"ExtraMediaType", "application/vnd.api+json", `{}`, 100, 0},
		{"MissingContentType", "", `{}`, 100, http.StatusUnsupportedMediaType},
		{"FormEncoded", "application/x-www-form-urlencoded", `a=b`, 100, http.StatusUnsupportedMediaType},
		{"TextPlain", "text/plain", `{}`, 100, http.StatusUnsupportedMediaType},
		{"Malformed", ";;;", `{}`, 100, http.StatusUnsupportedMediaType},
		{"Empty", "application/json", ``, 100, http.StatusBadRequest},
		{"Whitespace", "application/json", "  \n", 100, http.StatusBadRequest},
		{"AtLimit", "application/json", `{"a":"` + strings.Repeat("x", 92) + `"}`, 100, 0},
		{"OverLimit", "application/json", `{"a":"` + strings.Repeat("x", 93) + `"}`, 100, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			body, err := ReadJSONBody(httptest.NewRecorder(), r, tt.limit, "application/vnd.api+json")
			if tt.wantStatus == 0 {
				if err != nil || string(body) != tt.body {
					t.Fatalf("got %q, %v; want the body back", body, err)
				}
				return
			}
			re, ok := err.(*RequestError)
			if !ok || re.Status != tt.wantStatus {
				t.Fatalf("got %#v, want status %d", err, tt.wantStatus)
			}
		})
	}
}

func FuzzDecodeStrict(f *testing.F) {
	for _, s := range []string{`{"email":"a@x.io"}`, `{"inner":{"_id":"x"}}`, `[]`, `{"a":1}{}`, `{"items":[{"Tags":[1]}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var p payload
		err := DecodeStrict(body, &p)
		if err != nil {
			if _, ok := err.(*RequestError); !ok {
				t.Fatalf("error of type %T, want *RequestError", err)
			}
		}
	})
}
