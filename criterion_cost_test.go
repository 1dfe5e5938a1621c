package bce

import (
	"fmt"
	"strings"
	"testing"
)

// fixedCostFns are the calls whose cost at n = 1 is all fixed cost: the
// plain Mean and LossGrad, and the Criterion forms that run the weighted
// kernels, with a weight, with a positive weight, and both.
var fixedCostFns = []struct {
	name string
	run  func(x, y, w, pw, dst []float32)
}{
	{"Mean", func(x, y, _, _, _ []float32) { sink += Mean(x, y) }},
	{"LossGrad", func(x, y, _, _, dst []float32) { sink += LossGrad(dst, x, y) }},
	{"Weight.Reduce", func(x, y, w, _, _ []float32) { sink += Criterion{Weight: w}.Reduce(x, y) }},
	{"PosWeight.Reduce", func(x, y, _, pw, _ []float32) { sink += Criterion{PosWeight: pw}.Reduce(x, y) }},
	{"Weight.LossGrad", func(x, y, w, _, dst []float32) { sink += Criterion{Weight: w}.LossGrad(dst, x, y) }},
	{"PosWeight.LossGrad", func(x, y, w, pw, dst []float32) {
		sink += Criterion{Weight: w, PosWeight: pw}.LossGrad(dst, x, y)
	}},
}

// BenchmarkFixedCost measures the cost of a call at n = 1, on the path in
// use, for the plain functions and the Criterion forms side by side:
//
//	go test -run '^$' -bench FixedCost -count 10 | benchstat -col /fn -
func BenchmarkFixedCost(b *testing.B) {
	x, y, w, pw, dst := []float32{0.5}, []float32{1}, []float32{0.7}, []float32{2}, []float32{0}
	for _, f := range fixedCostFns {
		b.Run("fn="+f.name+"/n=1", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				f.run(x, y, w, pw, dst)
			}
		})
	}
}

// TestPosWeightBuffers checks the ways the weighted calls lay out PosWeight
// per element: no buffer (one class, or one per element), the short buffer
// (chunks of at most wsmall), the long one, across its boundary and across
// several chunks, for class counts whose chunks start at class 0 and ones
// whose chunks start anywhere. Each must give the bits of the same positive
// weights spelled out per element, for every method.
func TestPosWeightBuffers(t *testing.T) {
	type tc struct{ C, n int }
	var cases []tc
	for _, C := range []int{1, 2, 3, 16, 17, 100, 2048, 3000} {
		for _, n := range []int{C, 2 * C, wsmall - wsmall%C, wsmall + C - wsmall%C, 5 * C, wchunk + C - wchunk%C, 3*wchunk + 2*C - (3*wchunk)%C} {
			if n > 0 && n%C == 0 && n <= 10000 {
				cases = append(cases, tc{C, n})
			}
		}
	}
	forEachPath(t, func(t *testing.T) {
		for _, c := range cases {
			x, y := randomInputs(c.n, int64(c.n+c.C))
			pw := randomWeights(c.C, int64(c.C))
			full := make([]float32, c.n)
			for i := range full {
				full[i] = pw[i%c.C]
			}
			w := randomWeights(c.n, 5)
			for _, weight := range [][]float32{nil, w} {
				ca := Criterion{PosWeight: pw, Weight: weight, LabelSmoothing: 0.05, GradScale: 3}
				cb := Criterion{PosWeight: full, Weight: weight, LabelSmoothing: 0.05, GradScale: 3}
				what := fmt.Sprintf("C=%d n=%d weights=%v", c.C, c.n, weight != nil)
				a, b := make([]float32, c.n), make([]float32, c.n)
				ca.Loss(a, x, y)
				cb.Loss(b, x, y)
				assertSameBits(t, b, a, what+" Loss")
				ca.Grad(a, x, y)
				cb.Grad(b, x, y)
				assertSameBits(t, b, a, what+" Grad")
				ra, rb := ca.LossGrad(a, x, y), cb.LossGrad(b, x, y)
				assertSameBits(t, b, a, what+" LossGrad")
				if !sameBits(ra, rb) || !sameBits(ca.Reduce(x, y), cb.Reduce(x, y)) {
					t.Errorf("%s: reductions %v, %v differ", what, ra, rb)
				}
			}
		}
	})
}

// TestGradScaleValidated checks that a NaN or infinite GradScale panics in
// every method, naming the method and the value, before anything is written.
func TestGradScaleValidated(t *testing.T) {
	x, y := []float32{1, -2, 3}, []float32{0, 1, 0.5}
	for _, g := range []float32{nan, inf, -inf} {
		c := Criterion{GradScale: g}
		for _, m := range []struct {
			name string
			f    func(dst []float32)
		}{
			{"Loss", func(dst []float32) { c.Loss(dst, x, y) }},
			{"Grad", func(dst []float32) { c.Grad(dst, x, y) }},
			{"Reduce", func([]float32) { c.Reduce(x, y) }},
			{"LossGrad", func(dst []float32) { c.LossGrad(dst, x, y) }},
		} {
			t.Run(fmt.Sprintf("%s/%v", m.name, g), func(t *testing.T) {
				dst := []float32{7, 7, 7}
				defer func() {
					r := recover()
					want := fmt.Sprintf("bce.Criterion.%s: GradScale = %v, want finite", m.name, g)
					if r == nil || !strings.Contains(fmt.Sprint(r), want) {
						t.Errorf("panic %v, want %q", r, want)
					}
					if dst[0] != 7 || dst[1] != 7 || dst[2] != 7 {
						t.Errorf("dst written before the panic: %v", dst)
					}
				}()
				m.f(dst)
			})
		}
	}
}

// TestNegativeGradScale checks the documented meaning of a negative
// GradScale: the formula applies as written, so the gradient is negated,
// bit for bit (negation is exact), and the loss is unchanged.
func TestNegativeGradScale(t *testing.T) {
	const n = 3000
	x, y := randomInputs(n, 131)
	w := randomWeights(n, 132)
	forEachPath(t, func(t *testing.T) {
		for _, s := range []float32{1, 2, 0.37, 1e-3} {
			for _, c := range []Criterion{
				{}, {Weight: w}, {PosWeight: []float32{3, 0.5}, LabelSmoothing: 0.1}, {Weight: w, Reduction: ReduceWeightMean},
			} {
				pos, neg := c, c
				pos.GradScale, neg.GradScale = s, -s
				gp, gn := make([]float32, n), make([]float32, n)
				pos.Grad(gp, x, y)
				neg.Grad(gn, x, y)
				negate(gp, c.Weight)
				what := fmt.Sprintf("GradScale=%v %+v", -s, c.Reduction)
				assertSameBits(t, gp, gn, what+" Grad")
				lp, ln := pos.LossGrad(gp, x, y), neg.LossGrad(gn, x, y)
				negate(gp, c.Weight)
				assertSameBits(t, gp, gn, what+" LossGrad")
				if !sameBits(lp, ln) {
					t.Errorf("%s: LossGrad loss %v, want %v", what, ln, lp)
				}
			}
		}
	})
}

// negate negates g in place, except where a weight of 0 masks the element
// out: its gradient is documented to be exactly +0 whatever the scale.
func negate(g, w []float32) {
	for i := range g {
		if w == nil || w[i] != 0 {
			g[i] = -g[i]
		}
	}
}
