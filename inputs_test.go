package bce

import (
	"math"
	"math/rand"
)

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
		return specialLogits[r.Intn(len(specialLogits))]
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

// randomWeights returns n weights: mostly around 1, some exactly 0 (masks),
// some large and some tiny.
func randomWeights(n int, seed int64) []float32 {
	r := rand.New(rand.NewSource(seed))
	w := make([]float32, n)
	for i := range w {
		switch r.Intn(8) {
		case 0:
			w[i] = 0
		case 1:
			w[i] = float32(r.Float64() * 100)
		case 2:
			w[i] = float32(r.Float64() * 1e-3)
		default:
			w[i] = float32(0.5 + r.Float64())
		}
	}
	return w
}
