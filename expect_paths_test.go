package bce

import (
	"os"
	"strings"
	"testing"
)

// TestExpectPaths makes the selection exact where BCE_REQUIRE_PATHS is a
// lower bound: with BCE_EXPECT_PATHS=avx2,generic the paths this CPU reports
// must be exactly those, best first. CI sets it under qemu -cpu MODEL, so
// that a path selected on a model that lacks one of its features fails here
// even if the emulator happens to run the instruction instead of raising
// SIGILL.
func TestExpectPaths(t *testing.T) {
	want := os.Getenv("BCE_EXPECT_PATHS")
	if want == "" {
		t.Skip("BCE_EXPECT_PATHS not set")
	}
	if got := strings.Join(Paths(), ","); got != strings.ReplaceAll(want, " ", "") {
		t.Fatalf("Paths() = %s, BCE_EXPECT_PATHS = %s", got, want)
	}
}
