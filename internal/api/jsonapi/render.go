package jsonapi

import (
	"strconv"

	"github.com/rosterhq/roster/internal/core"
)

// usersPath is the collection's path; a user's is usersPath + "/" + id.
const usersPath = "/api/users"

// userAttributes is a user as this face shows it: every attribute of seed
// 001, always present, strings "" when unset. Never the password or its
// hash.
type userAttributes struct {
	Email                    string `json:"email"`
	RoleID                   int64  `json:"role_id"`
	Name                     string `json:"name"`
	IsActive                 bool   `json:"is_active"`
	Language                 string `json:"language"`
	Timezone                 string `json:"timezone"`
	ExternalSystemReference1 string `json:"external_system_reference1"`
	ExternalSystemReference2 string `json:"external_system_reference2"`
	ExternalSystemReference3 string `json:"external_system_reference3"`
	String1                  string `json:"string1"`
	String2                  string `json:"string2"`
	String3                  string `json:"string3"`
	String4                  string `json:"string4"`
	String5                  string `json:"string5"`
}

// userResource is a users resource object. Its id is a JSON number, as
// seed 001 documents it (JSON:API itself would have a string).
type userResource struct {
	ID         int64          `json:"id"`
	Type       string         `json:"type"`
	Attributes userAttributes `json:"attributes"`
	Links      selfLink       `json:"links"`
}

type selfLink struct {
	Self string `json:"self"`
}

// userDocument is a document whose primary data is one user.
type userDocument struct {
	Data  userResource `json:"data"`
	Links selfLink     `json:"links"`
}

// userListDocument is a page of users.
type userListDocument struct {
	Data  []userResource `json:"data"`
	Links pageLinks      `json:"links"`
	Meta  listMeta       `json:"meta"`
}

// pageLinks are a page's links; prev and next are null when there is no
// such page.
type pageLinks struct {
	Self  string  `json:"self"`
	First string  `json:"first"`
	Prev  *string `json:"prev"`
	Next  *string `json:"next"`
	Last  string  `json:"last"`
}

type listMeta struct {
	Total int `json:"total"`
}

// userPath is the user's URL path.
func userPath(id int64) string { return usersPath + "/" + strconv.FormatInt(id, 10) }

func resourceOf(u core.User) userResource {
	return userResource{
		ID:   u.ID,
		Type: resourceType,
		Attributes: userAttributes{
			Email:                    u.Email,
			RoleID:                   u.RoleID,
			Name:                     u.Name,
			IsActive:                 u.Active,
			Language:                 u.Language,
			Timezone:                 u.Timezone,
			ExternalSystemReference1: u.ExternalRefs[0],
			ExternalSystemReference2: u.ExternalRefs[1],
			ExternalSystemReference3: u.ExternalRefs[2],
			String1:                  u.Strings[0],
			String2:                  u.Strings[1],
			String3:                  u.Strings[2],
			String4:                  u.Strings[3],
			String5:                  u.Strings[4],
		},
		Links: selfLink{Self: userPath(u.ID)},
	}
}

func documentOf(u core.User) userDocument {
	return userDocument{Data: resourceOf(u), Links: selfLink{Self: userPath(u.ID)}}
}
