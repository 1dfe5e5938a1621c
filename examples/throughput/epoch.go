package main

import (
	"math"
	"time"

	"github.com/fastbce/bce"
	"github.com/fastbce/bce/examples/internal/linear"
)

// timing is the wall time of the three phases of one epoch and the mean loss
// it computed.
type timing struct {
	forward, loss, backward time.Duration
	j                       float64
}

func (t timing) total() time.Duration { return t.forward + t.loss + t.backward }

// scratch is the per-epoch working memory, allocated once so that the timed
// loop allocates nothing.
type scratch struct {
	z, gz, gw, gb         []float32
	z64, gz64, gw64, gb64 []float64
}

func newScratch(n, d int) *scratch {
	return &scratch{
		z: make([]float32, n), gz: make([]float32, n), gw: make([]float32, d), gb: make([]float32, 1),
		z64: make([]float64, n), gz64: make([]float64, n), gw64: make([]float64, d), gb64: make([]float64, 1),
	}
}

// epochBCE is one epoch of loss and gradient in float32 on the path in use:
// the logits z = x w + b, the mean loss and dJ/dz from bce.LossGrad, then
// dJ/dw = xᵀ dJ/dz and dJ/db = Σ dJ/dz.
func epochBCE(s *synthetic, sc *scratch) timing {
	var t timing
	t0 := time.Now()
	linear.Forward(sc.z, s.x, s.w, s.b, s.n, s.d, 1)
	t1 := time.Now()
	t.j = float64(bce.LossGrad(sc.gz, sc.z, s.y))
	t2 := time.Now()
	linear.Backward(sc.gw, sc.gb, s.x, sc.gz, s.n, s.d, 1)
	t3 := time.Now()
	t.forward, t.loss, t.backward = t1.Sub(t0), t2.Sub(t1), t3.Sub(t2)
	return t
}

// epochFloat64 is the same epoch written as one would without package bce:
// float64 throughout, the loss as softplus(z) - y z and the gradient as
// sigmoid(z) - y, from package math.
func epochFloat64(s *synthetic, sc *scratch) timing {
	var t timing
	t0 := time.Now()
	linear.Forward(sc.z64, s.x64, s.w64, s.b64, s.n, s.d, 1)
	t1 := time.Now()
	inv := 1 / float64(s.n)
	var sum float64
	for i, z := range sc.z64 {
		y := s.y64[i]
		e := math.Exp(-math.Abs(z)) // never overflows
		sum += max(z, 0) + math.Log1p(e) - y*z
		sig := 1 / (1 + e) // sigmoid(|z|)
		if z < 0 {
			sig = e / (1 + e)
		}
		sc.gz64[i] = (sig - y) * inv
	}
	t.j = sum * inv
	t2 := time.Now()
	linear.Backward(sc.gw64, sc.gb64, s.x64, sc.gz64, s.n, s.d, 1)
	t3 := time.Now()
	t.forward, t.loss, t.backward = t1.Sub(t0), t2.Sub(t1), t3.Sub(t2)
	return t
}

// best runs epoch the given number of times, after one untimed warm-up
// epoch that faults in the scratch memory, and returns the fastest: the
// least disturbed by the rest of the machine.
func best(epochs int, epoch func() timing) timing {
	epoch()
	var b timing
	for e := range epochs {
		t := epoch()
		if e == 0 || t.total() < b.total() {
			b = t
		}
	}
	return b
}
