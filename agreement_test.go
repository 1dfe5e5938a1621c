package bce

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// The SIMD paths must give exactly the bits of model_test.go: per element
// for every output, and per lane for every reduction. Since every SIMD path
// (avx512, avx2, neon) meets the same model, they are bit-identical to each
// other, whatever machine each runs on.

// modelCase is one input set with everything the kernels take.
type modelCase struct {
	x, y, w, pw    []float32
	oms, hs, scale float32
	initAcc        float64 // the kernels add into accumulators that hold this
	name           string
}

func modelCases() []modelCase {
	xs := sampledLogits()
	n := len(xs)
	var cs []modelCase
	for _, yv := range []float32{0, 1, 0.3} {
		y := make([]float32, n)
		for i := range y {
			y[i] = yv
		}
		cs = append(cs, modelCase{x: xs, y: y, name: fmt.Sprintf("sampled logits, y=%v", yv)})
	}
	rx, ry := randomInputs(1<<16, 7)
	cs = append(cs, modelCase{x: rx, y: ry, name: "random inputs"})
	for i := range cs {
		c := &cs[i]
		c.w, c.pw = ones(len(c.x)), ones(len(c.x))
		c.oms, c.hs, c.scale = 1, 0, 1
	}
	// Weighted: random weights (with masks), per-element positive weights,
	// smoothing and a scale.
	r := rand.New(rand.NewSource(11))
	pw := make([]float32, len(rx))
	for i := range pw {
		pw[i] = []float32{0, 0.5, 1, 3, 9.5}[r.Intn(5)]
	}
	cs = append(cs,
		modelCase{x: rx, y: ry, w: randomWeights(len(rx), 3), pw: pw, oms: 0.9, hs: 0.05, scale: 0.001, initAcc: 1.5, name: "weighted, smoothed"},
		modelCase{x: xs, y: make([]float32, n), w: randomWeights(n, 4), pw: ones(n), oms: 1, hs: 0, scale: 3, name: "weighted sampled, y=0"},
	)
	return cs
}

func ones(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

func TestSIMDMatchesModel(t *testing.T) {
	paths := simdPaths()
	if len(paths) == 0 {
		t.Skip("no SIMD path on this CPU")
	}
	for _, c := range modelCases() {
		n := len(c.x)
		// The model's outputs.
		mLoss, mGrad, mSig := make([]float32, n), make([]float32, n), make([]float32, n)
		mLG := make([]float32, n)
		mWL, mWG := make([]float32, n), make([]float32, n)
		var mSum, mLGSum, mWLGSum, mSum16 [16]float64
		var mWSum [32]float64
		for i := range mSum {
			mSum[i], mLGSum[i], mWLGSum[i], mSum16[i] = c.initAcc, c.initAcc, c.initAcc, c.initAcc
		}
		for i := range mWSum {
			mWSum[i] = c.initAcc
		}
		for i := range c.x {
			mLoss[i] = mLossElem(c.x[i], c.y[i])
			l, g := mLossGradElem(c.x[i], c.y[i])
			mGrad[i], mLG[i] = g, c.scale*g
			mSig[i] = mSigmoidElem(c.x[i])
			mSum[i%16] += float64(mLoss[i])
			mLGSum[i%16] += float64(l)
			mWL[i], _ = mWElem(c.x[i], c.y[i], c.w[i], c.pw[i], c.oms, c.hs, 1)
			_, mWG[i] = mWElem(c.x[i], c.y[i], c.w[i], c.pw[i], c.oms, c.hs, c.scale)
			mWSum[i%16] += float64(mWL[i])
			mWSum[16+i%16] += float64(c.w[i])
			mWLGSum[i%16] += float64(mWL[i])
			mSum16[i%16] += float64(c.x[i])
		}
		for _, p := range paths {
			exercised.Store(p, true)
			pre := p.String() + " " + c.name + ": "
			out := make([]float32, n)
			lossKernel(p, out, c.x, c.y)
			assertSameBits(t, mLoss, out, pre+"loss")
			gradKernel(p, out, c.x, c.y)
			assertSameBits(t, mGrad, out, pre+"grad")
			sigmoidKernel(p, out, c.x)
			assertSameBits(t, mSig, out, pre+"sigmoid")
			acc := fill16(c.initAcc)
			sumKernel(p, c.x, c.y, &acc)
			assertSameLanes(t, mSum[:], acc[:], pre+"sum")
			acc = fill16(c.initAcc)
			lossGradKernel(p, out, c.x, c.y, c.scale, &acc)
			assertSameBits(t, mLG, out, pre+"lossGrad grad")
			assertSameLanes(t, mLGSum[:], acc[:], pre+"lossGrad sum")
			acc = fill16(c.initAcc)
			sum16Kernel(p, c.x, &acc)
			assertSameLanes(t, mSum16[:], acc[:], pre+"sum16")

			wlossKernel(p, out, c.x, c.y, c.w, c.pw, c.oms, c.hs)
			assertSameBits(t, mWL, out, pre+"wloss")
			wgradKernel(p, out, c.x, c.y, c.w, c.pw, c.oms, c.hs, c.scale)
			assertSameBits(t, mWG, out, pre+"wgrad")
			var wacc [32]float64
			for i := range wacc {
				wacc[i] = c.initAcc
			}
			wsumKernel(p, c.x, c.y, c.w, c.pw, c.oms, c.hs, &wacc)
			assertSameLanes(t, mWSum[:], wacc[:], pre+"wsum")
			acc = fill16(c.initAcc)
			wlossGradKernel(p, out, c.x, c.y, c.w, c.pw, c.oms, c.hs, c.scale, &acc)
			assertSameBits(t, mWG, out, pre+"wlossGrad grad")
			assertSameLanes(t, mWLGSum[:], acc[:], pre+"wlossGrad sum")
		}
	}
}

func fill16(v float64) [16]float64 {
	var a [16]float64
	for i := range a {
		a[i] = v
	}
	return a
}

// assertSameLanes fails unless two sets of float64 accumulators hold the
// same bits (NaN matching NaN).
func assertSameLanes(t *testing.T, want, got []float64, what string) {
	t.Helper()
	for i := range want {
		if math.Float64bits(want[i]) != math.Float64bits(got[i]) && !(math.IsNaN(want[i]) && math.IsNaN(got[i])) {
			t.Errorf("%s: lane %d = %v, want %v", what, i, got[i], want[i])
		}
	}
}
