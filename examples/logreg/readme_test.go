package main

import (
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/fastbce/bce"
)

// readmeLoss finds the README's figures: `loss=V` on the SIMD paths and on
// generic, first for the default (scaled) run, then for -scale=false.
var readmeLoss = regexp.MustCompile("`loss=([0-9.]+)` on (the SIMD paths|generic)")

// TestREADMEFigures runs `go run ./examples/logreg` with and without
// -scale=false on every path this CPU has and requires the loss line to be
// the one ../README.md prints for that path. The README once gave the
// generic path's -scale=false figure as everyone's (the SIMD paths end one
// ULP lower).
//
// The figures are amd64's with GOAMD64 v1 or v2: elsewhere (arm64, or v3
// and above) the Go compiler fuses the multiply-adds of the linear layer,
// which rounds differently and changes the last digit.
func TestREADMEFigures(t *testing.T) {
	if runtime.GOARCH != "amd64" || fusesMultiplyAdd() {
		t.Skipf("the README's figures are for amd64 without FMA fusion (GOAMD64 v1/v2), this is %s", runtime.GOARCH)
	}
	src, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := readmeLoss.FindAllStringSubmatch(string(src), -1)
	if len(m) != 4 || m[0][2] == "generic" || m[1][2] != "generic" || m[2][2] == "generic" || m[3][2] != "generic" {
		t.Fatalf("README.md: want the SIMD and generic `loss=` figures of the scaled and the -scale=false run, found %q", m)
	}
	want := map[bool]map[bool]string{ // scaled -> generic -> figure
		true:  {false: m[0][1], true: m[1][1]},
		false: {false: m[2][1], true: m[3][1]},
	}
	old := bce.Path()
	defer func() { _ = bce.SetPath(old) }()
	for _, path := range bce.Paths() {
		if err := bce.SetPath(path); err != nil {
			t.Fatal(err)
		}
		for _, scaled := range []bool{true, false} {
			w := &testWriter{t: t, quiet: true}
			if _, err := run([]string{"-scale=" + map[bool]string{true: "true", false: "false"}[scaled], "-plot", ""}, w); err != nil {
				t.Fatal(err)
			}
			got := lastLine(w.buf.String(), "loss=")
			if exp := want[scaled][path == "generic"]; got != exp {
				t.Errorf("path %s, -scale=%v: loss=%s, README says loss=%s", path, scaled, got, exp)
			}
		}
	}
}

// lastLine returns what follows prefix on the last line that starts with it.
func lastLine(out, prefix string) string {
	var v string
	for _, l := range strings.Split(out, "\n") {
		if s, ok := strings.CutPrefix(l, prefix); ok {
			v = s
		}
	}
	return v
}

// fusesMultiplyAdd reports whether this amd64 binary was built for
// GOAMD64=v3 or v4, where the compiler turns x*y+z into an FMA.
func fusesMultiplyAdd() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "GOAMD64" {
			return s.Value >= "v3"
		}
	}
	return false
}
