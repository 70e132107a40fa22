package httpkit

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// MaxBodyBytes bounds a single-object request body (DESIGN §2: 1 MiB).
const MaxBodyBytes = 1 << 20

// RequestError is a problem with the request itself, found before the core
// is called. Status is the HTTP status it deserves; each face renders it in
// its own error shape. Field, when set, is the offending field as a path of
// JSON names ("data.attributes.email").
type RequestError struct {
	Status  int
	Field   string
	Message string
}

func (e *RequestError) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

func badRequest(field, format string, args ...any) *RequestError {
	return &RequestError{Status: http.StatusBadRequest, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ReadJSONBody checks the Content-Type (application/json, or one of
// mediaTypes) and reads at most limit bytes of body.
//
// Errors (*RequestError): 415 for another or a missing media type, 413 past
// limit, 400 for an empty body.
func ReadJSONBody(w http.ResponseWriter, r *http.Request, limit int64, mediaTypes ...string) ([]byte, error) {
	if err := checkMediaType(r.Header.Get("Content-Type"), mediaTypes); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, &RequestError{Status: http.StatusRequestEntityTooLarge,
			Message: fmt.Sprintf("the request body is larger than the limit of %d bytes", limit)}
	case err != nil:
		return nil, badRequest("", "the request body could not be read")
	case len(bytes.TrimSpace(body)) == 0:
		return nil, badRequest("", "the request body is empty; send a JSON object")
	}
	return body, nil
}

func checkMediaType(header string, extra []string) error {
	allowed := append([]string{"application/json"}, extra...)
	unsupported := &RequestError{Status: http.StatusUnsupportedMediaType,
		Message: fmt.Sprintf("Content-Type must be %s", strings.Join(allowed, " or "))}
	if header == "" {
		return unsupported
	}
	mt, _, err := mime.ParseMediaType(header)
	if err != nil {
		return unsupported
	}
	for _, a := range allowed {
		if mt == a {
			return nil
		}
	}
	return unsupported
}

// DecodeStrict decodes body, one JSON object, into dst (a pointer to a
// struct). Beyond encoding/json it refuses, naming the field: keys dst has
// no field for (so a typo such as "displayname" cannot pass silently),
// duplicate keys, and anything after the object.
//
// Errors are *RequestError with status 400.
func DecodeStrict(body []byte, dst any) error {
	t := reflect.TypeOf(dst)
	if t == nil || t.Kind() != reflect.Pointer {
		panic("httpkit.DecodeStrict: dst must be a pointer") // programmer error
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return badRequest("", "the request body is not valid JSON")
	}
	if tok != json.Delim('{') {
		return badRequest("", "the request body must be a JSON object")
	}
	if err := checkObject(dec, t.Elem(), ""); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("", "the request body has data after the JSON object")
	}
	if err := json.Unmarshal(body, dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return badRequest(typeErr.Field, "must be %s", describeType(typeErr.Type))
		}
		return badRequest("", "the request body is not valid JSON")
	}
	return nil
}

// checkObject walks the members of an object whose '{' was just read,
// checking them against t, and consumes its '}'.
func checkObject(dec *json.Decoder, t reflect.Type, path string) error {
	t = deref(t)
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return badRequest(path, "is not valid JSON")
		}
		key, _ := tok.(string)
		field := join(path, key)
		if seen[key] {
			return badRequest(field, "appears more than once")
		}
		seen[key] = true
		child, ok := memberType(t, key)
		if !ok {
			return badRequest(field, "is not a known field")
		}
		if err := checkValue(dec, child, field); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return badRequest(path, "is not valid JSON")
	}
	return nil
}

// checkValue walks one value, recursing into objects and arrays.
func checkValue(dec *json.Decoder, t reflect.Type, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return badRequest(path, "is not valid JSON")
	}
	if !fits(tok, t) {
		// Checked here, not left to json.Unmarshal, so that the error
		// names the member with its array indexes (users[3].update):
		// encoding/json reports users.update.
		return badRequest(path, "must be %s", describeType(t))
	}
	switch tok {
	case json.Delim('{'):
		return checkObject(dec, t, path)
	case json.Delim('['):
		elem := elemType(t)
		for i := 0; dec.More(); i++ {
			if err := checkValue(dec, elem, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // ']'
			return badRequest(path, "is not valid JSON")
		}
	}
	return nil
}

var (
	rawMessageType      = reflect.TypeOf(json.RawMessage(nil))
	jsonUnmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	textUnmarshalerType = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

// fits reports whether a value starting with tok can be decoded into t the
// way json.Unmarshal would: null into anything, and otherwise the JSON kind
// the Go kind takes. A type that decodes itself (json.Unmarshaler,
// encoding.TextUnmarshaler), an interface, or an unconstrained member (t
// nil) takes anything.
func fits(tok json.Token, t reflect.Type) bool {
	t = deref(t)
	if t == nil || tok == nil || t == rawMessageType || t.Kind() == reflect.Interface ||
		reflect.PointerTo(t).Implements(jsonUnmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return true
	}
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return t.Kind() == reflect.Struct || t.Kind() == reflect.Map
		}
		return t.Kind() == reflect.Slice || t.Kind() == reflect.Array
	case bool:
		return t.Kind() == reflect.Bool
	case string:
		// encoding/json takes a []byte as a base64 string.
		return t.Kind() == reflect.String || (t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8)
	case json.Number:
		switch t.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			_, err := strconv.ParseInt(v.String(), 10, t.Bits())
			return err == nil
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			_, err := strconv.ParseUint(v.String(), 10, t.Bits())
			return err == nil
		case reflect.Float32, reflect.Float64:
			return true
		}
		return false
	}
	return true
}

// memberType returns the type of key's value in t: a struct field by its
// JSON name, a map's element, or nil (anything) when t does not constrain it.
func memberType(t reflect.Type, key string) (reflect.Type, bool) {
	if t == nil || t == rawMessageType {
		return nil, true
	}
	switch t.Kind() {
	case reflect.Map:
		return t.Elem(), true
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if name == key {
				return f.Type, true
			}
		}
		return nil, false
	}
	return nil, true // interface{} and friends: anything goes
}

func elemType(t reflect.Type) reflect.Type {
	t = deref(t)
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && t != rawMessageType {
		return t.Elem()
	}
	return nil
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// describeType says in words what JSON a Go type accepts.
func describeType(t reflect.Type) string {
	switch deref(t).Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a valid value"
}
