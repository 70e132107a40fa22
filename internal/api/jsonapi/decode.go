package jsonapi

import (
	"net/http"
	"strconv"
	"strings"
)

// resourceType is the type of this face's only resource.
const resourceType = "users"

// userInput is what a users document says: nil fields are attributes the
// document does not carry.
type userInput struct {
	Email        *string
	Name         *string
	RoleID       *int64
	Active       *bool
	Language     *string
	Timezone     *string
	ExternalRefs [3]*string // external_system_reference1..3
	Strings      [5]*string // string1..5
}

// document remembers where a request document's attributes are, so that
// errors found later (by the core) point only at values that exist.
type document struct {
	hasAttributes bool
	present       map[string]bool
}

// pointerTo is the JSON Pointer of attribute attr: the attribute itself when
// the document carries it, else the attributes object, else /data. A nil
// document (a request without one) has no pointers.
func (d *document) pointerTo(attr string) string {
	switch {
	case d == nil:
		return ""
	case d.present[attr]:
		return "/data/attributes/" + attr
	case d.hasAttributes:
		return "/data/attributes"
	}
	return "/data"
}

// attrKind is the JSON an attribute takes.
type attrKind int

const (
	attrString         attrKind = iota // a string; null is refused
	attrOptionalString                 // a string, or null for none ("")
	attrBool                           // true or false
	attrRoleID                         // a positive whole number; null on create takes the default
)

// attributes lists the users resource's attributes, in the order seed 001
// shows them; required ones must be in a create.
var attributes = []struct {
	name     string
	kind     attrKind
	required bool
}{
	{"email", attrString, true},
	{"role_id", attrRoleID, false},
	{"name", attrString, true},
	{"is_active", attrBool, false},
	{"language", attrOptionalString, false},
	{"timezone", attrOptionalString, false},
	{"external_system_reference1", attrOptionalString, false},
	{"external_system_reference2", attrOptionalString, false},
	{"external_system_reference3", attrOptionalString, false},
	{"string1", attrOptionalString, false},
	{"string2", attrOptionalString, false},
	{"string3", attrOptionalString, false},
	{"string4", attrOptionalString, false},
	{"string5", attrOptionalString, false},
}

// decodeUser reads a users document: a create's when id is 0, else an
// update's of user id. Every problem with the document's attributes is
// reported at once (Errors); a problem with the document's structure stops
// at the first.
//
// Errors (Errors or *Error): 400 for a body that is not a users document
// (malformed JSON, members JSON:API does not define, data that is not a
// resource object, a missing type or, on update, id); 409 for a type other
// than "users" or an id other than the URL's; 403 for an id on create; 422
// for attributes that are unknown, wrongly typed, missing (email and name on
// create) or empty (email, name).
func decodeUser(body []byte, id int64) (userInput, *document, error) {
	var in userInput
	doc := &document{present: map[string]bool{}}
	root, err := parse(body)
	if err != nil {
		return in, nil, err
	}
	if root.kind != kindObject {
		return in, nil, malformed("", "the request body must be a JSON:API document, a JSON object with a data member")
	}
	var problems Errors
	for _, key := range root.keys {
		v := root.members[key]
		switch {
		case key == "data", isAtMember(key):
		case key == "meta" || key == "jsonapi":
			if v.kind != kindObject {
				problems = append(problems, malformed("/"+key, key+" must be an object"))
			}
		default:
			problems = append(problems, &Error{Status: http.StatusBadRequest, Code: "invalid_member", Pointer: "/" + escapeToken(key),
				Detail: "member " + quote(key) + " is not allowed at the top level of a request document (allowed: data, meta, jsonapi)"})
		}
	}
	if len(problems) > 0 {
		return in, nil, problems
	}
	data, ok := root.members["data"]
	if !ok {
		return in, nil, malformed("", "a request document must have a data member holding one users resource object")
	}
	if data.kind != kindObject {
		return in, nil, malformed("/data", "data must be a resource object, not "+data.kind.describe())
	}

	// type and id first: a document about another type or resource is a
	// conflict, whatever its attributes say.
	typ, ok := data.members["type"]
	switch {
	case !ok:
		return in, nil, malformed("/data", `the resource object must have a type member, "users"`)
	case typ.kind != kindString:
		return in, nil, malformed("/data/type", "type must be a string, not "+typ.kind.describe())
	case typ.text != resourceType:
		return in, nil, &Error{Status: http.StatusConflict, Code: "type_conflict", Pointer: "/data/type",
			Detail: "type " + quote(typ.text) + ` does not match this endpoint's resource type, "users"`}
	}
	rawID, hasID := data.members["id"]
	switch {
	case id == 0 && hasID:
		return in, nil, &Error{Status: http.StatusForbidden, Code: "client_generated_id", Pointer: "/data/id",
			Detail: "the server assigns user ids: leave id out of a create (use lid for a local identifier)"}
	case id != 0 && !hasID:
		return in, nil, malformed("/data", "the resource object of an update must have an id member, the id in the URL")
	case id != 0:
		got, ok := resourceID(rawID)
		if !ok {
			return in, nil, malformed("/data/id", "id must be a user id: a whole number, or a string of one")
		}
		if got != id {
			return in, nil, &Error{Status: http.StatusConflict, Code: "id_conflict", Pointer: "/data/id",
				Detail: "id " + strconv.FormatInt(got, 10) + " does not match the id in the URL, " + strconv.FormatInt(id, 10)}
		}
	}

	for _, key := range data.keys {
		v := data.members[key]
		pointer := "/data/" + escapeToken(key)
		switch {
		case key == "type" || key == "id" || key == "attributes" || isAtMember(key):
		case key == "lid":
			if v.kind != kindString {
				problems = append(problems, malformed(pointer, "lid must be a string"))
			}
		case key == "meta" || key == "links":
			if v.kind != kindObject {
				problems = append(problems, malformed(pointer, key+" must be an object"))
			}
		case key == "relationships":
			if v.kind != kindObject {
				problems = append(problems, malformed(pointer, "relationships must be an object"))
				continue
			}
			for _, rel := range v.keys {
				if !isAtMember(rel) {
					problems = append(problems, &Error{Status: http.StatusBadRequest, Code: "unknown_relationship",
						Pointer: pointer + "/" + escapeToken(rel), Detail: "users have no relationship " + quote(rel)})
				}
			}
		default:
			problems = append(problems, &Error{Status: http.StatusBadRequest, Code: "invalid_member", Pointer: pointer,
				Detail: "member " + quote(key) + " is not allowed in a resource object (allowed: type, id, lid, attributes, relationships, links, meta)"})
		}
	}
	if len(problems) > 0 {
		return in, nil, problems
	}

	attrs, ok := data.members["attributes"]
	if ok && attrs.kind != kindObject {
		return in, nil, malformed("/data/attributes", "attributes must be an object, not "+attrs.kind.describe())
	}
	doc.hasAttributes = ok
	if ok {
		problems = decodeAttributes(attrs, &in, doc, id == 0)
	}
	if id == 0 {
		for _, a := range attributes {
			if a.required && !doc.present[a.name] {
				problems = append(problems, &Error{Status: http.StatusUnprocessableEntity, Code: "missing_attribute",
					Pointer: doc.pointerTo(a.name), Detail: a.name + " is required"})
			}
		}
	}
	if len(problems) > 0 {
		return in, doc, problems
	}
	return in, doc, nil
}

// decodeAttributes checks each attribute's name and JSON type and sets it
// on in.
func decodeAttributes(attrs *value, in *userInput, doc *document, create bool) Errors {
	var problems Errors
	for _, key := range attrs.keys {
		if isAtMember(key) {
			continue
		}
		v := attrs.members[key]
		pointer := "/data/attributes/" + escapeToken(key)
		idx := -1
		for i, a := range attributes {
			if a.name == key {
				idx = i
			}
		}
		if idx < 0 {
			problems = append(problems, &Error{Status: http.StatusUnprocessableEntity, Code: "unknown_attribute", Pointer: pointer,
				Detail: quote(key) + " is not an attribute of users (they are: " + attributeNames() + ")"})
			continue
		}
		doc.present[key] = true
		invalid := func(detail string) {
			problems = append(problems, &Error{Status: http.StatusUnprocessableEntity, Code: "invalid_attribute", Pointer: pointer,
				Detail: key + ": " + detail})
		}
		switch attributes[idx].kind {
		case attrString:
			if v.kind != kindString {
				invalid("must be a string, not " + v.kind.describe())
				continue
			}
			if strings.TrimSpace(v.text) == "" {
				invalid("must not be empty")
				continue
			}
			s := v.text
			setString(in, key, &s)
		case attrOptionalString:
			switch v.kind {
			case kindString:
				s := v.text
				setString(in, key, &s)
			case kindNull:
				s := ""
				setString(in, key, &s)
			default:
				invalid("must be a string or null, not " + v.kind.describe())
			}
		case attrBool:
			if v.kind != kindBool {
				invalid("must be true or false, not " + v.kind.describe())
				continue
			}
			b := v.boolean
			in.Active = &b
		case attrRoleID:
			switch {
			case v.kind == kindNull && create:
				// null: the default role, as if role_id were left out.
			case v.kind != kindNumber:
				invalid("must be a role id (a whole number), not " + v.kind.describe())
			default:
				n, err := strconv.ParseInt(v.text, 10, 64)
				if err != nil || n < 1 {
					invalid("must be a role id: a positive whole number")
					continue
				}
				in.RoleID = &n
			}
		}
	}
	return problems
}

// setString sets the string attribute key on in.
func setString(in *userInput, key string, s *string) {
	switch key {
	case "email":
		in.Email = s
	case "name":
		in.Name = s
	case "language":
		in.Language = s
	case "timezone":
		in.Timezone = s
	default:
		if n, ok := strings.CutPrefix(key, "external_system_reference"); ok {
			in.ExternalRefs[n[0]-'1'] = s
		} else if n, ok := strings.CutPrefix(key, "string"); ok {
			in.Strings[n[0]-'1'] = s
		}
	}
}

func attributeNames() string {
	names := make([]string, len(attributes))
	for i, a := range attributes {
		names[i] = a.name
	}
	return strings.Join(names, ", ")
}

// resourceID reads a resource object's id: JSON:API makes ids strings, and
// seed 001 renders them as numbers, so both are accepted.
func resourceID(v *value) (int64, bool) {
	if v.kind != kindString && v.kind != kindNumber {
		return 0, false
	}
	n, err := strconv.ParseInt(v.text, 10, 64)
	return n, err == nil && n > 0
}

// isAtMember reports whether a member is a JSON:API 1.1 @-member, which
// processors must ignore.
func isAtMember(key string) bool { return strings.HasPrefix(key, "@") }
