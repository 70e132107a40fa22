package importer

import (
	"regexp"
	"strings"
	"testing"
)

// Off a terminal, progress is plain lines: the counts, the rate, how much
// of the input is done and the time left; then a last line.
func TestPlainProgress(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	p := NewProgress(&b, false, 1000, 0, 0, 0)
	p.Update(Summary{Created: 90, Updated: 5, Unchanged: 3, Error: 2}, 250)
	p.Finish(Summary{Created: 360, Updated: 20, Unchanged: 12, Error: 8})
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	want := []*regexp.Regexp{
		regexp.MustCompile(`^import: 100 rows \(90 created, 5 updated, 3 unchanged, 2 errors\), \d+ rows/s, 25% of the input, ETA \d+s$`),
		regexp.MustCompile(`^import: done: 400 rows \(360 created, 20 updated, 12 unchanged, 8 errors\), \d+ rows/s in \S+$`),
	}
	if len(lines) != len(want) {
		t.Fatalf("got %q, want %d lines", lines, len(want))
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d: got %q, want it to match %s", i, lines[i], re)
		}
	}
}
