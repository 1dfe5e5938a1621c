package linear

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestForwardBackward checks both layouts (k = 1 has its own loop) against
// the definitions written as plain triple loops, and that Backward
// overwrites rather than accumulates.
func TestForwardBackward(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, shape := range [][3]int{{7, 5, 1}, {9, 6, 3}, {1, 1, 1}, {0, 3, 2}} {
		n, d, k := shape[0], shape[1], shape[2]
		x, w, b, gz := rnd(rng, n*d), rnd(rng, d*k), rnd(rng, k), rnd(rng, n*k)
		z := make([]float64, n*k)
		Forward(z, x, w, b, n, d, k)
		gw, gb := rnd(rng, d*k), rnd(rng, k) // garbage to be overwritten
		Backward(gw, gb, x, gz, n, d, k)
		for i := range n {
			for c := range k {
				want := b[c]
				for j := range d {
					want += x[i*d+j] * w[j*k+c]
				}
				if math.Abs(z[i*k+c]-want) > 1e-12 {
					t.Errorf("%v: z[%d,%d] = %v, want %v", shape, i, c, z[i*k+c], want)
				}
			}
		}
		for c := range k {
			var wantB float64
			for i := range n {
				wantB += gz[i*k+c]
			}
			if math.Abs(gb[c]-wantB) > 1e-12 {
				t.Errorf("%v: gb[%d] = %v, want %v", shape, c, gb[c], wantB)
			}
			for j := range d {
				var want float64
				for i := range n {
					want += x[i*d+j] * gz[i*k+c]
				}
				if math.Abs(gw[j*k+c]-want) > 1e-12 {
					t.Errorf("%v: gw[%d,%d] = %v, want %v", shape, j, c, gw[j*k+c], want)
				}
			}
		}
	}
}

// TestGramMaxEig checks the power iteration on a matrix whose Gram matrix is
// diagonal, so its eigenvalues can be read off.
func TestGramMaxEig(t *testing.T) {
	// Rows (3,0), (-3,0), (0,1), (0,-1) and the bias column of ones: the
	// cross terms cancel, so AᵀA/4 = diag(18/4, 2/4, 4/4) and λmax = 4.5.
	x := []float32{3, 0, -3, 0, 0, 1, 0, -1}
	if got := GramMaxEig(x, nil, 4, 2); math.Abs(got-4.5) > 1e-9 {
		t.Errorf("GramMaxEig = %v, want 4.5", got)
	}
	// Row weights 1, 1, 30, 30: AᵀDA/4 = diag(18/4, 60/4, 62/4), the bias
	// entry being the mean weight, so λmax = 15.5.
	wt := []float32{1, 1, 30, 30}
	if got := GramMaxEig(x, wt, 4, 2); math.Abs(got-15.5) > 1e-9 {
		t.Errorf("weighted GramMaxEig = %v, want 15.5", got)
	}
}

func rnd(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}
