package adminapi

import (
	"errors"
	"testing"

	"github.com/rosterhq/roster/internal/api/httpkit"
)

// FuzzDecodeGroup: a group body decodes, or is refused with a 400 request
// error; never a panic. workspace_id is the id, or seed 003's object.
func FuzzDecodeGroup(f *testing.F) {
	for _, s := range []string{
		`{"_id":"756676a679549784d96514a2","workspace_id":{"_id":"6567745179549784d96513ae","name":"internal employees"},` +
			`"name":"basic users","permissions":[{"_id":"656faf7879549784d967e2bv","page_id":"656faa7c79549784d967dfab","filters":[]}]}`,
		`{"workspace_id":"w","name":"x"}`,
		`{"workspace_id":null}`,
		`{"workspace_id":7}`,
		`{"workspace_id":{"_id":1}}`,
		`{"workspace_id":{"label":"x"}}`,
		`{"permissions":[{"filters":{"a":1}},null]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, dst := range []any{&createGroupRequest{}, &patchGroupRequest{}} {
			if err := httpkit.DecodeStrict(body, dst); err != nil {
				var re *httpkit.RequestError
				if !errors.As(err, &re) || re.Status != 400 {
					t.Fatalf("error %T %v: want a 400 request error", err, err)
				}
			}
		}
	})
}
