package bce

import "math"

// The algorithm, shared by every path. Per element, for a = |x|:
//
//  1. e = exp(-a): Cody and Waite's range reduction (W. J. Cody and
//     W. Waite, Software Manual for the Elementary Functions, 1980), with ln2
//     split in two parts so that n*ln2hi is exact: -a = n*ln2 + r with
//     n = round(-a*log2(e)) and |r| <= ln2/2; exp(r) = 1 + r + r^2*Q(r), Q a
//     degree-4 minimax polynomial (degree 6 in all; relative error 0.053
//     units of 2^-24 after rounding its coefficients to float32, where a
//     degree-5 exp cannot meet a 2 ULP bound); then the scaling by 2^n. a is
//     clamped at 104: exp(-104) < 2^-150 rounds to 0 in float32.
//  2. L = log1p(e), e in [0,1], without a general log1p: with f = e (k = 0)
//     for e < 0.5 and f = (e-1)/2 (k = 1) for e >= 0.5, both exact,
//     log1p(e) = k*ln2 + f + f^2*P(f), f in [-0.25, 0.5), P a degree-8
//     minimax polynomial (degree 10 in all; relative error 0.083 units of
//     2^-24). For tiny e it returns e, so subnormal losses pass through.
//     The float32 paths keep it as a high and a low part and add e's own
//     rounding error, and fold the loss's c*a into the high part where
//     that is exact (f32Bracket): the loss is then faithfully rounded.
//  3. sm = sigmoid(-a) = e/(1+e). In float32 one IEEE division gives the
//     quotient, and a correction by its residual removes the rounding of
//     1+e, of the division and of e itself (step 1 also returns the rounding
//     error of its last polynomial step): sm is then within 0.83 ULP where
//     the plain quotient was within 2.
//  4. With c = 1-y for x >= +0 and c = y for x <= -0 (sign bit set):
//     loss = c*a + L (f32Bracket in float32), with the product skipped when
//     c = 0 so that 0*Inf does not make NaN at x = ±Inf; grad = ±(c - sm), negated for a set sign bit:
//     sigmoid(x) - y is (1-y) - sigmoid(-|x|) for x >= 0 and
//     sigmoid(-|x|) - y for x < 0, so the gradient of a right label is the
//     small sigmoid(-|x|) itself, never 1 - (1 - small); and
//     sigmoid(x) = 1 - sm for x >= +0, sm otherwise.
//
// The weighted forms add the positive weight p and the smoothed target
// y' = fma(y, 1-s, s/2) (rounded once to float32): c = 1-y' for x >= +0 and
// p*y' for x <= -0, k = 1 + (p-1)y' computed as fma(p, y', 1-y'),
// loss = w*(c*a + k*L) (f32Bracket's bracket with kk = k) and
// grad = w*scale*(±(c - k*sm)), with the rounding error of w*scale
// added back (scaled32); a weight of exactly
// 0 gives exactly 0. With p = 1, w = 1 and s = 0 every step gives what the
// plain form gives (k is exactly 1).
//
// The assembly paths evaluate this in float32, one vector instruction per
// step, with fused multiply-adds; model_test.go holds that sequence as scalar
// Go, and every SIMD path must match it bit for bit. The generic path below
// evaluates the same reduction and the same float32 polynomials in float64
// registers: on a scalar FPU a float64 operation costs what a float32 one
// does, Go has no portable float32 FMA (math.FMA on float64 operands is a
// call or a CPU-feature branch on most GOARCHes), and the error of the float64
// steps is 2^-29 of a float32 ULP, so every result is rounded to float32 once,
// at the end. It is therefore at least as accurate as the SIMD paths and
// close to them (both within the documented bounds of the reference), but
// not bit-identical to them.

// Constants of the range reduction and the polynomials; `cd _asm && go run
// ./fitpoly` reproduces the polynomial coefficients.
const (
	expClamp = 104
	log2e    = 1.44269504088896341
	ln2hi    = 0.693145751953125      // 16 significant bits: n*ln2hi is exact for |n| <= 256
	ln2lo    = 1.42860682030941723e-6 // ln2 - ln2hi, rounded to float32
	ln2f     = 0.693147182464599609   // ln2 rounded to float32
	// expMagic is 1.5*2^23 + 191: adding it to -a*log2(e) rounds to an
	// integer n held in the low mantissa bits as n+191, so that shifting the
	// bit pattern left by 23 gives the float32 2^(n+64), a normal number for
	// every n in [-150, 0]. Scaling by it is exact, and the final scaling by
	// 2^-64 is the only rounding, so subnormal results are right.
	expMagic = 12583103
	twoM64   = 0x1p-64

	exp2 = 0.49999994    // 0x3efffffe
	exp3 = 0.166665226   // 0x3e2aaa4a
	exp4 = 0.0416682921  // 0x3d2aac5f
	exp5 = 0.00836853217 // 0x3c091c2b
	exp6 = 0.00138182961 // 0x3ab51e82
	lp0  = -0.5          // 0xbf000000
	lp1  = 0.333334506   // 0x3eaaaad2
	lp2  = -0.250001103  // 0xbe800025
	lp3  = 0.19990848    // 0x3e4cb4cf
	lp4  = -0.166468784  // 0xbe2a76cb
	lp5  = 0.1447763     // 0x3e14403d
	lp6  = -0.131639376  // 0xbe06cc79
	lp7  = 0.104725577   // 0x3dd67a5d
	lp8  = -0.0451523438 // 0xbd38f1aa
	// lpWt is 0.9571 - 0.5: 1/(1+e) ~ 0.9571 - 0.5e = hn + lpWt for
	// hn = fma(-e, 0.5, 0.5) (see f32Bracket).
	lpWt = 0.4571
)

// The float32 coefficients as float64 constants for the generic path: the
// conversion makes them exactly the values the assembly uses.
var (
	gExp2, gExp3, gExp4, gExp5, gExp6 = float64(float32(exp2)), float64(float32(exp3)), float64(float32(exp4)), float64(float32(exp5)), float64(float32(exp6))
	gLp0, gLp1, gLp2, gLp3, gLp4      = float64(float32(lp0)), float64(float32(lp1)), float64(float32(lp2)), float64(float32(lp3)), float64(float32(lp4))
	gLp5, gLp6, gLp7, gLp8            = float64(float32(lp5)), float64(float32(lp6)), float64(float32(lp7)), float64(float32(lp8))
)

// gExpClamp bounds |x| in the generic path's float64 exp: exp(-708) is
// still a normal float64 (so 2^n stays normal in the scaling), and far below
// anything that a float32 weight, positive weight or scale can lift into
// the float32 range. (The float32 paths clamp at 104, where exp rounds to 0.)
const gExpClamp = 708

// magic64 is 1.5*2^52 + 1023: adding it to -a*log2(e) rounds to an integer
// n held in the low mantissa bits as n+1023, so that shifting the pattern
// left by 52 gives the float64 2^n.
const magic64 = 0x1.8p52 + 1023

// gblk is the block length of the generic kernels. Each block runs steps 1
// and 2 as short passes over its elements (the range reduction, the exp
// polynomial, the log1p split, the log1p polynomial, then the per-kernel
// finish), each a loop without calls: the out-of-order core then holds many
// elements' independent chains at once, where one loop doing all the steps
// per element is bound by the latency of its ~100-cycle chain. Splitting
// into these passes made the generic Mean 2.5x faster in all (measured with
// go run ./bench -funcs Mean -paths generic). Indexing with i&(gblk-1)
// drops the bounds checks.
const gblk = 64

// gBlock holds one block's |x| (Inf replaced by MaxFloat64, see exp),
// exp(-|x|), log1p(exp(-|x|)), and f, the reduced argument of whichever
// polynomial pass is running.
type gBlock struct {
	a, e, L, f [gblk]float64
	// least is the bit pattern of the least 2^n of exp's scaling in the
	// block (NaN's pattern is garbage: it can only select logTiny).
	least uint64
}

// exp fills b.a and b.e for x[:gblk] (step 1) in two passes, the range
// reduction and the polynomial, NaN flowing through.
func (b *gBlock) exp(x []float32) {
	least := uint64(math.MaxUint64)
	for i, xi := range x[:min(len(x), gblk)] {
		a := math.Abs(float64(xi))
		ac := a
		if ac > gExpClamp { // false for NaN, which flows through
			ac = gExpClamp
			// c*|x| then never computes 0*Inf: c*MaxFloat64 is 0 for
			// c = 0 and, for any float32 c > 0, beyond the float32 range,
			// so the loss still rounds to +Inf.
			a = min(a, math.MaxFloat64)
		}
		b.a[i&(gblk-1)] = a
		t := ac*-log2e + magic64
		b.f[i&(gblk-1)] = -ac - (t-magic64)*math.Ln2
		sc := math.Float64bits(t) << 52
		b.e[i&(gblk-1)] = math.Float64frombits(sc)
		least = min(least, sc)
	}
	b.least = least
	for i := range x[:min(len(x), gblk)] {
		r := b.f[i&(gblk-1)]
		r2 := r * r
		// Estrin's scheme: shorter dependency chains than Horner.
		p := (1 + r) + r2*((gExp2+r*gExp3)+r2*((gExp4+r*gExp5)+r2*gExp6))
		b.e[i&(gblk-1)] *= p
	}
}

// log fills b.L[:n] from b.e (step 2), in two passes: the split, then
// the polynomial.
func (b *gBlock) log(n int) {
	for i := 0; i < n; i++ {
		e := b.e[i&(gblk-1)]
		// k is 1 for e >= 0.5 and 0 below (e is in [0,1]; a NaN stays
		// NaN through f whatever k is).
		k := float64(int64(e + 0.5))
		b.f[i&(gblk-1)] = e - k*(e+1)*0.5
		b.L[i&(gblk-1)] = k * math.Ln2
	}
	if b.least < tinyScale {
		b.logTiny(n)
		return
	}
	for i := 0; i < n; i++ {
		f := b.f[i&(gblk-1)]
		b.L[i&(gblk-1)] += f + gLogPoly(f)
	}
}

// gLogPoly returns f^2*P(f), log1p's polynomial part (step 2), by
// Estrin's scheme.
func gLogPoly(f float64) float64 {
	f2 := f * f
	f4 := f2 * f2
	q := ((gLp0 + f*gLp1) + f2*(gLp2+f*gLp3)) +
		f4*(((gLp4+f*gLp5)+f2*(gLp6+f*gLp7))+f4*gLp8)
	return f2 * q
}

// tinyScale is the bit pattern of 2^-61: a block whose least 2^n is below
// it has some e below 2^-60 (see logTiny). exp computes that least in its
// first pass: with the same CMOV in log's first pass instead, the generic
// Mean ran 2% slower (BenchmarkSubnormal, 6 alternated runs).
const tinyScale = 0x3c20000000000000

// logTiny is log's polynomial pass for a block with some e < 2^-60 (|x|
// above about 41.6), where f = e. For those f, f^2*q is under 2^-61 f,
// which leaves the float64 sum f unchanged at float32 precision, and the
// polynomial runs on 0 (the f = (e-1)/2 of e >= 0.5 are 0 or at least
// 2^-54 in magnitude, e being a float64 near 1): the powers
// of a tiny f (f^8 is 2^-8168 for e near exp(-708)) would underflow, and
// each underflowing operation costs a microcode assist on Intel cores (the
// generic Mean ran 17x slower at |x| ~ 1000 than at |x| ~ 1 before this;
// BenchmarkSubnormal). The other elements get the same operations as in
// log, and log's f + f^2*q rounds to f for the tiny ones too, so every
// element gets the same bits from either pass.
func (b *gBlock) logTiny(n int) {
	for i := 0; i < n; i++ {
		f := b.f[i&(gblk-1)]
		fp := f
		if f < 0x1p-60 && f > 0 {
			fp = 0
		}
		b.L[i&(gblk-1)] += f + gLogPoly(fp)
	}
}

// gSign returns 0 for a clear sign bit (x >= +0) and 1 for a set one, as a
// float64: every path selects on the sign bit so that ±0 agree.
func gSign(x float32) float64 { return float64(math.Float32bits(x) >> 31) }

// gC returns c = 1-y for a clear sign bit (s = 0) and y for a set one, as
// (1-s) - (1-2s)*y: the multiplier is ±1 and the addend 1 or 0, so each
// case is computed exactly as the model computes it (1 - y, or 0 + y), and
// an infinite y gives the model's infinity. (The blend y + (1-s)*(1-2y) it
// replaces computed Inf - Inf, a NaN, for an infinite target.)
func gC(s float64, y float32) float64 {
	return (1 - s) - (1-2*s)*float64(y)
}

// gLin returns the loss c*a + L rounded once to float32. Within a factor 2
// of the float32 overflow (only for |x| above 2^127) it uses c rounded to
// float32, as the model does: for a target just outside [0,1] the exact
// c = 1-y can push c*|x| past MaxFloat32 where the model's float32 c = 1
// does not (or the reverse), and every path must give the same class of
// value there. Inside [0,1] this costs at most half an ULP of c, at those
// logits only.
func gLin(c, a, L float64) float32 {
	r := c*a + L
	if math.Abs(r) > 0x1p127 {
		r = float64(float32(c))*a + L
	}
	return float32(r)
}

func lossGeneric(dst, x, y []float32) {
	var b gBlock
	for lo := 0; lo < len(x); lo += gblk {
		xs := x[lo:min(len(x), lo+gblk)]
		b.exp(xs)
		b.log(len(xs))
		for i, xi := range xs {
			c := gC(gSign(xi), y[lo+i])
			dst[lo+i] = gLin(c, b.a[i&(gblk-1)], b.L[i&(gblk-1)])
		}
	}
}

// sumGeneric adds loss i into acc[i&15]: the fixed order of every path.
func sumGeneric(x, y []float32, acc *[16]float64) {
	var b gBlock
	for lo := 0; lo < len(x); lo += gblk {
		xs := x[lo:min(len(x), lo+gblk)]
		b.exp(xs)
		b.log(len(xs))
		for i, xi := range xs {
			c := gC(gSign(xi), y[lo+i])
			acc[i&15] += float64(gLin(c, b.a[i&(gblk-1)], b.L[i&(gblk-1)]))
		}
	}
}

func gradGeneric(dst, x, y []float32) {
	var b gBlock
	for lo := 0; lo < len(x); lo += gblk {
		xs := x[lo:min(len(x), lo+gblk)]
		b.exp(xs)
		for i, xi := range xs {
			s := gSign(xi)
			sm := b.e[i&(gblk-1)] / (1 + b.e[i&(gblk-1)])
			dst[lo+i] = float32((gC(s, y[lo+i]) - sm) * (1 - 2*s))
		}
	}
}

func lossGradGeneric(g, x, y []float32, scale float32, acc *[16]float64) {
	var b gBlock
	for lo := 0; lo < len(x); lo += gblk {
		xs := x[lo:min(len(x), lo+gblk)]
		b.exp(xs)
		b.log(len(xs))
		for i, xi := range xs {
			s := gSign(xi)
			c := gC(s, y[lo+i])
			sm := b.e[i&(gblk-1)] / (1 + b.e[i&(gblk-1)])
			g[lo+i] = scale * float32((c-sm)*(1-2*s))
			acc[i&15] += float64(gLin(c, b.a[i&(gblk-1)], b.L[i&(gblk-1)]))
		}
	}
}

func sigmoidGeneric(dst, x []float32) {
	var b gBlock
	for lo := 0; lo < len(x); lo += gblk {
		xs := x[lo:min(len(x), lo+gblk)]
		b.exp(xs)
		for i, xi := range xs {
			s := gSign(xi)
			sm := b.e[i&(gblk-1)] / (1 + b.e[i&(gblk-1)])
			dst[lo+i] = float32(sm + (1-s)*(1-2*sm))
		}
	}
}

// weighted returns the weighted loss and the gradient times scale of
// element i of a block; a weight of exactly 0 gives (0, 0).
func (b *gBlock) weighted(i int, x, y, w, p, oms, hs, scale float32) (loss, grad float32) {
	if w == 0 {
		return 0, 0
	}
	ys := float64(fma32x(y, oms, hs))
	s := gSign(x)
	a, e, L := b.a[i&(gblk-1)], b.e[i&(gblk-1)], b.L[i&(gblk-1)]
	sm := e / (1 + e)
	pf, wf := float64(p), float64(w)
	py, omy := pf*ys, 1-ys
	// c is 1-y' for a clear sign bit and p*y' for a set one, selected by
	// multiplying by exactly 0 or 1: a blend py + (1-s)*(omy-py) would
	// cancel, losing 1-y' next to a large p*y' (p = 1e12, y' = 0.1 lost 7
	// bits of c).
	c := s*py + (1-s)*omy
	k := py + omy
	br := c*a + k*L
	ws := wf * float64(scale)
	g := (c - k*sm) * (1 - 2*s)
	// Near or beyond the float32 overflow, the model's float32 rounding
	// decides the class of value (±Inf, NaN or finite), which float64
	// arithmetic does not reproduce; weighted32 then gives the model's
	// bits. The cases: a target far outside [0,1] (|p*y'| or k beyond
	// MaxFloat32 with y' finite); a bracket or weighted loss within a factor
	// 2 of the overflow (see gLin); and a w*scale or gradient there. The
	// last matters even where the gradient is tiny: where w*scale
	// overflows, the model's Inf times its float32 c - k*sm gives NaN if
	// that cancels to exactly 0 and an infinity of its sign otherwise,
	// while the float64 difference is almost never 0 (FuzzWeighted found
	// w = 1.4e34, scale = 7.7e14, y' = 1/3, p = 2, x = 6.4e-10).
	p32, k32 := float32(py), float32(k)
	in := p32-p32 == 0 && k32-k32 == 0
	lossOK := in && math.Abs(br) <= 0x1p127 && math.Abs(wf*br) <= 0x1p127
	gradOK := in && math.Abs(ws) <= 0x1p127 && math.Abs(ws*g) <= 0x1p127
	if lossOK && gradOK {
		// As in the plain kernels and the assembly: the gradient is
		// rounded, then scaled by w*scale, so w = 1 gives the plain bits.
		return float32(wf * br), w * scale * float32(g)
	}
	l32, g32 := weighted32(x, float32(ys), w, p, scale)
	if lossOK {
		l32 = float32(wf * br)
	}
	if gradOK {
		g32 = w * scale * float32(g)
	}
	return l32, g32
}

// weighted32 is mWElem, the model's float32 steps, for the inputs where
// the float32 overflow decides the class of the result (see weighted): every
// step is the model's, so it gives the model's bits.
func weighted32(x, ys, w, p, scale float32) (loss, grad float32) {
	a := float32(math.Abs(float64(x)))
	e, elo := f32ExpNeg(a)
	sm := f32SigNeg(e, elo)
	omy := 1 - ys
	c := p * ys
	if gSign(x) == 0 {
		c = omy
	}
	k := fma32x(p, ys, omy)
	lin := f32Bracket(a, e, elo, c, k)
	g := fma32x(-k, sm, c)
	if gSign(x) != 0 {
		g = -g
	}
	return w * lin, scaled32(w, scale, g)
}

// scaled32 returns (w*scale)*g with the rounding error of ws = w*scale
// put back: nt = ws - w*scale is exact (an FMA), and fma(ws, g, -nt*g)
// rounds once where ws*g rounded twice. That takes the weighted gradient
// from 3.073 to 2.829 ULP on TestAccuracyWeighted's inputs. |nt*g| is at
// most 2^-24 |ws*g|, so where nt*g is not finite (ws overflowed, making nt
// an infinity; g is an infinity or a NaN) the correction means nothing and
// would give Inf - Inf: it is then +0, and the result is ws*g as before.
// A zero nt*g is +0 too: subtracting +0 changes no value and no zero's
// sign, so a zero g keeps the sign of ws*g (-0 for g = +0 and scale < 0)
// where adding nt*g = +0 to ws*g = -0 would give +0. With w*scale exact,
// nt = 0 and the result is ws*g, so w = 1 keeps the plain kernels' bits.
func scaled32(w, scale, g float32) float32 {
	// The conversions keep the products rounded to float32: without them
	// the compiler may fuse w*scale into the FMA that follows (arm64 does),
	// and nt would be 0.
	ws := float32(w * scale)
	nlo := float32(fma32x(-w, scale, ws) * g)
	if nlo-nlo != 0 || nlo == 0 {
		nlo = 0
	}
	return fma32x(ws, g, -nlo)
}

// fma32x returns a*b + c rounded once to float32. The product is exact in
// float64; the sum is made exact by TwoSum and then rounded to odd in
// float64, which makes the final rounding to float32 correct: rounding to
// odd in a format with at least p+2 bits keeps the sticky information that
// double rounding would lose (S. Boldo and G. Melquiond, "Emulation of FMA
// and correctly rounded sums: proved algorithms using rounding to odd",
// IEEE Transactions on Computers 57(4), 2008).
func fma32x(a, b, c float32) float32 {
	p := float64(a) * float64(b)
	cc := float64(c)
	s := p + cc
	if s-s != 0 { // Inf or NaN
		return float32(s)
	}
	bv := s - p
	err := (p - (s - bv)) + (cc - bv)
	if bits := math.Float64bits(s); err != 0 && bits&1 == 0 {
		if (err > 0) == (s > 0) {
			bits++
		} else {
			bits--
		}
		s = math.Float64frombits(bits)
	}
	return float32(s)
}

func sum16Generic(x []float32, acc *[16]float64) {
	for i, v := range x {
		acc[i&15] += float64(v)
	}
}

func wlossGeneric(dst, x, y, w, pw []float32, oms, hs float32) {
	var b gBlock
	for lo := 0; lo < len(x); lo += gblk {
		xs := x[lo:min(len(x), lo+gblk)]
		b.exp(xs)
		b.log(len(xs))
		for i, xi := range xs {
			dst[lo+i], _ = b.weighted(i, xi, y[lo+i], w[lo+i], pw[lo+i], oms, hs, 1)
		}
	}
}

// wsumGeneric adds the weighted losses into acc[0:16] and the weights into
// acc[16:32], element i into lane i%16.
func wsumGeneric(x, y, w, pw []float32, oms, hs float32, acc *[32]float64) {
	var b gBlock
	for lo := 0; lo < len(x); lo += gblk {
		xs := x[lo:min(len(x), lo+gblk)]
		b.exp(xs)
		b.log(len(xs))
		for i, xi := range xs {
			l, _ := b.weighted(i, xi, y[lo+i], w[lo+i], pw[lo+i], oms, hs, 1)
			acc[i&15] += float64(l)
			acc[16+(i&15)] += float64(w[lo+i])
		}
	}
}

func wgradGeneric(dst, x, y, w, pw []float32, oms, hs, scale float32) {
	var b gBlock
	for lo := 0; lo < len(x); lo += gblk {
		xs := x[lo:min(len(x), lo+gblk)]
		b.exp(xs)
		b.log(len(xs))
		for i, xi := range xs {
			_, dst[lo+i] = b.weighted(i, xi, y[lo+i], w[lo+i], pw[lo+i], oms, hs, scale)
		}
	}
}

func wlossGradGeneric(g, x, y, w, pw []float32, oms, hs, scale float32, acc *[16]float64) {
	var b gBlock
	for lo := 0; lo < len(x); lo += gblk {
		xs := x[lo:min(len(x), lo+gblk)]
		b.exp(xs)
		b.log(len(xs))
		for i, xi := range xs {
			l, d := b.weighted(i, xi, y[lo+i], w[lo+i], pw[lo+i], oms, hs, scale)
			g[lo+i] = d
			acc[i&15] += float64(l)
		}
	}
}

// focalK holds a focal kernel's scalars (see mFocalElem in model_test.go):
// the smoothing, alpha_t = y'*al1 + al0, the integer-Gamma selectors
// fa = ga1*q + ga0 and fb = gb1*q + gb0 (each exactly q or 1), gamma, the
// gradient's scale and whether the factor is exp(gamma*log(q)).
type focalK struct {
	oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma, scale float32
	pow                                                 bool
}

// focal returns the focal loss and the gradient times scale of element i of
// a block (its passes done), in float64 with one rounding per output, by
// mFocalElem's formulas: with c = 1-y' for a clear sign bit and y' for a set
// one, q = 1-p_t = c*(1-sm) + (1-c)*sm (no cancellation for y' in [0,1]),
// m = q^gamma, D = gamma*m*(P/q) with P = sm*(1-sm) <= q, and
//
//	loss = W*ce*m,  grad = ±W*scale*(m*(c-sm) + D*ce*(2c-1)),  W = w*alpha_t.
//
// Where the model's float32 steps can give another class of value than
// float64 would (a target outside [0,1], an infinite weight or logit, a W,
// W*scale or result within a factor 2 of the float32 overflow, NaN), it
// returns focal32's outputs, the model's finish in float32.
func (b *gFocal) focal(i int, x, y, w float32, k *focalK) (loss, grad float32) {
	if w == 0 {
		return 0, 0
	}
	j := i & (gblk - 1)
	ys, q, sm, osm := b.ys[j], b.q[j], b.sm[j], b.osm[j]
	a, L := b.a[j], b.L[j]
	s := gSign(x)
	c := (1 - s) - (1-2*s)*ys
	ce := c*a + L
	P := sm * osm
	W := float64(w) * (ys*float64(k.al1) + float64(k.al0))
	ws := W * float64(k.scale)
	// An infinite logit goes to focal32 too: its stand-in a = MaxFloat64
	// makes ce finite, and ce*m with an m below 2^-1000 (a target within
	// 1e-19 of 0, Gamma 11) could then be finite where the limit is +Inf.
	in := ys >= 0 && ys <= 1 && math.Abs(W) <= 0x1p127 && a <= math.MaxFloat32
	var m, D float64
	gamma := float64(k.gamma)
	if k.pow {
		// q = 0 gives m = 0 (pow); P is then 0 too (q >= sm for y' in
		// [0,1]), and D = 0.
		m = b.m[j]
		if P != 0 {
			D = gamma * m * (P / q)
		}
	} else {
		fa := float64(k.ga1)*q + float64(k.ga0)
		fb := float64(k.gb1)*q + float64(k.gb0)
		m = fa * fb
		D = gamma * fb * P
	}
	var Dce float64
	if D != 0 {
		Dce = D * ce
	}
	l := W * (ce * m)
	g := ws * (m*(c-sm) + Dce*(2*c-1)) * (1 - 2*s)
	// Near or beyond the float32 overflow (an infinite logit included),
	// and for NaN, the model's float32 rounding decides. The loss's test
	// reads nothing of the gradient's, so that the loss has the same bits
	// in every kernel whatever the scale.
	lossOK := in && math.Abs(l) <= 0x1p127
	gradOK := in && math.Abs(ws) <= 0x1p127 && math.Abs(g) <= 0x1p127
	if lossOK && gradOK {
		return float32(l), float32(g)
	}
	l32, g32 := focal32(x, y, w, k)
	if lossOK {
		l32 = float32(l)
	}
	if gradOK {
		g32 = float32(g)
	}
	return l32, g32
}

// focal32 is mFocalElem, the model's float32 steps, for the inputs where
// the model's float32 rounding decides the class of the result (see focal):
// an overflow, or, for a non-integer Gamma and a target outside [0,1],
// whether 1-p_t lands in [0,1] at all (with y' = 6e14, q = c*(1-sm) +
// (1-c)*sm is 0 or 4e7 by one ULP of sm at x = -2^-24). Every step is
// the model's, so it gives the model's bits.
func focal32(x, y, w float32, k *focalK) (loss, grad float32) {
	ys := fma32x(y, k.oms, k.hs)
	a := float32(math.Abs(float64(x)))
	e, elo := f32ExpNeg(a)
	sm := f32SigNeg(e, elo)
	pos := gSign(x) == 0
	c := ys
	if pos {
		c = 1 - ys
	}
	ce := f32Bracket(a, e, elo, c, 1)
	osm := 1 - sm
	q := fma32x(c, osm, (1-c)*sm)
	P := sm * osm
	W := w * fma32x(ys, k.al1, k.al0)
	var m, D float32
	if k.pow {
		m, _ = f32ExpNeg(-(k.gamma * f32Log(q)))
		if m < 0x1p-149 { // NaN stays
			m = 0x1p-149
		}
		qd := q
		if q < 0x1p-149 {
			qd = 0x1p-149
		}
		D = (k.gamma * m) * (P / qd)
		loss = (ce * m) * W
	} else {
		fa := fma32x(k.ga1, q, k.ga0)
		fb := fma32x(k.gb1, q, k.gb0)
		m = fa * fb
		D = (k.gamma * fb) * P
		loss = ((ce * fa) * fb) * W
	}
	var Dce float32
	if D != 0 {
		Dce = D * ce
	}
	g := fma32x(Dce, (c+c)-1, (c-sm)*m)
	if !pos {
		g = -g
	}
	return loss, (W * k.scale) * g
}

// f32ExpNeg, f32Bracket, f32SigNeg and f32Log are the SIMD paths' float32
// steps (model_test.go's mExpNeg, mBracket, mSigNeg and mLog, where each is
// explained), for focal32 and weighted32. None of their expressions is a product added
// to something, so the compiler cannot fuse them into an FMA that the
// model does not have.
func f32ExpNeg(a float32) (e, elo float32) {
	if a > expClamp {
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
	// so this is q*r + 1 - p1 rounded once, p1's rounding error.
	plo := fma32x(p, r, 1-p1)
	scale := math.Float32frombits(math.Float32bits(t) << 23)
	return p1 * scale * twoM64, plo * scale * twoM64
}

// f32Bracket returns c*a + kk*log1p(E) for E = e + elo = exp(-a), a >= 0
// (step 2 and the finish of step 4; kk is 1 in the unweighted kernels,
// where the products by kk are exact). log1p is kept as a high part s and a
// low part lo, and c*a joins the high part where that is exact:
//
//   - f = e, kv = 0 for e < 0.5; f = (e-1)/2, kv = ln2f for e >= 0.5 (both
//     exact), log1p(e) = kv + f + f^2*P(f).
//   - For e >= 0.5 (a <= ln2), f is a multiple of 2^-25 in [-a/2, 0] and
//     c*a + f lies in [0, 0.47] for c in {0, 1}, so g = fma(c, a, f) is
//     exact; s = kv + g is then a Fast2Sum (|kv| >= |g|) whose error err
//     is exact. This fold needs kk == 1; for any other kk, c*a is added
//     last as below. For e < 0.5, g = f and c*a is added last to a loss of at
//     least 1.098, where rounding s + lo first costs at most 0.14 ULP.
//   - e's own rounding error elo enters as t1 = elo/(1+e), with 1/(1+e)
//     taken as 0.9571 - 0.5e = hn + lpWt (within 8.6% of it on [0,1];
//     elo is at most half an ULP of e, so this costs at most 0.07 ULP of
//     the loss). t1 is formed before the polynomial, so that e and elo are
//     dead while it runs.
//   - lo = f^2*P(f) + (err + t1), and the bracket is s + lo. With a
//     weight kk, g starts as f*kk, whose rounding error joins err.
//
// Measured over every float32 |x| <= 104.5 for c in {0, 1} against the
// float64 reference: at most 0.972 ULP (x = ±1.276) where the plain sum
// was 1.653 ULP
// (the rounding of e, passed 1:1 into log1p, and the second rounding of
// c*a + log1p). An infinite c makes s infinite and err = Inf - Inf: err
// is then replaced by 1 (x86 VMINPS returns its second source for a NaN,
// NEON FMINNM the number), so that s + lo keeps s's infinity (the trap
// that an exact sum has at infinities). The product c*a is skipped where
// c == 0, so that 0*Inf never makes a NaN at x = ±Inf.
func f32Bracket(a, e, elo, c, kk float32) float32 {
	// hn = 0.5 - 0.5e is exact for e >= 0.5, where f = -hn = (e-1)/2 is
	// then <= -0: f's sign bit says which half e is in (a sign-bit
	// select on every ISA, and -0 at e = 1), for the rest of the step.
	hn := fma32x(-e, 0.5, 0.5)
	f := e
	if e >= 0.5 { // false for NaN
		f = -hn
	}
	t1 := (elo * (hn + lpWt)) * kk
	q := f32LogQ(f)
	km := math.Float32bits(f)>>31 != 0
	// c*a joins the high part only where that is exact, e >= 0.5 with kk
	// exactly 1 (the unweighted kernels, and the weighted ones at k = 1,
	// which must give the same bits); for any other kk it would not be
	// exact, and for a kk near MaxFloat32 kv + g could overflow where the
	// bracket does not (pw = MaxFloat32, y = 1, x = -0.52: TestHarnessRandom).
	fold := km && kk == 1
	gk := f * kk
	g := gk
	var kv float32
	if km {
		// kv is ln2f*kk where e >= 0.5 and +0 elsewhere (a mask after the
		// product, so that an infinite kk does not make 0*Inf there).
		kv = ln2f * kk
	}
	if fold {
		g = fma32x(c, a, gk)
	}
	s := kv + g
	err := g - (s - kv)
	if !(err < 1) {
		err = 1
	}
	// The rounding error of f*kk, exact: -0 or +0 for kk = 1, where the
	// unweighted kernels skip it (err - (+0) is err, so the bits agree).
	gneg := fma32x(-f, kk, gk)
	ff := (f * f) * kk
	br := s + fma32x(ff, q, (err-gneg)+t1)
	if !fold && c != 0 {
		br = fma32x(c, a, br)
	}
	return br
}

// f32LogPoly returns f + f^2*P(f), the log1p polynomial of mLog.
func f32LogPoly(f float32) float32 {
	f2 := f * f
	return fma32x(f2, f32LogQ(f), f)
}

// f32LogQ returns P(f), log1p's polynomial lp8..lp0 by Horner.
func f32LogQ(f float32) float32 {
	q := fma32x(lp8, f, lp7)
	q = fma32x(q, f, lp6)
	q = fma32x(q, f, lp5)
	q = fma32x(q, f, lp4)
	q = fma32x(q, f, lp3)
	q = fma32x(q, f, lp2)
	q = fma32x(q, f, lp1)
	return fma32x(q, f, lp0)
}

func f32SigNeg(e, elo float32) float32 {
	d := 1 + e
	dlo := e - (d - 1)
	s := e / d
	r := fma32x(-s, d, e)
	r = fma32x(-s, dlo, r)
	oms := 1 - s
	r = fma32x(elo, oms, r)
	return fma32x(r, oms, s)
}

func f32Log(q float32) float32 {
	qs, kb := q, float32(0)
	if q < 0x1p-126 {
		qs, kb = q*0x1p23, -23
	}
	ix := int32(math.Float32bits(qs)) - 0x3f400000
	k := float32(ix>>23) + kb
	f := math.Float32frombits(uint32(ix&0x7fffff)+0x3f400000) - 1
	r := f32LogPoly(f)
	r = fma32x(k, ln2lo, r)
	r = fma32x(k, ln2hi, r)
	if q == 0 {
		r = float32(math.Inf(-1))
	}
	if !(q >= 0 && q <= 1) {
		r = float32(math.NaN())
	}
	return r
}

// gFocal is a focal kernel's block: gBlock's passes, then prep's: the
// smoothed target y', sigmoid(-|x|) and sigmoid(|x|), q = 1-p_t and, for
// a non-integer Gamma, the factor m = q^Gamma.
type gFocal struct {
	gBlock
	ys, sm, osm, q, m [gblk]float64
}

// bits075 is the bit pattern of the float64 0.75: q = 2^k*r with r in
// [0.75, 1.5) is read from the bits of q minus these (as in mLog).
const bits075 = 0x3fe8000000000000

// prep fills ys, sm, osm and q for the block's x (exp and log done), and
// m for the pow kernels, in passes without calls: q^Gamma is
// exp(Gamma*log(q)) with the block's own polynomials in float64 (the log
// by log1p's polynomial on q = 2^k*r, r-1 in [-0.25, 0.5), the exp as in
// gBlock.exp), whose errors (0.083 and 0.053 units of 2^-24) stay far
// below the float32 rounding of the results; math.Log and math.Exp per
// element made the Gamma 0.5 kernels 3.6x slower than the weighted ones.
// An element whose inputs are outside the domain gets whatever m these
// passes give: focal then uses focal32 for it.
func (b *gFocal) prep(x, y []float32, k *focalK) {
	n := min(len(x), gblk)
	for i := range x[:n] {
		j := i & (gblk - 1)
		e := b.e[j]
		if b.a[j] > gExpClamp {
			// The block's e is exp(-708) there, which times a logit
			// of MaxFloat64 (an infinite one) would make D*ce of
			// order 1; the exact sigmoid(-|x|) is below 2^-1000, far
			// under anything a float32 result can show.
			e = 0
		}
		ys := float64(fma32x(y[i], k.oms, k.hs))
		s := gSign(x[i])
		c := (1 - s) - (1-2*s)*ys
		sm, osm := e/(1+e), 1/(1+e)
		b.ys[j], b.sm[j], b.osm[j] = ys, sm, osm
		b.q[j] = c*osm + (1-c)*sm
	}
	if !k.pow {
		return
	}
	g := float64(k.gamma)
	for i := 0; i < n; i++ {
		j := i & (gblk - 1)
		q := b.q[j]
		ix := int64(math.Float64bits(q)) - bits075
		f := math.Float64frombits(uint64(ix&(1<<52-1))+bits075) - 1
		f2 := f * f
		f4 := f2 * f2
		p := ((gLp0 + f*gLp1) + f2*(gLp2+f*gLp3)) +
			f4*(((gLp4+f*gLp5)+f2*(gLp6+f*gLp7))+f4*gLp8)
		t := g * (float64(ix>>52)*math.Ln2 + (f + f2*p))
		if !(q > 0) {
			t = math.Inf(-1) // q = 0: m = 0 (other q only outside the domain)
		}
		b.m[j] = -t
	}
	for i := 0; i < n; i++ {
		j := i & (gblk - 1)
		a := b.m[j]
		if !(a <= gExpClamp) {
			// m < exp(-708): 0 even after a weight and a scale of
			// 2^128 each.
			b.m[j] = 0
			continue
		}
		t := a*-log2e + magic64
		r := -a - (t-magic64)*math.Ln2
		r2 := r * r
		p := (1 + r) + r2*((gExp2+r*gExp3)+r2*((gExp4+r*gExp5)+r2*gExp6))
		b.m[j] = p * math.Float64frombits(math.Float64bits(t)<<52)
	}
}

// focalRun runs a focal kernel over x: the block's passes, then each
// element's focal, calling out for every element's loss and gradient.
func focalRun(x, y, w []float32, k *focalK, out func(i int, loss, grad float32)) {
	var b gFocal
	for lo := 0; lo < len(x); lo += gblk {
		xs := x[lo:min(len(x), lo+gblk)]
		b.exp(xs)
		b.log(len(xs))
		b.prep(xs, y[lo:lo+len(xs)], k)
		for i, xi := range xs {
			l, g := b.focal(i, xi, y[lo+i], w[lo+i], k)
			out(lo+i, l, g)
		}
	}
}

func focalLossGeneric(dst, x, y, w []float32, oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma float32) {
	k := focalK{oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma, 1, false}
	focalRun(x, y, w, &k, func(i int, l, _ float32) { dst[i] = l })
}

func focalSumGeneric(x, y, w []float32, oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma float32, acc *[32]float64) {
	k := focalK{oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma, 1, false}
	focalRun(x, y, w, &k, func(i int, l, _ float32) {
		acc[i&15] += float64(l)
		acc[16+(i&15)] += float64(w[i])
	})
}

func focalGradGeneric(dst, x, y, w []float32, oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma, scale float32) {
	k := focalK{oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma, scale, false}
	focalRun(x, y, w, &k, func(i int, _, g float32) { dst[i] = g })
}

func focalLossGradGeneric(g, x, y, w []float32, oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma, scale float32, acc *[16]float64) {
	k := focalK{oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma, scale, false}
	focalRun(x, y, w, &k, func(i int, l, d float32) {
		g[i] = d
		acc[i&15] += float64(l)
	})
}

func focalPowLossGeneric(dst, x, y, w []float32, oms, hs, al1, al0, gamma float32) {
	k := focalK{oms, hs, al1, al0, 0, 0, 0, 0, gamma, 1, true}
	focalRun(x, y, w, &k, func(i int, l, _ float32) { dst[i] = l })
}

func focalPowSumGeneric(x, y, w []float32, oms, hs, al1, al0, gamma float32, acc *[32]float64) {
	k := focalK{oms, hs, al1, al0, 0, 0, 0, 0, gamma, 1, true}
	focalRun(x, y, w, &k, func(i int, l, _ float32) {
		acc[i&15] += float64(l)
		acc[16+(i&15)] += float64(w[i])
	})
}

func focalPowGradGeneric(dst, x, y, w []float32, oms, hs, al1, al0, gamma, scale float32) {
	k := focalK{oms, hs, al1, al0, 0, 0, 0, 0, gamma, scale, true}
	focalRun(x, y, w, &k, func(i int, _, g float32) { dst[i] = g })
}

func focalPowLossGradGeneric(g, x, y, w []float32, oms, hs, al1, al0, gamma, scale float32, acc *[16]float64) {
	k := focalK{oms, hs, al1, al0, 0, 0, 0, 0, gamma, scale, true}
	focalRun(x, y, w, &k, func(i int, l, d float32) {
		g[i] = d
		acc[i&15] += float64(l)
	})
}

// lossAndGradGeneric writes lossGeneric's and gradGeneric's bits in one
// pass. Each element's x and y are read before either output is written, so
// either output may be the same slice as x or y.
func lossAndGradGeneric(loss, grad, x, y []float32) {
	var b gBlock
	for lo := 0; lo < len(x); lo += gblk {
		xs := x[lo:min(len(x), lo+gblk)]
		b.exp(xs)
		b.log(len(xs))
		for i := range xs {
			xi, yi := xs[i], y[lo+i]
			s := gSign(xi)
			c := gC(s, yi)
			sm := b.e[i&(gblk-1)] / (1 + b.e[i&(gblk-1)])
			l := gLin(c, b.a[i&(gblk-1)], b.L[i&(gblk-1)])
			g := float32((c - sm) * (1 - 2*s))
			loss[lo+i], grad[lo+i] = l, g
		}
	}
}

// softplusGeneric is lossGeneric with the targets 0: c = 1 for a clear sign
// bit, 0 for a set one.
func softplusGeneric(dst, x []float32) {
	var b gBlock
	for lo := 0; lo < len(x); lo += gblk {
		xs := x[lo:min(len(x), lo+gblk)]
		b.exp(xs)
		b.log(len(xs))
		for i, xi := range xs {
			dst[lo+i] = gLin(1-gSign(xi), b.a[i&(gblk-1)], b.L[i&(gblk-1)])
		}
	}
}

// logSigmoidGeneric is minus lossGeneric with the targets 1: c = 0 for a
// clear sign bit, 1 for a set one.
func logSigmoidGeneric(dst, x []float32) {
	var b gBlock
	for lo := 0; lo < len(x); lo += gblk {
		xs := x[lo:min(len(x), lo+gblk)]
		b.exp(xs)
		b.log(len(xs))
		for i, xi := range xs {
			dst[lo+i] = -gLin(gSign(xi), b.a[i&(gblk-1)], b.L[i&(gblk-1)])
		}
	}
}

// wlossAndGradGeneric writes wlossGeneric's and wgradGeneric's bits in one
// pass (the weighted loss does not depend on scale); the inputs of an
// element are read before its outputs are written.
func wlossAndGradGeneric(loss, grad, x, y, w, pw []float32, oms, hs, scale float32) {
	var b gBlock
	for lo := 0; lo < len(x); lo += gblk {
		xs := x[lo:min(len(x), lo+gblk)]
		b.exp(xs)
		b.log(len(xs))
		for i := range xs {
			l, d := b.weighted(i, xs[i], y[lo+i], w[lo+i], pw[lo+i], oms, hs, scale)
			loss[lo+i], grad[lo+i] = l, d
		}
	}
}

// focalLossAndGradGeneric writes focalLossGeneric's and focalGradGeneric's
// bits in one pass; an element's inputs are read before its outputs are
// written.
func focalLossAndGradGeneric(loss, grad, x, y, w []float32, oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma, scale float32) {
	k := focalK{oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma, scale, false}
	focalRun(x, y, w, &k, func(i int, l, g float32) { loss[i], grad[i] = l, g })
}

func focalPowLossAndGradGeneric(loss, grad, x, y, w []float32, oms, hs, al1, al0, gamma, scale float32) {
	k := focalK{oms, hs, al1, al0, 0, 0, 0, 0, gamma, scale, true}
	focalRun(x, y, w, &k, func(i int, l, g float32) { loss[i], grad[i] = l, g })
}
