package bce

import "math"

// The generic kernels: pure Go, float32 arithmetic, the same algorithm and
// constants as the assembly. They are always compiled, so tests can compare
// any path with them, and they are the only path under the purego tag and on
// GOARCHes without assembly.
//
// The algorithm, per element, for a = |x|:
//
//  1. e = exp(-a) (expNeg): Cody-Waite range reduction -a = n*ln2 + r with
//     n = round(-a*log2(e)) and |r| <= ln2/2, ln2 split into a 16-bit head and
//     a tail; exp(r) = 1 + r + r^2*Q(r) with Q a degree-4 minimax polynomial
//     (relative error 0.053 units of 2^-24 after rounding the coefficients
//     to float32); the result is scaled by 2^(n+64), always a normal number
//     and so exact, then by 2^-64, the only rounding, which keeps subnormal
//     results correct. a is clamped at 104 (exp(-104) < 2^-150 rounds to 0).
//  2. L = log1p(e) (log1pSmall), e in [0,1]: with f = e (k = 0) for e < 0.5
//     and f = (e-1)/2 (k = 1) for e >= 0.5, both exact, log1p(e) =
//     k*ln2 + f + f^2*P(f), f in [-0.25, 0.5), P a degree-8 minimax polynomial
//     (relative error 0.083 units of 2^-24). For tiny e this returns e
//     exactly, so subnormal losses pass through.
//  3. sm = sigmoid(-a) = e/(1+e), one IEEE division.
//  4. With c = 1-y for x >= +0 and c = y for x <= -0 (sign bit set):
//     loss = c*a + L (one fused multiply-add; when c = 0 the product is
//     skipped so that 0*Inf does not make NaN at x = ±Inf), and
//     grad = ±(c - sm), negated for a set sign bit: sigmoid(x) - y is
//     (1-y) - sigmoid(-|x|) for x >= 0 and sigmoid(-|x|) - y for x < 0, so
//     the gradient of a right label is the small sigmoid(-|x|) itself, never
//     1 - (1 - small).
//
// The weighted kernels follow the same steps with the positive weight p and
// the smoothed target y' = fma(y, 1-s, s/2): c = 1-y' for x >= +0 and p*y'
// for x <= -0, k = fma(p, y', 1-y') = 1 + (p-1)y', loss = w*(c*a + k*L) and
// grad = w*scale*(±(c - k*sm)). With p = 1, w = 1 and s = 0 every step gives
// the same bits as the plain kernels (k is exactly 1).
//
// fma32 rounds twice (to float64, then to float32); that differs from a
// true float32 FMA only when the first rounding lands on a float32 halfway
// point, which the accuracy tests bound like any other rounding.

// Constants of the range reduction and the polynomials; _asm/fitpoly
// reproduces the polynomial coefficients.
const (
	expClamp = 104
	log2e    = 1.44269504088896341
	ln2hi    = 0.693145751953125      // 16 significant bits: n*ln2hi is exact for |n| <= 256
	ln2lo    = 1.42860682030941723e-6 // ln2 - ln2hi, rounded to float32
	ln2f     = 0.693147182464599609   // ln2 rounded to float32
	// expMagic is 1.5*2^23 + 191: adding it to -a*log2(e) rounds to an
	// integer n held in the low mantissa bits as n+191, so that shifting the
	// bit pattern left by 23 gives the float32 2^(n+64).
	expMagic = 12583103

	exp2   = 0.49999994    // 0x3efffffe
	exp3   = 0.166665226   // 0x3e2aaa4a
	exp4   = 0.0416682921  // 0x3d2aac5f
	exp5   = 0.00836853217 // 0x3c091c2b
	exp6   = 0.00138182961 // 0x3ab51e82
	lp0    = -0.5          // 0xbf000000
	lp1    = 0.333334506   // 0x3eaaaad2
	lp2    = -0.250001103  // 0xbe800025
	lp3    = 0.19990848    // 0x3e4cb4cf
	lp4    = -0.166468784  // 0xbe2a76cb
	lp5    = 0.1447763     // 0x3e14403d
	lp6    = -0.131639376  // 0xbe06cc79
	lp7    = 0.104725577   // 0x3dd67a5d
	lp8    = -0.0451523438 // 0xbd38f1aa
	twoM64 = 0x1p-64
)

func fma32(a, b, c float32) float32 {
	return float32(math.FMA(float64(a), float64(b), float64(c)))
}

// expNeg returns exp(-a) for a >= 0 or NaN (step 1 above).
func expNeg(a float32) float32 {
	if a > expClamp { // false for NaN, which flows through
		a = expClamp
	}
	t := fma32(a, -log2e, expMagic)
	n := t - expMagic
	r := fma32(n, -ln2hi, -a)
	r = fma32(n, -ln2lo, r)
	p := fma32(exp6, r, exp5)
	p = fma32(p, r, exp4)
	p = fma32(p, r, exp3)
	p = fma32(p, r, exp2)
	p = fma32(p, r, 1)
	p = fma32(p, r, 1)
	scale := math.Float32frombits(math.Float32bits(t) << 23)
	return p * scale * twoM64
}

// log1pSmall returns log1p(e) for e in [0,1] or NaN (step 2 above).
func log1pSmall(e float32) float32 {
	f, k := e, float32(0)
	if e >= 0.5 {
		f, k = fma32(e, 0.5, -0.5), ln2f
	}
	q := fma32(lp8, f, lp7)
	q = fma32(q, f, lp6)
	q = fma32(q, f, lp5)
	q = fma32(q, f, lp4)
	q = fma32(q, f, lp3)
	q = fma32(q, f, lp2)
	q = fma32(q, f, lp1)
	q = fma32(q, f, lp0)
	return fma32(f*f, q, f) + k
}

// signClear reports whether x's sign bit is clear (x >= +0, or a NaN with a
// clear sign bit); the kernels branch on the sign bit so that ±0 both work.
func signClear(x float32) bool { return math.Float32bits(x)>>31 == 0 }

// lossElem returns the loss of one element (step 4).
func lossElem(x, y float32) float32 {
	a := float32(math.Abs(float64(x)))
	L := log1pSmall(expNeg(a))
	c := y
	if signClear(x) {
		c = 1 - y
	}
	if c == 0 {
		return L
	}
	return fma32(c, a, L)
}

// gradElem returns sigmoid(x) - y for one element, and its loss.
func lossGradElem(x, y float32) (loss, grad float32) {
	a := float32(math.Abs(float64(x)))
	e := expNeg(a)
	L := log1pSmall(e)
	sm := e / (1 + e)
	c := y
	pos := signClear(x)
	if pos {
		c = 1 - y
	}
	loss = L
	if c != 0 {
		loss = fma32(c, a, L)
	}
	grad = c - sm
	if !pos {
		grad = -grad
	}
	return loss, grad
}

func sigmoidElem(x float32) float32 {
	a := float32(math.Abs(float64(x)))
	e := expNeg(a)
	sm := e / (1 + e)
	if signClear(x) {
		return 1 - sm
	}
	return sm
}

// wElem returns the weighted loss and the unscaled weighted gradient
// w*(±(c - k*sm)) of one element; a weight of exactly 0 gives (0, 0).
func wElem(x, y, w, p, oms, hs, scale float32) (loss, grad float32) {
	if w == 0 {
		return 0, 0
	}
	ys := fma32(y, oms, hs)
	a := float32(math.Abs(float64(x)))
	e := expNeg(a)
	L := log1pSmall(e)
	sm := e / (1 + e)
	pos := signClear(x)
	omy := 1 - ys
	c := p * ys
	if pos {
		c = omy
	}
	k := fma32(p, ys, omy)
	kL := k * L
	lin := kL
	if c != 0 {
		lin = fma32(c, a, kL)
	}
	g := fma32(-k, sm, c)
	if !pos {
		g = -g
	}
	return w * lin, w * scale * g
}

func lossGeneric(dst, x, y []float32) {
	for i := range x {
		dst[i] = lossElem(x[i], y[i])
	}
}

// sumGeneric adds loss i into acc[i%16]: the fixed order of every path.
func sumGeneric(x, y []float32, acc *[16]float64) {
	for i := range x {
		acc[i%16] += float64(lossElem(x[i], y[i]))
	}
}

func gradGeneric(dst, x, y []float32) {
	for i := range x {
		_, dst[i] = lossGradElem(x[i], y[i])
	}
}

func lossGradGeneric(g, x, y []float32, scale float32, acc *[16]float64) {
	for i := range x {
		l, d := lossGradElem(x[i], y[i])
		g[i] = scale * d
		acc[i%16] += float64(l)
	}
}

func sigmoidGeneric(dst, x []float32) {
	for i := range x {
		dst[i] = sigmoidElem(x[i])
	}
}

func sum16Generic(x []float32, acc *[16]float64) {
	for i, v := range x {
		acc[i%16] += float64(v)
	}
}

func wlossGeneric(dst, x, y, w, pw []float32, oms, hs float32) {
	for i := range x {
		dst[i], _ = wElem(x[i], y[i], w[i], pw[i], oms, hs, 1)
	}
}

// wsumGeneric adds the weighted losses into acc[0:16] and the weights into
// acc[16:32], element i into lane i%16.
func wsumGeneric(x, y, w, pw []float32, oms, hs float32, acc *[32]float64) {
	for i := range x {
		l, _ := wElem(x[i], y[i], w[i], pw[i], oms, hs, 1)
		acc[i%16] += float64(l)
		acc[16+i%16] += float64(w[i])
	}
}

func wgradGeneric(dst, x, y, w, pw []float32, oms, hs, scale float32) {
	for i := range x {
		_, dst[i] = wElem(x[i], y[i], w[i], pw[i], oms, hs, scale)
	}
}

func wlossGradGeneric(g, x, y, w, pw []float32, oms, hs, scale float32, acc *[16]float64) {
	for i := range x {
		l, d := wElem(x[i], y[i], w[i], pw[i], oms, hs, scale)
		g[i] = d
		acc[i%16] += float64(l)
	}
}
