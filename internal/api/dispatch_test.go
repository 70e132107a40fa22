package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestIsJSONAPIRequest(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		target  string
		body    string
		headers []string
		want    bool
	}{
		{"ClientCreate", "POST", "/api/users", `{"email":"a@x.io","displayName":"A"}`, []string{"Content-Type", "application/json"}, false},
		{"SeedCreate", "POST", "/api/users", `{"data":{"type":"users"}}`, []string{"Content-Type", "application/json"}, true},
		{"DataAfterOtherMembers", "POST", "/api/users", `{"meta":{"data":1},"x":[{"data":2}],"data":null}`, []string{"Content-Type", "application/json; charset=utf-8"}, true},
		{"NestedDataOnly", "POST", "/api/users", `{"meta":{"data":{}}}`, []string{"Content-Type", "application/json"}, false},
		{"PatchWithData", "PATCH", "/api/users/3", `{"data":{"type":"users","id":"3"}}`, []string{"Content-Type", "application/json"}, true},
		{"DataInTextPlain", "POST", "/api/users", `{"data":{}}`, []string{"Content-Type", "text/plain"}, false},
		{"VndContentType", "POST", "/api/users", `{"email":"a@x.io"}`, []string{"Content-Type", "application/vnd.api+json"}, true},
		{"VndWithParameters", "POST", "/api/users", `{}`, []string{"Content-Type", "application/vnd.api+json; charset=utf-8"}, true},
		{"NotJSON", "POST", "/api/users", `data=1`, []string{"Content-Type", "application/json"}, false},
		{"ClientList", "GET", "/api/users?limit=2&cursor=abc", "", nil, false},
		{"PageParameter", "GET", "/api/users?page[size]=2", "", nil, true},
		{"EncodedPageParameter", "GET", "/api/users?page%5Bnumber%5D=2", "", nil, true},
		{"FilterParameter", "GET", "/api/users?filter[email]=a@x.io", "", nil, true},
		{"Accept", "GET", "/api/users/3", "", []string{"Accept", "application/json, application/vnd.api+json"}, true},
		{"AcceptJSON", "GET", "/api/users/3", "", []string{"Accept", "application/json"}, false},
		{"SubdomainHeader", "DELETE", "/api/users/3", "", []string{"X-Clarus-Subdomain", "acme"}, true},
		{"AliasHeader", "GET", "/api/users", "", []string{"X-Tenant-Subdomain", "acme"}, true},
		{"ClientDelete", "DELETE", "/api/users/3", "", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			r := httptest.NewRequest(tt.method, tt.target, body)
			for i := 0; i+1 < len(tt.headers); i += 2 {
				r.Header.Set(tt.headers[i], tt.headers[i+1])
			}
			if got := isJSONAPIRequest(r); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			// Whatever was looked at, the handler reads the body as sent.
			if r.Body != nil {
				rest, err := io.ReadAll(r.Body)
				if err != nil || string(rest) != tt.body {
					t.Fatalf("body after dispatch: got %q (%v), want %q", rest, err, tt.body)
				}
			}
		})
	}
}

func TestPeekBodyHandsOnEveryByte(t *testing.T) {
	big := `{"displayName":"` + strings.Repeat("x", 2<<20) + `","data":{}}`
	r := httptest.NewRequest("POST", "/api/users", strings.NewReader(big))
	head := peekBody(r)
	if len(head) != 1<<20+1 {
		t.Fatalf("peeked %d bytes, want the limit plus one", len(head))
	}
	if hasTopLevelData(head) {
		t.Error("a data member past the first MiB was seen")
	}
	rest, err := io.ReadAll(r.Body)
	if err != nil || string(rest) != big {
		t.Fatalf("got %d bytes (%v), want all %d", len(rest), err, len(big))
	}

	// A read error is handed on after the bytes that were read.
	failing := io.MultiReader(strings.NewReader(`{"data":`), errorReader{})
	r = httptest.NewRequest("POST", "/api/users", failing)
	if !hasTopLevelData(peekBody(r)) {
		t.Error("a data member before the cut was not seen")
	}
	rest, err = io.ReadAll(r.Body)
	if string(rest) != `{"data":` || !errors.Is(err, errBroken) {
		t.Fatalf("got %q, %v; want the bytes read and the error", rest, err)
	}
}

var errBroken = errors.New("connection broken")

type errorReader struct{}

func (errorReader) Read([]byte) (int, error) { return 0, errBroken }

func TestHasTopLevelData(t *testing.T) {
	for body, want := range map[string]bool{
		`{"data":{}}`:                 true,
		` {"a":1, "data": []}`:        true,
		`{"a":{"data":1}}`:            false,
		`{"a":[{"data":1}],"b":null}`: false,
		`[{"data":1}]`:                false,
		`"data"`:                      false,
		`{"a":`:                       false,
		``:                            false,
		`{"data"`:                     true,
	} {
		if got := hasTopLevelData([]byte(body)); got != want {
			t.Errorf("%q: got %v, want %v", body, got, want)
		}
	}
}

func TestDispatchOnlyJSONAPIRoutes(t *testing.T) {
	jsonapiMux := http.NewServeMux()
	jsonapiMux.HandleFunc("GET /api/users/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(299) })
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(298) })
	h := dispatchUsers(jsonapiMux, next)
	for target, want := range map[string]int{
		"GET /api/users/3":      299,
		"POST /api/users/add":   298, // not a JSON:API route: the Bulk API's
		"PUT /api/users/3":      298,
		"GET /api/users/3/x":    298,
		"GET /api/usersfoo/3":   298,
		"GET /api/users/3?a=%x": 299,
	} {
		method, path, _ := strings.Cut(target, " ")
		r := httptest.NewRequest(method, path, bytes.NewReader(nil))
		r.Header.Set("X-Clarus-Subdomain", "acme")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("%s: got %d, want %d", target, w.Code, want)
		}
	}
}

// FuzzHasTopLevelData holds the streaming check to a plain decode: for a
// valid JSON body, it finds data exactly when the top-level object has it.
func FuzzHasTopLevelData(f *testing.F) {
	for _, s := range []string{`{"data":{}}`, `{"a":[1,{"data":2}],"data":null}`, `{"meta":{"data":1}}`, `[]`, `{"data"`, `{"a":"data"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got := hasTopLevelData(body)
		if !json.Valid(body) {
			return
		}
		var top map[string]json.RawMessage
		if json.Unmarshal(body, &top) != nil {
			if got {
				t.Fatalf("data found in a body that is not an object: %s", body)
			}
			return
		}
		if _, want := top["data"]; got != want {
			t.Fatalf("%s: got %v, want %v", body, got, want)
		}
	})
}
