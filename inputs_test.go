package bce

import (
	"math"
	"math/rand"
)

// The test inputs: one list of special values and one random generator, used
// by every test. Their streams are frozen: the golden digest
// (testdata/simd.digest) is computed from them, so changing a value or the
// order of the draws changes the digest.

// specialValues are the edge values of every input: the logits where the
// algorithm changes regime (0, ±0, the exp clamp at 104, the subnormal
// results near 100, the float32 limits, ±Inf, NaN), and, used as targets and
// weights, the ends of [0,1], values outside it (-1, 2, ±Inf, NaN), masks (±0)
// and huge and subnormal weights.
var specialValues = []float32{
	0, float32(math.Copysign(0, -1)), 1, -1, 0.5, -0.5, 2, -2,
	float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
	math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
	0x1p-126, -0x1p-126, 30, -30, 88, -88, 100, -100, 103.28, -103.28, 103.98, -103.98, 104, -104, 1e6, -1e6,
	float32(math.Log(4)), float32(math.Log(3.0 / 7)),
}

// randomInputs returns n logits and targets from a fixed seed: logits of
// every scale (typical ones, large ones, random bit patterns including NaN,
// ±Inf and subnormals, and the special values), targets that are hard
// labels, soft ones and the ends of [0,1].
func randomInputs(n int, seed int64) (x, y []float32) {
	r := rand.New(rand.NewSource(seed))
	x, y = make([]float32, n), make([]float32, n)
	for i := range x {
		x[i] = randomLogit(r)
		y[i] = randomTarget(r)
	}
	return x, y
}

func randomLogit(r *rand.Rand) float32 {
	switch r.Intn(8) {
	case 0:
		return specialValues[r.Intn(len(specialValues))]
	case 1:
		return math.Float32frombits(r.Uint32())
	case 2:
		return float32(r.NormFloat64() * 40)
	case 3:
		return float32(r.NormFloat64() * 1e-3)
	default:
		return float32(r.NormFloat64() * 4)
	}
}

func randomTarget(r *rand.Rand) float32 {
	switch r.Intn(6) {
	case 0, 1:
		return 0
	case 2, 3:
		return 1
	case 4:
		return float32(r.Float64())
	default:
		return []float32{0.5, 0.1, 0.9, 1e-3, 0.999, 1e-30, 1 - 0x1p-24}[r.Intn(7)]
	}
}

// randomWeights returns n weights from a fixed seed (see randomWeight).
func randomWeights(n int, seed int64) []float32 {
	r := rand.New(rand.NewSource(seed))
	w := make([]float32, n)
	for i := range w {
		w[i] = randomWeight(r)
	}
	return w
}

// randomWeight returns a weight: mostly around 1, some exactly 0 (masks),
// some large and some tiny.
func randomWeight(r *rand.Rand) float32 {
	switch r.Intn(8) {
	case 0:
		return 0
	case 1:
		return float32(r.Float64() * 100)
	case 2:
		return float32(r.Float64() * 1e-3)
	default:
		return float32(0.5 + r.Float64())
	}
}

// randomWide returns, one time in eight, a special value or a random bit
// pattern in place of v: the kernel inputs outside the documented domain
// (targets outside [0,1], negative, infinite and NaN weights) that the
// kernels must still compute as the model does.
func randomWide(r *rand.Rand, v float32) float32 {
	switch r.Intn(16) {
	case 0:
		return specialValues[r.Intn(len(specialValues))]
	case 1:
		return math.Float32frombits(r.Uint32())
	}
	return v
}

// randomKernelInputs returns n elements of every kernel input: logits from
// randomLogit; targets, weights and positive weights as the public API's
// users give them, with randomWide's out-of-domain values mixed in; and the
// scalars: the smoothing constants of a LabelSmoothing in [0,1] or (rarely)
// arbitrary values, and a gradient scale.
func randomKernelInputs(r *rand.Rand, n int) *kernelInputs {
	in := &kernelInputs{x: make([]float32, n), y: make([]float32, n), w: make([]float32, n), pw: make([]float32, n)}
	for i := range in.x {
		in.x[i] = randomLogit(r)
		in.y[i] = randomWide(r, randomTarget(r))
		in.w[i] = randomWide(r, randomWeight(r))
		in.pw[i] = randomWide(r, []float32{0, 0.5, 1, 3, 9.5}[r.Intn(5)])
	}
	switch r.Intn(4) {
	case 0:
		in.oms, in.hs = 1, 0
	case 1:
		in.oms, in.hs = randomWide(r, 1), randomWide(r, 0)
	default:
		s := float32(r.Float64())
		in.oms, in.hs = 1-s, s/2
	}
	in.scale = randomWide(r, []float32{1, 0.25, 1.0 / 3, -1e-4, 1e4}[r.Intn(5)])
	// The focal scalars as Focal passes them: an Alpha, an integer Gamma
	// for the FinishFocal rows and another Gamma for the pow rows.
	in.setFocal([]float32{0, 0.25, 0.5, 0.9}[r.Intn(4)], float32(r.Intn(3)), []float32{0.5, 3.7, 0.25, 1.5, 3}[r.Intn(5)])
	return in
}

// randomLanes returns initial accumulator lanes for the reductions, which add
// into what the lanes hold: zeros of both signs, small and large values.
func randomLanes(r *rand.Rand) []float64 {
	acc := make([]float64, 32)
	for i := range acc {
		acc[i] = []float64{0, math.Copysign(0, -1), 1.5, r.NormFloat64() * 1e6}[r.Intn(4)]
	}
	return acc
}
