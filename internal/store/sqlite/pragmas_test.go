package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestPragmas checks that the DSN's pragmas apply to every connection of
// both pools, not only the first.
func TestPragmas(t *testing.T) {
	ctx := context.Background()
	// A name with URI metacharacters must still name that file.
	path := filepath.Join(t.TempDir(), "a?b#c%20.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file: %v", err)
	}

	check := func(t *testing.T, conn *sql.Conn, pragma string, want int64) {
		t.Helper()
		var got int64
		if err := conn.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", pragma, err)
		}
		if got != want {
			t.Errorf("PRAGMA %s: got %d, want %d", pragma, got, want)
		}
	}
	t.Run("Writer", func(t *testing.T) {
		conn, err := s.write.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var mode string
		if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode: got %q, %v; want wal", mode, err)
		}
		check(t, conn, "foreign_keys", 1)
		check(t, conn, "busy_timeout", busyTimeoutMS)
		check(t, conn, "synchronous", 1) // NORMAL
		check(t, conn, "query_only", 0)
	})
	t.Run("Readers", func(t *testing.T) {
		// Hold several reader connections at once, so that each is a new one.
		for i := range 3 {
			conn, err := s.read.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			check(t, conn, "foreign_keys", 1)
			check(t, conn, "busy_timeout", busyTimeoutMS)
			check(t, conn, "query_only", 1)
			if _, err := conn.ExecContext(ctx, "CREATE TABLE t (x)"); err == nil {
				t.Errorf("reader %d wrote to the file", i)
			}
		}
	})
}

// TestTimeRoundTrip checks the stored form of timestamps and that they read
// back equal, in UTC.
func TestTimeRoundTrip(t *testing.T) {
	loc := time.FixedZone("X", -3*3600)
	for _, in := range []time.Time{
		{},
		time.Date(2026, 1, 2, 3, 4, 5, 123456000, loc),
		time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC),
	} {
		s := formatTime(in)
		if len(s) != len(timeLayout) {
			t.Errorf("formatTime(%v) = %q: not fixed width", in, s)
		}
		out, err := parseTime(s)
		if err != nil || !out.Equal(in) || out.Location() != time.UTC {
			t.Errorf("parseTime(formatTime(%v)) = %v, %v; want the same instant in UTC", in, out, err)
		}
	}
	if got, want := formatTime(time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)), "2026-01-02T03:04:05.123456Z"; got != want {
		t.Errorf("formatTime: got %q, want %q", got, want)
	}
}
