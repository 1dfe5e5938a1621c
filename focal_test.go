package bce

import (
	"math"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// focalOuts runs every method of f on x, y: Loss, Grad, the reduction and
// LossGrad's loss and gradient.
func focalOuts(f Focal, x, y []float32) (loss, grad, lgGrad []float32, red, lg float32) {
	n := len(x)
	loss, grad, lgGrad = make([]float32, n), make([]float32, n), make([]float32, n)
	f.Loss(loss, x, y)
	f.Grad(grad, x, y)
	red = f.Reduce(x, y)
	lg = f.LossGrad(lgGrad, x, y)
	return
}

// TestFocalGammaZeroIsCriterion checks that Focal{Gamma: 0} (Alpha 0) gives
// Criterion's bits in every method, with and without weights (masks
// included), smoothing, every reduction and gradient scale, over more than
// one weight chunk.
func TestFocalGammaZeroIsCriterion(t *testing.T) {
	const n = 2*wchunk + 77
	x, y := randomInputs(n, 301)
	w := randomWeights(n, 302)
	forEachPath(t, func(t *testing.T) {
		for _, weight := range [][]float32{nil, w} {
			for _, s := range []float32{0, 0.1} {
				for _, r := range []Reduction{ReduceMean, ReduceSum, ReduceWeightMean} {
					for _, gs := range []float32{0, 0.5, -3} {
						f := Focal{Weight: weight, LabelSmoothing: s, Reduction: r, GradScale: gs}
						c := Criterion{Weight: weight, LabelSmoothing: s, Reduction: r, GradScale: gs}
						fl, fg, flg, fr, flr := focalOuts(f, x, y)
						cl, cg, clg := make([]float32, n), make([]float32, n), make([]float32, n)
						c.Loss(cl, x, y)
						c.Grad(cg, x, y)
						cr := c.Reduce(x, y)
						clr := c.LossGrad(clg, x, y)
						assertSameBits(t, cl, fl, "Loss")
						assertSameBits(t, cg, fg, "Grad")
						assertSameBits(t, clg, flg, "LossGrad's gradient")
						assert.True(t, sameBits(cr, fr), "Reduce %v: %v, Criterion %v", r, fr, cr)
						assert.True(t, sameBits(clr, flr), "LossGrad %v: %v, Criterion %v", r, flr, clr)
					}
				}
			}
		}
	})
}

// TestFocalReductions checks the reductions against the per-element
// losses: ReduceSum is the lane-order fold of Loss's outputs, ReduceMean
// that over n, ReduceWeightMean that over the fold of the weights, and
// LossGrad returns Reduce and writes Grad's bits at the scale
// float32(GradScale/divisor).
func TestFocalReductions(t *testing.T) {
	const n = wchunk + 1000
	x, y := randomInputs(n, 311)
	w := randomWeights(n, 312)
	forEachPath(t, func(t *testing.T) {
		for _, g := range []float32{2, 0.5} {
			for _, weight := range [][]float32{nil, w} {
				f := Focal{Gamma: g, Alpha: 0.25, Weight: weight, LabelSmoothing: 0.05, GradScale: 3}
				loss := make([]float32, n)
				f.Loss(loss, x, y)
				var acc, wacc [16]float64
				for i, l := range loss {
					acc[i%16] += float64(l)
					if weight != nil {
						wacc[i%16] += float64(weight[i])
					} else {
						wacc[i%16]++
					}
				}
				sum, wsum := fold16(&acc), fold16(&wacc)
				for r, want := range map[Reduction]float32{ReduceSum: float32(sum), ReduceMean: float32(sum / n), ReduceWeightMean: float32(sum / wsum)} {
					f.Reduction = r
					assert.True(t, sameBits(want, f.Reduce(x, y)), "Gamma %v %v: Reduce %v, want %v", g, r, f.Reduce(x, y), want)
					grad := make([]float32, n)
					got := f.LossGrad(grad, x, y)
					assert.True(t, sameBits(want, got), "Gamma %v %v: LossGrad %v, want %v", g, r, got, want)
					div := map[Reduction]float64{ReduceSum: 1, ReduceMean: n, ReduceWeightMean: wsum}[r]
					fg := f
					fg.GradScale = float32(3 / div)
					want2 := make([]float32, n)
					fg.Grad(want2, x, y)
					assertSameBits(t, want2, grad, "LossGrad's gradient")
				}
			}
		}
	})
}

// TestFocalIntegerGammaVsPow checks the FinishFocal kernels (Gamma 1 and
// 2, multiplications) against the FinishFocalPow kernels run at the same
// Gamma (exp(Gamma*log(1-p_t))), within the focal bound of each other, S
// taken from the reference, on the sampled logits and soft and hard targets.
func TestFocalIntegerGammaVsPow(t *testing.T) {
	var xs []float32
	for i, x := range sampledLogits() {
		if i%8 == 0 {
			xs = append(xs, x)
		}
	}
	n := len(xs)
	ys, ones := make([]float32, n), ones(n)
	forEachPath(t, func(t *testing.T) {
		for _, g := range []float32{1, 2} {
			for _, y := range []float32{0, 1, 0.2, 0.9} {
				for i := range ys {
					ys[i] = y
				}
				k := (&Focal{Gamma: g, Alpha: 0.25}).scalars()
				require.False(t, k.pow)
				il, ig, pl, pg := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
				focalLossKernel(cur, il, xs, ys, ones, k.oms, k.hs, k.al1, k.al0, k.ga1, k.ga0, k.gb1, k.gb0, k.gamma)
				focalGradKernel(cur, ig, xs, ys, ones, k.oms, k.hs, k.al1, k.al0, k.ga1, k.ga0, k.gb1, k.gb0, k.gamma, 1)
				focalPowLossKernel(cur, pl, xs, ys, ones, k.oms, k.hs, k.al1, k.al0, g)
				focalPowGradKernel(cur, pg, xs, ys, ones, k.oms, k.hs, k.al1, k.al0, g, 1)
				W := float64(k.al1)*float64(y) + float64(k.al0)
				bad := 0
				for i, x := range xs {
					_, _, S := refFocal(float64(x), float64(y), W, float64(g), 1)
					if math.IsInf(float64(pl[i]), 0) || isNaN32(x) {
						assert.True(t, sameBits(pl[i], il[i]), "x=%v: pow %v, integer %v", x, pl[i], il[i])
						continue
					}
					el := focalErr(il[i], float64(pl[i]), math.Abs(float64(pl[i])), 0x1p-126)
					eg := focalErr(ig[i], float64(pg[i]), S, 0x1p-126)
					if !(el <= 1 && eg <= 1) && bad < 10 {
						bad++
						t.Errorf("Gamma %v y=%v x=%v: integer (%v, %v), pow (%v, %v): %.3g, %.3g of the bound", g, y, x, il[i], ig[i], pl[i], pg[i], el, eg)
					}
				}
			}
		}
	})
}

// torchFocal is torchvision's sigmoid_focal_loss for one element, written
// as its source computes it, in float64 (accurate at these moderate
// logits): p = sigmoid(x), ce = binary_cross_entropy_with_logits,
// p_t = p*y + (1-p)*(1-y), loss = ce*(1-p_t)^gamma, times
// alpha_t = alpha*y + (1-alpha)*(1-y) when alpha >= 0.
func torchFocal(x, y, alpha, gamma float64) float64 {
	p := 1 / (1 + math.Exp(-x))
	ce := -(y*math.Log(p) + (1-y)*math.Log(1-p))
	pt := p*y + (1-p)*(1-y)
	loss := ce * math.Pow(1-pt, gamma)
	if alpha >= 0 {
		loss *= alpha*y + (1-alpha)*(1-y)
	}
	return loss
}

// TestFocalTorchvision compares Focal with torchvision's formula (torchFocal)
// at a few logits and targets, alpha = 0.25 (torchvision's default, Alpha
// 0.25) and none (alpha = -1, Alpha 0), gamma 2 (the default) and 0.5: the
// loss within the focal bound, and the gradient within it of a central
// difference of torchFocal (step 1e-5: its error, about 1e-10 here, is far
// below the bound), S from the reference. One value by hand: x = 0.7, y = 1,
// alpha 0.25, gamma 2: p = 0.6681878, ce = -ln p = 0.4031860,
// (1-p)^2 = 0.1100994, loss = 0.25*ce*(1-p)^2 = 0.01109763.
func TestFocalTorchvision(t *testing.T) {
	assert.InDelta(t, 0.01109763, torchFocal(0.7, 1, 0.25, 2), 5e-9, "torchFocal by hand")
	xs := []float32{-4, -2, -0.5, 0, 0.7, 1.5, 3, 6}
	ys := []float32{0, 1, 0.3, 0.85}
	forEachPath(t, func(t *testing.T) {
		for _, g := range []float32{2, 0.5} {
			for _, a := range []float32{0.25, 0} {
				ta := float64(a)
				if a == 0 {
					ta = -1
				}
				f := Focal{Gamma: g, Alpha: a}
				for _, y := range ys {
					x := xs
					yv := make([]float32, len(x))
					for i := range yv {
						yv[i] = y
					}
					loss, grad := make([]float32, len(x)), make([]float32, len(x))
					f.Loss(loss, x, yv)
					f.Grad(grad, x, yv)
					for i, xi := range x {
						xf, yf, gf := float64(xi), float64(y), float64(g)
						want := torchFocal(xf, yf, ta, gf)
						assert.LessOrEqual(t, focalErr(loss[i], want, want, 0x1p-126), 1.0, "loss Gamma %v Alpha %v x=%v y=%v: %v, torchvision %v", g, a, xi, y, loss[i], want)
						const h = 1e-5
						fd := (torchFocal(xf+h, yf, ta, gf) - torchFocal(xf-h, yf, ta, gf)) / (2 * h)
						W := 1.0
						if a != 0 {
							W = ta*yf + (1-ta)*(1-yf)
						}
						_, _, S := refFocal(xf, yf, W, gf, 1)
						assert.LessOrEqual(t, focalErr(grad[i], fd, S, 0x1p-126), 1.0, "grad Gamma %v Alpha %v x=%v y=%v: %v, torchvision's derivative %v", g, a, xi, y, grad[i], fd)
					}
				}
			}
		}
	})
}

// TestFocalEdges checks the documented edges on every path: the limits at
// x = ±Inf, NaN in gives NaN out, and a weight of exactly 0 gives exactly +0
// loss and gradient whatever the logit and target.
func TestFocalEdges(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		for _, g := range []float32{2, 0.5, 1, 3.7} {
			f := Focal{Gamma: g, Alpha: 0.25, GradScale: 2}
			x := []float32{inf, -inf, inf, -inf, inf, -inf}
			y := []float32{1, 0, 0, 1, 0.3, 0.3}
			loss, grad := make([]float32, 6), make([]float32, 6)
			f.Loss(loss, x, y)
			f.Grad(grad, x, y)
			// Right hard labels: 0 and 0.
			for i := 0; i < 2; i++ {
				assert.Equal(t, float32(0), loss[i], "Gamma %v x=%v y=%v loss", g, x[i], y[i])
				assert.Equal(t, float32(0), grad[i], "Gamma %v x=%v y=%v grad", g, x[i], y[i])
			}
			// Wrong hard labels: +Inf, and ±alpha_t*GradScale (1-p_t = 1).
			assert.Equal(t, inf, loss[2], "Gamma %v x=+Inf y=0 loss", g)
			assert.Equal(t, inf, loss[3], "Gamma %v x=-Inf y=1 loss", g)
			assert.Equal(t, float32(0.75*2), grad[2], "Gamma %v x=+Inf y=0 grad", g)
			assert.Equal(t, float32(-0.25*2), grad[3], "Gamma %v x=-Inf y=1 grad", g)
			// A soft target: +Inf, and the limit of the gradient,
			// alpha_t*(1-y')^Gamma*(1-y') at +Inf and -alpha_t*y'^Gamma*y'
			// at -Inf.
			at := 0.25*0.3 + 0.75*0.7
			for i, want := range []float64{at * math.Pow(0.7, float64(g)) * 0.7 * 2, -at * math.Pow(0.3, float64(g)) * 0.3 * 2} {
				assert.Equal(t, inf, loss[4+i], "Gamma %v soft loss", g)
				assert.LessOrEqual(t, focalErr(grad[4+i], float64(float32(want)), math.Abs(want), 0x1p-126), 1.0, "Gamma %v x=%v y=0.3 grad %v, limit %v", g, x[4+i], grad[4+i], want)
			}
			// NaN in, NaN out: logit, target, weight.
			nx := []float32{nan, 1, 1}
			ny := []float32{0.5, nan, 0.5}
			f.Weight = []float32{1, 1, nan}
			nl, ng := make([]float32, 3), make([]float32, 3)
			f.Loss(nl, nx, ny)
			f.Grad(ng, nx, ny)
			for i := range nl {
				assert.True(t, isNaN32(nl[i]) && isNaN32(ng[i]), "Gamma %v NaN input %d: loss %v grad %v", g, i, nl[i], ng[i])
			}
			assert.True(t, isNaN32(f.Reduce(nx, ny)), "Reduce of NaNs")
			// A weight of exactly 0 masks everything.
			var mx, my, mw []float32
			for _, xv := range []float32{nan, inf, -inf, 3, -1e30, 0} {
				for _, yv := range []float32{nan, inf, -inf, 0.5, 2, -1, 0} {
					for _, wv := range []float32{0, float32(math.Copysign(0, -1))} {
						mx, my, mw = append(mx, xv), append(my, yv), append(mw, wv)
					}
				}
			}
			f.Weight, f.GradScale, f.LabelSmoothing = mw, -3, 0.1
			ml, mg, mlg := make([]float32, len(mx)), make([]float32, len(mx)), make([]float32, len(mx))
			f.Loss(ml, mx, my)
			f.Grad(mg, mx, my)
			f.Reduction = ReduceSum
			sum := f.LossGrad(mlg, mx, my)
			for i := range ml {
				require.True(t, math.Float32bits(ml[i]) == 0 && math.Float32bits(mg[i]) == 0 && math.Float32bits(mlg[i]) == 0,
					"Gamma %v masked x=%v y=%v: loss %v grad %v LossGrad's %v, want +0", g, mx[i], my[i], ml[i], mg[i], mlg[i])
			}
			assert.Equal(t, uint32(0), math.Float32bits(sum), "masked sum")
		}
	})
}

// TestFocalPanics checks that every bad argument panics with a message
// naming the method and the value, before anything is written.
func TestFocalPanics(t *testing.T) {
	x3, y3, x2 := []float32{1, 2, 3}, []float32{0, 1, 0}, []float32{1, 2}
	dst := []float32{7, 7, 7}
	methods := map[string]func(f Focal){
		"Loss":     func(f Focal) { f.Loss(dst, x3, y3) },
		"Grad":     func(f Focal) { f.Grad(dst, x3, y3) },
		"Reduce":   func(f Focal) { f.Reduce(x3, y3) },
		"LossGrad": func(f Focal) { f.LossGrad(dst, x3, y3) },
	}
	bad := []struct {
		f    Focal
		want string
	}{
		{Focal{Gamma: -1}, "Gamma = -1, want finite and >= 0"},
		{Focal{Gamma: nan}, "Gamma = NaN, want finite and >= 0"},
		{Focal{Gamma: inf}, "Gamma = +Inf, want finite and >= 0"},
		{Focal{Alpha: -0.1}, "Alpha = -0.1, want it in [0,1)"},
		{Focal{Alpha: 1}, "Alpha = 1, want it in [0,1)"},
		{Focal{Alpha: nan, Gamma: 2}, "Alpha = NaN, want it in [0,1)"},
		{Focal{Weight: x2, Gamma: 2}, "len(Weight) = 2, want len(logits) = 3"},
		{Focal{LabelSmoothing: 1.5, Gamma: 0.5}, "LabelSmoothing = 1.5, want it in [0,1]"},
		{Focal{Reduction: 7, Gamma: 2}, "unknown Reduction(7)"},
		{Focal{GradScale: nan, Gamma: 2}, "GradScale = NaN, want finite"},
		{Focal{GradScale: -inf}, "GradScale = -Inf, want finite"},
	}
	for name, m := range methods {
		for _, b := range bad {
			t.Run(name+" "+b.want, func(t *testing.T) {
				defer func() {
					r := recover()
					require.NotNil(t, r, "no panic")
					assert.Contains(t, r, "bce.Focal."+name+": "+b.want)
					assert.Equal(t, []float32{7, 7, 7}, dst, "dst written before the panic")
				}()
				m(b.f)
			})
		}
	}
	lengths := map[string]func(){
		"bce.Focal.Loss: len(dst) = 2, len(logits) = 3":       func() { Focal{Gamma: 2}.Loss(dst[:2], x3, y3) },
		"bce.Focal.Grad: len(dst) = 3, len(logits) = 2":       func() { Focal{Gamma: 2}.Grad(dst, x2, y3) },
		"bce.Focal.Reduce: len(logits) = 3, len(targets) = 2": func() { Focal{Gamma: 2}.Reduce(x3, x2) },
		"bce.Focal.LossGrad: len(grad) = 3, len(logits) = 3, len(targets) = 2": func() {
			Focal{Gamma: 0.5}.LossGrad(dst, x3, x2)
		},
	}
	for want, f := range lengths {
		t.Run(want, func(t *testing.T) {
			defer func() {
				r := recover()
				require.NotNil(t, r, "no panic")
				assert.Contains(t, r, want)
				assert.Equal(t, []float32{7, 7, 7}, dst, "dst written before the panic")
			}()
			f()
		})
	}
}

// TestFocalNoAllocs checks that no method allocates, for the integer and
// pow kernels, with and without weights, over more than one chunk.
func TestFocalNoAllocs(t *testing.T) {
	const n = 5000
	x, y := randomInputs(n, 321)
	w := randomWeights(n, 322)
	dst := make([]float32, n)
	forEachPath(t, func(t *testing.T) {
		for _, f := range []Focal{{Gamma: 2, Alpha: 0.25}, {Gamma: 0.5, Weight: w, Reduction: ReduceWeightMean}, {Weight: w}} {
			f := f
			assert.Zero(t, testing.AllocsPerRun(5, func() { f.Loss(dst, x, y) }), "%+v Loss", f.Gamma)
			assert.Zero(t, testing.AllocsPerRun(5, func() { f.Grad(dst, x, y) }), "%+v Grad", f.Gamma)
			assert.Zero(t, testing.AllocsPerRun(5, func() { f.Reduce(x, y) }), "%+v Reduce", f.Gamma)
			assert.Zero(t, testing.AllocsPerRun(5, func() { f.LossGrad(dst, x, y) }), "%+v LossGrad", f.Gamma)
		}
	})
}

// TestFocalConcurrent runs the methods from two goroutines on shared inputs
// (run it with -race): every output must have the bits of a serial run.
func TestFocalConcurrent(t *testing.T) {
	const n = wchunk + 500
	x, y := randomInputs(n, 331)
	w := randomWeights(n, 332)
	forEachPath(t, func(t *testing.T) {
		f := Focal{Gamma: 0.5, Alpha: 0.25, Weight: w, LabelSmoothing: 0.1, Reduction: ReduceWeightMean}
		f2 := Focal{Gamma: 2, Alpha: 0.25}
		run := func() (outs [][]float32, rs []float32) {
			l, g, lg, r, lr := focalOuts(f, x, y)
			l2, g2, lg2, r2, lr2 := focalOuts(f2, x, y)
			return [][]float32{l, g, lg, l2, g2, lg2}, []float32{r, lr, r2, lr2}
		}
		wantOut, wantR := run()
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for rep := 0; rep < 2; rep++ {
					outs, rs := run()
					for i := range outs {
						for j := range outs[i] {
							if !sameBits(outs[i][j], wantOut[i][j]) {
								t.Errorf("output %d element %d differs under concurrency", i, j)
								return
							}
						}
					}
					for i := range rs {
						if !sameBits(rs[i], wantR[i]) {
							t.Errorf("reduction %d differs under concurrency", i)
						}
					}
				}
			}()
		}
		wg.Wait()
	})
}
