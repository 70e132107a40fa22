package jsonapi

import (
	"mime"
	"net/http"
	"strings"
)

// MediaType is JSON:API's media type.
const MediaType = "application/vnd.api+json"

// IsMediaType reports whether a Content-Type or Accept element names the
// JSON:API media type, whatever its parameters.
func IsMediaType(v string) bool {
	mt, _, err := mime.ParseMediaType(v)
	return err == nil && mt == MediaType
}

// AcceptsMediaType reports whether any element of r's Accept headers names
// the JSON:API media type.
func AcceptsMediaType(r *http.Request) bool {
	for _, v := range acceptElements(r) {
		if IsMediaType(v) {
			return true
		}
	}
	return false
}

func acceptElements(r *http.Request) []string {
	var out []string
	for _, h := range r.Header.Values("Accept") {
		for _, v := range strings.Split(h, ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// checkContentType applies JSON:API 1.1's rule to a request with a
// document: a JSON:API Content-Type with a parameter other than ext or
// profile, or with an extension (this server supports none), is 415.
// application/json, as seed 001's example sends, is accepted too; other
// media types are refused by the body reader.
func checkContentType(r *http.Request) error {
	v := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(v)
	if err != nil || mt != MediaType {
		return nil
	}
	for name := range params {
		switch name {
		case "profile":
		case "ext":
			return &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_extension", Header: "Content-Type",
				Detail: "this server supports no JSON:API extensions; send Content-Type: " + MediaType + " without ext"}
		default:
			return &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Header: "Content-Type",
				Detail: "the JSON:API media type allows only the ext and profile parameters; send Content-Type: " + MediaType}
		}
	}
	return nil
}

// checkAccept applies JSON:API 1.1's rule to Accept: when the header names
// the JSON:API media type only with parameters other than ext and profile,
// or only with extensions (this server supports none), the answer is 406.
func checkAccept(r *http.Request) error {
	var instances, usable int
	for _, v := range acceptElements(r) {
		mt, params, err := mime.ParseMediaType(v)
		if err != nil || mt != MediaType {
			continue
		}
		instances++
		ok := true
		for name := range params {
			if name != "profile" && name != "q" {
				ok = false
			}
		}
		if ok {
			usable++
		}
	}
	if instances > 0 && usable == 0 {
		return &Error{Status: http.StatusNotAcceptable, Code: "not_acceptable", Header: "Accept",
			Detail: "every JSON:API media type in Accept has parameters this server cannot honour (only profile is allowed; no extensions are supported); accept " + MediaType}
	}
	return nil
}
