package bce

// Scratch test for the focal SIMD kernels against mFocalElem, while the
// harness rows are written on another branch; deleted when they land.

import (
	"math"
	"math/rand"
	"testing"
)

type focalCfg struct {
	oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma, scale float32
	pow                                                 bool
}

func focalCfgs() []focalCfg {
	var cs []focalCfg
	for _, g := range []float32{0, 1, 2, 0.5, 3.7} {
		for _, al := range []float32{0, 0.25} {
			for _, s := range []float32{0, 0.1} {
				c := focalCfg{oms: 1 - s, hs: s / 2, al1: 0, al0: 1, ga1: 0, ga0: 1, gb1: 0, gb0: 1, gamma: g, scale: 0.7}
				if al != 0 {
					c.al1, c.al0 = 2*al-1, 1-al
				}
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
	return cs
}


func TestZZFocalScratch(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	specials := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 0.5, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.MaxFloat32, -math.MaxFloat32, 1e-45, -1e-45, 88, -88, 104, -104, 17, -17, 1e-20}
	targets := []float32{0, 1, 0.5, 0.1, 0.9, 1e-30, 1 - 1e-7, 2, -0.5, float32(math.NaN()), float32(math.Inf(1))}
	weights := []float32{1, 0, float32(math.Copysign(0, -1)), 2.5, 1e-30, 1e30, -1, float32(math.NaN()), float32(math.Inf(1))}
	gen := func(n int) (x, y, w []float32) {
		x, y, w = make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range x {
			switch r.Intn(4) {
			case 0:
				x[i] = specials[r.Intn(len(specials))]
			case 1:
				x[i] = math.Float32frombits(r.Uint32())
			default:
				x[i] = float32(r.NormFloat64() * 8)
			}
			if r.Intn(3) == 0 {
				y[i] = targets[r.Intn(len(targets))]
			} else {
				y[i] = r.Float32()
			}
			w[i] = 1
			if r.Intn(3) == 0 {
				w[i] = weights[r.Intn(len(weights))]
			}
		}
		return
	}
	for _, p := range archPaths() {
		for _, c := range focalCfgs() {
			for _, n := range append([]int{0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 70, 129}, 1000, 4099) {
				x, y, w := gen(n)
				loss, grad := make([]float32, n), make([]float32, n)
				var acc32 [32]float64
				var acc16 [16]float64
				g2 := make([]float32, n)
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
				bad := 0
				for i := range x {
					ml, _ := mFocalElem(x[i], y[i], w[i], c.oms, c.hs, c.al1, c.al0, c.ga1, c.ga0, c.gb1, c.gb0, c.gamma, 1, c.pow)
					_, mg := mFocalElem(x[i], y[i], w[i], c.oms, c.hs, c.al1, c.al0, c.ga1, c.ga0, c.gb1, c.gb0, c.gamma, c.scale, c.pow)
					want32[i%16] += float64(ml)
					want32[16+i%16] += float64(w[i])
					want16[i%16] += float64(ml)
					if (!sameBits(loss[i], ml) || !sameBits(grad[i], mg) || !sameBits(g2[i], mg)) && bad < 5 {
						bad++
						t.Errorf("%v %+v n=%d i=%d x=%v y=%v w=%v: loss %v grad %v lossGrad's grad %v, model %v %v", p, c, n, i, x[i], y[i], w[i], loss[i], grad[i], g2[i], ml, mg)
					}
				}
				for j := range want32 {
					if math.Float64bits(want32[j]) != math.Float64bits(acc32[j]) && !(math.IsNaN(want32[j]) && math.IsNaN(acc32[j])) {
						t.Errorf("%v %+v n=%d: sum lane %d = %v, model %v", p, c, n, j, acc32[j], want32[j])
					}
				}
				for j := range want16 {
					if math.Float64bits(want16[j]) != math.Float64bits(acc16[j]) && !(math.IsNaN(want16[j]) && math.IsNaN(acc16[j])) {
						t.Errorf("%v %+v n=%d: lossGrad lane %d = %v, model %v", p, c, n, j, acc16[j], want16[j])
					}
				}
			}
		}
	}
}
