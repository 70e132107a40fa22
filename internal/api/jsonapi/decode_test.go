package jsonapi

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestDecodeUser(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		id       int64
		status   int      // 0: accepted
		pointers []string // of the errors, in order
	}{
		{name: "Create", body: `{"data":{"type":"users","attributes":{"email":"a@x.io","name":"A"}}}`},
		{name: "CreateWithEverything", body: `{"jsonapi":{"version":"1.1"},"meta":{"m":1},"@x":1,"data":{"type":"users","lid":"l1","links":{},"meta":{},"relationships":{},"@y":2,"attributes":{"email":"a@x.io","name":"A","role_id":3,"is_active":false,"language":null,"timezone":"UTC","external_system_reference1":"r1","external_system_reference2":"r2","external_system_reference3":"r3","string1":"1","string2":"2","string3":"3","string4":"4","string5":"5","@z":3}}}`},
		{name: "UpdateStringID", body: `{"data":{"type":"users","id":"12","attributes":{}}}`, id: 12},
		{name: "UpdateNumberID", body: `{"data":{"type":"users","id":12}}`, id: 12},
		{name: "UpdateBadID", body: `{"data":{"type":"users","id":true}}`, id: 12, status: 400, pointers: []string{"/data/id"}},
		{name: "UpdateNegativeID", body: `{"data":{"type":"users","id":"-12"}}`, id: 12, status: 400, pointers: []string{"/data/id"}},
		{name: "MissingBoth", body: `{"data":{"type":"users","attributes":{}}}`, status: 422, pointers: []string{"/data/attributes", "/data/attributes"}},
		{name: "EscapedPointer", body: `{"data":{"type":"users","attributes":{"a/b~c":1,"email":"a@x.io","name":"A"}}}`, status: 422,
			pointers: []string{"/data/attributes/a~1b~0c"}},
		{name: "AttributesNotObject", body: `{"data":{"type":"users","attributes":[]}}`, status: 400, pointers: []string{"/data/attributes"}},
		{name: "TypeNotString", body: `{"data":{"type":1}}`, status: 400, pointers: []string{"/data/type"}},
		{name: "LidNotString", body: `{"data":{"type":"users","lid":1,"attributes":{"email":"a@x.io","name":"A"}}}`, status: 400, pointers: []string{"/data/lid"}},
		{name: "MetaNotObject", body: `{"meta":1,"jsonapi":[],"data":{}}`, status: 400, pointers: []string{"/meta", "/jsonapi"}},
		{name: "RoleIDTooBig", body: `{"data":{"type":"users","attributes":{"email":"a@x.io","name":"A","role_id":99999999999999999999}}}`, status: 422,
			pointers: []string{"/data/attributes/role_id"}},
		{name: "RoleIDExponent", body: `{"data":{"type":"users","attributes":{"email":"a@x.io","name":"A","role_id":1e2}}}`, status: 422,
			pointers: []string{"/data/attributes/role_id"}},
		{name: "TrailingData", body: `{"data":{}} {}`, status: 400, pointers: []string{""}},
		{name: "DeepNesting", body: `{"meta":{"a":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `},"data":{}}`, status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decodeUser([]byte(tt.body), tt.id)
			if tt.status == 0 {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			list := asErrors(t, err)
			var got []string
			for _, e := range list {
				if e.Status != tt.status {
					t.Errorf("error %q: status %d, want %d", e.Detail, e.Status, tt.status)
				}
				got = append(got, e.Pointer)
			}
			if tt.pointers != nil && !slices.Equal(got, tt.pointers) {
				t.Errorf("pointers: got %q, want %q", got, tt.pointers)
			}
		})
	}
}

// TestDecodeSeedExamples: seed 001's request bodies decode as they are.
func TestDecodeSeedExamples(t *testing.T) {
	for _, name := range []string{"seed001_create.json", "seed001_request_structure.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		in, _, err := decodeUser(b, 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if in.Email == nil || in.Name == nil || in.RoleID == nil || in.Active == nil || !*in.Active {
			t.Errorf("%s: got %+v", name, in)
		}
	}
}

func asErrors(t *testing.T, err error) Errors {
	t.Helper()
	var list Errors
	var one *Error
	switch {
	case errors.As(err, &list):
		return list
	case errors.As(err, &one):
		return Errors{one}
	}
	t.Fatalf("got %T %v, want *Error or Errors", err, err)
	return nil
}

// pointerPattern is RFC 6901's syntax, as the JSON:API schema states it.
var pointerPattern = regexp.MustCompile(`^(?:/(?:[^~/]|~0|~1)*)*$`)

// FuzzDecodeUser: whatever the body, the decoder answers (no panic) with
// either a user or JSON:API errors whose statuses are client errors and
// whose pointers are valid JSON Pointers.
func FuzzDecodeUser(f *testing.F) {
	for _, s := range []string{
		`{"data":{"type":"users","attributes":{"email":"a@x.io","name":"A","role_id":3}}}`,
		`{"data":{"type":"users","id":"5","attributes":{"is_active":false,"language":null}}}`,
		`{"data":{"type":"people","id":5}}`,
		`{"data":[],"meta":{}}`,
		`{"data":{"type":"users","relationships":{"a/b":{}},"attributes":{"x~y":1}}}`,
		`{"data":{"type":"users","attributes":{"email":"a","email":"b"}}}`,
		`[[[[`, `null`, `{"data":{}}{`,
	} {
		f.Add([]byte(s), int64(0))
		f.Add([]byte(s), int64(5))
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "seed001_create.json")); err == nil {
		f.Add(b, int64(0))
	}
	f.Fuzz(func(t *testing.T, body []byte, id int64) {
		if id < 0 {
			id = -id
		}
		in, doc, err := decodeUser(body, id)
		if err == nil {
			if id == 0 && (in.Email == nil || in.Name == nil) {
				t.Fatalf("a create without email or name was accepted: %s", body)
			}
			if doc == nil {
				t.Fatal("accepted without a document")
			}
			return
		}
		list := asErrors(t, err)
		if len(list) == 0 {
			t.Fatal("an empty error list")
		}
		for _, e := range list {
			if e.Status < 400 || e.Status > 499 || e.Code == "" || e.Detail == "" {
				t.Fatalf("bad error %+v", e)
			}
			if titles[e.Code] == "" {
				t.Fatalf("code %q has no title", e.Code)
			}
			if !pointerPattern.MatchString(e.Pointer) {
				t.Fatalf("pointer %q is not a JSON Pointer", e.Pointer)
			}
			if e.Status == http.StatusInternalServerError {
				t.Fatal("500 for bad input")
			}
		}
		res := errorsResponse(list)
		if res.status < 400 || res.status > 499 {
			t.Fatalf("document status %d", res.status)
		}
	})
}
