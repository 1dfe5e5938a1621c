package bce

import (
	"math"
	"testing"
)

// The SIMD model: the algorithm of the assembly kernels (see the comment at
// the top of bce_generic.go), one float32 operation at a time, with a
// correctly rounded float32 fused multiply-add. Every SIMD path (avx2,
// avx512, neon) must give exactly these bits for every per-element output
// (NaN outputs need only both be NaN), which makes the paths bit-identical
// to each other on every architecture without comparing them across
// machines. Each line is one vector instruction (or one masked select) of
// the assembly.

// mExpNeg returns exp(-a) for a >= 0 or NaN (step 1 of bce_generic.go),
// and the rounding error of that float32 result, elo: e + elo is exp(-a) to
// about 2^-46 relative, for the sigmoid's correction (mSigNeg).
func mExpNeg(a float32) (e, elo float32) {
	if a > expClamp { // false for NaN, which flows through
		a = expClamp
	}
	t := fma32x(a, -log2e, expMagic)
	n := t - expMagic
	r := fma32x(n, -ln2hi, -a)
	r = fma32x(n, -ln2lo, r)
	p := fma32x(exp6, r, exp5)
	p = fma32x(p, r, exp4)
	p = fma32x(p, r, exp3)
	p = fma32x(p, r, exp2)
	p = fma32x(p, r, 1)
	p1 := fma32x(p, r, 1)
	// The residual of the last step: 1-p1 is exact (p1 is in [0.5, 2]),
	// so this is q*r + 1 - p1 rounded once, the rounding error of p1 to
	// about 2^-24 of itself.
	plo := fma32x(p, r, 1-p1)
	scale := math.Float32frombits(math.Float32bits(t) << 23)
	return p1 * scale * twoM64, plo * scale * twoM64
}

// mLog1p returns log1p(e) for e in [0,1] or NaN (step 2 of bce_generic.go).
func mLog1p(e float32) float32 {
	f, k := e, float32(0)
	if e >= 0.5 {
		f, k = fma32x(e, 0.5, -0.5), ln2f
	}
	q := fma32x(lp8, f, lp7)
	q = fma32x(q, f, lp6)
	q = fma32x(q, f, lp5)
	q = fma32x(q, f, lp4)
	q = fma32x(q, f, lp3)
	q = fma32x(q, f, lp2)
	q = fma32x(q, f, lp1)
	q = fma32x(q, f, lp0)
	return fma32x(f*f, q, f) + k
}

// mLossElem returns the loss of one element (step 4).
func mLossElem(x, y float32) float32 {
	a := float32(math.Abs(float64(x)))
	e, _ := mExpNeg(a)
	L := mLog1p(e)
	c := y
	if signClear(x) {
		c = 1 - y
	}
	if c == 0 {
		return L
	}
	return fma32x(c, a, L)
}

// mLossGradElem returns the loss of one element and sigmoid(x) - y.
func mLossGradElem(x, y float32) (loss, grad float32) {
	a := float32(math.Abs(float64(x)))
	e, elo := mExpNeg(a)
	L := mLog1p(e)
	sm := mSigNeg(e, elo)
	c := y
	pos := signClear(x)
	if pos {
		c = 1 - y
	}
	loss = L
	if c != 0 {
		loss = fma32x(c, a, L)
	}
	grad = c - sm
	if !pos {
		grad = -grad
	}
	return loss, grad
}

// signClear reports whether x's sign bit is clear (x >= +0, or a NaN with a
// clear sign bit); the kernels select on the sign bit so that ±0 agree.
func signClear(x float32) bool { return math.Float32bits(x)>>31 == 0 }

// mSigNeg returns sigmoid(-a) = E/(1+E) for E = e + elo = exp(-a)
// (step 3). The quotient s = e/d with d = 1+e rounded is corrected by its
// residual E - s*(1+E) = fma(-s, d, e) - s*dlo + elo*(1-s), where
// dlo = e - (d-1) is the exact rounding error of d, and 1/(1+E) is taken as
// 1-s: the result is the correctly rounded E/(1+E) to within a few hundredths
// of an ULP, so the rounding of e itself no longer shows in the sigmoid.
func mSigNeg(e, elo float32) float32 {
	d := 1 + e
	dlo := e - (d - 1)
	s := e / d
	r := fma32x(-s, d, e)
	r = fma32x(-s, dlo, r)
	oms := 1 - s
	r = fma32x(elo, oms, r)
	return fma32x(r, oms, s)
}

func mSigmoidElem(x float32) float32 {
	a := float32(math.Abs(float64(x)))
	e, elo := mExpNeg(a)
	sm := mSigNeg(e, elo)
	if signClear(x) {
		return 1 - sm
	}
	return sm
}

// mWElem returns the weighted loss and the weighted gradient
// (w*scale)*(±(c - k*sm)) of one element; a weight of exactly 0 gives (0, 0).
func mWElem(x, y, w, p, oms, hs, scale float32) (loss, grad float32) {
	if w == 0 {
		return 0, 0
	}
	ys := fma32x(y, oms, hs)
	a := float32(math.Abs(float64(x)))
	e, elo := mExpNeg(a)
	L := mLog1p(e)
	sm := mSigNeg(e, elo)
	pos := signClear(x)
	omy := 1 - ys
	c := p * ys
	if pos {
		c = omy
	}
	k := fma32x(p, ys, omy)
	kL := k * L
	lin := kL
	if c != 0 {
		lin = fma32x(c, a, kL)
	}
	g := fma32x(-k, sm, c)
	if !pos {
		g = -g
	}
	return w * lin, w * scale * g
}

// TestModelAccuracy checks the SIMD model itself against the bounds on the
// sampled logits, so the assembly's algorithm is known to meet them even on
// a machine without any SIMD path; the exhaustive test measures the real
// paths.
func TestModelAccuracy(t *testing.T) {
	xs := sampledLogits()
	if testing.Short() {
		// The model is the same Go code on every GOARCH; under -short (CI's
		// generic suites under qemu) every 16th sampled logit checks that
		// it behaves the same there, and the whole set runs natively.
		short := xs[:0:0]
		for i := 0; i < len(xs); i += 16 {
			short = append(short, xs[i])
		}
		xs = short
	}
	var hard [nHard]worst
	var soft [2]worst
	for _, x := range xs {
		ref := refHard(float64(x))
		l0, l1 := mLossElem(x, 0), mLossElem(x, 1)
		_, g0 := mLossGradElem(x, 0)
		_, g1 := mLossGradElem(x, 1)
		got := [nHard]float32{l0, l1, g0, g1, mSigmoidElem(x)}
		for f := range hard {
			hard[f].add(ulpErr(got[f], ref[f], ref[f]), x, got[f], ref[f])
		}
		for _, y := range []float32{1e-3, 0.1, 0.5, 0.7, 0.999} {
			xf, yf := float64(x), float64(y)
			l, g := mLossGradElem(x, y)
			rl, rg := refLoss(xf, yf, 1, 1), refGrad(xf, yf, 1, 1)
			soft[0].add(ulpErr(l, rl, rl), x, l, rl)
			soft[1].add(ulpErr(g, rg, math.Max(refSigmoid(xf), yf)), x, g, rg)
		}
	}
	for f, name := range hardFns {
		t.Logf("model %-10s max %s", name, hard[f])
		if !(hard[f].ulp <= boundHard) {
			t.Errorf("model %s: %s exceeds %d ULP", name, hard[f], boundHard)
		}
	}
	t.Logf("model soft loss max %s", soft[0])
	t.Logf("model soft grad max %s", soft[1])
	if !(soft[0].ulp <= boundSoftLoss) || !(soft[1].ulp <= boundSoftGrad) {
		t.Errorf("model soft labels: loss %s, grad %s exceed the bounds", soft[0], soft[1])
	}
}
