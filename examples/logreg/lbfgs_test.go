package main

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/optimize"
)

// TestConvergesToLBFGSOptimum checks that gradient descent, run as the
// command runs it (float32 kernels, step 1/L, the default number of epochs),
// reaches the minimum of J that a quasi-Newton method finds, to 1e-5
// relative, with lambda = 1. LBFGS minimises the float64 objective from the
// same start; with lambda > 0, J is strictly convex, so both are looking for
// the same unique optimum. J of gradient descent's final (w, b) is
// re-evaluated in float64, so the comparison measures how far the iterate is
// from the optimum and not float32 rounding of J.
func TestConvergesToLBFGSOptimum(t *testing.T) {
	s := scaledData(t)
	o := newObjective64(s, 1)
	res, err := optimize.Minimize(optimize.Problem{Func: o.J, Grad: o.Grad},
		make([]float64, s.D+1), &optimize.Settings{GradientThreshold: 1e-10}, &optimize.LBFGS{})
	if err != nil {
		t.Fatalf("LBFGS: %v (status %v)", err, res.Status)
	}
	jStar := res.F
	t.Logf("LBFGS: J* = %.10g after %d iterations (status %v)", jStar, res.MajorIterations, res.Status)

	r, err := run([]string{"-lambda", "1", "-plot", ""}, &testWriter{t: t, quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	theta := make([]float64, s.D+1)
	for j, w := range r.w {
		theta[j] = float64(w)
	}
	theta[s.D] = float64(r.b)
	jGD := o.J(theta)
	rel := math.Abs(jGD-jStar) / jStar
	t.Logf("gradient descent: J = %.10g (float64), %.10g (float32 report) after %d epochs; relative difference %.2g",
		jGD, r.j, len(r.curve)-1, rel)
	if rel > 1e-5 {
		t.Errorf("gradient descent J = %.10g, LBFGS J* = %.10g: relative difference %.2g > 1e-5", jGD, jStar, rel)
	}
	if jGD < jStar*(1-1e-9) {
		t.Errorf("gradient descent J = %.10g is below the LBFGS optimum %.10g: LBFGS stopped early", jGD, jStar)
	}
}
