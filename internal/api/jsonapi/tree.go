package jsonapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// maxDepth bounds how deeply a request document may nest: a users document
// needs 3 levels; extension members (meta, @-members) get some room.
const maxDepth = 32

// value is a parsed JSON value that remembers the order of object members
// and the text of numbers, so that a document can be checked member by
// member with every problem named.
type value struct {
	kind    kind
	text    string // string value, or a number's literal text
	boolean bool
	keys    []string          // object members, in document order
	members map[string]*value // object
	items   []*value          // array
}

type kind int

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindObject
	kindArray
)

// describe names a kind for error messages.
func (k kind) describe() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an object", "an array"}[k]
}

// parse reads exactly one JSON value from body. Errors are *Error with
// status 400: malformed JSON, a duplicate member (pointed at), nesting past
// maxDepth, or data after the value.
func parse(body []byte) (*value, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	v, err := parseValue(dec, "", 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, malformed("", "the request body has data after the JSON document")
	}
	return v, nil
}

func malformed(pointer, detail string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_document", Pointer: pointer, Detail: detail}
}

func parseValue(dec *json.Decoder, pointer string, depth int) (*value, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, malformed("", "the request body is not valid JSON")
	}
	switch t := tok.(type) {
	case nil:
		return &value{kind: kindNull}, nil
	case bool:
		return &value{kind: kindBool, boolean: t}, nil
	case json.Number:
		return &value{kind: kindNumber, text: string(t)}, nil
	case string:
		return &value{kind: kindString, text: t}, nil
	case json.Delim:
		if depth >= maxDepth {
			return nil, malformed(pointer, "the document nests more deeply than the limit of 32 levels")
		}
		if t == '[' {
			v := &value{kind: kindArray}
			for i := 0; dec.More(); i++ {
				item, err := parseValue(dec, pointer+"/"+itoa(i), depth+1)
				if err != nil {
					return nil, err
				}
				v.items = append(v.items, item)
			}
			if _, err := dec.Token(); err != nil {
				return nil, malformed("", "the request body is not valid JSON")
			}
			return v, nil
		}
		v := &value{kind: kindObject, members: map[string]*value{}}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, malformed("", "the request body is not valid JSON")
			}
			key, ok := tok.(string)
			if !ok {
				return nil, malformed("", "the request body is not valid JSON")
			}
			child := pointer + "/" + escapeToken(key)
			if _, dup := v.members[key]; dup {
				return nil, malformed(child, "member "+quote(key)+" appears more than once")
			}
			m, err := parseValue(dec, child, depth+1)
			if err != nil {
				return nil, err
			}
			v.keys = append(v.keys, key)
			v.members[key] = m
		}
		if _, err := dec.Token(); err != nil {
			return nil, malformed("", "the request body is not valid JSON")
		}
		return v, nil
	}
	return nil, malformed("", "the request body is not valid JSON")
}
