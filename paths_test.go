package bce

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
)

// exercised records the paths that forEachPath ran, for BCE_REQUIRE_PATHS.
var exercised sync.Map

// forEachPath runs f once per registered path as a subtest with that path
// selected through SetPath, so a test covers every implementation the CPU
// has; paths the CPU lacks are skipped with a message.
func forEachPath(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, name := range pathNames {
		t.Run(name, func(t *testing.T) {
			p, ok := lookupPath(name)
			if !ok {
				t.Skipf("this CPU cannot run the %s path", name)
			}
			old := cur
			cur = p
			defer func() { cur = old }()
			exercised.Store(p, true)
			f(t)
		})
	}
}

// simdPaths returns the available paths that must match model_test.go bit
// for bit: every one but generic.
func simdPaths() []pathID {
	var ps []pathID
	for _, p := range available {
		if p != pathGeneric {
			ps = append(ps, p)
		}
	}
	return ps
}

// TestMain enforces BCE_REQUIRE_PATHS: a comma-separated list of paths that
// must be available on this machine and exercised by the tests, so that a
// misdetected or emulated CPU cannot pass by silently testing less.
func TestMain(m *testing.M) {
	code := m.Run()
	if req := os.Getenv("BCE_REQUIRE_PATHS"); req != "" && code == 0 {
		for _, name := range strings.Split(req, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			p, ok := lookupPath(name)
			if !ok {
				fmt.Fprintf(os.Stderr, "BCE_REQUIRE_PATHS: path %q is not available on this CPU (available: %v)\n", name, Paths())
				code = 1
				continue
			}
			if _, ran := exercised.Load(p); !ran && testingRanPerPath() {
				fmt.Fprintf(os.Stderr, "BCE_REQUIRE_PATHS: path %q was not exercised by the tests\n", name)
				code = 1
			}
		}
	}
	os.Exit(code)
}

// testingRanPerPath reports whether the per-path tests were selected by
// -run (a run of only, say, the examples exercises no path on purpose).
func testingRanPerPath() bool {
	_, ran := exercised.Load(pathGeneric)
	return ran
}

func TestPathSelection(t *testing.T) {
	best := available[0]
	for _, env := range []string{"", "nonsense", "AVX9", "neon-ish"} {
		if got := choosePath(env); got != best {
			t.Errorf("choosePath(%q) = %v, want the best path %v", env, got, best)
		}
	}
	for _, p := range available {
		if got := choosePath(" " + strings.ToUpper(p.String()) + " "); got != p {
			t.Errorf("choosePath(%q) = %v, want %v", p, got, p)
		}
	}
	if got := Paths(); got[len(got)-1] != "generic" {
		t.Errorf("Paths() = %v: generic must be last", got)
	}
	old := Path()
	defer func() { _ = SetPath(old) }()
	for _, name := range Paths() {
		if err := SetPath(name); err != nil || Path() != name {
			t.Errorf("SetPath(%q) = %v, Path() = %q", name, err, Path())
		}
	}
	for _, name := range pathNames {
		if _, ok := lookupPath(name); !ok {
			if err := SetPath(name); err == nil {
				t.Errorf("SetPath(%q) succeeded on a CPU without it", name)
			}
		}
	}
	if err := SetPath("sse9"); err == nil || !strings.Contains(err.Error(), "sse9") {
		t.Errorf("SetPath(sse9) = %v, want an error naming the path", err)
	}
}
