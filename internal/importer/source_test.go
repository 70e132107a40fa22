package importer

import (
	"errors"
	"io"
	"strings"
	"testing"
)

type sourceRow struct {
	line  int
	end   int64
	email string
	err   string // the refusal's field and message, "field: message"
}

func drain(t *testing.T, src Source) []sourceRow {
	t.Helper()
	var out []sourceRow
	for {
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		r := sourceRow{line: rec.Line, end: rec.End, email: rec.User.Email}
		if rec.Err != nil {
			r.err = rec.Err.Field + ": " + rec.Err.Message
		}
		out = append(out, r)
	}
}

func TestJSONLines(t *testing.T) {
	t.Parallel()
	const limit = 64
	// A line of exactly the limit, padded with spaces inside the object.
	exact := `{"email":"a@x.io"` + strings.Repeat(" ", limit-len(`{"email":"a@x.io"}`)) + `}`
	over := `{"email":"a@x.io"` + strings.Repeat(" ", limit+1-len(`{"email":"a@x.io"}`)) + `}`
	tests := []struct {
		name  string
		input string
		start int
		from  int64
		want  []sourceRow
	}{
		{"lines, a blank one, no final newline", "{\"email\":\"a@x.io\"}\n\n{\"email\":\"b@x.io\"}", 0, 0,
			[]sourceRow{{1, 19, "a@x.io", ""}, {3, 38, "b@x.io", ""}}},
		{"CRLF", "{\"email\":\"a@x.io\"}\r\n", 0, 0, []sourceRow{{1, 20, "a@x.io", ""}}},
		{"at the limit", exact + "\n", 0, 0, []sourceRow{{1, limit + 1, "a@x.io", ""}}},
		{"past the limit, then on", " " + exact + "\n{\"email\":\"b@x.io\"}\n", 0, 0,
			[]sourceRow{{1, limit + 2, "a@x.io", ""}, {2, limit + 21, "b@x.io", ""}}},
		{"one byte past the limit", over + "\n{\"email\":\"b@x.io\"}\n", 0, 0,
			[]sourceRow{{1, limit + 2, "", ": the line is longer than the limit of 64 bytes"}, {2, limit + 21, "b@x.io", ""}}},
		{"far past the limit", strings.Repeat("x", 1000) + "\n{\"email\":\"b@x.io\"}\n", 0, 0,
			[]sourceRow{{1, 1001, "", ": the line is longer than the limit of 64 bytes"}, {2, 1020, "b@x.io", ""}}},
		{"bad lines", "nope\n{\"email\":1}\n{\"email\":\"a@x.io\",\"x\":1}\n{\"name\":\"n\",\"displayName\":\"d\"}\n", 0, 0,
			[]sourceRow{{1, 5, "", ": the line is not valid JSON"}, {2, 17, "", "email: must be a string"},
				{3, 42, "", "x: is not a known field"}, {4, 73, "", "name: set name or displayName, not both"}}},
		{"resumed", "{\"email\":\"c@x.io\"}\n", 41, 1000, []sourceRow{{42, 1019, "c@x.io", ""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := drain(t, NewJSONLines(strings.NewReader(tc.input), tc.start, tc.from, limit))
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("record %d: got %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestCSV(t *testing.T) {
	t.Parallel()
	input := "\ufeffemail,name,active,teamId\n" +
		"a@x.io,\"Ann\nSmith\",true,\n" +
		"b@x.io,Bob,,7\n" +
		"c@x.io,Carl,yes,\n" +
		"d@x.io,Dora\n"
	header, headerEnd, err := ReadCSVHeader(strings.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(header, ",") != "email,name,active,teamId" || headerEnd != 28 {
		t.Fatalf("header: got %q ending at %d, want email,name,active,teamId ending at 28", header, headerEnd)
	}
	got := drain(t, NewCSV(strings.NewReader(input[headerEnd:]), header, 1, headerEnd))
	want := []sourceRow{
		{2, 53, "a@x.io", ""},
		{4, 67, "b@x.io", ""},
		{5, 84, "", "active: must be true or false"},
		{6, 96, "", ": the row has 2 fields, the header 4"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("record %d: got %+v, want %+v", i, got[i], want[i])
		}
	}

	for _, bad := range []string{"email,nmae\n", "name\n", "email,email\n", ""} {
		if _, _, err := ReadCSVHeader(strings.NewReader(bad)); err == nil {
			t.Errorf("header %q: got no error", bad)
		}
	}
}
