package spec

import (
	"os"
	"regexp"
	"testing"
)

func TestKernels(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Kernels {
		if err := k.Check(); err != nil {
			t.Error(err)
		}
		if seen[k.Name] {
			t.Errorf("kernel %s listed twice", k.Name)
		}
		seen[k.Name] = true
	}
}

// TestPathsMatchDispatch requires every path of the table to be a pathID of
// dispatch.go with the same name in pathNames: the registry is hand-written,
// the table generated from, and they must not drift apart.
func TestPathsMatchDispatch(t *testing.T) {
	src, err := os.ReadFile("../../dispatch.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range Paths {
		re := regexp.MustCompile(`(?m)^\s*` + p.Const + `:\s*"` + p.Name + `",`)
		if !re.Match(src) {
			t.Errorf("dispatch.go: pathNames has no %s: %q", p.Const, p.Name)
		}
	}
}

func TestConsts(t *testing.T) {
	c := ReadConsts("../../bce_generic.go")
	for _, name := range []string{"expClamp", "log2e", "expMagic", "lp8"} {
		if _, ok := c[name]; !ok {
			t.Errorf("constant %s not read", name)
		}
	}
	if got := Const(c, "lp0"); got != -0.5 {
		t.Errorf("lp0 = %v, want -0.5", got)
	}
}
