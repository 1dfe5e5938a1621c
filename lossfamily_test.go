package bce

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of LossAndGrad (package, Criterion and Focal), Softplus, LogSigmoid
// and Criterion.ClassWeight above the kernels (the harness rows check the
// kernels themselves): the bits they promise to share with Loss and Grad,
// aliasing, panics and edges.

// familyLengths cross the 16-element groups, the weighted chunks (wchunk)
// and the 64 Ki chunks.
var familyLengths = []int{0, 1, 3, 15, 16, 17, 63, 64, 65, 255, 257, 2047, 2048, 2049, 5000, 1<<16 + 33}

// lossAndGradder is a one-pass loss and gradient with the Loss and Grad it
// must equal bit for bit.
type lossAndGradder struct {
	name       string
	both       func(loss, grad, x, y []float32)
	loss, grad func(dst, x, y []float32)
}

func lossAndGradders(w []float32) []lossAndGradder {
	ls := []lossAndGradder{{"LossAndGrad", LossAndGrad, Loss, Grad}}
	for _, c := range []Criterion{
		{},
		{GradScale: -0.5},
		{Weight: w, GradScale: 3},
		{PosWeight: []float32{2, 0.5, 1}, LabelSmoothing: 0.1},
		{ClassWeight: []float32{0.25, 4}, Weight: w, Reduction: ReduceWeightMean},
	} {
		ls = append(ls, lossAndGradder{fmt.Sprintf("Criterion%+v", c), c.LossAndGrad, c.Loss, c.Grad})
	}
	for _, f := range []Focal{
		{},
		{Gamma: 2, Alpha: 0.25},
		{Gamma: 1, Weight: w, GradScale: -2},
		{Gamma: 0, Alpha: 0.75, LabelSmoothing: 0.1},
		{Gamma: 0.5, Weight: w, LabelSmoothing: 0.2, Reduction: ReduceSum},
		{Gamma: 3.7, Alpha: 0.25, GradScale: 0.5},
	} {
		ls = append(ls, lossAndGradder{fmt.Sprintf("Focal%+v", f), f.LossAndGrad, f.Loss, f.Grad})
	}
	return ls
}

// TestLossAndGradBits checks that the one-pass forms write exactly the bits
// of Loss and Grad, and that either output may be the logits or the targets
// (all four aliasings), on every path.
func TestLossAndGradBits(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		for _, n := range familyLengths {
			n -= n % 6 // PosWeight's and ClassWeight's lengths divide n
			x, y := randomInputs(n, int64(n)+501)
			w := randomWeights(n, int64(n)+502)
			for _, f := range lossAndGradders(w) {
				wantL, wantG := make([]float32, n), make([]float32, n)
				f.loss(wantL, x, y)
				f.grad(wantG, x, y)
				l, g := make([]float32, n), make([]float32, n)
				f.both(l, g, x, y)
				what := fmt.Sprintf("%s n=%d", f.name, n)
				assertSameBits(t, wantL, l, what+": loss")
				assertSameBits(t, wantG, g, what+": grad")
				for _, alias := range []string{"loss=x", "loss=y", "grad=x", "grad=y"} {
					xx, yy := append([]float32(nil), x...), append([]float32(nil), y...)
					l, g := make([]float32, n), make([]float32, n)
					switch alias {
					case "loss=x":
						l = xx
					case "loss=y":
						l = yy
					case "grad=x":
						g = xx
					case "grad=y":
						g = yy
					}
					f.both(l, g, xx, yy)
					assertSameBits(t, wantL, l, what+" "+alias+": loss")
					assertSameBits(t, wantG, g, what+" "+alias+": grad")
				}
			}
		}
	})
}

// TestLossAndGradPanics checks that the one-pass forms refuse the same
// slice for both outputs and mismatched lengths, naming the function and
// writing nothing; two empty outputs are fine.
func TestLossAndGradPanics(t *testing.T) {
	x, y := []float32{1, -2, 3}, []float32{0, 1, 0.5}
	buf := []float32{7, 7, 7}
	short := []float32{7, 7}
	cases := []struct {
		want string
		f    func()
	}{
		{"bce.LossAndGrad: loss and grad are the same slice (len 3)", func() { LossAndGrad(buf, buf, x, y) }},
		{"bce.Criterion.LossAndGrad: loss and grad are the same slice", func() { Criterion{Weight: y}.LossAndGrad(buf, buf, x, y) }},
		{"bce.Focal.LossAndGrad: loss and grad are the same slice", func() { Focal{Gamma: 2}.LossAndGrad(buf, buf, x, y) }},
		{"bce.Focal.LossAndGrad: Gamma = NaN", func() { Focal{Gamma: nan}.LossAndGrad(buf, make([]float32, 3), x, y) }},
		{"bce.Focal.LossAndGrad: len(loss) = 3, len(grad) = 2", func() { Focal{Gamma: 0.5}.LossAndGrad(buf, short, x, y) }},
		{"bce.LossAndGrad: len(loss) = 3, len(grad) = 2, len(logits) = 3, len(targets) = 3", func() { LossAndGrad(buf, short, x, y) }},
		{"bce.Criterion.LossAndGrad: len(loss) = 2, len(grad) = 3", func() { Criterion{}.LossAndGrad(short, buf, x, y) }},
		{"bce.Criterion.LossAndGrad: len(ClassWeight) = 2 does not divide len(logits) = 3", func() {
			Criterion{ClassWeight: []float32{1, 2}}.LossAndGrad(buf, make([]float32, 3), x, y)
		}},
		{"bce.Softplus: len(dst) = 2, len(x) = 3", func() { Softplus(short, x) }},
		{"bce.LogSigmoid: len(dst) = 3, len(x) = 2", func() { LogSigmoid(buf, x[:2]) }},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			defer func() {
				r := recover()
				require.NotNil(t, r, "no panic")
				assert.Contains(t, r, c.want)
				assert.Equal(t, []float32{7, 7, 7}, buf, "written before the panic")
				assert.Equal(t, []float32{7, 7}, short, "written before the panic")
			}()
			c.f()
		})
	}
	assert.NotPanics(t, func() { LossAndGrad(nil, nil, nil, nil) })
	assert.NotPanics(t, func() { Criterion{Weight: []float32{}}.LossAndGrad(nil, nil, nil, nil) })
}

// TestSoftplusLogSigmoid checks Softplus against Loss with targets 0 and
// LogSigmoid against -Loss with targets 1, bit for bit (so their accuracy
// is the loss's), their edges, and that they read no targets (dst may be
// x).
func TestSoftplusLogSigmoid(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		for _, n := range familyLengths {
			x, _ := randomInputs(n, int64(n)+601)
			zeros, ones := make([]float32, n), make([]float32, n)
			for i := range ones {
				ones[i] = 1
			}
			wantSP, wantLS := make([]float32, n), make([]float32, n)
			Loss(wantSP, x, zeros)
			Loss(wantLS, x, ones)
			for i := range wantLS {
				wantLS[i] = -wantLS[i]
			}
			got := make([]float32, n)
			Softplus(got, x)
			assertSameBits(t, wantSP, got, fmt.Sprintf("Softplus n=%d", n))
			LogSigmoid(got, x)
			assertSameBits(t, wantLS, got, fmt.Sprintf("LogSigmoid n=%d", n))
			xx := append([]float32(nil), x...)
			Softplus(xx, xx)
			assertSameBits(t, wantSP, xx, "Softplus in place")
			xx = append(xx[:0], x...)
			LogSigmoid(xx, xx)
			assertSameBits(t, wantLS, xx, "LogSigmoid in place")
		}
		negZero := float32(math.Copysign(0, -1))
		x := []float32{inf, -inf, nan, 0, negZero, 200, -200, math.MaxFloat32, -math.MaxFloat32}
		sp, ls := make([]float32, len(x)), make([]float32, len(x))
		Softplus(sp, x)
		LogSigmoid(ls, x)
		ln2 := float32(math.Ln2)
		assertSameBits(t, []float32{inf, 0, nan, ln2, ln2, 200, 0, math.MaxFloat32, 0}, sp, "Softplus edges")
		assertSameBits(t, []float32{negZero, -inf, nan, -ln2, -ln2, negZero, -200, negZero, -math.MaxFloat32}, ls, "LogSigmoid edges")
	})
}

// expandClassWeight returns Weight times ClassWeight laid out per element,
// each product rounded once to float32, as the documentation defines it.
func expandClassWeight(w, cw []float32, n int) []float32 {
	e := make([]float32, n)
	for i := range e {
		wi := float32(1)
		if w != nil {
			wi = w[i]
		}
		e[i] = wi * cw[i%len(cw)]
	}
	return e
}

// TestClassWeight checks that ClassWeight is Weight expanded by hand, bit
// for bit, in every method and reduction, for class counts that do and do
// not divide the chunks, with and without Weight and PosWeight, at lengths
// that cross the 64 Ki chunks, on every path.
func TestClassWeight(t *testing.T) {
	classes := []int{1, 3, 5, 16, 17, 48, 100}
	if testing.Short() || raceEnabled {
		// Under qemu and the race detector (no concurrency here): a class
		// count that divides the chunks and one that does not; every count
		// runs natively (CI's exhaustive step).
		classes = []int{16, 17}
	}
	forEachPath(t, func(t *testing.T) {
		for _, C := range classes {
			for _, n := range []int{C, 2 * C, 7 * C, 300 * C, (1<<16/C + 3) * C, (3 << 16 / C) * C} {
				x, y := randomInputs(n, int64(n*C)+701)
				w := randomWeights(n, int64(n*C)+702)
				cw := randomWeights(C, int64(C)+703)
				for j := range cw {
					cw[j] = float32(math.Abs(float64(cw[j])))
					if cw[j]-cw[j] != 0 {
						cw[j] = 2
					}
				}
				cw[0] = 0 // a masked class
				for _, base := range []Criterion{
					{},
					{Weight: w},
					{Weight: w, PosWeight: []float32{3, 0.5}[:2-n%2], LabelSmoothing: 0.2, GradScale: 0.75},
				} {
					for _, r := range []Reduction{ReduceMean, ReduceSum, ReduceWeightMean} {
						got, want := base, base
						got.ClassWeight, got.Reduction = cw, r
						want.Weight, want.Reduction = expandClassWeight(base.Weight, cw, n), r
						what := fmt.Sprintf("C=%d n=%d %+v", C, n, base)
						compareCriteria(t, got, want, x, y, what)
					}
				}
			}
		}
	})
}

// compareCriteria requires every method of got and want to give the same
// bits on x, y.
func compareCriteria(t *testing.T, got, want Criterion, x, y []float32, what string) {
	t.Helper()
	n := len(x)
	a, b := make([]float32, n), make([]float32, n)
	a2, b2 := make([]float32, n), make([]float32, n)
	got.Loss(a, x, y)
	want.Loss(b, x, y)
	assertSameBits(t, b, a, what+": Loss")
	got.Grad(a, x, y)
	want.Grad(b, x, y)
	assertSameBits(t, b, a, what+": Grad")
	got.LossAndGrad(a, a2, x, y)
	want.LossAndGrad(b, b2, x, y)
	assertSameBits(t, b, a, what+": LossAndGrad's loss")
	assertSameBits(t, b2, a2, what+": LossAndGrad's grad")
	assertSameBits(t, []float32{want.Reduce(x, y)}, []float32{got.Reduce(x, y)}, what+": Reduce")
	lg, wl := got.LossGrad(a, x, y), want.LossGrad(b, x, y)
	assertSameBits(t, []float32{wl}, []float32{lg}, what+": LossGrad's value")
	assertSameBits(t, b, a, what+": LossGrad's gradient")
}

// TestClassWeightMasks checks that a ClassWeight entry of 0, and a product
// that underflows to 0, mask the element whatever its logit and target.
func TestClassWeightMasks(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		x := []float32{nan, inf, -inf, 3, nan, 1}
		y := []float32{0.5, 0, 1, nan, 1, 0}
		w := []float32{1, 1, 1, 1, 1e-30, 1e-30}
		c := Criterion{Weight: w, ClassWeight: []float32{0, 0, 0, 0, 1e-20, 1e-20}}
		loss, grad := make([]float32, 6), make([]float32, 6)
		c.LossAndGrad(loss, grad, x, y)
		assertSameBits(t, make([]float32, 6), loss, "masked losses")
		assertSameBits(t, make([]float32, 6), grad, "masked gradients")
		c.Reduction = ReduceSum
		assert.Equal(t, float32(0), c.Reduce(x, y))
		c.Reduction = ReduceWeightMean
		assert.True(t, math.IsNaN(float64(c.Reduce(x, y))), "every weight 0: NaN mean")
	})
}

func TestClassWeightPanics(t *testing.T) {
	x, y := []float32{1, 2, 3, 4}, []float32{0, 1, 0, 1}
	dst := []float32{7, 7, 7, 7}
	for _, c := range []struct {
		cw   []float32
		want string
	}{
		{[]float32{1, 2, 3}, "bce.Criterion.Loss: len(ClassWeight) = 3 does not divide len(logits) = 4"},
		{[]float32{1, -1}, "bce.Criterion.Loss: ClassWeight[1] = -1, want finite and >= 0"},
		{[]float32{nan, 1}, "bce.Criterion.Loss: ClassWeight[0] = NaN"},
		{[]float32{1, inf}, "bce.Criterion.Loss: ClassWeight[1] = +Inf"},
	} {
		func() {
			defer func() {
				r := recover()
				require.NotNil(t, r, "no panic for %v", c.cw)
				assert.Contains(t, r, c.want)
				assert.Equal(t, []float32{7, 7, 7, 7}, dst, "written before the panic")
			}()
			Criterion{ClassWeight: c.cw}.Loss(dst, x, y)
		}()
	}
	// Empty means nil: the plain loss.
	want := make([]float32, 4)
	Loss(want, x, y)
	Criterion{ClassWeight: []float32{}}.Loss(dst, x, y)
	assertSameBits(t, want, dst, "empty ClassWeight")
}
