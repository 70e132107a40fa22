package storetest

import "testing"

// runGroupTests runs the conformance tests of workspaces and groups.
func runGroupTests(t *testing.T, open Opener) {
	_ = t
	_ = open
}
