package bce

import "math"

// The SIMD model: the algorithm of the assembly kernels (see the comment at
// the top of bce_generic.go), one float32 operation at a time, with a
// correctly rounded float32 fused multiply-add. Every SIMD path (avx2,
// avx512, neon) must give exactly these bits for every per-element output
// (NaN outputs need only both be NaN), which makes the paths bit-identical
// to each other on every architecture without comparing them across
// machines. Each line is one vector instruction (or one masked select) of
// the assembly.

// expNeg returns exp(-a) for a >= 0 or NaN (step 1 above).
func mExpNeg(a float32) float32 {
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
	p = fma32x(p, r, 1)
	scale := math.Float32frombits(math.Float32bits(t) << 23)
	return p * scale * twoM64
}

// log1pSmall returns log1p(e) for e in [0,1] or NaN (step 2 above).
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

// lossElem returns the loss of one element (step 4).
func mLossElem(x, y float32) float32 {
	a := float32(math.Abs(float64(x)))
	L := mLog1p(mExpNeg(a))
	c := y
	if signClear(x) {
		c = 1 - y
	}
	if c == 0 {
		return L
	}
	return fma32x(c, a, L)
}

// gradElem returns sigmoid(x) - y for one element, and its loss.
func mLossGradElem(x, y float32) (loss, grad float32) {
	a := float32(math.Abs(float64(x)))
	e := mExpNeg(a)
	L := mLog1p(e)
	sm := mSigNeg(e)
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

// sigNeg returns sigmoid(-a) = e/(1+e) for e = exp(-a) in [0,1] or NaN
// (step 3 above).
func mSigNeg(e float32) float32 {
	d := 1 + e
	dlo := e - (d - 1)
	s := e / d
	r := fma32x(-s, d, e)
	r = fma32x(-s, dlo, r)
	return fma32x(r, 1-s, s)
}

func mSigmoidElem(x float32) float32 {
	a := float32(math.Abs(float64(x)))
	e := mExpNeg(a)
	sm := mSigNeg(e)
	if signClear(x) {
		return 1 - sm
	}
	return sm
}

// wElem returns the weighted loss and the unscaled weighted gradient
// w*(±(c - k*sm)) of one element; a weight of exactly 0 gives (0, 0).
func mWElem(x, y, w, p, oms, hs, scale float32) (loss, grad float32) {
	if w == 0 {
		return 0, 0
	}
	ys := fma32x(y, oms, hs)
	a := float32(math.Abs(float64(x)))
	e := mExpNeg(a)
	L := mLog1p(e)
	sm := mSigNeg(e)
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
