// Command amd64 generates bce_amd64.s, the AVX2+FMA and AVX-512 kernels of
// package bce, with avo:
//
//	cd _asm && GOWORK=off go run ./amd64 -src ../bce_generic.go -out ../bce_amd64.s
//
// (go generate in the repository root runs it.) One generator,
// parameterised by vector width, unroll and interleave, emits both paths,
// so they compute the same sequence of float32 operations: the one
// model_test.go spells out element by element. The kernels are the rows of
// _asm/spec's table, built by body (kernels.go) from one function per step;
// the constants are those of bce_generic.go's const block.
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/fastbce/bce/_asm/spec"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/pass"
	. "github.com/mmcloughlin/avo/reg"
)

func f32(v float32) uint32 { return math.Float32bits(v) }

// structural are the bit patterns that are part of the code, not of the
// algorithm's tuning; every other constant is read from bce_generic.go.
var structural = []struct {
	name string
	bits uint32
}{
	{"absmask", 0x7fffffff},
	{"signbit", 0x80000000},
	{"one", f32(1)},
	{"half", f32(0.5)},
	{"zero", 0},
	// mLog's: the bits of 0.75 (q = 2^k * m with m in [0.75, 1.5)), the
	// mantissa field, the subnormal threshold 2^-126 and the exact scaling
	// 2^23 with its exponent correction -23, the results at q == 0 and
	// outside [0,1]; and the floor 2^-149 of the focal modulating factor
	// and of its divisor (mFocalElem).
	{"bits075", 0x3f400000},
	{"mantissa", 0x7fffff},
	{"twoM126", f32(0x1p-126)},
	{"two23", f32(0x1p23)},
	{"minus23", f32(-23)},
	{"negInf", f32(float32(math.Inf(-1)))},
	{"nan", 0x7fc00000},
	{"twoM149", f32(0x1p-149)},
}

// fromGo are the constants of bce_generic.go's const block that the kernels
// use, each a data symbol of its own name.
var fromGo = []string{
	"expClamp", "log2e", "expMagic", "ln2hi", "ln2lo",
	"exp2", "exp3", "exp4", "exp5", "exp6", "twoM64", "ln2f",
	"lp0", "lp1", "lp2", "lp3", "lp4", "lp5", "lp6", "lp7", "lp8", "lpWt",
}

var (
	constTab = map[string]Mem{}
	iotaTab  Mem
)

// emitData writes one 64-byte symbol per constant, the value in each of
// its 16 lanes (AVX2 reads the first 32 bytes), and the lane numbers
// 0..15 for the tail masks.
func emitData(consts map[string]float32) {
	emit := func(name string, bits uint32) {
		constTab[name] = GLOBL(name, RODATA|NOPTR)
		for j := 0; j < 16; j++ {
			DATA(4*j, U32(bits))
		}
	}
	for _, c := range structural {
		emit(c.name, c.bits)
	}
	for _, n := range fromGo {
		emit(n, f32(spec.Const(consts, n)))
	}
	iotaTab = GLOBL("iota", RODATA|NOPTR)
	for j := 0; j < 16; j++ {
		DATA(4*j, U32(uint32(j)))
	}
}

// V is one vector register (YMM or ZMM) per vector of a stage.
type V = []VecVirtual

// gen emits one path.
type gen struct {
	name   string // "avx2" or "avx512", the path's name in the table
	suffix string // "AVX2" or "AVX512"
	fname  string // the function being emitted
	yOne   bool   // the kernel's target without a y slice is 1 (spec.Kernel.YOne)
	W      int    // float32 lanes per vector
	z      bool   // AVX-512
	U      int    // vectors per main-loop iteration
	IL     int    // vectors interleaved per stage (register pressure)

	// per function
	i      GPVirtual       // element index
	masked bool            // emitting the tail body
	vmask  []VecVirtual    // AVX2 tail masks, per vector of a group
	kmask  []OpmaskVirtual // AVX-512 tail masks, per vector of a group
	kmhi   []OpmaskVirtual // AVX-512 tail masks shifted right by 8
	kreg   map[string]VecVirtual

	// Deferred accumulation (AVX2 main loop of a reduction): the body
	// stores the float32 vectors it would add into pend, and the next
	// iteration (or the code after the loop) converts them from memory (no
	// lane extraction) and adds them, loading and storing each *acc register
	// once per iteration instead of once per add. Each lane still adds its
	// elements in index order.
	deferAcc bool
	pend     Mem
	accAll   []Op // every accumulator of the function (f.acc)

	// Software prefetch in the main loop: pfDist bytes ahead of the
	// iteration's loads, one PREFETCHT0 per cache line of every slice,
	// the output included (0: none). Prefetches never fault, so reaching
	// past the end of a slice is harmless. Measured at 16 Mi (SMT sibling
	// busy): the AVX-512 kernels at interleave 4 gain (Grad -25%,
	// LossGrad -9%, WeightedMean -11% at 2 KiB; 4 KiB, or every other
	// line, lose), those at interleave 8 lose (sum 12-15%, loss 18%) and
	// AVX2 gains nothing, so those do without (kernel.nopf, pfDist 0).
	pfDist int

	// spill is the focal kernels' AVX2 stack buffer (see focal).
	spill Mem
}

func (g *gen) vec() VecVirtual {
	if g.z {
		return ZMM()
	}
	return YMM()
}

// c returns constant name as an operand: a preloaded register or memory.
func (g *gen) c(name string) Op {
	if r, ok := g.kreg[name]; ok {
		return r
	}
	m, ok := constTab[name]
	if !ok {
		panic("unknown constant " + name)
	}
	return m
}

// creg returns constant name in a register, loading it into a fresh one
// when it is not preloaded (the caller may then overwrite it).
func (g *gen) creg(name string) VecVirtual {
	if r, ok := g.kreg[name]; ok {
		return r
	}
	return g.cfresh(name)
}

// cfresh returns a fresh register holding constant name.
func (g *gen) cfresh(name string) VecVirtual {
	r := g.vec()
	if k, ok := g.kreg[name]; ok {
		VMOVAPS(k, r)
	} else {
		VMOVUPS(g.c(name), r)
	}
	return r
}

func (g *gen) preload(names ...string) {
	g.kreg = map[string]VecVirtual{}
	if !g.z {
		return
	}
	for _, n := range names {
		r := g.vec()
		VMOVUPS(g.c(n), r)
		g.kreg[n] = r
		g.role(r, n+", preloaded")
	}
}

func (g *gen) mem(p GPVirtual, v int) Mem {
	return Mem{Base: p, Index: g.i, Scale: 4, Disp: 4 * g.W * v}
}

func (g *gen) load(p GPVirtual, v int) VecVirtual {
	r := g.vec()
	m := g.mem(p, v)
	switch {
	case !g.masked:
		VMOVUPS(m, r)
	case g.z:
		VMOVUPS_Z(m, g.kmask[v], r)
	default:
		VMASKMOVPS(m, g.vmask[v], r)
	}
	return r
}

func (g *gen) store(p GPVirtual, v int, r VecVirtual) {
	m := g.mem(p, v)
	switch {
	case !g.masked:
		VMOVUPS(r, m)
	case g.z:
		VMOVUPS(r, g.kmask[v], m)
	default:
		VMASKMOVPS(r, g.vmask[v], m)
	}
}

// accum adds the float32 lanes of r (vector v of the current group) to the
// float64 accumulators acc: lane j of the group into acc lane j. An
// accumulator may be a register or memory (read, added, written back).
func (g *gen) accum(acc []Op, v int, r VecVirtual) {
	if g.deferAcc {
		VMOVUPS(r, g.pendSlot(acc, v))
		return
	}
	half := g.W / 2 // float64 lanes per register
	base := (v * g.W % 16) / half
	lo, hi := g.vec(), g.vec()
	if g.masked && !g.z {
		// Missing lanes add exactly -0, which leaves every accumulator
		// lane as it was (a + -0 == a, a = -0 included; +0 would turn a
		// -0 lane into +0), as the AVX-512 masked adds and NEON do.
		VBLENDVPS(g.vmask[v], r, g.cfresh("signbit"), r) // r = mask ? r : -0
	}
	if g.z {
		VCVTPS2PD(r.AsY(), lo)
		VEXTRACTF64X4(U8(1), r, hi.AsY())
		VCVTPS2PD(hi.AsY(), hi)
	} else {
		VCVTPS2PD(r.AsX(), lo)
		VEXTRACTF128(U8(1), r, hi.AsX())
		VCVTPS2PD(hi.AsX(), hi)
	}
	for j, t := range []VecVirtual{lo, hi} {
		a := acc[base+j]
		switch {
		case g.masked && g.z:
			k := g.kmask[v]
			if j == 1 {
				k = g.kmhi[v]
			}
			VADDPD(t, a, k, a)
		case isMem(a):
			VADDPD(a, t, t)
			VMOVUPD(t, a)
		default:
			VADDPD(t, a, a)
		}
	}
}

// pendSlot returns the pend slot of vector v of the accumulator set acc.
func (g *gen) pendSlot(acc []Op, v int) Mem {
	set := -1
	for j, a := range g.accAll {
		if a == acc[0] {
			set = j / len(acc)
		}
	}
	if set < 0 {
		panic("accumulator set not found")
	}
	return g.pend.Offset(4 * g.W * (set*g.U + v))
}

// drain adds the vectors pending in pend into the accumulators: per set,
// vector 0 first, so that each lane adds its elements in index order.
func (g *gen) drain() {
	half := g.W / 2
	per := 16 / half // accumulator registers per set
	for set := 0; set < len(g.accAll)/per; set++ {
		acc := g.accAll[set*per : (set+1)*per]
		regs := make([]VecVirtual, per)
		for j := range regs {
			regs[j] = g.vec()
			VMOVUPD(acc[j], regs[j])
		}
		for v := 0; v < g.U; v++ {
			m := g.pendSlot(acc, v)
			base := (v * g.W % 16) / half
			for j := 0; j < 2; j++ {
				t := g.vec()
				VCVTPS2PD(m.Offset(4*half*j), t)
				VADDPD(t, regs[base+j], regs[base+j])
			}
		}
		for j := range regs {
			VMOVUPD(regs[j], acc[j])
		}
	}
}

func isMem(o Op) bool {
	_, ok := o.(Mem)
	return ok
}

// each runs f for every vector of a stage.
func each(n int, f func(k int)) {
	for k := 0; k < n; k++ {
		f(k)
	}
}

func newV(n int, g *gen) V {
	r := make(V, n)
	for k := range r {
		r[k] = g.vec()
	}
	return r
}

// sign holds what a stage needs of x's sign bit: on AVX2 a register whose
// sign bit is x's (x XOR |x|), on AVX-512 x itself (opmasks are scarce: each
// use derives a short-lived one).
type sign struct {
	sx V
	xo []Op // AVX-512: x of each vector, as memory (or the register loaded in the tail)
	xm []Op // AVX2 main loop of plainLoss: x of each vector as memory, re-read where needed (sx and a are nil)
}

// xAbs returns a = |x| and x's sign for the vectors ks. On AVX-512 it
// loads nothing and returns a nil a: the instructions that need x take it
// as a memory operand (so no register holds x or |x| along the ~100-cycle
// chain), except in the tail, where x is loaded masked once.
func (g *gen) xAbs(f *fn, ks []int) (a V, s sign) {
	if !g.z {
		if !g.masked {
			// AVX2 main loop: neither |x| nor x's sign stays in a
			// register along the chain (16 YMM would not hold them);
			// x is read again where needed.
			s.xm = g.opAll(f, "x", ks)
			return nil, s
		}
		return g.absSign(g.loadAll(f, "x", ks))
	}
	s.xo = g.opAll(f, "x", ks)
	return nil, s
}

// opAll returns the vectors ks of slice name as operands: memory in the
// main loop, masked loads in the tail (where a full-width memory operand
// could read past the end of the slice).
func (g *gen) opAll(f *fn, name string, ks []int) []Op {
	o := make([]Op, len(ks))
	for k, v := range ks {
		if g.masked {
			o[k] = g.load(f.ptr[name], v)
		} else {
			o[k] = g.mem(f.ptr[name], v)
		}
	}
	return o
}

// absOf returns |x| of vector k in a fresh register (AVX-512).
func (g *gen) absOf(s sign, k int) VecVirtual {
	r := g.vec()
	VANDPS(s.xo[k], g.creg("absmask"), r)
	return r
}

// negMask returns an opmask of the lanes whose x has its sign bit set
// (AVX-512): -0, -Inf and negative finite values (subnormals included), and
// NaNs with the sign bit set, whose outputs are NaN either way. VPMOVD2M
// of x loaded again, rather than VFPCLASSPS of x in memory: on Zen 4 the
// load and VPMOVD2M leave the FMA pipes alone, where VFPCLASSPS takes one
// of them for two cycles (llvm-mca -mcpu=znver4).
func (g *gen) negMask(s sign, k int) OpmaskVirtual {
	kn := K()
	xr, ok := s.xo[k].(VecVirtual)
	if !ok {
		xr = g.vec()
		VMOVUPS(s.xo[k], xr)
	}
	VPMOVD2M(xr, kn)
	return kn
}

// absSign returns a = |x| and x's sign; x is consumed.
func (g *gen) absSign(x V) (a V, s sign) {
	n := len(x)
	a = newV(n, g)
	each(n, func(k int) { VANDPS(g.c("absmask"), x[k], a[k]) })
	if !g.z {
		each(n, func(k int) { VXORPS(a[k], x[k], x[k]) })
	}
	s.sx = x
	return a, s
}

// sel returns neg ? ifNeg : ifPos per lane (by x's sign bit), writing into
// ifPos's register.
func (g *gen) sel(s sign, k int, ifNeg Op, ifPos VecVirtual) VecVirtual {
	if g.z {
		VBLENDMPS(ifNeg, ifPos, g.negMask(s, k), ifPos)
	} else if s.xm != nil {
		// VBLENDVPS reads only the mask's sign bit: x itself will do.
		xr := g.vec()
		VMOVUPS(s.xm[k], xr)
		VBLENDVPS(xr, ifNeg, ifPos, ifPos)
	} else {
		VBLENDVPS(s.sx[k], ifNeg, ifPos, ifPos)
	}
	return ifPos
}

// negIf negates r where x's sign bit is set.
func (g *gen) negIf(s sign, k int, r VecVirtual) {
	if g.z {
		VPTERNLOGD(U8(0xd2), s.xo[k], g.creg("absmask"), r) // r ^ (x & ^absmask)
	} else if s.xm != nil {
		sb := g.cfresh("signbit") // x XOR |x| = x AND signbit
		VANDPS(s.xm[k], sb, sb)
		VXORPS(sb, r, r)
	} else {
		VXORPS(s.sx[k], r, r)
	}
}

// oneMinus returns 1 - r in a fresh register.
func (g *gen) oneMinus(r VecVirtual) VecVirtual {
	if one, ok := g.kreg["one"]; ok {
		o := g.vec()
		VSUBPS(r, one, o)
		return o
	}
	o := g.cfresh("one")
	VSUBPS(r, o, o)
	return o
}

// expNeg returns e = exp(-a) (mExpNeg); a stays live. With wantLo it also
// returns elo, the rounding error of e (nil otherwise). On AVX-512 a is nil
// and |x| comes from s, except for the focal modulating factor's second exp
// (focal), whose argument is a register on every path.
func (g *gen) expNeg(a V, s sign, wantLo bool) (e, elo V) {
	n := len(a)
	if g.z && a == nil {
		n = len(s.xo)
	}
	if s.xm != nil {
		n = len(s.xm)
	}
	ac, t, p := newV(n, g), newV(n, g), newV(n, g)
	Comment("mExpNeg: a = min(|x|, expClamp), NaN flowing through")
	each(n, func(k int) {
		switch {
		case s.xm != nil:
			// |x| from memory, clamp in t until t takes magic;
			// min(clamp, |x|) with |x| as the second source: NaN
			// gives |x|.
			VMOVUPS(s.xm[k], ac[k])
			VANDPS(g.c("absmask"), ac[k], ac[k])
			VMOVUPS(g.c("expClamp"), t[k])
			VMINPS(ac[k], t[k], ac[k])
		case g.z && a == nil:
			// min(clamp, |x|) with |x| as the second source: NaN gives
			// |x|. (VRANGEPS would do it in one instruction but gives
			// clamp for a quiet NaN in its memory operand.)
			VANDPS(s.xo[k], g.creg("absmask"), ac[k])
			VMINPS(ac[k], g.creg("expClamp"), ac[k])
		case g.kreg["expClamp"] != nil:
			// min(clamp, a) with a as the second source: NaN gives a.
			VMINPS(a[k], g.kreg["expClamp"], ac[k])
		default:
			VMOVUPS(g.c("expClamp"), ac[k])
			VMINPS(a[k], ac[k], ac[k])
		}
	})
	Comment("mExpNeg: range reduction n = round(-a*log2e), r = -a - n*ln2hi - n*ln2lo")
	each(n, func(k int) {
		if r, ok := g.kreg["expMagic"]; ok {
			VMOVAPS(r, t[k])
		} else {
			VMOVUPS(g.c("expMagic"), t[k])
		}
	})
	each(n, func(k int) { VFNMADD231PS(g.c("log2e"), ac[k], t[k]) }) // t = -(a*log2e) + magic
	nn := p                                                          // n = t - magic
	if g.z {
		nn = t // t itself is not needed: VSCALEFPS scales by n
	}
	each(n, func(k int) { VSUBPS(g.c("expMagic"), t[k], nn[k]) })
	each(n, func(k int) { VFNMSUB231PS(g.c("ln2hi"), nn[k], ac[k]) }) // r = -(n*ln2hi) - a
	each(n, func(k int) { VFNMADD231PS(g.c("ln2lo"), nn[k], ac[k]) }) // r = -(n*ln2lo) + r
	r := ac
	Comment("mExpNeg: polynomial p = exp6*r + exp5, ..., p*r + 1 (Horner)")
	each(n, func(k int) {
		if c, ok := g.kreg["exp6"]; ok {
			VMOVAPS(c, p[k])
		} else {
			VMOVUPS(g.c("exp6"), p[k])
		}
	})
	steps := []string{"exp5", "exp4", "exp3", "exp2", "one", "one"}
	if wantLo {
		steps = steps[:5]
	}
	for _, c := range steps {
		each(n, func(k int) { VFMADD213PS(g.c(c), r[k], p[k]) }) // p = r*p + c
	}
	// scale: on AVX-512, VSCALEFPS by n gives p*2^n rounded once, which is
	// p*2^(n+64)*2^-64 of the model: the first product is exact (p in
	// [0.5, 2] and 2^(n+64) normal; for the residual below, when that
	// product is subnormal both give a zero, far below 2^-150). Otherwise
	// scale = 2^(n+64) from t's bits, then 2^-64.
	scale := func(v V) {
		if g.z {
			each(n, func(k int) { VSCALEFPS(nn[k], v[k], v[k]) })
			return
		}
		each(n, func(k int) { VMULPS(t[k], v[k], v[k]) })
		each(n, func(k int) { VMULPS(g.c("twoM64"), v[k], v[k]) })
	}
	Comment("mExpNeg: scaling by 2^n")
	if !g.z {
		each(n, func(k int) { VPSLLD(U8(23), t[k], t[k]) }) // 2^(n+64)
	}
	if !wantLo {
		scale(p)
		return p, nil
	}
	Comment("mExpNeg: the last step p1 = p*r + 1 and its residual plo, for elo")
	// One vector after the other: r, p and the scale of a vector die as
	// its p1 and plo appear, so that at most three registers per vector
	// are live (five, stage by stage).
	p1, lo := make(V, n), make(V, n)
	each(n, func(k int) {
		p1[k] = g.cfresh("one")
		VFMADD231PS(p[k], r[k], p1[k]) // p1 = r*p + 1
		lo[k] = g.oneMinus(p1[k])      // 1 - p1 (exact)
		VFMADD231PS(p[k], r[k], lo[k]) // plo = r*p + (1-p1)
		if g.z {
			VSCALEFPS(nn[k], p1[k], p1[k])
			VSCALEFPS(nn[k], lo[k], lo[k])
		} else {
			VMULPS(t[k], p1[k], p1[k])
			VMULPS(t[k], lo[k], lo[k])
			VMULPS(g.c("twoM64"), p1[k], p1[k])
			VMULPS(g.c("twoM64"), lo[k], lo[k])
		}
	})
	return p1, lo
}

// horner sets q = P(f), the lp8..lp0 polynomial of f32LogQ by Horner; f
// is kept.
func (g *gen) horner(q, f V) {
	n := len(q)
	Comment("log1p's polynomial q = lp8*f + lp7, ..., q*f + lp0 (Horner)")
	each(n, func(k int) { VMOVUPS(g.c("lp8"), q[k]) })
	for _, c := range []string{"lp7", "lp6", "lp5", "lp4", "lp3", "lp2", "lp1", "lp0"} {
		each(n, func(k int) { VFMADD213PS(g.c(c), f[k], q[k]) }) // q = f*q + c
	}
}

// poly sets q = fma(f*f, P(f), f) (f32LogPoly, for mLog); f's register is
// reused.
func (g *gen) poly(q, f V) {
	n := len(q)
	g.horner(q, f)
	Comment("mLog: fma(f*f, q, f)")
	// f*f and the last step one vector after the other: one f*f register
	// live at a time.
	each(n, func(k int) {
		ff := g.vec()
		VMULPS(f[k], f[k], ff)
		VFMADD213PS(f[k], ff, q[k]) // q = ff*q + f
	})
}

// log returns log(q) (mLog) in fresh registers; q stays live. The
// integer steps act on the float32 bit patterns, as the model's int32 and
// uint32 conversions do.
func (g *gen) log(q V) V {
	n := len(q)
	Comment("mLog: a q below 2^-126 scaled by 2^23 (exact), kb = -23 there and +0 elsewhere")
	qs, kb := newV(n, g), newV(n, g)
	if g.z {
		each(n, func(k int) {
			km := K()
			VCMPPS(U8(0x11), g.c("twoM126"), q[k], km) // q < 2^-126, ordered
			VMOVAPS(q[k], qs[k])
			VMULPS(g.c("two23"), q[k], km, qs[k])
			VMOVUPS_Z(g.c("minus23"), km, kb[k])
		})
	} else {
		each(n, func(k int) { VCMPPS(U8(0x11), g.c("twoM126"), q[k], kb[k]) }) // q < 2^-126, ordered
		each(n, func(k int) { VMULPS(g.c("two23"), q[k], qs[k]) })
		each(n, func(k int) { VBLENDVPS(kb[k], qs[k], q[k], qs[k]) }) // qs = q < 2^-126 ? q*2^23 : q
		each(n, func(k int) { VANDPS(g.c("minus23"), kb[k], kb[k]) })
	}
	Comment("mLog: ix = bits(qs) - bits(0.75), k = float(ix>>23) + kb, f = frombits(ix&mantissa + bits(0.75)) - 1")
	ix, kf := qs, newV(n, g)
	each(n, func(k int) { VPSUBD(g.c("bits075"), qs[k], ix[k]) })
	each(n, func(k int) { VPSRAD(U8(23), ix[k], kf[k]) })
	each(n, func(k int) { VCVTDQ2PS(kf[k], kf[k]) })
	each(n, func(k int) { VADDPS(kb[k], kf[k], kf[k]) })
	each(n, func(k int) { VANDPS(g.c("mantissa"), ix[k], ix[k]) })
	each(n, func(k int) { VPADDD(g.c("bits075"), ix[k], ix[k]) })
	f := ix
	each(n, func(k int) { VSUBPS(g.c("one"), ix[k], f[k]) })
	Comment("mLog: log1p's polynomial P(f) and r = fma(f*f, P, f), as in f32LogPoly")
	r := newV(n, g)
	g.poly(r, f)
	Comment("mLog: r = fma(k, ln2lo, r), then fma(k, ln2hi, r)")
	each(n, func(k int) { VFMADD231PS(g.c("ln2lo"), kf[k], r[k]) })
	each(n, func(k int) { VFMADD231PS(g.c("ln2hi"), kf[k], r[k]) })
	Comment("mLog: -Inf at q == 0, NaN where !(q >= 0 && q <= 1)")
	if g.z {
		each(n, func(k int) {
			kz := K()
			VCMPPS(U8(0), g.c("zero"), q[k], kz) // q == 0, ordered
			VMOVUPS(g.c("negInf"), kz, r[k])
		})
		each(n, func(k int) {
			kl, kh := K(), K()
			VCMPPS(U8(0x19), g.c("zero"), q[k], kl) // !(q >= 0), unordered
			VCMPPS(U8(0x16), g.c("one"), q[k], kh)  // !(q <= 1), unordered
			KORW(kl, kh, kl)
			VMOVUPS(g.c("nan"), kl, r[k])
		})
		return r
	}
	m, mh := newV(n, g), newV(n, g)
	each(n, func(k int) { VCMPPS(U8(0), g.c("zero"), q[k], m[k]) }) // q == 0, ordered
	each(n, func(k int) { VBLENDVPS(m[k], g.c("negInf"), r[k], r[k]) })
	each(n, func(k int) { VCMPPS(U8(0x19), g.c("zero"), q[k], m[k]) }) // !(q >= 0), unordered
	each(n, func(k int) { VCMPPS(U8(0x16), g.c("one"), q[k], mh[k]) }) // !(q <= 1), unordered
	each(n, func(k int) { VORPS(mh[k], m[k], m[k]) })
	each(n, func(k int) { VBLENDVPS(m[k], g.c("nan"), r[k], r[k]) })
	return r
}

// sigNeg returns sm = E/(1+E) for E = e + elo (mSigNeg); e and elo stay
// live.
func (g *gen) sigNeg(e, elo V) V {
	n := len(e)
	d, dlo, s := newV(n, g), newV(n, g), newV(n, g)
	Comment("mSigNeg: s = e/d for d = 1+e, corrected by the residual of d, of the division and elo")
	each(n, func(k int) { VADDPS(g.c("one"), e[k], d[k]) })   // d = 1 + e
	each(n, func(k int) { VSUBPS(g.c("one"), d[k], dlo[k]) }) // d - 1
	each(n, func(k int) { VSUBPS(dlo[k], e[k], dlo[k]) })     // dlo = e - (d-1)
	each(n, func(k int) { VDIVPS(d[k], e[k], s[k]) })         // s = e/d
	each(n, func(k int) { VFNMADD213PS(e[k], s[k], d[k]) })   // r = -(s*d) + e (in d)
	each(n, func(k int) { VFNMADD231PS(dlo[k], s[k], d[k]) }) // r = -(s*dlo) + r
	each(n, func(k int) {
		o := dlo[k]
		if one, ok := g.kreg["one"]; ok {
			VSUBPS(s[k], one, o)
		} else {
			VMOVUPS(g.c("one"), o)
			VSUBPS(s[k], o, o)
		}
	}) // oms = 1 - s (in dlo)
	each(n, func(k int) { VFMADD231PS(elo[k], dlo[k], d[k]) }) // r = oms*elo + r
	each(n, func(k int) { VFMADD213PS(s[k], dlo[k], d[k]) })   // sm = oms*r + s
	return d
}

func main() {
	src := flag.String("src", "../bce_generic.go", "bce_generic.go, the source of the constants")
	flag.Parse() // avo's flags (-out, -stubs, ...) are registered on the same set
	if err := spec.CheckAll(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ConstraintExpr("gc,!purego")
	emitData(spec.ReadConsts(*src))
	// The AVX2 functions come first in the file, as before the path table
	// existed, so that every function keeps its offset (and its loops their
	// alignment) in the text segment.
	for _, p := range slices.Backward(spec.PathsOf("amd64")) {
		g := paths[p.Name]
		g.name, g.suffix = p.Name, p.Suffix
		for _, k := range spec.Kernels {
			g.function(k)
		}
	}
	pass.Compile = pass.Concat(compile, pass.FunctionPass(registerMap))
	Generate()
	out := flag.Lookup("out").Value.String()
	if err := checkAVX2(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := addHeader(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// paths holds the parameters of each amd64 path of the table, by name.
var paths = map[string]*gen{
	"avx2":   {W: 8, U: 8, IL: 4},
	"avx512": {W: 16, z: true, U: 8, IL: 8, pfDist: 2048},
}

// checkAVX2 makes sure the register allocator gave the AVX2 functions only
// registers that VEX can encode (no X16-X31/Y16-Y31, no opmasks): otherwise
// the assembler would emit EVEX instructions that an AVX2-only CPU lacks.
func checkAVX2(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	bad := regexp.MustCompile(`\b([XYZ](1[6-9]|2[0-9]|3[01])|Z[0-9]+|K[0-7])\b`)
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "TEXT ") {
			in = strings.Contains(line, "AVX2(SB)")
			continue
		}
		if in && bad.MatchString(line) {
			return fmt.Errorf("%s: AVX2 function uses an EVEX-only register: %s", path, line)
		}
	}
	return nil
}
