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
// the assembly. The four steps that the generic focal kernels also need in
// float32 (mExpNeg, mBracket, mSigNeg, mLog) are written once, as
// bce_generic.go's f32ExpNeg, f32Bracket, f32SigNeg and f32Log; their
// comments here explain them.

// mExpNeg returns exp(-a) for a >= 0 or NaN (step 1 of bce_generic.go),
// and the rounding error of that float32 result, elo: e + elo is exp(-a) to
// about 2^-46 relative, for the sigmoid's correction (mSigNeg).
func mExpNeg(a float32) (e, elo float32) {
	return f32ExpNeg(a)
}

// mBracket returns c*a + kk*log1p(E) for E = e + elo = exp(-a): step 2
// and the loss of step 4, c*a joining log1p's high part where that is
// exact (bce_generic.go's f32Bracket, where the error budget is).
func mBracket(a, e, elo, c, kk float32) float32 {
	return f32Bracket(a, e, elo, c, kk)
}

// mLossElem returns the loss of one element (step 4).
func mLossElem(x, y float32) float32 {
	a := float32(math.Abs(float64(x)))
	e, elo := mExpNeg(a)
	c := y
	if signClear(x) {
		c = 1 - y
	}
	return mBracket(a, e, elo, c, 1)
}

// mLossGradElem returns the loss of one element and sigmoid(x) - y.
func mLossGradElem(x, y float32) (loss, grad float32) {
	a := float32(math.Abs(float64(x)))
	e, elo := mExpNeg(a)
	sm := mSigNeg(e, elo)
	c := y
	pos := signClear(x)
	if pos {
		c = 1 - y
	}
	loss = mBracket(a, e, elo, c, 1)
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
	return f32SigNeg(e, elo)
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
// Its finish is bce_generic.go's weighted32 (the generic path runs it where
// the float32 overflow decides the class of the result), written once.
func mWElem(x, y, w, p, oms, hs, scale float32) (loss, grad float32) {
	if w == 0 {
		return 0, 0
	}
	return weighted32(x, fma32x(y, oms, hs), w, p, scale)
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
			t.Errorf("model %s: %s exceeds %g ULP", name, hard[f], boundHard)
		}
	}
	t.Logf("model soft loss max %s", soft[0])
	t.Logf("model soft grad max %s", soft[1])
	if !(soft[0].ulp <= boundSoftLoss) || !(soft[1].ulp <= boundSoftGrad) {
		t.Errorf("model soft labels: loss %s, grad %s exceed the bounds", soft[0], soft[1])
	}
}

// mLog returns log(q) for q in [0,1] (the focal modulating factor's
// 1-p_t): -Inf for ±0, NaN outside [0,1] and for NaN. A subnormal q is first
// scaled by 2^23 (exact); then q = 2^k * m with m in [0.75, 1.5), taken
// from the bits of q minus those of 0.75, so that f = m-1 is exact and in
// [-0.25, 0.5), the domain of log1p's polynomial (f32LogQ):
// log(q) = k*ln2 + f + f^2*P(f), with k*ln2 in two parts (k*ln2hi exact).
func mLog(q float32) float32 {
	return f32Log(q)
}

// mFocalElem returns the focal loss of one element and its gradient times
// scale; a weight of exactly 0 gives (0, 0). With the smoothed target y', c
// as in mWElem (1-y' for a clear sign bit, y' for a set one), sm =
// sigmoid(-|x|) and ce the BCE with logits at y':
//
//	q  = 1-p_t = c*(1-sm) + (1-c)*sm   (every term >= 0 for y' in [0,1])
//	m  = q^gamma                        (the modulating factor)
//	D  = gamma * q^(gamma-1) * P,  P = sm*(1-sm) = p*(1-p)
//	loss = w*alpha_t * ce * m
//	grad = ±w*alpha_t*scale * (m*(c - sm) + D*ce*(2c - 1)), negated for a set sign bit
//
// since d(ce)/dx = p - y' = ±(c - sm) and d(q)/dx = (1-2y')*p*(1-p) =
// ±(2c-1)*P. alpha_t = fma(y', al1, al0): al1 = 2*Alpha-1 and al0 =
// 1-Alpha, or al1 = 0 and al0 = 1 (alpha_t exactly 1) without alpha
// weighting.
//
// pow false (FinishFocal, gamma in {0, 1, 2}): m = fa*fb and D =
// (gamma*fb)*P with fa = fma(ga1, q, ga0) and fb = fma(gb1, q, gb0), each
// exactly q or 1 by the scalars (gamma 0: fa = fb = 1; 1: fa = q, fb = 1;
// 2: fa = fb = q), and the loss is ((ce*fa)*fb)*W, so that at x = ±Inf a
// soft target's ce = Inf is not multiplied by an underflowed m.
//
// pow true (FinishFocalPow): m = exp(gamma*log(q)) through mLog and
// mExpNeg, raised to the smallest subnormal where it underflows (q > 0
// makes the exact m positive, and it keeps Inf*m from making NaN at x =
// ±Inf; where q = 0, ce and P are 0 and the floor changes nothing), and
// D = (gamma*m) * (P/max(q, 2^-149)): P/q = p*(1-p)/(1-p_t) <= 1 for y' in
// [0,1], so D has no q^(gamma-1) blow-up for gamma < 1, and at q = 0 it is
// 0/2^-149 = 0.
//
// Where D = 0, D*ce is taken as 0: at x = ±Inf, P = 0 and ce = Inf.
func mFocalElem(x, y, w, oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma, scale float32, pow bool) (loss, grad float32) {
	if w == 0 {
		return 0, 0
	}
	ys := fma32x(y, oms, hs)
	a := float32(math.Abs(float64(x)))
	e, elo := mExpNeg(a)
	sm := mSigNeg(e, elo)
	pos := signClear(x)
	c := ys
	if pos {
		c = 1 - ys
	}
	ce := mBracket(a, e, elo, c, 1)
	osm := 1 - sm
	q := fma32x(c, osm, (1-c)*sm)
	P := sm * osm
	W := w * fma32x(ys, al1, al0)
	var m, D float32
	if pow {
		m, _ = mExpNeg(-(gamma * mLog(q)))
		if m < 0x1p-149 { // NaN stays
			m = 0x1p-149
		}
		qd := q
		if q < 0x1p-149 { // NaN stays
			qd = 0x1p-149
		}
		D = (gamma * m) * (P / qd)
		loss = (ce * m) * W
	} else {
		fa := fma32x(ga1, q, ga0)
		fb := fma32x(gb1, q, gb0)
		m = fa * fb
		D = (gamma * fb) * P
		loss = ((ce * fa) * fb) * W
	}
	var Dce float32
	if D != 0 { // NaN included
		Dce = D * ce
	}
	g := fma32x(Dce, (c+c)-1, (c-sm)*m)
	if !pos {
		g = -g
	}
	return loss, (W * scale) * g
}
