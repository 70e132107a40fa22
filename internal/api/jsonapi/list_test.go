package jsonapi_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/rosterhq/roster/internal/api/apitest"
)

type listDoc struct {
	Data  []resource `json:"data"`
	Links struct {
		Self  string  `json:"self"`
		First string  `json:"first"`
		Prev  *string `json:"prev"`
		Next  *string `json:"next"`
		Last  string  `json:"last"`
	} `json:"links"`
	Meta struct {
		Total int `json:"total"`
	} `json:"meta"`
}

func pageLink(number, size int) string {
	return fmt.Sprintf("/api/users?page%%5Bnumber%%5D=%d&page%%5Bsize%%5D=%d", number, size)
}

func TestListUsers(t *testing.T) {
	apitest.ForEachStore(t, func(t *testing.T, env *apitest.Env) {
		acme := env.NewTenant(t, "Acme")
		other := env.NewTenant(t, "Other")
		for i := range 4 {
			create(t, env, acme, fmt.Sprintf(`"email":"user%d@example.com","name":"User %d"`, i, i))
		}
		create(t, env, other, `"email":"elsewhere@example.com","name":"Elsewhere"`)
		// Acme has its admin and 4 users: 5, in pages of 2.
		get := func(query string) listDoc {
			t.Helper()
			res := env.Do(t, "GET", "/api/users"+query, "", headers(acme)...)
			if res.Status != 200 {
				t.Fatalf("GET %s: %d %s", query, res.Status, res.Body)
			}
			checkDocument(t, res)
			var doc listDoc
			res.JSON(t, &doc)
			return doc
		}
		str := func(s *string) string {
			if s == nil {
				return "null"
			}
			return *s
		}
		seen := map[string]bool{}
		for number, want := range map[int]struct {
			n          int
			prev, next string
		}{
			1: {2, "null", pageLink(2, 2)},
			2: {2, pageLink(1, 2), pageLink(3, 2)},
			3: {1, pageLink(2, 2), "null"},
			4: {0, pageLink(3, 2), "null"},
		} {
			doc := get(fmt.Sprintf("?page[number]=%d&page[size]=2", number))
			if len(doc.Data) != want.n || doc.Meta.Total != 5 {
				t.Errorf("page %d: got %d users of %d, want %d of 5", number, len(doc.Data), doc.Meta.Total, want.n)
			}
			if doc.Links.Self != pageLink(number, 2) || doc.Links.First != pageLink(1, 2) || doc.Links.Last != pageLink(3, 2) ||
				str(doc.Links.Prev) != want.prev || str(doc.Links.Next) != want.next {
				t.Errorf("page %d links: got %+v (prev %s next %s), want prev %s next %s", number, doc.Links,
					str(doc.Links.Prev), str(doc.Links.Next), want.prev, want.next)
			}
			for _, r := range doc.Data {
				if seen[r.ID.String()] {
					t.Errorf("user %s listed twice", r.ID)
				}
				seen[r.ID.String()] = true
				if r.Attributes["email"] == "elsewhere@example.com" {
					t.Error("another tenant's user is listed")
				}
			}
		}
		if len(seen) != 5 {
			t.Errorf("the pages hold %d users, want 5", len(seen))
		}

		def := get("")
		if len(def.Data) != 5 || def.Links.Self != pageLink(1, 20) || def.Links.Next != nil || def.Links.Prev != nil {
			t.Errorf("default page: got %d users, links %+v", len(def.Data), def.Links)
		}
		byEmail := get("?filter[email]=" + url.QueryEscape("USER2@example.com"))
		if len(byEmail.Data) != 1 || byEmail.Meta.Total != 1 || byEmail.Data[0].Attributes["email"] != "user2@example.com" {
			t.Errorf("filter[email]: got %+v", byEmail)
		}
		wantSelf := "/api/users?filter%5Bemail%5D=USER2%40example.com&page%5Bnumber%5D=1&page%5Bsize%5D=20"
		if byEmail.Links.Self != wantSelf {
			t.Errorf("filtered self link: got %s, want %s", byEmail.Links.Self, wantSelf)
		}
		if none := get("?filter[email]=elsewhere@example.com"); len(none.Data) != 0 || none.Meta.Total != 0 {
			t.Errorf("another tenant's email: got %+v", none)
		}

		for query, param := range map[string]string{
			"?page[size]=101":                "?page[size]",
			"?page[size]=0":                  "?page[size]",
			"?page[number]=0":                "?page[number]",
			"?page[number]=x":                "?page[number]",
			"?page[number]=1&page[number]=2": "?page[number]",
			"?page[size]=2&sort=email":       "?sort",
			"?page[size]=2&limit=5":          "?limit",
			"?filter[name]=x":                "?filter[name]",
		} {
			wantErrors(t, env.Do(t, "GET", "/api/users"+query, "", headers(acme)...), 400, param)
		}
	})
}
