package bce

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	inf  = float32(math.Inf(1))
	nan  = float32(math.NaN())
	maxf = float32(math.MaxFloat32)
)

func isNaN32(v float32) bool { return v != v }

// one runs the per-element functions on a single element.
func one(x, y float32) (loss, grad, sig float32) {
	l, g, s := []float32{0}, []float32{0}, []float32{0}
	Loss(l, []float32{x}, []float32{y})
	Grad(g, []float32{x}, []float32{y})
	Sigmoid(s, []float32{x})
	return l[0], g[0], s[0]
}

func TestEdgeValues(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		cases := []struct {
			name       string
			x, y       float32
			loss, grad float32
		}{
			{"+Inf right label", inf, 1, 0, 0},
			{"-Inf right label", -inf, 0, 0, 0},
			{"+Inf wrong label", inf, 0, inf, 1},
			{"-Inf wrong label", -inf, 1, inf, -1},
			{"+Inf soft label", inf, 0.25, inf, 0.75},
			{"-Inf soft label", -inf, 0.25, inf, -0.25},
			{"+Inf y=0.5", inf, 0.5, inf, 0.5},
			{"-Inf y=0.5", -inf, 0.5, inf, -0.5},
			{"+max right label", maxf, 1, 0, 0},
			{"+max wrong label", maxf, 0, maxf, 1},
			{"-max wrong label", -maxf, 1, maxf, -1},
			{"-max right label", -maxf, 0, 0, 0},
			{"+0 y=0", 0, 0, float32(math.Ln2), 0.5},
			{"-0 y=1", float32(math.Copysign(0, -1)), 1, float32(math.Ln2), -0.5},
		}
		for _, c := range cases {
			l, g, _ := one(c.x, c.y)
			assert.Equal(t, c.loss, l, "%s: loss(%v, %v)", c.name, c.x, c.y)
			assert.Equal(t, c.grad, g, "%s: grad(%v, %v)", c.name, c.x, c.y)
		}
		_, _, s := one(inf, 0)
		assert.Equal(t, float32(1), s, "sigmoid(+Inf)")
		_, _, s = one(-inf, 0)
		assert.Equal(t, float32(0), s, "sigmoid(-Inf)")
		_, _, s = one(maxf, 0)
		assert.Equal(t, float32(1), s, "sigmoid(+max)")
		_, _, s = one(-maxf, 0)
		assert.Equal(t, float32(0), s, "sigmoid(-max)")

		// Half the soft-label loss at a huge logit is huge but finite.
		l, _, _ := one(-maxf, 0.5)
		assert.Equal(t, maxf/2, l, "loss(-max, 0.5)")
	})
}

func TestNaNPropagates(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		for _, in := range [][2]float32{{nan, 0}, {nan, 1}, {nan, 0.5}, {0, nan}, {5, nan}, {-5, nan}, {inf, nan}, {-inf, nan}, {nan, nan}} {
			l, g, s := one(in[0], in[1])
			assert.True(t, isNaN32(l), "loss(%v, %v) = %v, want NaN", in[0], in[1], l)
			assert.True(t, isNaN32(g), "grad(%v, %v) = %v, want NaN", in[0], in[1], g)
			if isNaN32(in[0]) {
				assert.True(t, isNaN32(s), "sigmoid(NaN) = %v", s)
			}
		}
		// One NaN anywhere in a long input makes the reductions NaN, at
		// every lane position and in the tail.
		for _, n := range []int{1, 7, 16, 17, 100, 1000} {
			for pos := 0; pos < n; pos += max(1, n/7) {
				x, y := make([]float32, n), make([]float32, n)
				for i := range x {
					x[i], y[i] = float32(i%9)-4, float32(i&1)
				}
				x[pos] = nan
				assert.True(t, isNaN32(Sum(x, y)), "Sum with NaN logit at %d of %d", pos, n)
				assert.True(t, isNaN32(Mean(x, y)), "Mean with NaN logit at %d of %d", pos, n)
				assert.True(t, isNaN32(LossGrad(make([]float32, n), x, y)), "LossGrad with NaN at %d of %d", pos, n)
				x[pos], y[pos] = 1, nan
				assert.True(t, isNaN32(Mean(x, y)), "Mean with NaN target at %d of %d", pos, n)
			}
		}
	})
}

// TestSmallResults checks that results far below 1 are not flushed: the
// losses and gradients of right labels at large |x|, down to subnormals.
func TestSmallResults(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		for _, x := range []float32{30, 50, 87, 88, 95, 100, 102, 103} {
			want := math.Exp(-float64(x)) // log1p(e) = e to double precision here
			l, g, _ := one(x, 1)
			assert.LessOrEqual(t, ulpErr(l, want, want), float64(boundHard), "loss(%v, 1) = %v, want %v", x, l, want)
			assert.LessOrEqual(t, ulpErr(g, -want, want), float64(boundHard), "grad(%v, 1) = %v, want %v", x, g, -want)
			l, g, _ = one(-x, 0)
			assert.LessOrEqual(t, ulpErr(l, want, want), float64(boundHard), "loss(%v, 0) = %v, want %v", -x, l, want)
			assert.LessOrEqual(t, ulpErr(g, want, want), float64(boundHard), "grad(%v, 0) = %v, want %v", -x, g, want)
		}
		l, g, _ := one(30, 1)
		assert.InDelta(t, 9.357623e-14, l, 1e-19, "loss(30, 1)")
		assert.InDelta(t, -9.357623e-14, g, 1e-19, "grad(30, 1)")
		l, _, _ = one(100, 1)
		assert.Greater(t, l, float32(0), "loss(100, 1) must be a subnormal, not 0")
		assert.Less(t, l, float32(0x1p-126), "loss(100, 1) is subnormal")
	})
}

// TestTextbookExample is the worked example of every course on the log loss.
func TestTextbookExample(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		x := []float32{float32(math.Log(4)), float32(math.Log(3.0 / 7))}
		y := []float32{1, 0}
		l := make([]float32, 2)
		Loss(l, x, y)
		assert.InDelta(t, 0.2231, l[0], 5e-5, "y=1, p=0.8")
		assert.InDelta(t, 0.3567, l[1], 5e-5, "y=0, p=0.3")
		assert.InDelta(t, (0.22314355+0.35667494)/2, Mean(x, y), 1e-6)
		s := make([]float32, 2)
		Sigmoid(s, x)
		assert.InDelta(t, 0.8, s[0], 1e-7)
		assert.InDelta(t, 0.3, s[1], 1e-7)
	})
}

func TestEmptyInputs(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		assert.True(t, isNaN32(Mean(nil, nil)), "Mean of nothing")
		assert.Equal(t, float32(0), Sum(nil, nil), "Sum of nothing")
		assert.True(t, isNaN32(LossGrad(nil, nil, nil)), "LossGrad of nothing")
		assert.True(t, isNaN32(LossGrad([]float32{}, []float32{}, []float32{})))
		Loss(nil, nil, nil)
		Grad(nil, nil, nil)
		Sigmoid(nil, nil)
		assert.Equal(t, float32(0), Criterion{Reduction: ReduceSum}.LossGrad(nil, nil, nil))
		assert.True(t, isNaN32(Criterion{Weight: []float32{}, Reduction: ReduceWeightMean}.Reduce(nil, nil)))
	})
}

// TestLengthPanics checks that mismatched lengths panic with the function's
// name and the lengths, before anything is written.
func TestLengthPanics(t *testing.T) {
	dst := []float32{7, 7, 7}
	x2, y3 := []float32{1, 2}, []float32{0, 1, 0}
	x3 := []float32{1, 2, 3}
	cases := []struct {
		name, want string
		f          func()
	}{
		{"Loss", "bce.Loss: len(dst) = 3, len(logits) = 2, len(targets) = 3", func() { Loss(dst, x2, y3) }},
		{"Grad", "bce.Grad: len(dst) = 3, len(logits) = 2", func() { Grad(dst, x2, y3) }},
		{"LossGrad", "bce.LossGrad: len(grad) = 3, len(logits) = 2", func() { LossGrad(dst, x2, y3) }},
		{"Sigmoid", "bce.Sigmoid: len(dst) = 3, len(logits) = 2", func() { Sigmoid(dst, x2) }},
		{"Sum", "bce.Sum: len(logits) = 2, len(targets) = 3", func() { Sum(x2, y3) }},
		{"Mean", "bce.Mean: len(logits) = 2, len(targets) = 3", func() { Mean(x2, y3) }},
		{"Criterion.Loss", "bce.Criterion.Loss: len(dst) = 3, len(logits) = 2", func() { Criterion{}.Loss(dst, x2, y3) }},
		{"Criterion.Reduce", "bce.Criterion.Reduce: len(logits) = 2", func() { Criterion{}.Reduce(x2, y3) }},
		{"Weight", "bce.Criterion.Grad: len(Weight) = 2, want len(logits) = 3", func() { Criterion{Weight: x2}.Grad(dst, x3, y3) }},
		{"PosWeight", "bce.Criterion.LossGrad: len(PosWeight) = 2 does not divide len(logits) = 3", func() { Criterion{PosWeight: x2}.LossGrad(dst, x3, y3) }},
		{"PosWeight<0", "bce.Criterion.Loss: PosWeight[1] = -1, want finite and >= 0", func() { Criterion{PosWeight: []float32{1, -1, 1}}.Loss(dst, x3, y3) }},
		{"PosWeight NaN", "bce.Criterion.Loss: PosWeight[0] = NaN", func() { Criterion{PosWeight: []float32{nan}}.Loss(dst, x3, y3) }},
		{"PosWeight Inf", "bce.Criterion.Reduce: PosWeight[0] = +Inf", func() { Criterion{PosWeight: []float32{inf}}.Reduce(x3, y3) }},
		{"LabelSmoothing", "bce.Criterion.Loss: LabelSmoothing = 1.5, want it in [0,1]", func() { Criterion{LabelSmoothing: 1.5}.Loss(dst, x3, y3) }},
		{"LabelSmoothing NaN", "bce.Criterion.Grad: LabelSmoothing = NaN", func() { Criterion{LabelSmoothing: nan}.Grad(dst, x3, y3) }},
		{"Reduction", "bce.Criterion.Reduce: unknown Reduction(7)", func() { Criterion{Reduction: 7}.Reduce(x3, y3) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				require.NotNil(t, r, "no panic")
				assert.Contains(t, r, c.want)
				assert.Equal(t, []float32{7, 7, 7}, dst, "dst written before the panic")
			}()
			c.f()
		})
	}
}

func TestCheckTargets(t *testing.T) {
	assert.NoError(t, CheckTargets(nil))
	assert.NoError(t, CheckTargets([]float32{0, 1, 0.5, float32(math.Copysign(0, -1))}))
	for _, bad := range []float32{nan, -0.001, 1.0001, inf, -inf} {
		err := CheckTargets([]float32{0, 1, bad, 0.5})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "target 2")
	}
}

// TestInPlace checks dst aliasing an input.
func TestInPlace(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		x, y := randomInputs(1000, 1)
		for _, f := range []struct {
			name string
			run  func(dst, x, y []float32)
		}{
			{"Loss", Loss},
			{"Grad", Grad},
			{"Sigmoid", func(d, x, _ []float32) { Sigmoid(d, x) }},
			{"LossGrad", func(d, x, y []float32) { LossGrad(d, x, y) }},
			{"Criterion.Loss", Criterion{PosWeight: []float32{2}, LabelSmoothing: 0.1}.Loss},
			{"Criterion.Grad", Criterion{Weight: y, GradScale: 3}.Grad},
		} {
			want := make([]float32, len(x))
			f.run(want, x, y)
			xx := append([]float32(nil), x...)
			f.run(xx, xx, y)
			assertSameBits(t, want, xx, f.name+" in place over logits")
			if f.name == "Criterion.Grad" {
				continue // its weights alias the targets
			}
			yy := append([]float32(nil), y...)
			f.run(yy, x, yy)
			if f.name != "Sigmoid" {
				assertSameBits(t, want, yy, f.name+" in place over targets")
			}
		}
	})
}
