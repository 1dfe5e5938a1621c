package bce

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// Targets outside [0,1] are not checked in the hot loop, so their results are
// whatever the formula gives, and the package defines that to be what the
// SIMD model (model_test.go) gives. The SIMD paths meet the model bit for bit
// (agreement_test.go); these tests hold the generic path, which evaluates the
// formula in float64, to it:
//
//   - an infinite target: the same class of value for every output (the same
//     infinity, NaN where the model is NaN, the same bits where it is finite,
//     which only a weight of 0 gives);
//   - a finite out-of-range target: within outULP ULP of the model, measured
//     at the size of the terms before they cancel (for the plain loss
//     |c*|x|| + log1p(exp(-|x|))), since the terms may have opposite signs.
//
// The tests run on every path: the SIMD ones must pass trivially, and a
// failure there means the model and the assembly have drifted.

const outULP = 4

// outLogits covers both zeros, tiny and moderate logits, the range where
// exp(-|x|) underflows, huge ones, the ends of the float32 range, ±Inf and
// NaN.
var outLogits = []float32{
	0, float32(math.Copysign(0, -1)), 1e-30, -1e-30, 1e-3, -1e-3, 0.5, -0.5, 1, -1, 3, -3,
	17.5, -17.5, 90, -90, 103, -103, 104.5, -104.5, 1e4, -1e4, 3.3e8, -3.3e8, 1e10, -1e10,
	1e30, -1e30, maxf / 4, -maxf / 4, maxf / 2, -maxf / 2, maxf, -maxf, inf, -inf, nan,
}

// outTargets are finite targets outside [0,1]: just outside either end, small
// integers, and magnitudes up to the float32 range.
var outTargets = []float32{
	-1, 2, -3, 1.5, 1 + 0x1p-23, -0x1p-20, -1e-30, 1.0000001, 10, -10,
	1e10, -1e10, 1e30, -1e30, 3e38, -3e38, maxf, -maxf,
}

// outInputs returns logits and targets: every listed logit against every
// listed target (and the infinite ones when withInf), then random pairs.
func outInputs(withInf bool) (x, y []float32) {
	ts := append([]float32(nil), outTargets...)
	if withInf {
		ts = append(ts, inf, -inf)
	}
	for _, yv := range ts {
		for _, xv := range outLogits {
			x, y = append(x, xv), append(y, yv)
		}
	}
	r := rand.New(rand.NewSource(41))
	for i := 0; i < 3000; i++ {
		// Logits of every scale, targets log-uniform in magnitude from
		// 2^-30 beyond an end of [0,1] to 2^100.
		xv := float32(math.Ldexp(r.Float64(), r.Intn(140)-20))
		if r.Intn(2) == 0 {
			xv = -xv
		}
		d := float32(math.Ldexp(1+r.Float64(), r.Intn(130)-30))
		yv := -d
		if r.Intn(2) == 0 {
			yv = 1 + d
		}
		x, y = append(x, xv), append(y, yv)
	}
	return x, y
}

// ext maps ±Inf to ±2^128, the value float32 would hold next after
// MaxFloat32, so that an overflow on one side and MaxFloat32 on the other
// count as 1 ULP apart (a rounding difference exactly at the overflow edge),
// not infinitely far.
func ext(v float32) float64 {
	if math.IsInf(float64(v), 0) {
		return math.Copysign(0x1p128, float64(v))
	}
	return float64(v)
}

// outAgree reports whether got agrees with the model's want for an
// out-of-range target: the same class for an infinite target (infTarget),
// else within outULP units of error of scale, the size of the result's
// terms: units of ulp32(scale), or floor where that is larger. A scale that
// is itself infinite (an infinite logit) needs the same infinity.
func outAgree(got, want float32, scale, floor float64, infTarget bool) bool {
	if isNaN32(want) || isNaN32(got) {
		return isNaN32(want) && isNaN32(got)
	}
	if infTarget || math.IsInf(scale, 0) || math.IsNaN(scale) {
		return sameBits(got, want)
	}
	return math.Abs(ext(got)-ext(want)) <= outULP*math.Max(ulp32(scale), floor)
}

// plainScales returns the sizes of the terms of the plain loss and gradient:
// |c|*|x| + log1p(exp(-|x|)) and |c| + sigmoid(-|x|), with c = 1-y for a
// clear sign bit and y for a set one. 0*Inf is taken as 0 (the kernels skip
// a product with c = 0).
func plainScales(x, y float32) (loss, grad float64) {
	a := math.Abs(float64(x))
	c := float64(y)
	if signClear(x) {
		c = 1 - c
	}
	e := math.Exp(-a)
	lin := 0.0
	if c != 0 {
		lin = math.Abs(c) * a
	}
	return lin + math.Log1p(e), math.Abs(c) + e/(1+e)
}

// wParams is one set of weighted-form parameters.
type wParams struct{ w, p, s, scale float32 }

// outCriteria are the weighted forms checked: an explicit weight of 1 (the
// weighted kernels with the plain formula), weights above and below 1,
// positive weights from 0 to 9.5, smoothing up to 1, scales of both signs,
// and a mask.
var outCriteria = []wParams{
	{1, 1, 0, 1}, {0.5, 1, 0, 1}, {3, 2, 0, 0.25}, {0.7, 0, 0.1, 1},
	{1e-3, 9.5, 0.05, -2}, {2, 0.25, 1, 1}, {0.25, 4, 0, 3}, {0, 2, 0.1, 1},
}

// weightedScales returns the sizes of the terms of the weighted loss
// w*(c*|x| + k*L) and gradient w*scale*(c - k*sm), with c = 1-y' or p*y', and
// |k| bounded by |p*y'| + |1-y'|, the terms k = p*y' + (1-y') cancels.
// The model multiplies the float32 log1p(exp(-|x|)) and sigmoid(-|x|), whose
// spacing below 2^-126 is 2^-149 (and which are 0 beyond |x| = 104), by k
// and then by the weight, so the unit of error is at least that spacing
// times the factors, floor (as in TestAccuracyWeighted); the float64 steps
// of the generic path keep those small terms exactly. ok is false where the model's float32 intermediates p*y', 1-y' or k
// themselves overflow: there the model computes with ±Inf (and NaN from
// Inf*0 where exp(-|x|) is 0), which the generic path's float64 steps do not
// reproduce; only targets beyond MaxFloat32/p reach it.
func weightedScales(x, y float32, q wParams) (loss, grad, lfloor, gfloor float64, ok bool) {
	ys := float64(fma32x(y, 1-q.s, q.s/2))
	p := float64(q.p)
	py, omy := p*ys, 1-ys
	if math.Abs(py) > math.MaxFloat32 || math.Abs(omy) > math.MaxFloat32 || math.Abs(py+omy) > math.MaxFloat32 {
		return 0, 0, 0, 0, false
	}
	a := math.Abs(float64(x))
	c := py
	if signClear(x) {
		c = omy
	}
	kabs := math.Abs(py) + math.Abs(omy)
	e := math.Exp(-a)
	lin := 0.0
	if c != 0 {
		lin = math.Abs(c) * a
	}
	w, ws := math.Abs(float64(q.w)), math.Abs(float64(q.w*q.scale))
	return w * (lin + kabs*math.Log1p(e)), ws * (math.Abs(c) + kabs*e/(1+e)), w * kabs * 0x1p-149, ws * kabs * 0x1p-149, true
}

// outChecker counts and reports disagreements, a few in full.
type outChecker struct {
	t     *testing.T
	bad   int
	worst float64 // the largest error seen with a finite target, in its units
}

func (k *outChecker) check(what string, x, y, got, want float32, scale, floor float64) {
	k.t.Helper()
	infT := math.IsInf(float64(y), 0)
	if !infT && !math.IsInf(scale, 0) && !isNaN32(got) && !isNaN32(want) {
		k.worst = math.Max(k.worst, math.Abs(ext(got)-ext(want))/math.Max(ulp32(scale), floor))
	}
	if outAgree(got, want, scale, floor, infT) {
		return
	}
	if k.bad < 12 {
		k.t.Errorf("%s(x=%v, y=%v) = %v, model %v (scale %.3g, %.1f ULP)", what, x, y, got, want, scale,
			math.Abs(ext(got)-ext(want))/math.Max(ulp32(scale), floor))
	}
	k.bad++
}

func (k *outChecker) done() {
	k.t.Helper()
	k.t.Logf("largest difference from the model with a finite target: %.2f units (bound %d)", k.worst, outULP)
	if k.bad > 0 {
		k.t.Errorf("%d disagreements with the SIMD model", k.bad)
	}
}

// sumBound returns the tolerance of a sum of per-element results whose
// scales and floors are given: outULP units of each, plus one ULP of the
// sum for the two roundings to float32. It is infinite (only the same class
// passes) when any scale is.
func sumBound(scales, floors []float64, sum float32) float64 {
	b := ulp32(ext(sum))
	for i, s := range scales {
		u := ulp32(s)
		if floors != nil {
			u = math.Max(u, floors[i])
		}
		b += outULP * u
	}
	return b
}

// checkSum compares a reduction with the model's (want, with the per-element
// scales): NaN with NaN, and otherwise within sumBound, infinities mapped by
// ext; a sum with an infinite scale must match in class and value.
func (k *outChecker) checkSum(what string, got, want float32, scales, floors []float64, infTarget bool) {
	k.t.Helper()
	ok := false
	switch {
	case isNaN32(want) || isNaN32(got):
		ok = isNaN32(want) && isNaN32(got)
	case infTarget:
		ok = sameBits(got, want)
	default:
		b := sumBound(scales, floors, want)
		ok = !math.IsInf(b, 0) && math.Abs(ext(got)-ext(want)) <= b || sameBits(got, want)
	}
	if !ok {
		k.t.Errorf("%s = %v, model %v", what, got, want)
		k.bad++
	}
}

// TestOutOfRangeTargets checks the plain functions (Loss, Grad, Sum, Mean,
// LossGrad) with targets outside [0,1], infinite ones included, against the
// model: element by element, and the reductions per target value.
func TestOutOfRangeTargets(t *testing.T) {
	x, y := outInputs(true)
	n := len(x)
	forEachPath(t, func(t *testing.T) {
		k := &outChecker{t: t}
		l, g, lg := make([]float32, n), make([]float32, n), make([]float32, n)
		Loss(l, x, y)
		Grad(g, x, y)
		LossGrad(lg, x, y)
		scale := float32(1 / float64(n))
		for i := range x {
			ml, mg := mLossGradElem(x[i], y[i])
			sl, sg := plainScales(x[i], y[i])
			k.check("Loss", x[i], y[i], l[i], ml, sl, 0)
			k.check("Grad", x[i], y[i], g[i], mg, sg, 0)
			k.check("LossGrad grad", x[i], y[i], lg[i], scale*mg, float64(scale)*sg, 0)
		}
		// The reductions, over each listed target against the finite
		// logits (finite sums), and against all logits (±Inf and NaN).
		for _, yv := range append(append([]float32(nil), outTargets...), inf, -inf) {
			for _, finite := range []bool{true, false} {
				var xs, ys, ml []float32
				var sc []float64
				for _, xv := range outLogits {
					if finite && (math.IsInf(float64(xv), 0) || isNaN32(xv)) {
						continue
					}
					xs, ys = append(xs, xv), append(ys, yv)
					ml = append(ml, mLossElem(xv, yv))
					s, _ := plainScales(xv, yv)
					sc = append(sc, s)
				}
				m := len(xs)
				sum := outLaneSum(ml)
				infT := math.IsInf(float64(yv), 0)
				name := fmt.Sprintf("y=%v finite=%v", yv, finite)
				k.checkSum("Sum "+name, Sum(xs, ys), float32(sum), sc, nil, infT)
				k.checkSum("Mean "+name, Mean(xs, ys), float32(sum/float64(m)), scaleAll(sc, 1/float64(m)), nil, infT)
				k.checkSum("LossGrad "+name, LossGrad(make([]float32, m), xs, ys), float32(sum/float64(m)), scaleAll(sc, 1/float64(m)), nil, infT)
			}
		}
		k.done()
	})
}

// TestOutOfRangeTargetsWeighted checks every Criterion method with targets
// outside [0,1] against the model, per element and for the reductions.
func TestOutOfRangeTargetsWeighted(t *testing.T) {
	x, y := outInputs(true)
	n := len(x)
	forEachPath(t, func(t *testing.T) {
		k := &outChecker{t: t}
		for _, q := range outCriteria {
			w := make([]float32, n)
			for i := range w {
				w[i] = q.w
			}
			c := Criterion{Weight: w, PosWeight: []float32{q.p}, LabelSmoothing: q.s, GradScale: q.scale, Reduction: ReduceSum}
			name := fmt.Sprintf("%+v ", q)
			l, g, lg := make([]float32, n), make([]float32, n), make([]float32, n)
			c.Loss(l, x, y)
			c.Grad(g, x, y)
			c.LossGrad(lg, x, y)
			for i := range x {
				sl, sg, fl, fg, ok := weightedScales(x[i], y[i], q)
				if !ok && !math.IsInf(float64(y[i]), 0) {
					continue
				}
				ml, _ := mWElem(x[i], y[i], q.w, q.p, 1-q.s, q.s/2, 1)
				_, mg := mWElem(x[i], y[i], q.w, q.p, 1-q.s, q.s/2, q.scale)
				k.check(name+"Loss", x[i], y[i], l[i], ml, sl, fl)
				k.check(name+"Grad", x[i], y[i], g[i], mg, sg, fg)
				k.check(name+"LossGrad grad", x[i], y[i], lg[i], mg, sg, fg)
			}
			for _, yv := range append(append([]float32(nil), outTargets...), inf, -inf) {
				var xs, ys, ml []float32
				var sc, fs []float64
				skip := false
				for _, xv := range outLogits {
					if math.IsInf(float64(xv), 0) || isNaN32(xv) {
						continue
					}
					s, _, f, _, ok := weightedScales(xv, yv, q)
					skip = skip || !ok && !math.IsInf(float64(yv), 0)
					l, _ := mWElem(xv, yv, q.w, q.p, 1-q.s, q.s/2, 1)
					xs, ys, ml, sc, fs = append(xs, xv), append(ys, yv), append(ml, l), append(sc, s), append(fs, f)
				}
				if skip {
					continue
				}
				cs := c
				cs.Weight = w[:len(xs)]
				want := float32(outLaneSum(ml))
				infT := math.IsInf(float64(yv), 0)
				k.checkSum(fmt.Sprintf("%sReduce y=%v", name, yv), cs.Reduce(xs, ys), want, sc, fs, infT)
				k.checkSum(fmt.Sprintf("%sLossGrad y=%v", name, yv), cs.LossGrad(make([]float32, len(xs)), xs, ys), want, sc, fs, infT)
			}
		}
		k.done()
	})
}

// TestInfiniteTargetValues pins the documented values for an infinite target
// y on every path: the plain loss is -y for x > 0 and +y for x < 0 (the
// linear term (1-y)*x or y*(-x)), NaN at x = ±0 (Inf*0) and for a NaN
// logit; the plain gradient is -y; the weighted forms give NaN (k = 1 +
// (p-1)*y is Inf-Inf) except where the weight is 0.
func TestInfiniteTargetValues(t *testing.T) {
	negZero := float32(math.Copysign(0, -1))
	forEachPath(t, func(t *testing.T) {
		for _, yv := range []float32{inf, -inf} {
			for _, xv := range []float32{3, -3, 1e-30, -1e-30, 200, -200, maxf, -maxf, inf, -inf, 0, negZero, nan} {
				l, g, _ := one(xv, yv)
				wantL := -yv
				switch {
				case xv == 0 || isNaN32(xv):
					wantL = nan
				case xv < 0:
					wantL = yv
				}
				wantG := -yv
				if isNaN32(xv) {
					wantG = nan
				}
				if !sameBits(l, wantL) || !sameBits(g, wantG) {
					t.Errorf("loss, grad(%v, %v) = %v, %v, want %v, %v", xv, yv, l, g, wantL, wantG)
				}
				wl := make([]float32, 2)
				Criterion{Weight: []float32{1, 0}}.Loss(wl, []float32{xv, xv}, []float32{yv, yv})
				if !isNaN32(wl[0]) || math.Float32bits(wl[1]) != 0 {
					t.Errorf("weighted loss(%v, %v) with weights 1, 0 = %v, want NaN, 0", xv, yv, wl)
				}
			}
		}
	})
}

// outLaneSum is the model's sum in the documented order (laneFold).
func outLaneSum(v []float32) float64 { return laneFold(v) }

func scaleAll(s []float64, f float64) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = v * f
	}
	return out
}

// TestWeightedOverflowClass checks the documented float32 overflow of the
// weighted forms, where the bracket c*|x| + k*log1p(exp(-|x|)) exceeds
// MaxFloat32 before the weight multiplies it: every path must give the
// model's class of value (±Inf where the bracket overflows, finite where it
// does not), for weights below 1 too. The cases are in range (y in [0,1] with
// PosWeight > 1 at |x| > MaxFloat32/p) and out of range (y = -1, 2). Logits
// and weights are chosen away from the overflow edge, where a rounding
// difference could flip the class.
func TestWeightedOverflowClass(t *testing.T) {
	xs := []float32{maxf, -maxf, maxf / 1.5, -maxf / 1.5, maxf / 3, -maxf / 3, 1e38, -1e38, 1e30, -1e30}
	type tc struct{ y, p, s float32 }
	var cases []tc
	for _, y := range []float32{1, 0.75, 0.5, 0, -1, 2} {
		for _, p := range []float32{0, 0.5, 1, 2, 4, 1e10} {
			for _, s := range []float32{0, 0.1} {
				cases = append(cases, tc{y, p, s})
			}
		}
	}
	ws := []float32{1, 0.5, 0.25, 1e-10, 2}
	forEachPath(t, func(t *testing.T) {
		bad := 0
		for _, cs := range cases {
			for _, w := range ws {
				n := len(xs)
				ys, wv := make([]float32, n), make([]float32, n)
				for i := range ys {
					ys[i], wv[i] = cs.y, w
				}
				c := Criterion{Weight: wv, PosWeight: []float32{cs.p}, LabelSmoothing: cs.s, Reduction: ReduceSum}
				l, g := make([]float32, n), make([]float32, n)
				c.Loss(l, xs, ys)
				lsum := c.LossGrad(g, xs, ys)
				rsum := c.Reduce(xs, ys)
				var ml []float32
				for i, x := range xs {
					want, _ := mWElem(x, cs.y, w, cs.p, 1-cs.s, cs.s/2, 1)
					ml = append(ml, want)
					if class(l[i]) != class(want) {
						if bad < 12 {
							t.Errorf("Criterion{w=%v p=%v s=%v}.Loss(x=%v, y=%v) = %v, model %v", w, cs.p, cs.s, x, cs.y, l[i], want)
						}
						bad++
					}
				}
				want := float32(outLaneSum(ml))
				if class(lsum) != class(want) || class(rsum) != class(want) {
					t.Errorf("Criterion{w=%v p=%v s=%v} y=%v: Reduce %v, LossGrad %v, model %v", w, cs.p, cs.s, cs.y, rsum, lsum, want)
					bad++
				}
			}
		}
		if bad > 0 {
			t.Errorf("%d results of the wrong class", bad)
		}
	})
}

// TestHugePosWeightAccuracy checks the weighted loss with positive weights
// far above 1 against the float64 reference, within the weighted bound: the
// generic path once selected c = 1-y' by a blend that cancelled next to
// p*y', losing about 7 bits of c at p = 1e12 (98 ULP at x = 1e6, y = 0.1).
func TestHugePosWeightAccuracy(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		for _, p := range []float32{1e8, 1e12, 1e20} {
			for _, yv := range []float32{0.1, 0.5, 0.9, 1e-3} {
				xs := []float32{1e3, 1e6, 3e7, -1e3, 1, -1, 30, -30}
				ys := make([]float32, len(xs))
				for i := range ys {
					ys[i] = yv
				}
				l := make([]float32, len(xs))
				Criterion{PosWeight: []float32{p}}.Loss(l, xs, ys)
				for i, x := range xs {
					ref := refLoss(float64(x), float64(yv), 1, float64(p))
					if e := ulpErr(l[i], ref, ref); !(e <= boundWeighted) {
						t.Errorf("Criterion{PosWeight: %v}.Loss(x=%v, y=%v) = %v, want %v: %.1f ULP", p, x, yv, l[i], ref, e)
					}
				}
			}
		}
	})
}
