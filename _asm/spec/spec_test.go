package spec

import (
	"os"
	"regexp"
	"testing"
)

func TestKernels(t *testing.T) {
	if err := CheckAll(); err != nil {
		t.Fatal(err)
	}
	bad := Kernels[0]
	bad.Steps = []Step{ExpNeg, FinishPlain} // a loss without log1p
	if bad.Check() == nil {
		t.Error("a loss kernel without Log1p passes Check")
	}
	// Without a y slice the target step takes y = 0 on every path, so the
	// loss with targets 0 (softplus) is a valid row.
	noY := Kernel{Name: "noY", Out: "dst", In: []string{"x"}, Steps: []Step{ExpNegLo, Log1p, FinishPlain}, Store: Loss}
	if err := noY.Check(); err != nil {
		t.Error(err)
	}
	// The loss bracket reads e's rounding error.
	noLo := noY
	noLo.Steps = []Step{ExpNeg, Log1p, FinishPlain}
	if noLo.Check() == nil {
		t.Error("Log1p without ExpNegLo passes Check")
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
