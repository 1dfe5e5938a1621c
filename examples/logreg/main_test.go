package main

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// testWriter sends a run's output to the test log (unless quiet), so that
// `go test -v` shows it.
type testWriter struct {
	t     *testing.T
	quiet bool
	buf   strings.Builder
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	if !w.quiet {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

// lastValue returns the value of the last line of out of the form key=value.
func lastValue(t *testing.T, out, key string) float64 {
	t.Helper()
	var v string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if s, ok := strings.CutPrefix(sc.Text(), key+"="); ok {
			v = s
		}
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatalf("no line %s=<number> in the output: %v", key, err)
	}
	return f
}

// TestRun runs the command as `go run ./examples/logreg` does, and checks the
// lines it promises and the quality of the fit: on this data set a linear
// model separates the classes to about 98-99% on the training data.
func TestRun(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "curve")
	w := &testWriter{t: t}
	r, err := run([]string{"-plot", prefix}, w)
	if err != nil {
		t.Fatal(err)
	}
	out := w.buf.String()
	if j := lastValue(t, out, "loss"); math.Abs(j-r.j) > 1e-7*r.j {
		t.Errorf("loss=%v printed, J = %v", j, r.j)
	}
	if acc := lastValue(t, out, "accuracy"); acc < 0.97 {
		t.Errorf("accuracy=%v, want at least 0.97", acc)
	}
	if r.j > 0.07 {
		t.Errorf("final J = %v, want below 0.07", r.j)
	}
	for i := 1; i < len(r.curve); i++ {
		// A step of 1/L decreases J every epoch; float32 rounding of J
		// allows a flat step, not a rise.
		if r.curve[i] > r.curve[i-1]*(1+1e-6) {
			t.Fatalf("J rose from %v to %v at epoch %d", r.curve[i-1], r.curve[i], i)
		}
	}
	for _, ext := range []string{".png", ".svg"} {
		fi, err := os.Stat(prefix + ext)
		if err != nil || fi.Size() < 1000 {
			t.Errorf("plot %s: %v (size %v)", prefix+ext, err, fi)
		}
	}
	if !strings.Contains(out, "confusion matrix") {
		t.Error("no confusion matrix in the output")
	}
}

// TestScalingMatters runs the same number of epochs with and without feature
// scaling: unscaled, the step that keeps gradient descent stable along the
// large features leaves it far from the optimum.
func TestScalingMatters(t *testing.T) {
	var j [2]float64
	for i, scale := range []string{"-scale=true", "-scale=false"} {
		r, err := run([]string{scale, "-epochs", "2000", "-plot", ""}, &testWriter{t: t, quiet: true})
		if err != nil {
			t.Fatal(err)
		}
		j[i] = r.j
	}
	t.Logf("J after 2000 epochs: scaled %.6g, unscaled %.6g", j[0], j[1])
	if !(j[1] > 2*j[0]) {
		t.Errorf("J after 2000 epochs: scaled %v, unscaled %v; want unscaled far worse", j[0], j[1])
	}
}

// TestCostTicks: the learning curve's cost axis, from J = log 2 to the
// optimum 0.066, has labels to read values off, not only 0.1.
func TestCostTicks(t *testing.T) {
	var labels []string
	for _, tk := range costTicks(0.066, 0.6931) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if len(labels) < 4 {
		t.Errorf("cost axis labels %q, want at least 4", labels)
	}
}
