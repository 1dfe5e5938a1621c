package main

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastbce/bce/examples/internal/dataset"
)

// scaledData is the embedded data set, z-scored as run does by default.
func scaledData(t *testing.T) *dataset.Set {
	t.Helper()
	ds, err := loadData("")
	if err != nil {
		t.Fatal(err)
	}
	zscore(ds.Set)
	return ds.Set
}

// randomTheta returns a point away from the optimum, where the gradient is
// large in every coordinate, so the comparison below checks something.
func randomTheta(d int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0))
	theta := make([]float64, d+1)
	for j := range theta {
		theta[j] = 0.5 * rng.NormFloat64()
	}
	return theta
}

// centralDiff returns the central finite difference of J along coordinate j,
// (J(theta + h e_j) - J(theta - h e_j)) / 2h. Its truncation error is
// O(h² J⁽³⁾) and its rounding error O(eps J / h); h = 1e-5 balances the two
// at about 1e-10 for a J of order 1.
func centralDiff(o *objective64, theta []float64, j int, h float64) float64 {
	t := append([]float64(nil), theta...)
	t[j] = theta[j] + h
	jp := o.J(t)
	t[j] = theta[j] - h
	jm := o.J(t)
	return (jp - jm) / (2 * h)
}

// TestGradientFiniteDifferences checks the analytic gradients against central
// finite differences of the float64 objective, for a few lambdas (the penalty
// term has its own chain rule, and b must stay out of it): first the float64
// gradient that LBFGS relies on, to 1e-7, then the float32 gradient that
// gradient descent uses (bce.LossGrad and the linear layer in float32), to
// a tolerance set by float32's 24-bit precision.
func TestGradientFiniteDifferences(t *testing.T) {
	s := scaledData(t)
	for _, lambda := range []float64{0, 1, 30} {
		o := newObjective64(s, lambda)
		p := newProblem(dataset.Float32(s.X), dataset.Float32(s.Y), s.N, s.D, lambda)
		for seed := range uint64(3) {
			theta := randomTheta(s.D, seed)
			g64 := make([]float64, s.D+1)
			o.Grad(g64, theta)

			th32 := dataset.Float32(theta)
			gw := make([]float32, s.D)
			gb := make([]float32, 1)
			j32 := p.lossGrad(th32[:s.D], th32[s.D:], gw, gb)
			g32 := append(gw, gb...)
			// theta rounded to float32 is a slightly different point;
			// compare the float32 path at the point it actually saw.
			o32 := make([]float64, s.D+1)
			for j, v := range th32 {
				o32[j] = float64(v)
			}
			if j64 := o.J(o32); math.Abs(float64(j32)-j64) > 1e-6*j64 {
				t.Errorf("lambda %v seed %d: float32 J = %.9g, float64 J = %.9g", lambda, seed, j32, j64)
			}

			var worst64, worst32 float64
			for j := range theta {
				fd := centralDiff(o, theta, j, 1e-5)
				fd32 := centralDiff(o, o32, j, 1e-5)
				e64 := math.Abs(g64[j]-fd) / max(math.Abs(fd), 1e-3)
				e32 := math.Abs(float64(g32[j])-fd32) / max(math.Abs(fd32), 1e-3)
				worst64, worst32 = max(worst64, e64), max(worst32, e32)
				if e64 > 1e-7 {
					t.Errorf("lambda %v seed %d: float64 dJ/dtheta[%d] = %.10g, finite difference %.10g", lambda, seed, j, g64[j], fd)
				}
				if e32 > 1e-5 {
					t.Errorf("lambda %v seed %d: float32 dJ/dtheta[%d] = %.8g, finite difference %.10g", lambda, seed, j, g32[j], fd32)
				}
			}
			t.Logf("lambda %v seed %d: worst relative error vs finite differences: float64 %.2g, float32 %.2g", lambda, seed, worst64, worst32)
		}
	}
}
