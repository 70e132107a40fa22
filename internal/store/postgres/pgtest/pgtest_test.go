package pgtest

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestConnectUnreachableFails(t *testing.T) {
	start := time.Now()
	conn, err := connect(context.Background(), "postgres://postgres@127.0.0.1:1/x?sslmode=disable")
	if err == nil {
		conn.Close(context.Background())
		t.Fatal("connect to 127.0.0.1:1: got nil error, want an error")
	}
	if d := time.Since(start); d > timeout+time.Second {
		t.Errorf("connect took %v, want at most %v", d, timeout)
	}
}

func TestCreateDatabaseUnreachableFails(t *testing.T) {
	if _, _, err := createDatabase(context.Background(), "postgres://postgres@127.0.0.1:1/x?sslmode=disable"); err == nil {
		t.Fatal("createDatabase on 127.0.0.1:1: got nil error, want an error")
	}
}

func TestCreateDatabaseRejectsNonURL(t *testing.T) {
	if _, _, err := createDatabase(context.Background(), "host=127.0.0.1 user=postgres"); err == nil {
		t.Fatal("createDatabase with a key=value string: got nil error, want an error")
	}
}

func TestURL(t *testing.T) {
	got := URL(t) // skips without ROSTER_TEST_POSTGRES_URL
	u, err := url.Parse(got)
	if err != nil {
		t.Fatalf("URL returned %q: %v", got, err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if !strings.HasPrefix(name, "roster_test_") || len(name) != len("roster_test_")+16 {
		t.Errorf("database name: got %q, want roster_test_ and 16 hex digits", name)
	}
	ctx := context.Background()
	conn, err := connect(ctx, got)
	if err != nil {
		t.Fatalf("connect to the new database: %v", err)
	}
	defer conn.Close(ctx)
	var current string
	if err := conn.QueryRow(ctx, `SELECT current_database()`).Scan(&current); err != nil || current != name {
		t.Errorf("current_database(): got %q, %v; want %q", current, err, name)
	}
}

func TestOpenStore(t *testing.T) {
	s := OpenStore(t)
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	// Migrating again is a no-op.
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
}
