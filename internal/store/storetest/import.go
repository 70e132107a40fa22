package storetest

import "testing"

// runImportTests runs the conformance tests of batch import writes.
func runImportTests(t *testing.T, open Opener) {
	_ = t
	_ = open
}
