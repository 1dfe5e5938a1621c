package bce

import (
	"math"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestZeroCriterionIsPlain checks that the weighted kernels, given weights,
// positive weights and a scale that are all 1 (explicitly, so that the
// weighted kernels run), give the bits of the plain functions.
func TestZeroCriterionIsPlain(t *testing.T) {
	const n = 5000
	x, y := randomInputs(n, 51)
	one := ones(n)
	forEachPath(t, func(t *testing.T) {
		c := Criterion{Weight: one, PosWeight: []float32{1}}
		a, b := make([]float32, n), make([]float32, n)
		Loss(a, x, y)
		c.Loss(b, x, y)
		assertSameBits(t, a, b, "Loss")
		Grad(a, x, y)
		c.Grad(b, x, y)
		assertSameBits(t, a, b, "Grad")
		la := LossGrad(a, x, y)
		lb := c.LossGrad(b, x, y)
		assertSameBits(t, a, b, "LossGrad grad")
		assert.True(t, sameBits(la, lb), "LossGrad: %v vs %v", la, lb)
		assert.True(t, sameBits(Mean(x, y), c.Reduce(x, y)), "Mean")
		c.Reduction = ReduceSum
		assert.True(t, sameBits(Sum(x, y), c.Reduce(x, y)), "Sum")
		assert.True(t, sameBits(Sum(x, y), Criterion{Reduction: ReduceSum}.Reduce(x, y)), "zero Criterion Sum")
		assert.True(t, sameBits(Mean(x, y), Criterion{}.Reduce(x, y)), "zero Criterion Mean")
	})
}

// TestPyTorchSemantics checks values of BCEWithLogitsLoss worked by hand.
func TestPyTorchSemantics(t *testing.T) {
	ln2 := float32(math.Ln2)
	forEachPath(t, func(t *testing.T) {
		x := []float32{0, 0, 0, 2}
		y := []float32{1, 0, 1, 1}
		c := Criterion{Weight: []float32{1, 1, 3, 0.5}, PosWeight: []float32{2}}
		l, g := make([]float32, 4), make([]float32, 4)
		c.Loss(l, x, y)
		c.Grad(g, x, y)
		// loss = w*(p*y*softplus(-x) + (1-y)*softplus(x))
		assert.InDelta(t, 2*ln2, l[0], 1e-7)
		assert.InDelta(t, ln2, l[1], 1e-7)
		assert.InDelta(t, 6*ln2, l[2], 1e-6)
		assert.InDelta(t, 0.5*2*math.Log1p(math.Exp(-2)), l[3], 1e-7)
		// grad = w*((1-y)*sigmoid(x) - p*y*sigmoid(-x))
		assert.InDelta(t, -1, g[0], 1e-7)
		assert.InDelta(t, 0.5, g[1], 1e-7)
		assert.InDelta(t, -3, g[2], 1e-6)
		assert.InDelta(t, -0.5*2/(1+math.Exp(2)), g[3], 1e-7)

		c.Reduction = ReduceWeightMean
		want := (2*math.Ln2 + math.Ln2 + 6*math.Ln2 + math.Log1p(math.Exp(-2))) / 5.5
		assert.InDelta(t, want, c.Reduce(x, y), 1e-6)
		c.Reduction = ReduceSum
		assert.InDelta(t, want*5.5, c.Reduce(x, y), 1e-5)

		// Label smoothing 0.2 turns y = 1 into 0.9 and y = 0 into 0.1.
		s := Criterion{LabelSmoothing: 0.2}
		s.Loss(l[:2], []float32{1.5, 1.5}, []float32{1, 0})
		plain := make([]float32, 2)
		Loss(plain, []float32{1.5, 1.5}, []float32{fma32x(1, 0.8, 0.1), fma32x(0, 0.8, 0.1)})
		assertSameBits(t, plain, l[:2], "smoothed targets")
	})
}

// TestWeightZeroMasks checks that a weight of exactly 0 makes an element's
// loss and gradient +0 whatever its logit and target, NaN and Inf included,
// and that a NaN weight gives NaN.
func TestWeightZeroMasks(t *testing.T) {
	negZero := float32(math.Copysign(0, -1))
	forEachPath(t, func(t *testing.T) {
		x := []float32{nan, inf, -inf, 3, nan, 1, 2, 3}
		y := []float32{0.5, 0, 1, nan, nan, 1, 0, 1}
		w := []float32{0, 0, negZero, 0, 0, 1, 2, 0}
		for _, c := range []Criterion{
			{Weight: w},
			{Weight: w, PosWeight: []float32{4}, LabelSmoothing: 0.1, GradScale: 7},
			{Weight: w, Reduction: ReduceWeightMean},
			{Weight: w, Reduction: ReduceSum},
		} {
			l, g := make([]float32, 8), make([]float32, 8)
			c.Loss(l, x, y)
			c.Grad(g, x, y)
			r := c.Reduce(x, y)
			g2 := make([]float32, 8)
			r2 := c.LossGrad(g2, x, y)
			for i := range x {
				if w[i] == 0 {
					assert.Equal(t, uint32(0), math.Float32bits(l[i]), "masked loss %d", i)
					assert.Equal(t, uint32(0), math.Float32bits(g[i]), "masked grad %d", i)
					assert.Equal(t, uint32(0), math.Float32bits(g2[i]), "masked LossGrad grad %d", i)
				} else {
					assert.False(t, isNaN32(l[i]) || isNaN32(g[i]), "element %d", i)
				}
			}
			assert.False(t, isNaN32(r), "%+v: Reduce = NaN despite the masks", c)
			assert.True(t, sameBits(r, r2), "Reduce %v, LossGrad %v", r, r2)
		}
		l := make([]float32, 2)
		Criterion{Weight: []float32{nan, 1}}.Loss(l, []float32{1, 1}, []float32{0, 0})
		assert.True(t, isNaN32(l[0]), "NaN weight gives NaN")
		assert.True(t, isNaN32(Criterion{Weight: []float32{nan, 1}}.Reduce([]float32{1, 1}, []float32{0, 0})))
	})
}

// TestPosWeightClasses checks element i's class i % C, across the weighted
// chunks (wchunk) and for class counts whose pattern is laid out once and
// ones whose pattern is refilled per chunk: C classes must give the bits of
// the same weights spelled out per element.
func TestPosWeightClasses(t *testing.T) {
	for _, tc := range []struct{ C, rows int }{{10, 1000}, {3000, 3}, {1, 5000}, {7, 700}, {2048, 3}} {
		n := tc.C * tc.rows
		x, y := randomInputs(n, int64(n))
		pw := randomWeights(tc.C, 61)
		full := make([]float32, n)
		for i := range full {
			full[i] = pw[i%tc.C]
		}
		w := randomWeights(n, 62)
		forEachPath(t, func(t *testing.T) {
			a, b := make([]float32, n), make([]float32, n)
			ca := Criterion{PosWeight: pw, Weight: w, LabelSmoothing: 0.05}
			cb := Criterion{PosWeight: full, Weight: w, LabelSmoothing: 0.05}
			ca.Loss(a, x, y)
			cb.Loss(b, x, y)
			assertSameBits(t, b, a, "Loss by class")
			ra := ca.LossGrad(a, x, y)
			rb := cb.LossGrad(b, x, y)
			assertSameBits(t, b, a, "LossGrad by class")
			assert.True(t, sameBits(ra, rb), "C=%d: %v vs %v", tc.C, ra, rb)
		})
	}
}

// TestReductionGradients checks that LossGrad's gradient is the gradient of
// the reduced loss: Grad with the scale GradScale/divisor.
func TestReductionGradients(t *testing.T) {
	const n = 3001
	x, y := randomInputs(n, 71)
	w := randomWeights(n, 72)
	forEachPath(t, func(t *testing.T) {
		for _, r := range []Reduction{ReduceMean, ReduceSum, ReduceWeightMean} {
			c := Criterion{Weight: w, LabelSmoothing: 0.1, Reduction: r, GradScale: 2}
			g := make([]float32, n)
			loss := c.LossGrad(g, x, y)
			assert.True(t, sameBits(loss, c.Reduce(x, y)), "%v: LossGrad's loss is Reduce", r)
			div := 1.0
			switch r {
			case ReduceMean:
				div = n
			case ReduceWeightMean:
				div = laneFold(w)
			}
			want := make([]float32, n)
			d := c
			d.GradScale = float32(2 / div)
			d.Grad(want, x, y)
			assertSameBits(t, want, g, r.String()+" gradient")
		}
	})
}

// TestMicroBatches checks that ReduceSum with GradScale = 1/global_batch
// gives every element the same gradient bits whether the batch is processed
// whole or in micro-batches, so accumulated gradients are exact.
func TestMicroBatches(t *testing.T) {
	const n = 4096
	x, y := randomInputs(n, 81)
	forEachPath(t, func(t *testing.T) {
		c := Criterion{Reduction: ReduceSum, GradScale: 1.0 / n, PosWeight: []float32{3, 1}}
		whole, parts := make([]float32, n), make([]float32, n)
		total := c.LossGrad(whole, x, y)
		var sum float64
		for lo := 0; lo < n; lo += 1000 {
			hi := min(n, lo+1000)
			sum += float64(c.LossGrad(parts[lo:hi], x[lo:hi], y[lo:hi]))
		}
		assertSameBits(t, whole, parts, "micro-batch gradients")
		assert.InEpsilon(t, float64(total), sum, 1e-6)
	})
}

// TestChunkBoundaries checks inputs longer than one kernel call (64 Ki
// elements, 2 Ki for the weighted forms): the reductions still follow the
// lane order across calls.
func TestChunkBoundaries(t *testing.T) {
	const n = 3*chunk + 37
	x, y := randomInputs(n, 91)
	for i := range x {
		if isNaN32(x[i]) {
			x[i] = 0.5
		}
		if isNaN32(y[i]) {
			y[i] = 1
		}
	}
	w := randomWeights(n, 92)
	forEachPath(t, func(t *testing.T) {
		l := make([]float32, n)
		Loss(l, x, y)
		assert.True(t, sameBits(float32(laneFold(l)), Sum(x, y)), "Sum")
		assert.True(t, sameBits(float32(laneFold(l)/n), LossGrad(make([]float32, n), x, y)), "LossGrad")
		c := Criterion{Weight: w, Reduction: ReduceWeightMean}
		c.Loss(l, x, y)
		want := float32(laneFold(l) / laneFold(w))
		assert.True(t, sameBits(want, c.Reduce(x, y)), "weighted Reduce")
		assert.True(t, sameBits(want, c.LossGrad(make([]float32, n), x, y)), "weighted LossGrad")
	})
}

// TestConcurrentUse runs every function from several goroutines at once, on
// shared inputs and separate outputs; under -race it also checks that the
// kernels share no state.
func TestConcurrentUse(t *testing.T) {
	const n = 10000
	x, y := randomInputs(n, 101)
	w := randomWeights(n, 102)
	forEachPath(t, func(t *testing.T) {
		c := Criterion{Weight: w, PosWeight: []float32{2, 1}, LabelSmoothing: 0.1}
		run := func() (out [4][]float32, r [3]float32) {
			for i := range out {
				out[i] = make([]float32, n)
			}
			Loss(out[0], x, y)
			Grad(out[1], x, y)
			r[0] = LossGrad(out[2], x, y)
			c.Grad(out[3], x, y)
			r[1] = Mean(x, y)
			r[2] = c.Reduce(x, y)
			return out, r
		}
		wantOut, wantR := run()
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for rep := 0; rep < 3; rep++ {
					out, r := run()
					for i := range out {
						for j := range out[i] {
							if !sameBits(out[i][j], wantOut[i][j]) {
								t.Errorf("output %d element %d differs under concurrency", i, j)
								return
							}
						}
					}
					for i := range r {
						if !sameBits(r[i], wantR[i]) {
							t.Errorf("reduction %d differs under concurrency", i)
							return
						}
					}
				}
			}()
		}
		wg.Wait()
	})
}

// TestNoAllocs checks that no function allocates.
func TestNoAllocs(t *testing.T) {
	const n = 5000
	x, y := randomInputs(n, 111)
	w := randomWeights(n, 112)
	dst := make([]float32, n)
	c := Criterion{Weight: w, PosWeight: []float32{2, 1, 4, 3, 2}, LabelSmoothing: 0.1, Reduction: ReduceWeightMean}
	forEachPath(t, func(t *testing.T) {
		allocs := testing.AllocsPerRun(5, func() {
			Loss(dst, x, y)
			Grad(dst, x, y)
			Sigmoid(dst, x)
			LossGrad(dst, x, y)
			Mean(x, y)
			c.Loss(dst, x, y)
			c.Grad(dst, x, y)
			c.Reduce(x, y)
			c.LossGrad(dst, x, y)
			Criterion{}.Reduce(x, y)
		})
		require.Zero(t, allocs, "allocations per run")
	})
}

// TestHugePosWeightNearOverflow checks a weighted loss whose bracket
// c*|x| + k*log1p(e) is finite but within 2% of MaxFloat32: with the
// exact high part of f32Bracket folding c*|x| in for any k, the partial sum
// ln2*k + (c*|x| + f*k) overflowed, and Inf - Inf made the loss NaN on every
// path (TestHarnessRandom under -race found x = -0.52251136, y = 1,
// pw = MaxFloat32). The fold is now for k == 1 only.
func TestHugePosWeightNearOverflow(t *testing.T) {
	// For y = 1 and x < 0 the bracket is p*(|x| + log1p(exp(-|x|))), finite
	// for |x| up to 0.545, while the old partial sum p*(ln2 + |x| + f),
	// f = (exp(-|x|)-1)/2, passed MaxFloat32 from |x| = 0.50 on.
	x := []float32{-0.52251136, -0.505, -0.53, -0.54}
	y := []float32{1, 1, 1, 1}
	w := []float32{0.8244002, 1, 0.5, 0.25}
	forEachPath(t, func(t *testing.T) {
		c := Criterion{Weight: w, PosWeight: []float32{math.MaxFloat32}}
		l := make([]float32, len(x))
		c.Loss(l, x, y)
		l2, g2 := make([]float32, len(x)), make([]float32, len(x))
		c.LossAndGrad(l2, g2, x, y)
		for i := range x {
			if !weightedInRange(x[i], 1, w[i], math.MaxFloat32, 1) {
				t.Fatalf("x=%v, w=%v: documented to overflow; pick another input", x[i], w[i])
			}
			ref := refLoss(float64(x[i]), 1, float64(w[i]), math.MaxFloat32)
			if !(ref < math.MaxFloat32) {
				t.Fatalf("x=%v, w=%v: the loss %v overflows; pick another input", x[i], w[i], ref)
			}
			assert.LessOrEqual(t, ulpErr(l[i], ref, ref), float64(boundWeighted), "Loss x=%v: got %v, want %v", x[i], l[i], ref)
			assert.True(t, sameBits(l[i], l2[i]), "LossAndGrad's loss %v, Loss %v", l2[i], l[i])
		}
	})
}
