// Command roster runs and administers Roster: the HTTP server, migrations,
// tenants and API keys. It only parses configuration and wires packages
// together; the behaviour lives in internal/.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}
