package main

import (
	"math"
	"math/rand/v2"
)

// synthetic holds a logistic regression problem drawn at random: features
// x ~ N(0,1), labels y ~ Bernoulli(sigmoid(x·wTrue)), and the point (w, b)
// at which every epoch evaluates the loss and gradient. The float64 copies
// feed the plain Go loop, so both sides read their own type at full width.
type synthetic struct {
	n, d int
	x, y []float32
	w, b []float32
	x64  []float64
	y64  []float64
	w64  []float64
	b64  []float64
}

// newSynthetic draws the data from a fixed seed, so runs are comparable. The
// evaluation point is wTrue/2: the logits then spread over a few units
// either side of 0, as in training, rather than all being 0 (at w = 0) or
// all saturated.
func newSynthetic(n, d int, seed uint64) *synthetic {
	rng := rand.New(rand.NewPCG(seed, 0x7468726f))
	s := &synthetic{n: n, d: d,
		x: make([]float32, n*d), y: make([]float32, n),
		w: make([]float32, d), b: []float32{0.1},
		x64: make([]float64, n*d), y64: make([]float64, n),
		w64: make([]float64, d), b64: []float64{0.1}}
	wTrue := make([]float64, d)
	for j := range wTrue {
		wTrue[j] = rng.NormFloat64() / math.Sqrt(float64(d)) * 3
		s.w[j] = float32(wTrue[j] / 2)
		s.w64[j] = float64(s.w[j])
	}
	for i := range n {
		var z float64
		for j := range d {
			v := float32(rng.NormFloat64())
			s.x[i*d+j] = v
			s.x64[i*d+j] = float64(v)
			z += float64(v) * wTrue[j]
		}
		if rng.Float64() < 1/(1+math.Exp(-z)) {
			s.y[i], s.y64[i] = 1, 1
		}
	}
	return s
}
