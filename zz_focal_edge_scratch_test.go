package bce

// Scratch test for the focal SIMD kernels at the inputs where the random
// ones of TestZZFocalScratch rarely reach a step with a visible effect:
// mLog's subnormal q (|x| near 88 with a hard target, subnormal soft
// targets), the floors of m and q, a small gamma (m near 1 where q is
// tiny), huge weights and scales that lift underflowing products back
// into range. Deleted with TestZZFocalScratch when the harness rows land.

import (
	"math"
	"math/rand"
	"testing"
)

func TestZZFocalEdgeScratch(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	var xs []float32
	for x := float32(80); x <= 106; x += 0.0625 {
		xs = append(xs, x, -x)
	}
	for i := 0; i < 2000; i++ {
		x := float32(r.NormFloat64() * 30)
		xs = append(xs, x, math.Float32frombits(r.Uint32()))
	}
	xs = append(xs, 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-45, -1e-45, 1e-40, -1e-40)
	ys := []float32{0, 1, 1e-45, 1e-40, 1e-38, 3e-39, 1e-30, 1 - 6e-8, 0.5, 0.25, 2, -1e-45, float32(math.Copysign(0, -1)), float32(math.NaN())}
	ws := []float32{1, 1e30, 3e38, 1e-30, -2, 0}
	n := len(xs) * len(ys)
	x, y, w := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range x {
		x[i] = xs[i%len(xs)]
		y[i] = ys[(i/len(xs))%len(ys)]
		w[i] = ws[r.Intn(len(ws))]
	}
	var cs []focalCfg
	for _, g := range []float32{0, 1, 2, 0.01, 0.3, 0.5, 0.999, 1.5, 3.7, 7} {
		for _, s := range []float32{0, 0.1, 1e-6} {
			for _, sc := range []float32{1, 1e30, 3e38} {
				c := focalCfg{oms: 1 - s, hs: s / 2, al1: 0.5, al0: 0.25, ga1: 0, ga0: 1, gb1: 0, gb0: 1, gamma: g, scale: sc}
				c.pow = g != 0 && g != 1 && g != 2
				if g >= 1 && !c.pow {
					c.ga1, c.ga0 = 1, 0
				}
				if g == 2 {
					c.gb1, c.gb0 = 1, 0
				}
				cs = append(cs, c)
			}
		}
	}
	for _, p := range archPaths() {
		for _, c := range cs {
			loss, grad, g2 := make([]float32, n), make([]float32, n), make([]float32, n)
			var acc32 [32]float64
			var acc16 [16]float64
			if c.pow {
				focalPowLossKernel(p, loss, x, y, w, c.oms, c.hs, c.al1, c.al0, c.gamma)
				focalPowGradKernel(p, grad, x, y, w, c.oms, c.hs, c.al1, c.al0, c.gamma, c.scale)
				focalPowSumKernel(p, x, y, w, c.oms, c.hs, c.al1, c.al0, c.gamma, &acc32)
				focalPowLossGradKernel(p, g2, x, y, w, c.oms, c.hs, c.al1, c.al0, c.gamma, c.scale, &acc16)
			} else {
				focalLossKernel(p, loss, x, y, w, c.oms, c.hs, c.al1, c.al0, c.ga1, c.ga0, c.gb1, c.gb0, c.gamma)
				focalGradKernel(p, grad, x, y, w, c.oms, c.hs, c.al1, c.al0, c.ga1, c.ga0, c.gb1, c.gb0, c.gamma, c.scale)
				focalSumKernel(p, x, y, w, c.oms, c.hs, c.al1, c.al0, c.ga1, c.ga0, c.gb1, c.gb0, c.gamma, &acc32)
				focalLossGradKernel(p, g2, x, y, w, c.oms, c.hs, c.al1, c.al0, c.ga1, c.ga0, c.gb1, c.gb0, c.gamma, c.scale, &acc16)
			}
			var want32 [32]float64
			var want16 [16]float64
			bad, nonzero := 0, 0
			for i := range x {
				ml, _ := mFocalElem(x[i], y[i], w[i], c.oms, c.hs, c.al1, c.al0, c.ga1, c.ga0, c.gb1, c.gb0, c.gamma, 1, c.pow)
				_, mg := mFocalElem(x[i], y[i], w[i], c.oms, c.hs, c.al1, c.al0, c.ga1, c.ga0, c.gb1, c.gb0, c.gamma, c.scale, c.pow)
				want32[i%16] += float64(ml)
				want32[16+i%16] += float64(w[i])
				want16[i%16] += float64(ml)
				if mg != 0 {
					nonzero++
				}
				if !sameBits(loss[i], ml) || !sameBits(grad[i], mg) || !sameBits(g2[i], mg) {
					if bad < 5 {
						t.Errorf("%v %+v i=%d x=%v y=%v w=%v: loss %v grad %v lossGrad's grad %v, model %v %v", p, c, i, x[i], y[i], w[i], loss[i], grad[i], g2[i], ml, mg)
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%v %+v: %d mismatches", p, c, bad)
			}
			for j := range want32 {
				if !sameBits(want32[j], acc32[j]) {
					t.Errorf("%v %+v: sum lane %d = %v, model %v", p, c, j, acc32[j], want32[j])
				}
			}
			for j := range want16 {
				if !sameBits(want16[j], acc16[j]) {
					t.Errorf("%v %+v: lossGrad lane %d = %v, model %v", p, c, j, acc16[j], want16[j])
				}
			}
		}
	}
}

// BenchmarkZZFocalKernels compares the focal LossGrad kernels with
// wlossGrad (Criterion{Weight}.LossGrad's kernel, pw all ones) on each
// SIMD path, at 4096 elements (in L1).
func BenchmarkZZFocalKernels(b *testing.B) {
	const n = 4096
	r := rand.New(rand.NewSource(3))
	x, y, w, pw, g := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * 4)
		y[i] = float32(r.Intn(2))
		w[i] = 0.5 + r.Float32()
		pw[i] = 1
	}
	for _, p := range archPaths() {
		var acc [16]float64
		b.Run(p.String()+"/wlossGrad", func(b *testing.B) {
			b.SetBytes(4 * n)
			for i := 0; i < b.N; i++ {
				wlossGradKernel(p, g, x, y, w, pw, 1, 0, 0.7, &acc)
			}
		})
		b.Run(p.String()+"/focalLossGrad2", func(b *testing.B) {
			b.SetBytes(4 * n)
			for i := 0; i < b.N; i++ {
				focalLossGradKernel(p, g, x, y, w, 1, 0, -0.5, 0.75, 1, 0, 1, 0, 2, 0.7, &acc)
			}
		})
		b.Run(p.String()+"/focalPowLossGrad0.5", func(b *testing.B) {
			b.SetBytes(4 * n)
			for i := 0; i < b.N; i++ {
				focalPowLossGradKernel(p, g, x, y, w, 1, 0, -0.5, 0.75, 0.5, 0.7, &acc)
			}
		})
	}
}
