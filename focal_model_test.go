package bce

import (
	"math"
	"testing"
)

// TestFocalModelRef checks the SIMD model of the focal rows against their
// reference bound (refFocalAt) on the harness's inputs: the sampled logits,
// random inputs and the special values, so that the fuzz targets' check of
// the SIMD paths against the reference holds for the algorithm itself, on a
// machine without any SIMD path too.
func TestFocalModelRef(t *testing.T) {
	cases := harnessModelCases()
	r := newRand(41)
	nrand := 8
	if raceEnabled {
		nrand = 2 // the full set runs natively (CI's exhaustive step)
	}
	for j := 0; j < nrand; j++ {
		cases = append(cases, modelCase{"random inputs", randomKernelInputs(r, 1<<13)})
	}
	rep := reporter{t: t}
	for _, c := range cases {
		for _, k := range allRows() {
			if k.reads&readsFocal == 0 || !k.perElement() {
				continue
			}
			out := make([]float32, len(c.in.x))
			for i := range out {
				out[i] = k.model(c.in, i)
			}
			rep.checkRef(call{p: pathGeneric, k: k, in: c.in, off: -1, what: "the model (" + c.name + ")"}, out)
		}
	}
	rep.done()
}

// focalAccGammas and focalAccAlphas are the configurations of the focal
// accuracy test (the issue's): the integer Gammas run FinishFocal, the
// others FinishFocalPow.
var (
	focalAccGammas = []float32{0, 0.5, 1, 2, 3.7}
	focalAccAlphas = []float32{0, 0.25}
	focalAccYs     = []float32{0, 1, 1e-3, 0.1, 0.5, 0.7, 0.999}
)

// focalEval returns the focal loss and gradient (w = 1, scale 1) of xs at
// the target y for f's scalars, on path p, or from the model for p < 0.
func focalEval(p int, f Focal, xs []float32, y float32, ys, ones, loss, grad []float32) {
	k := f.scalars()
	for i := range ys {
		ys[i] = y
	}
	if p < 0 {
		for i, x := range xs {
			loss[i], _ = mFocalElem(x, y, 1, k.oms, k.hs, k.al1, k.al0, k.ga1, k.ga0, k.gb1, k.gb0, k.gamma, 1, k.pow)
			_, grad[i] = mFocalElem(x, y, 1, k.oms, k.hs, k.al1, k.al0, k.ga1, k.ga0, k.gb1, k.gb0, k.gamma, 1, k.pow)
		}
		return
	}
	id := pathID(p)
	if k.pow {
		focalPowLossKernel(id, loss, xs, ys, ones, k.oms, k.hs, k.al1, k.al0, k.gamma)
		focalPowGradKernel(id, grad, xs, ys, ones, k.oms, k.hs, k.al1, k.al0, k.gamma, 1)
		return
	}
	focalLossKernel(id, loss, xs, ys, ones, k.oms, k.hs, k.al1, k.al0, k.ga1, k.ga0, k.gb1, k.gb0, k.gamma)
	focalGradKernel(id, grad, xs, ys, ones, k.oms, k.hs, k.al1, k.al0, k.ga1, k.ga0, k.gb1, k.gb0, k.gamma, 1)
}

// TestFocalAccuracy checks the focal loss and gradient of every available
// path and of the SIMD model (so that the assembly's algorithm is known to
// meet the bound on a machine without SIMD too) against refFocal on the
// sampled logits (every float32 exponent, both signs), hard and soft
// targets, Gamma in focalAccGammas and Alpha in focalAccAlphas: per element
// where the reference is finite and below MaxFloat32,
// |loss - ref| <= 1e-5*|ref| + 2^-126 and |grad - ref| <= 1e-5*S + 2^-126.
// It logs the largest error of each path, output and Gamma in units of the
// relative error, |got - ref| / (|ref| + 2^-126/1e-5) (S for the gradient).
func TestFocalAccuracy(t *testing.T) {
	// Every other sampled logit (1024 mantissas per binade and sign, every
	// exponent), every 16th under -short and under the race detector (which
	// slows this pure computation tenfold and has no concurrency to find
	// here; CI's exhaustive step runs the full set natively): the model's
	// fused multiply-adds are emulated, and 70 configurations run per path.
	stride := 2
	if testing.Short() || raceEnabled {
		stride = 16
	}
	var xs []float32
	for i, x := range sampledLogits() {
		if i%stride == 0 || i < len(specialValues) {
			xs = append(xs, x)
		}
	}
	n := len(xs)
	ys, ones, loss, grad := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range ones {
		ones[i] = 1
	}
	rl, rg, rs := make([]float64, n), make([]float64, n), make([]float64, n)
	// Path -1 is the model.
	paths := []int{-1}
	for _, p := range testPaths() {
		paths = append(paths, int(p))
	}
	name := func(p int) string {
		if p < 0 {
			return "model"
		}
		return pathID(p).String()
	}
	for _, g := range focalAccGammas {
		worstL, worstG := map[int]*worst{}, map[int]*worst{}
		for _, p := range paths {
			worstL[p], worstG[p] = &worst{}, &worst{}
		}
		for _, y := range focalAccYs {
			for i, x := range xs {
				rl[i], rg[i], rs[i] = refFocal(float64(x), float64(y), 1, float64(g), 1)
			}
			for _, a := range focalAccAlphas {
				f := Focal{Gamma: g, Alpha: a}
				k := f.scalars()
				W := float64(k.al1)*float64(y) + float64(k.al0)
				for _, p := range paths {
					if p >= 0 {
						exercised.Store(pathID(p), true)
					}
					focalEval(p, f, xs, y, ys, ones, loss, grad)
					for i, x := range xs {
						if want := W * rl[i]; math.Abs(want) < math.MaxFloat32 {
							e := focalErr(loss[i], want, math.Abs(want), 0x1p-126)
							worstL[p].add(e*focalRelBound, x, loss[i], want)
							if !(e <= 1) {
								t.Errorf("%s Gamma=%v Alpha=%v y=%v x=%v (%#08x): loss %v, reference %v: %.3g relative", name(p), g, a, y, x, math.Float32bits(x), loss[i], want, e*focalRelBound)
							}
						}
						if want := W * rg[i]; math.Abs(want) < math.MaxFloat32 {
							e := focalErr(grad[i], want, W*rs[i], 0x1p-126)
							worstG[p].add(e*focalRelBound, x, grad[i], want)
							if !(e <= 1) {
								t.Errorf("%s Gamma=%v Alpha=%v y=%v x=%v (%#08x): grad %v, reference %v (S %v): %.3g relative", name(p), g, a, y, x, math.Float32bits(x), grad[i], want, W*rs[i], e*focalRelBound)
							}
						}
					}
				}
			}
		}
		for _, p := range paths {
			t.Logf("%-8s Gamma=%-4v loss max %.3g relative at x=%v; grad max %.3g relative at x=%v", name(p), g,
				worstL[p].ulp, worstL[p].x, worstG[p].ulp, worstG[p].x)
		}
	}
}

// TestFocalPowFactor measures the model's modulating factor
// m = exp(gamma*log(q)) (mLog, then mExpNeg of the float32 argument t)
// against float64 over q sampled on every float32 exponent in (0, 1] and
// several Gammas, where m is a normal float32: the documented bound is a
// relative error of at most 2*(|t|+1)*2^-24 (the argument's rounding
// grows with |t|), and within the focal bound 1e-5 for every |t| < 87.4.
func TestFocalPowFactor(t *testing.T) {
	var worstK, worstRel, atRel float64
	var at [2]float64
	for _, g := range []float32{0.25, 0.5, 1.5, 3, 3.7, 5.5, 7, 13, 20, 50} {
		for e := uint32(1); e < 127; e++ {
			for m := uint32(0); m < 1<<11; m++ {
				q := math.Float32frombits(e<<23 | (m*16411)&(1<<23-1))
				lt := float32(g) * mLog(q)
				got, _ := mExpNeg(-lt)
				want := math.Pow(float64(q), float64(g))
				if want < 0x1p-126 || q > 1 {
					continue
				}
				rel := math.Abs(float64(got)-want) / want
				k := rel / ((math.Abs(float64(lt)) + 1) * 0x1p-24)
				if rel > worstRel {
					worstRel, atRel = rel, float64(lt)
				}
				if k > worstK {
					worstK, at = k, [2]float64{float64(q), float64(g)}
				}
			}
		}
	}
	t.Logf("max relative error of the factor: %.3f*(|t|+1)*2^-24 at q=%v, Gamma=%v; largest %.3g at t=%v", worstK, at[0], at[1], worstRel, atRel)
	if !(worstRel <= focalRelBound) {
		t.Errorf("the factor's error %.3g at t=%v exceeds the focal bound", worstRel, atRel)
	}
	if !(worstK <= 2) {
		t.Errorf("the factor's error %.3f*(|t|+1)*2^-24 exceeds the documented 2", worstK)
	}
}

// TestFocal32IsModel checks that focal32, the generic path's float32 finish
// for the inputs where the model's rounding decides the class of value, is
// the model bit for bit, on random and special inputs of every kind.
func TestFocal32IsModel(t *testing.T) {
	r := newRand(51)
	cases := harnessModelCases()
	for j := 0; j < 4; j++ {
		cases = append(cases, modelCase{"random inputs", randomKernelInputs(r, 1<<12)})
	}
	rep := reporter{t: t}
	for _, c := range cases {
		in := c.in
		for _, pow := range []bool{false, true} {
			k := focalK{in.oms, in.hs, in.al1, in.al0, in.ga1, in.ga0, in.gb1, in.gb0, in.gamma, in.scale, pow}
			if pow {
				k.gamma = in.gpow
			}
			for i := range in.x {
				l, g := focal32(in.x[i], in.y[i], in.w[i], &k)
				if in.w[i] == 0 {
					continue // focal returns (0, 0) before focal32
				}
				ml, mg := mFocalElem(in.x[i], in.y[i], in.w[i], k.oms, k.hs, k.al1, k.al0, k.ga1, k.ga0, k.gb1, k.gb0, k.gamma, k.scale, pow)
				if !sameBits(l, ml) || !sameBits(g, mg) {
					rep.failf("%s pow=%v i=%d x=%v y=%v w=%v: focal32 (%v, %v), the model (%v, %v)", c.name, pow, i, in.x[i], in.y[i], in.w[i], l, g, ml, mg)
				}
			}
		}
	}
	rep.done()
}
