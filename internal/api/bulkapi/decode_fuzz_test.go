package bulkapi

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/rosterhq/roster/internal/api/httpkit"
)

// FuzzDecodeAdd: any body decodes, or is refused with a 400 request error;
// never a panic. A decoded request gives the core one user per user sent.
func FuzzDecodeAdd(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "seed003_add.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	for _, s := range []string{
		`{"users":[{"email":"a@example.com"}]}`,
		`{"users":[{"email":"a@example.com","groups":[{"_id":"g","workspace_id":{"_id":"w"},"permissions":[{"filters":null}]}]}],"token":""}`,
		`{"users":[{"email":"a@example.com","groups":[{"workspace_id":"w"}]}]}`,
		`{"users":[{"notifications":"no","update":1}]}`,
		`{"users":{}}`,
		`{"users":[null,[],1]}`,
		`{"token":null,"users":null}`,
		`[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodeAdd(body)
		if err != nil {
			var re *httpkit.RequestError
			if !errors.As(err, &re) || re.Status != 400 {
				t.Fatalf("error %T %v: want a 400 request error", err, err)
			}
			return
		}
		cmd := req.command(true)
		if len(cmd.Users) != len(req.Users) {
			t.Fatalf("%d users sent, %d in the command", len(req.Users), len(cmd.Users))
		}
		for i, u := range req.Users {
			if (u.Groups == nil) != (cmd.Users[i].Groups == nil) || len(u.Groups) != len(cmd.Users[i].Groups) {
				t.Fatalf("user %d: groups %v became %v", i, u.Groups, cmd.Users[i].Groups)
			}
		}
	})
}
