package main

import (
	"bytes"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestWorkedExample checks the lesson's two stated losses, 0.223 for y = 1
// with yhat = 0.8 and 0.357 for y = 0 with yhat = 0.3, as bce.Loss computes
// them from the logits, and that the logits do give those yhat.
func TestWorkedExample(t *testing.T) {
	want := []string{"0.223", "0.357"}
	for i, r := range workedExample() {
		if got := strconv.FormatFloat(float64(r.bce), 'f', 3, 64); got != want[i] {
			t.Errorf("y=%g, yhat=%g: bce.Loss(%v) = %v, rounds to %s, want %s", r.y, r.yhat, r.z, r.bce, got, want[i])
		}
		if math.Abs(float64(r.bce)-r.formula) > 1e-6*r.formula {
			t.Errorf("y=%g, yhat=%g: bce.Loss %v, formula %v", r.y, r.yhat, r.bce, r.formula)
		}
		if s := 1 / (1 + math.Exp(-r.z)); math.Abs(s-r.yhat) > 1e-12 {
			t.Errorf("sigmoid(%v) = %v, want yhat = %v", r.z, s, r.yhat)
		}
	}
}

// TestExtremes checks that at the extreme logits bce's loss is finite and
// equal to the loss written in z and evaluated in float64, softplus(z) for
// y = 0 and softplus(-z) for y = 1, while the naive float32 formula gives a
// wrong value (Inf or NaN) at every one of them.
func TestExtremes(t *testing.T) {
	softplus := func(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }
	rows := extremes()
	if len(rows) != 2*len(extremeLogits) {
		t.Fatalf("%d rows, want %d", len(rows), 2*len(extremeLogits))
	}
	for _, r := range rows {
		z := float64(r.z)
		want := softplus(z)
		if r.y == 1 {
			want = softplus(-z)
		}
		got := float64(r.bce)
		// Relative to float32's precision, with the subnormal spacing
		// 2^-149 for the losses of about 4e-44 at |z| = 100.
		if math.IsInf(got, 0) || math.IsNaN(got) || math.Abs(got-want) > 1e-6*want+0x1p-149 {
			t.Errorf("z=%v y=%v: bce.Loss = %v, want %v", r.z, r.y, got, want)
		}
		naive := float64(r.naive)
		if !math.IsInf(naive, 0) && !math.IsNaN(naive) && math.Abs(naive-want) <= 1e-6*want+0x1p-149 {
			t.Errorf("z=%v y=%v: the naive formula gives %v, the right value; the lesson's point is that it fails here", r.z, r.y, naive)
		}
		if r.z == 100 && r.y == 0 && r.bce != 100 {
			t.Errorf("loss(z=100, y=0) = %v, want 100", r.bce)
		}
	}
}

// TestScaler checks the z-score against the means and standard deviations
// scikit-learn's StandardScaler measured, so that both fits see the same
// scaled features.
func TestScaler(t *testing.T) {
	ls := mustLesson(t)
	for j := range 2 {
		if ls.data.names[j] != ls.sk.Features[j] {
			t.Errorf("feature %d: %q here, %q in sklearn.json", j, ls.data.names[j], ls.sk.Features[j])
		}
		if d := math.Abs(ls.sc.mean[j] - ls.sk.Mean[j]); d > 1e-12*math.Abs(ls.sk.Mean[j]) {
			t.Errorf("%s: mean %v, scikit-learn %v", ls.data.names[j], ls.sc.mean[j], ls.sk.Mean[j])
		}
		if d := math.Abs(ls.sc.std[j] - ls.sk.Std[j]); d > 1e-12*ls.sk.Std[j] {
			t.Errorf("%s: std %v, scikit-learn %v", ls.data.names[j], ls.sc.std[j], ls.sk.Std[j])
		}
	}
	if ls.data.N != ls.sk.Rows {
		t.Errorf("%d rows, sklearn.json says %d", ls.data.N, ls.sk.Rows)
	}
	// unscale is the inverse of scaling: the raw model gives every row the
	// scaled model's logit.
	w, b := [2]float64{-3, 0.5}, 0.25
	wr, br := ls.sc.unscale(w, b)
	xs := ls.sc.apply(ls.data.X)
	for i := range ls.data.N {
		zs := w[0]*xs[2*i] + w[1]*xs[2*i+1] + b
		zr := wr[0]*ls.data.X[2*i] + wr[1]*ls.data.X[2*i+1] + br
		if math.Abs(zs-zr) > 1e-9*(1+math.Abs(zs)) {
			t.Fatalf("row %d: logit %v scaled, %v unscaled", i, zs, zr)
		}
	}
}

// TestMatchesSklearn trains on the scaled features as the command does and
// requires J within 1e-4 relative of scikit-learn's optimum, and the
// weights close to its. J of scikit-learn's weights evaluated here must be
// the J it reported: the same objective on the same data.
func TestMatchesSklearn(t *testing.T) {
	ls := mustLesson(t)
	c, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	d := ls.scaled.train(c.epochs)
	j := float64(d.curve[len(d.curve)-1])
	rel := math.Abs(j-ls.sk.J) / ls.sk.J
	t.Logf("J: gradient descent %.9g, scikit-learn %.9g, relative difference %.2g", j, ls.sk.J, rel)
	if rel > 1e-4 {
		t.Errorf("J = %v after %d epochs, scikit-learn's optimum %v: relative difference %.2g > 1e-4", j, c.epochs, ls.sk.J, rel)
	}
	for k := range 2 {
		if math.Abs(float64(d.w[k])-ls.sk.Coef[k]) > 1e-3 {
			t.Errorf("w%d = %v, scikit-learn %v", k+1, d.w[k], ls.sk.Coef[k])
		}
	}
	if math.Abs(float64(d.b)-ls.sk.Intercept) > 1e-3 {
		t.Errorf("b = %v, scikit-learn %v", d.b, ls.sk.Intercept)
	}
	skJ := float64(ls.scaled.cost([]float32{float32(ls.sk.Coef[0]), float32(ls.sk.Coef[1])}, float32(ls.sk.Intercept)))
	if math.Abs(skJ-ls.sk.J) > 1e-6*ls.sk.J {
		t.Errorf("J at scikit-learn's weights: %v here, %v in sklearn.json", skJ, ls.sk.J)
	}
}

// TestScalingMatters runs both problems for the same epochs: each step of
// 1/L must not raise J, and the raw features must end much further from
// the optimum than the scaled ones.
func TestScalingMatters(t *testing.T) {
	ls := mustLesson(t)
	const epochs = 500
	sd, rd := ls.scaled.train(epochs), ls.raw.train(epochs)
	for _, d := range []*descent{sd, rd} {
		for i := 1; i < len(d.curve); i++ {
			// float32 rounding of J allows a flat step, not a rise.
			if d.curve[i] > d.curve[i-1]*(1+1e-6) {
				t.Fatalf("step %.3g: J rose from %v to %v at epoch %d", d.lr, d.curve[i-1], d.curve[i], i)
			}
		}
	}
	gapS := float64(sd.curve[epochs]) - ls.sk.J
	gapR := float64(rd.curve[epochs]) - ls.sk.J
	t.Logf("J - J* after %d epochs: scaled %.3g, raw %.3g", epochs, gapS, gapR)
	if !(gapR > 100*math.Abs(gapS)) || !(gapR > 0.01) {
		t.Errorf("J - J* after %d epochs: scaled %v, raw %v; want raw far behind", epochs, gapS, gapR)
	}
	if sd.reached(ls.sk.J, 1e-4) < 0 || rd.reached(ls.sk.J, 1e-4) >= 0 {
		t.Errorf("epochs to J*(1+1e-4): scaled %d, raw %d; want the scaled run there and the raw one not",
			sd.reached(ls.sk.J, 1e-4), rd.reached(ls.sk.J, 1e-4))
	}
}

// TestGrid checks the cost grid: every point's J is bce.Mean of that point's
// logits as problem.cost computes them, and the grid's least J lies at the
// grid point nearest scikit-learn's optimum.
func TestGrid(t *testing.T) {
	ls := mustLesson(t)
	b := float32(ls.sk.Intercept)
	w1s, w2s := span(-6, -1, 21), span(-3, 1, 17)
	g := ls.scaled.evalGrid(w1s, w2s, b)
	nc, nr := g.Dims()
	if nc != 21 || nr != 17 {
		t.Fatalf("Dims() = %d, %d, want 21, 17", nc, nr)
	}
	best := [2]int{}
	for r := range nr {
		for c := range nc {
			want := float64(ls.scaled.cost([]float32{float32(g.X(c)), float32(g.Y(r))}, b))
			if math.Abs(g.Z(c, r)-want) > 1e-6*want {
				t.Fatalf("J(%v, %v) = %v on the grid, %v from cost", g.X(c), g.Y(r), g.Z(c, r), want)
			}
			if g.Z(c, r) < g.Z(best[0], best[1]) {
				best = [2]int{c, r}
			}
		}
	}
	step1, step2 := w1s[1]-w1s[0], w2s[1]-w2s[0]
	if math.Abs(g.X(best[0])-ls.sk.Coef[0]) > step1/2 || math.Abs(g.Y(best[1])-ls.sk.Coef[1]) > step2/2 {
		t.Errorf("least J on the grid at (%v, %v), scikit-learn's optimum (%v, %v)",
			g.X(best[0]), g.Y(best[1]), ls.sk.Coef[0], ls.sk.Coef[1])
	}
	if lo, hi := g.minMax(); lo != g.Z(best[0], best[1]) || !(hi > lo) {
		t.Errorf("minMax() = %v, %v; least value %v", lo, hi, g.Z(best[0], best[1]))
	}
}

// TestRun runs the command end to end into a temporary -out directory and
// checks the lines it promises and that every picture is a non-trivial PNG.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	r, err := run([]string{"-out", dir}, &out)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	if r.relJ > 1e-4 {
		t.Errorf("relative difference from scikit-learn's J: %v", r.relJ)
	}
	for _, s := range []string{"mean radius", "mean texture", "0.223", "0.357", "grid points/s", "relative difference in J"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output has no %q", s)
		}
	}
	want := []string{"sigmoid.png", "learning_curves.png", "decision_boundary.png", "cost_contour.png", "cost_surface.png"}
	if len(r.files) != len(want) {
		t.Fatalf("files %q, want %q", r.files, want)
	}
	for i, name := range want {
		if r.files[i] != filepath.Join(dir, name) {
			t.Errorf("file %d: %s, want %s", i, r.files[i], filepath.Join(dir, name))
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		if len(b) < 5000 || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("%s: %d bytes, want a PNG of some size", name, len(b))
		}
	}
	if n := len(r.grid.j); n != 201*201 {
		t.Errorf("default grid: %d points, want 201×201", n)
	}
}

// TestDefaultOut checks that without -out the pictures go into a new
// directory under the system's temporary directory, which the output names,
// and not into the working directory.
func TestDefaultOut(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var out bytes.Buffer
	r, err := run([]string{"-grid", "9", "-epochs", "50"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(r.dir) != tmp || !strings.Contains(out.String(), r.dir) {
		t.Errorf("pictures in %s, want a new directory in %s named in the output", r.dir, tmp)
	}
	for _, f := range r.files {
		if filepath.Dir(f) != r.dir {
			t.Errorf("%s is not in %s", f, r.dir)
		}
	}
	for _, bad := range [][]string{{"-epochs", "0"}, {"-grid", "1"}, {"extra"}} {
		if _, err := run(bad, io.Discard); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func mustLesson(t *testing.T) *lesson {
	t.Helper()
	ls, err := newLesson()
	if err != nil {
		t.Fatal(err)
	}
	return ls
}
