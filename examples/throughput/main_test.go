package main

import (
	"math"
	"strings"
	"testing"

	"github.com/fastbce/bce"
)

// TestRunSmall runs the command on 4 Ki rows: one row per path this CPU has
// plus the float64 loop, all timed, all computing the same mean loss (to
// float32 accuracy), and the path in use restored afterwards.
func TestRunSmall(t *testing.T) {
	before := bce.Path()
	var out strings.Builder
	rows, err := run([]string{"-n", "4096", "-epochs", "2"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	paths := bce.Paths()
	if len(rows) != len(paths)+1 {
		t.Fatalf("%d rows, want %d paths and the float64 loop", len(rows), len(paths))
	}
	ref := rows[len(rows)-1]
	if ref.name != "float64 math" || !(ref.t.j > 0.1 && ref.t.j < 0.7) {
		t.Errorf("last row %q, J = %v; want the float64 loop with a J between 0.1 and 0.7", ref.name, ref.t.j)
	}
	for i, p := range paths {
		r := rows[i]
		if r.name != "bce "+p {
			t.Errorf("row %d is %q, want bce %s", i, r.name, p)
		}
		if r.t.forward <= 0 || r.t.loss <= 0 || r.t.backward <= 0 {
			t.Errorf("%s: a phase took no time: %+v", r.name, r.t)
		}
		if rel := math.Abs(r.t.j-ref.t.j) / ref.t.j; rel > 1e-5 {
			t.Errorf("%s: J = %.9g, float64 loop %.9g (relative %.2g)", r.name, r.t.j, ref.t.j, rel)
		}
		if !strings.Contains(out.String(), "bce "+p) {
			t.Errorf("path %s missing from the table", p)
		}
	}
	if bce.Path() != before {
		t.Errorf("path after the run %q, before %q", bce.Path(), before)
	}
}

// TestEpochGradientsAgree checks that the float32 epoch and the float64 loop
// compute the same gradient, so the table compares equal work.
func TestEpochGradientsAgree(t *testing.T) {
	s := newSynthetic(1000, 8, 2)
	sc := newScratch(s.n, s.d)
	epochBCE(s, sc)
	epochFloat64(s, sc)
	for j := range s.d {
		if diff := math.Abs(float64(sc.gw[j]) - sc.gw64[j]); diff > 1e-5*(math.Abs(sc.gw64[j])+1e-3) {
			t.Errorf("dJ/dw[%d]: float32 %.8g, float64 %.8g", j, sc.gw[j], sc.gw64[j])
		}
	}
	if diff := math.Abs(float64(sc.gb[0]) - sc.gb64[0]); diff > 1e-5*(math.Abs(sc.gb64[0])+1e-3) {
		t.Errorf("dJ/db: float32 %.8g, float64 %.8g", sc.gb[0], sc.gb64[0])
	}
}
