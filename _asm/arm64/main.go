// Command arm64 writes bce_arm64.s, the NEON kernels of package bce.
//
//	cd _asm && GOWORK=off go run ./arm64 -src ../bce_generic.go -out ../bce_arm64.s
//
// (go generate in the repository root runs it.) The kernels are the rows of
// _asm/spec's table, built by elem (elem.go) from one function per step;
// the constants are those of bce_generic.go's const block. Every kernel
// follows model_test.go one vector instruction per scalar operation. Instructions Go's assembler knows are written with its
// mnemonics; the others (vector floating-point arithmetic, compares and
// conversions, BIC and the by-element forms) are WORD lines from the
// encoder in encode.go, each commented with its GNU syntax.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/fastbce/bce/_asm/spec"
)

// Register map (also written at the top of bce_arm64.s).
const (
	vP     V = 20 // kernel parameters: S[0] scale, S[1] 1-s, S[2] s/2
	vK0    V = 21 // V21..V25: 20 constants, 4 per register, for DUP and by-element forms
	vLN2F  V = 26
	vMAGIC V = 27
	vCLAMP V = 28
	vHALF  V = 29
	vONE   V = 30
	vSIGN  V = 31 // 0x80000000 in every lane
	vAcc0  V = 12 // V12..V19: 16 float64 accumulator lanes, lane j in V(12+j/2).D[j%2]
	nTemps   = 12 // V0..V11: temporaries
)

// The focal kernels need seven more scalars and the constants of mLog, and
// their pow finish holds up to 12 vectors at once: they add into the
// accumulator in memory (the same float64 additions in the same order) and
// use V12..V19 instead (also written at the top of bce_arm64.s).
const (
	vNEGINF     V = 14 // -Inf (0xff800000) in every lane; NOT of it is the mantissa mask
	vTHREEQ     V = 15 // 0.75 (0x3f400000), the bits mLog subtracts and adds back
	vMINNORM    V = 16 // 0x1p-126, the smallest normal float32
	vTINY       V = 17 // 0x1p-149, the smallest subnormal float32
	vF1         V = 18 // S[0] 0x1p23, S[1] -23, S[2] gb1, S[3] gb0
	vF2         V = 19 // S[0] al1, S[1] al0, S[2] ga1, S[3] ga0
	nTempsFocal   = 14 // V0..V13: temporaries of the focal kernels
)

// focalFull and focalPacked are the focal constants, V14..V17 and V18's
// first two lanes (its last two are parameters).
var (
	focalFull   = []string{"-inf", "0.75", "0x1p-126", "0x1p-149"}
	focalPacked = []string{"0x1p23", "-23"}
)

// param returns the register and lane of a float32 parameter: vP holds
// those of the existing kernels and gamma, vF1 and vF2 the other focal ones.
func param(name string) (V, int) {
	switch name {
	case "scale":
		return vP, 0
	case "oms":
		return vP, 1
	case "hs":
		return vP, 2
	case "gamma":
		return vP, 3
	case "gb1":
		return vF1, 2
	case "gb0":
		return vF1, 3
	case "al1":
		return vF2, 0
	case "al0":
		return vF2, 1
	case "ga1":
		return vF2, 2
	case "ga0":
		return vF2, 3
	}
	panic("no parameter " + name)
}

// Packed constants, in register order V21.S[0], V21.S[1], ..., V25.S[3].
var packed = []string{
	"-log2e", "-ln2hi", "-ln2lo", "exp6",
	"exp5", "exp4", "exp3", "exp2",
	"twoM64", "half", "lpWt", "lp8",
	"lp7", "lp6", "lp5", "lp4",
	"lp3", "lp2", "lp1", "lp0",
}

// Full-vector constants, V26..V31.
var full = []string{"ln2f", "expMagic", "expClamp", "half", "one", "sign"}

type gen struct {
	b      bytes.Buffer
	free   [nTempsFocal]bool
	ntemp  int // temporaries of the current kernel: nTemps or nTempsFocal
	consts map[string]float32
	words  int
	// counts instructions per emitted section, for the report
	count *int
	// out2 is the vector elem leaves for a second output slice (-1 for none)
	out2 V
}

func (g *gen) line(format string, args ...any) {
	fmt.Fprintf(&g.b, "\t"+format+"\n", args...)
	if g.count != nil {
		*g.count++
	}
}

func (g *gen) raw(format string, args ...any) { fmt.Fprintf(&g.b, format+"\n", args...) }

func (g *gen) w(i Inst) {
	g.line("WORD $0x%08x // %s", i.Word, i.GNU)
	g.words++
}

func (g *gen) alloc() V {
	for i := range g.free[:g.ntemp] {
		if g.free[i] {
			g.free[i] = false
			return V(i)
		}
	}
	panic(errPool)
}

var errPool = fmt.Errorf("out of temporary registers")

func (g *gen) release(vs ...V) {
	for _, v := range vs {
		if v < 0 || int(v) >= g.ntemp || g.free[v] {
			panic(fmt.Sprintf("release of V%d: not an allocated temporary", v))
		}
		g.free[v] = true
	}
}

func (g *gen) resetPool() {
	for i := range g.free {
		g.free[i] = i < g.ntemp
	}
}

// k returns the register and lane of a packed constant.
func k(name string) (V, int) {
	for i, n := range packed {
		if n == name {
			return vK0 + V(i/4), i % 4
		}
	}
	panic("no packed constant " + name)
}

func s4(v V) string  { return fmt.Sprintf("V%d.S4", v) }
func b16(v V) string { return fmt.Sprintf("V%d.B16", v) }

// Native instructions, in Go's operand order (destination last).
func (g *gen) mov(dst, src V)      { g.line("VMOV %s, %s", b16(src), b16(dst)) }
func (g *gen) dup(dst V, c string) { r, i := k(c); g.line("VDUP V%d.S[%d], %s", r, i, s4(dst)) }

// fmla: d += n*m (fused).
func (g *gen) fmla(d, n, m V) { g.line("VFMLA %s, %s, %s", s4(m), s4(n), s4(d)) }

// fmls: d -= n*m (fused).
func (g *gen) fmls(d, n, m V) { g.line("VFMLS %s, %s, %s", s4(m), s4(n), s4(d)) }

// bit inserts n into d where mask is set; bif where it is clear.
func (g *gen) bit(d, n, mask V) { g.line("VBIT %s, %s, %s", b16(mask), b16(n), b16(d)) }
func (g *gen) bif(d, n, mask V) { g.line("VBIF %s, %s, %s", b16(mask), b16(n), b16(d)) }
func (g *gen) and(d, n, m V)    { g.line("VAND %s, %s, %s", b16(m), b16(n), b16(d)) }
func (g *gen) eor(d, n, m V)    { g.line("VEOR %s, %s, %s", b16(m), b16(n), b16(d)) }

// signSet sets d to all ones in the lanes of x whose sign bit is set.
func (g *gen) signSet(d, x V) { g.line("VCMTST %s, %s, %s", s4(vSIGN), s4(x), s4(d)) }

// addend sets d to a constant used as the addend of the next FMLA.
func (g *gen) addend(d V, c string) {
	switch c {
	case "one":
		g.mov(d, vONE)
	case "expMagic":
		g.mov(d, vMAGIC)
	default:
		g.dup(d, c)
	}
}

// expNeg returns e = exp(-a) and, when wantLo, elo, the rounding error of
// e (mExpNeg); a is kept.
func (g *gen) expNeg(a V, wantLo bool) (e, elo V) {
	g.raw("\t// mExpNeg: a = min(|x|, expClamp), NaN flowing through; range reduction")
	g.raw("\t// n = round(-a*log2e), r = -a - n*ln2hi - n*ln2lo")
	ac := g.alloc()
	g.w(FMIN(S4, ac, a, vCLAMP)) // if a > expClamp {a = expClamp}; NaN stays NaN
	t := g.alloc()
	g.addend(t, "expMagic")
	r, i := k("-log2e")
	g.w(FMLAe(S4, t, ac, r, i)) // t = fma(a, -log2e, expMagic)
	n := g.alloc()
	g.w(FSUB(S4, n, t, vMAGIC)) // n = t - expMagic
	rr := g.alloc()
	g.w(FNEG(S4, rr, ac)) // -a
	g.release(ac)
	r, i = k("-ln2hi")
	g.w(FMLAe(S4, rr, n, r, i)) // r = fma(n, -ln2hi, -a)
	r, i = k("-ln2lo")
	g.w(FMLAe(S4, rr, n, r, i)) // r = fma(n, -ln2lo, r)
	g.release(n)
	g.raw("\t// mExpNeg: polynomial p = exp6*r + exp5, ..., p*r + 1 (Horner)")
	p := g.alloc()
	g.addend(p, "exp5")
	r, i = k("exp6")
	g.w(FMLAe(S4, p, rr, r, i)) // p = fma(exp6, r, exp5)
	for _, c := range []string{"exp4", "exp3", "exp2", "one"} {
		q := g.alloc()
		g.addend(q, c)
		g.fmla(q, p, rr) // p = fma(p, r, c)
		g.release(p)
		p = q
	}
	p1 := g.alloc()
	g.addend(p1, "one")
	g.fmla(p1, p, rr) // p1 = fma(p, r, 1)
	elo = -1
	if wantLo {
		elo = g.alloc()
		g.w(FSUB(S4, elo, vONE, p1)) // 1 - p1
		g.fmla(elo, p, rr)           // plo = fma(p, r, 1-p1)
	}
	g.release(p, rr)
	g.raw("\t// mExpNeg: scaling by 2^n = bits(t) << 23, then 2^-64")
	g.line("VSHL $23, %s, %s", s4(t), s4(t)) // scale = bits(t) << 23
	r, i = k("twoM64")
	g.w(FMUL(S4, p1, p1, t))     // p1 * scale
	g.w(FMULe(S4, p1, p1, r, i)) // * twoM64
	if wantLo {
		g.w(FMUL(S4, elo, elo, t))     // plo * scale
		g.w(FMULe(S4, elo, elo, r, i)) // * twoM64
	}
	g.release(t)
	return p1, elo
}

// logParts is what logPrep leaves for bracket: f, whose sign bit marks
// e >= 0.5, and t1 = elo*(hn + lpWt), e's rounding error weighted by
// 1/(1+e).
type logParts struct{ f, t1 V }

// logPrep is the first part of mBracket (f32Bracket), before the target is
// known: the split of e and t1. e and elo are consumed (f and t1 take their
// registers).
func (g *gen) logPrep(e, elo V) logParts {
	g.raw("\t// mBracket: hn = fma(-e, 0.5, 0.5); f = -hn where e >= 0.5 (sign bit set, -0 at e = 1), else e")
	hn := g.alloc()
	g.mov(hn, vHALF)
	g.fmls(hn, e, vHALF) // hn = fma(-e, 0.5, 0.5)
	m := g.alloc()
	g.w(FCMGE(S4, m, e, vHALF)) // e >= 0.5 (false for NaN)
	g.w(FNEG(S4, hn, hn))       // -hn (flips the sign bit)
	g.bit(e, hn, m)             // f = e >= 0.5 ? -hn : e
	g.raw("\t// mBracket: t1 = elo * (hn + lpWt)")
	g.dup(m, "lpWt")
	g.w(FSUB(S4, m, m, hn))    // lpWt - (-hn) = hn + lpWt
	g.w(FMUL(S4, elo, elo, m)) // t1
	g.release(hn, m)
	return logParts{f: e, t1: elo}
}

// bracket is the rest of mBracket: from logPrep's parts (consumed), |x| in
// a, the target term c and, for the weighted finish, kk (a, c and kk kept;
// kk < 0 means 1, whose products are skipped), it returns
// c*|x| + kk*log1p(e + elo). The polynomial runs here, after the Fast2Sum,
// so that fewer vectors are live at once.
func (g *gen) bracket(lp logParts, a, c, kk V) V {
	f, t1 := lp.f, lp.t1
	g.raw("\t// mBracket: km = sign bit of f; g = f*kk, fma(c, |x|, g) where km (exact there)")
	km := g.alloc()
	g.signSet(km, f)
	fold := km // where c*|x| joins g: e >= 0.5, and kk == 1 (f32Bracket)
	var gg V
	if kk >= 0 {
		fold = g.alloc()
		g.w(FCMEQ(S4, fold, kk, vONE)) // kk == 1
		g.and(fold, fold, km)
		t := g.alloc()
		g.w(FMUL(S4, t, f, kk)) // f * kk
		gg = g.alloc()
		g.mov(gg, t)
		g.fmla(gg, c, a)   // fma(c, |x|, g)
		g.bif(gg, t, fold) // not folded: g = f*kk
		g.release(t)
	} else {
		gg = g.alloc()
		g.mov(gg, f)
		g.fmla(gg, c, a) // fma(c, |x|, f)
		g.bif(gg, f, km) // not km: g = f
	}
	g.raw("\t// mBracket: kv = km ? ln2f*kk : +0 (masked after the product); s = kv + g, err = g - (s - kv), 1 where NaN")
	kv := g.alloc()
	if kk >= 0 {
		g.w(FMUL(S4, kv, vLN2F, kk)) // ln2f * kk
		g.and(kv, kv, km)
	} else {
		g.and(kv, vLN2F, km)
	}
	if fold != km {
		g.release(km) // fold carries on
	}
	s := g.alloc()
	g.w(FADD(S4, s, kv, gg))      // s = kv + g
	g.w(FSUB(S4, kv, s, kv))      // s - kv
	g.w(FSUB(S4, gg, gg, kv))     // err = g - (s - kv)
	g.w(FMINNM(S4, gg, gg, vONE)) // if !(err < 1) {err = 1}: the number 1 for a NaN err
	if kk >= 0 {
		g.w(FMUL(S4, kv, f, kk))  // f * kk again
		g.fmls(kv, f, kk)         // round(f*kk) - f*kk, exact
		g.w(FSUB(S4, gg, gg, kv)) // err - that
		g.w(FMUL(S4, t1, t1, kk)) // t1 * kk
	}
	g.release(kv)
	g.w(FADD(S4, t1, gg, t1)) // err + t1
	g.release(gg)
	g.raw("\t// mBracket: polynomial q = lp8*f + lp7, ..., q*f + lp0 (Horner); br = s + fma(f*f [*kk], q, err + t1)")
	q := g.lpPoly(f)
	g.w(FMUL(S4, f, f, f)) // f * f
	if kk >= 0 {
		g.w(FMUL(S4, f, f, kk)) // ff = (f*f) * kk
	}
	g.fmla(t1, f, q) // lo = fma(ff, q, err + t1)
	g.release(f, q)
	g.w(FADD(S4, s, s, t1)) // br = s + lo
	g.release(t1)
	g.raw("\t// mBracket: br = fma(c, |x|, br) where !km and c != 0 (NaN included)")
	cz := g.alloc()
	g.w(FCMEQz(S4, cz, c))                                   // c == 0 (false for NaN)
	g.line("VORR %s, %s, %s", b16(cz), b16(fold), b16(fold)) // keep br where folded or c == 0
	g.release(cz)
	t := g.alloc()
	g.mov(t, s)
	g.fmla(t, c, a)   // fma(c, |x|, br)
	g.bif(s, t, fold) // br = folded || c == 0 ? br : fma(c, |x|, br)
	g.release(t, fold)
	return s
}

// lpPoly returns the Horner polynomial q = lp8*f + lp7, ..., q*f + lp0 of
// f32LogQ, which mBracket and mLog evaluate; f is kept.
func (g *gen) lpPoly(f V) V {
	q := g.alloc()
	g.addend(q, "lp7")
	r, i := k("lp8")
	g.w(FMLAe(S4, q, f, r, i)) // q = fma(lp8, f, lp7)
	for _, c := range []string{"lp6", "lp5", "lp4", "lp3", "lp2", "lp1", "lp0"} {
		q2 := g.alloc()
		g.addend(q2, c)
		g.fmla(q2, q, f) // q = fma(q, f, c)
		g.release(q)
		q = q2
	}
	return q
}

// log returns log(q) (mLog) for the focal kernels (they hold its constants
// in V14..V18); q is kept.
func (g *gen) log(q V) V {
	g.raw("\t// mLog: a subnormal q is scaled by 2^23 (exact), kb = -23; else qs = q, kb = +0")
	sub := g.alloc()
	g.w(FCMGT(S4, sub, vMINNORM, q)) // q < 0x1p-126 (false for NaN)
	qs := g.alloc()
	g.w(FMULe(S4, qs, q, vF1, 0)) // q * 0x1p23
	g.bif(qs, q, sub)             // not subnormal: qs = q
	kb := g.alloc()
	g.line("VDUP V%d.S[1], %s", vF1, s4(kb)) // -23
	g.and(kb, kb, sub)                       // kb = subnormal ? -23 : +0
	g.release(sub)
	g.raw("\t// mLog: ix = bits(qs) - bits(0.75); k = float32(ix>>23) + kb")
	g.line("VSUB %s, %s, %s", s4(vTHREEQ), s4(qs), s4(qs)) // ix, int32 lanes
	ix := qs
	kk := g.alloc()
	g.w(SSHR(kk, ix, 23))  // ix>>23, arithmetic as on int32
	g.w(SCVTF(S4, kk, kk)) // float32(ix>>23), exact
	g.w(FADD(S4, kk, kk, kb))
	g.release(kb)
	g.raw("\t// mLog: f = frombits(ix&0x7fffff + bits(0.75)) - 1, exact, in [-0.25, 0.5)")
	g.w(BIC(ix, ix, vNEGINF)) // ix & 0x7fffff: -Inf is 0xff800000
	g.line("VADD %s, %s, %s", s4(vTHREEQ), s4(ix), s4(ix))
	f := ix
	g.w(FSUB(S4, f, f, vONE))
	g.raw("\t// mLog: p = lp8*f + lp7, ..., p*f + lp0 (Horner, as mBracket), r = fma(f*f, p, f)")
	p := g.lpPoly(f)
	ff := g.alloc()
	g.w(FMUL(S4, ff, f, f))
	g.fmla(f, ff, p) // r = fma(f*f, p, f)
	g.release(ff, p)
	r := f
	g.raw("\t// mLog: r = fma(k, ln2lo, r), then fma(k, ln2hi, r): k*ln2hi is exact")
	c, i := k("-ln2lo")
	g.w(FMLSe(S4, r, kk, c, i)) // r - k*(-ln2lo) = fma(k, ln2lo, r)
	c, i = k("-ln2hi")
	g.w(FMLSe(S4, r, kk, c, i)) // fma(k, ln2hi, r)
	g.release(kk)
	g.raw("\t// mLog: -Inf where q == 0, NaN where !(q >= 0 && q <= 1)")
	m := g.alloc()
	g.w(FCMEQz(S4, m, q)) // q == ±0
	g.bit(r, vNEGINF, m)
	g.w(FCMGEz(S4, m, q)) // q >= 0 (false for NaN)
	le := g.alloc()
	g.w(FCMGE(S4, le, vONE, q)) // q <= 1 (false for NaN)
	g.and(m, m, le)
	g.w(ORN(r, r, m)) // all ones, a NaN, outside [0,1]
	g.release(m, le)
	return r
}

// sigNeg returns sm = E/(1+E) for E = e + elo (mSigNeg); e and elo are
// released, or kept (for logPrep) when keep.
func (g *gen) sigNeg(e, elo V, keep bool) V {
	g.raw("\t// mSigNeg: s = e/d for d = 1+e, corrected by the residual of d, of the division and elo")
	d := g.alloc()
	g.w(FADD(S4, d, vONE, e)) // d = 1 + e
	dlo := g.alloc()
	g.w(FSUB(S4, dlo, d, vONE)) // d - 1
	g.w(FSUB(S4, dlo, e, dlo))  // dlo = e - (d - 1)
	s := g.alloc()
	g.w(FDIV(S4, s, e, d)) // s = e / d
	r := e
	if keep {
		r = g.alloc()
		g.mov(r, e)
	}
	g.fmls(r, s, d)   // r = fma(-s, d, e)
	g.fmls(r, s, dlo) // r = fma(-s, dlo, r)
	g.release(d, dlo)
	oms := g.alloc()
	g.w(FSUB(S4, oms, vONE, s)) // oms = 1 - s
	g.fmla(r, elo, oms)         // r = fma(elo, oms, r)
	g.fmla(s, r, oms)           // fma(r, oms, s)
	g.release(oms, r)
	if !keep {
		g.release(elo)
	}
	return s
}

// kernel describes one generated function.
type kernel struct {
	name   string
	args   []string // Go parameters, "name type"
	in     int      // input slices after the output: x, y, w, pw (1..4)
	out    bool     // writes an output slice (first argument)
	out2   bool     // and a second one (second argument), from g.out2
	acc    int      // 0, 16 or 32 accumulator lanes
	params []string // float32 parameters loaded into vP: scale, oms, hs
	// elem emits the computation of one vector: inputs in[0..], returns the
	// output vector (or -1) and the vector to accumulate (or -1). It
	// releases its inputs.
	elem    func(g *gen, in []V) (out, sum V)
	doc     string
	inNames []string // the input slices, in the order of in
	exp     bool     // computes exp(-|x|): needs the constant registers
	sumW    bool     // adds the weights into acc[16:32] (a second pass over w)
	// focal loads the focal constants and parameters into V14..V19, uses
	// V0..V13 as temporaries and adds into acc in memory.
	focal bool
}

// fromSpec returns the function of row k of the kernel table for path p.
func fromSpec(k spec.Kernel, p spec.Path) kernel {
	kn := kernel{
		name: k.Name + p.Suffix, in: len(k.In), out: k.Out != "", out2: k.Out2 != "", acc: k.Acc,
		params: k.Scalars, doc: k.Model, inNames: k.In, exp: k.HasExp(),
		sumW:  slices.Contains(k.Accum, spec.W),
		focal: k.Has(spec.FinishFocal) || k.Has(spec.FinishFocalPow),
	}
	for _, a := range k.Args() {
		kn.args = append(kn.args, a.Name+" "+a.Type)
	}
	kn.elem = func(g *gen, in []V) (V, V) { return g.elem(k, in) }
	return kn
}

// frame layout of the tail buffer, at 8(RSP): x, y, w, pw, mask, 64 bytes
// each; a kernel with a second output has its 64 bytes after them
// (frame2), where its tail stores that output.
const (
	frame  = 320
	frame2 = frame + 64
)

// Pointer registers of a second output: the slice, and its saved base in
// the tail.
const (
	rOut2  = "R14"
	rSave2 = "R15"
)

func offsets(args []string) (map[string]int, int) {
	off := map[string]int{}
	o := 0
	for _, a := range args {
		f := strings.Fields(a)
		switch f[1] {
		case "[]float32":
			o = (o + 7) &^ 7
			off[f[0]+"_base"] = o
			off[f[0]+"_len"] = o + 8
			o += 24
		case "float32":
			off[f[0]] = o
			o += 4
		default: // pointer
			o = (o + 7) &^ 7
			off[f[0]] = o
			o += 8
		}
	}
	return off, o
}

// Pointer registers.
const (
	rOut  = "R0"
	rMask = "R12"
	rAcc  = "R5"
	rN    = "R6"
	rTail = "R7"
	rSave = "R8"
)

var rIn = []string{"R1", "R2", "R3", "R4"}

func (g *gen) kernel(kn kernel) {
	off, size := offsets(kn.args)
	g.raw("")
	g.raw("// func %s(%s)", kn.name, strings.Join(kn.args, ", "))
	for _, l := range strings.Split(strings.TrimSpace(kn.doc), "\n") {
		g.raw("// %s", l)
	}
	fr := frame
	if kn.out2 {
		fr = frame2
	}
	g.raw("TEXT ·%s(SB), NOSPLIT, $%d-%d", kn.name, fr, size)
	if kn.out {
		outName := strings.Fields(kn.args[0])[0]
		g.line("MOVD %s_base+%d(FP), %s", outName, off[outName+"_base"], rOut)
	}
	if kn.out2 {
		outName := strings.Fields(kn.args[1])[0]
		g.line("MOVD %s_base+%d(FP), %s", outName, off[outName+"_base"], rOut2)
	}
	for i, name := range kn.inNames {
		g.line("MOVD %s_base+%d(FP), %s", name, off[name+"_base"], rIn[i])
	}
	g.line("MOVD x_len+%d(FP), %s", off["x_len"], rN)
	g.loadConsts(kn, off)
	if kn.acc > 0 {
		g.line("MOVD acc+%d(FP), %s", off["acc"], rAcc)
	}
	g.sumLoop(kn, kn.elem, 0)
	if kn.sumW {
		// The weights into acc[16:32]: a second pass over w, as sum16.
		g.line("MOVD w_base+%d(FP), R1", off["w_base"])
		g.line("MOVD x_len+%d(FP), %s", off["x_len"], rN)
		g.line("ADD $128, %s, %s", rAcc, rAcc)
		wk := kernel{name: kn.name + "w", in: 1, acc: 16, elem: sum16Elem, inNames: []string{"w"}}
		g.sumLoop(wk, sum16Elem, 1)
	}
	g.line("RET")
}

func (g *gen) loadConsts(kn kernel, off map[string]int) {
	if !kn.exp {
		g.line("MOVD $0x80000000, R9")
		g.line("VDUP R9, %s", s4(vSIGN))
		return
	}
	g.line("MOVD $·neonConsts<>(SB), R9")
	g.line("VLD1.P 48(R9), [V21.S4, V22.S4, V23.S4]")
	g.line("VLD1.P 64(R9), [V24.S4, V25.S4, V26.S4, V27.S4]")
	g.line("VLD1 (R9), [V28.S4, V29.S4, V30.S4, V31.S4]")
	if kn.focal {
		g.line("MOVD $·neonFocal<>(SB), R9")
		g.line("VLD1.P 64(R9), [V14.S4, V15.S4, V16.S4, V17.S4]")
		g.line("VLD1 (R9), [V18.S4]")
	}
	for _, p := range kn.params {
		r, lane := param(p)
		g.line("MOVWU %s+%d(FP), R9", p, off[p])
		g.line("VMOV R9, V%d.S[%d]", r, lane)
	}
}

// sumLoop emits the main loop over blocks of 16 and the tail through the
// stack buffer; part numbers the labels when a function has two loops.
func (g *gen) sumLoop(kn kernel, elem func(*gen, []V) (V, V), part int) {
	lb := fmt.Sprintf("%s%d", strings.TrimSuffix(kn.name, "NEON"), part)
	if kn.acc > 0 && !kn.focal {
		g.line("VLD1 (%s), [V12.D2, V13.D2, V14.D2, V15.D2]", rAcc)
		g.line("ADD $64, %s, R9", rAcc)
		g.line("VLD1 (R9), [V16.D2, V17.D2, V18.D2, V19.D2]")
	}
	g.line("AND $15, %s, %s", rN, rTail)
	g.line("LSR $4, %s, %s", rN, rN)
	g.line("CBZ %s, %s_tail", rN, lb)
	g.raw("%s_loop:", lb)
	n := 0
	g.count = &n
	g.block(kn, elem, false)
	g.count = nil
	stats = append(stats, fmt.Sprintf("%-12s %3d instructions per 16 elements in the loop body (%.2f per element; +2 loop control); next vector's loads ahead: %v", lb, n, float64(n)/16, lastAhead))
	g.line("SUB $1, %s, %s", rN, rN)
	g.line("CBNZ %s, %s_loop", rN, lb)
	g.raw("%s_tail:", lb)
	g.line("CBZ %s, %s_done", rTail, lb)
	// Zero the buffer, copy the tail in and set the mask of the lanes present.
	g.line("VEOR V0.B16, V0.B16, V0.B16")
	g.line("VEOR V1.B16, V1.B16, V1.B16")
	g.line("VEOR V2.B16, V2.B16, V2.B16")
	g.line("VEOR V3.B16, V3.B16, V3.B16")
	g.line("ADD $8, RSP, R9")
	for i := 0; i < frame/64; i++ {
		g.line("VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R9)")
	}
	g.line("ADD $8, RSP, R9")
	g.line("MOVD %s, R10", rTail)
	g.line("MOVW $-1, R13")
	g.raw("%s_copyin:", lb)
	for i := 0; i < kn.in; i++ {
		g.line("MOVWU.P 4(%s), R11", rIn[i])
		g.line("MOVW R11, %d(R9)", 64*i)
	}
	g.line("MOVW R13, 256(R9)")
	g.line("ADD $4, R9, R9")
	g.line("SUB $1, R10, R10")
	g.line("CBNZ R10, %s_copyin", lb)
	for i := 0; i < kn.in; i++ {
		g.line("ADD $%d, RSP, %s", 8+64*i, rIn[i])
	}
	g.line("ADD $264, RSP, %s", rMask)
	if kn.out {
		g.line("MOVD %s, %s", rOut, rSave)
		g.line("ADD $8, RSP, %s", rOut)
	}
	if kn.out2 {
		g.line("MOVD %s, %s", rOut2, rSave2)
		g.line("ADD $%d, RSP, %s", 8+frame, rOut2)
	}
	g.block(kn, elem, true)
	if kn.out2 {
		// The second output first: the loop below counts rTail down.
		g.line("ADD $%d, RSP, R9", 8+frame)
		g.line("MOVD %s, R10", rTail)
		g.raw("%s_copyout2:", lb)
		g.line("MOVWU.P 4(R9), R11")
		g.line("MOVW.P R11, 4(%s)", rSave2)
		g.line("SUB $1, R10, R10")
		g.line("CBNZ R10, %s_copyout2", lb)
	}
	if kn.out {
		g.line("ADD $8, RSP, R9")
		g.raw("%s_copyout:", lb)
		g.line("MOVWU.P 4(R9), R11")
		g.line("MOVW.P R11, 4(%s)", rSave)
		g.line("SUB $1, %s, %s", rTail, rTail)
		g.line("CBNZ %s, %s_copyout", rTail, lb)
	}
	g.raw("%s_done:", lb)
	if kn.acc > 0 && !kn.focal {
		g.line("VST1 [V12.D2, V13.D2, V14.D2, V15.D2], (%s)", rAcc)
		g.line("ADD $64, %s, R9", rAcc)
		g.line("VST1 [V16.D2, V17.D2, V18.D2, V19.D2], (R9)")
	}
}

// block emits 16 elements: four vectors, each loaded, computed, stored and
// accumulated. The inputs of vector j+1 are loaded in the middle of vector j
// (after its exp) when the temporaries allow: all of them if possible, else
// the first ones (x, then y, ...), the rest right after vector j.
func (g *gen) block(kn kernel, elem func(*gen, []V) (V, V), tail bool) {
	g.ntemp = nTemps
	if kn.focal {
		g.ntemp = nTempsFocal
	}
	mark := g.b.Len()
	cnt := 0
	if g.count != nil {
		cnt = *g.count
	}
	words := g.words
	for ahead := kn.in; ahead >= 0; ahead-- {
		ok := func() (ok bool) {
			defer func() {
				if r := recover(); r != nil {
					if r != errPool {
						panic(r)
					}
					ok = false
				}
			}()
			g.resetPool()
			g.blockOnce(kn, elem, tail, ahead)
			if !tail {
				lastAhead = ahead
			}
			return true
		}()
		if ok {
			return
		}
		g.b.Truncate(mark)
		g.words = words
		if g.count != nil {
			*g.count = cnt
		}
	}
	panic(fmt.Sprintf("%s: out of registers", kn.name))
}

var lastAhead int // how many inputs the last main-loop block loads ahead

var loadAhead func() // set by blockOnce: loads the next vector's inputs

// loadInputs loads inputs [from, to) of the next vector into in.
func (g *gen) loadInputs(in []V, from, to int) {
	for i := from; i < to; i++ {
		in[i] = g.alloc()
		g.line("VLD1.P 16(%s), [%s]", rIn[i], s4(in[i]))
	}
}

func (g *gen) blockOnce(kn kernel, elem func(*gen, []V) (V, V), tail bool, ahead int) {
	next := make([]V, kn.in)
	g.loadInputs(next, 0, kn.in)
	for j := 0; j < 4; j++ {
		in := next
		next = make([]V, kn.in)
		loaded := 0
		if j < 3 {
			loadAhead = func() { g.loadInputs(next, 0, ahead); loaded = ahead }
		} else {
			loadAhead = func() {}
		}
		g.raw("\t// vector %d of 4: elements %d..%d of the 16", j, 4*j, 4*j+3)
		out, sum := elem(g, in)
		if j < 3 {
			g.loadInputs(next, loaded, kn.in)
		}
		out2 := g.out2
		if out >= 0 && kn.out {
			g.raw("\t// store")
			g.line("VST1.P [%s], 16(%s)", s4(out), rOut)
		}
		if kn.out2 {
			g.raw("\t// store the second output")
			g.line("VST1.P [%s], 16(%s)", s4(out2), rOut2)
			g.release(out2)
		}
		if out >= 0 && out != sum {
			g.release(out)
		}
		if sum >= 0 {
			if tail {
				m := g.alloc()
				g.line("VLD1.P 16(%s), [%s]", rMask, s4(m))
				g.bif(sum, vSIGN, m) // absent lanes add -0: acc + -0 == acc
				g.release(m)
			}
			g.raw("\t// accumulate into acc lanes %d..%d", 4*j, 4*j+3)
			lo, hi := g.alloc(), g.alloc()
			g.w(FCVTL(lo, sum))
			g.w(FCVTL2(hi, sum))
			if kn.focal {
				a0, a1 := g.alloc(), g.alloc()
				g.line("FLDPQ %d(%s), (F%d, F%d)", 32*j, rAcc, a0, a1)
				g.w(FADD(D2, a0, a0, lo))
				g.w(FADD(D2, a1, a1, hi))
				g.line("FSTPQ (F%d, F%d), %d(%s)", a0, a1, 32*j, rAcc)
				g.release(a0, a1)
			} else {
				a := vAcc0 + V(2*j)
				g.w(FADD(D2, a, a, lo))
				g.w(FADD(D2, a+1, a+1, hi))
			}
			g.release(lo, hi, sum)
		}
	}
	loadAhead = nil
}

func sum16Elem(g *gen, in []V) (V, V) { return -1, in[0] }

func (g *gen) dupP(d V, lane int) { g.line("VDUP V%d.S[%d], %s", vP, lane, s4(d)) }

var stats []string

func main() {
	src := flag.String("src", "../bce_generic.go", "bce_generic.go, the source of the constants")
	out := flag.String("out", "../bce_arm64.s", "output file")
	flag.Parse()
	if err := spec.CheckAll(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, generate(*src), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if os.Getenv("NEON_STATS") != "" {
		for _, s := range stats {
			fmt.Println(s)
		}
	}
}

// generate returns the text of bce_arm64.s.
func generate(src string) []byte {
	stats = nil
	g := &gen{consts: spec.ReadConsts(src)}
	g.header()
	for _, p := range spec.PathsOf("arm64") {
		for _, k := range spec.Kernels {
			g.kernel(fromSpec(k, p))
		}
	}
	return g.b.Bytes()
}

func (g *gen) header() {
	g.raw(`// Code generated by "cd _asm && GOWORK=off go run ./arm64"; DO NOT EDIT.

//go:build gc && !purego

#include "textflag.h"

// NEON kernels: the algorithm of model_test.go, one vector instruction per
// scalar operation, four elements per vector, 16 elements per loop
// iteration; the last 1..15 elements go through a zeroed 16-element buffer
// on the stack (x, y, w, pw and a lane mask, 64 bytes each, at 8(RSP)), so
// nothing outside the slices is read or written, and lanes without an
// element add -0 to the sums. FPCR is left alone (no flush to zero).
// WORD lines are instructions Go's assembler lacks, encoded by
// _asm/arm64/encode.go; their comments are arm64asm's GNU syntax.
//
// Register map:
//   R0        output pointer (dst or g); R8 saves it during the tail
//   R1..R4    x, y, w, pw pointers
//   R5        acc pointer
//   R6        blocks of 16 left; R7 tail length (0..15)
//   R9..R13   scratch; R12 tail mask pointer
//   V0..V11   temporaries (allocated by the generator)
//   V12..V19  accumulators: float64 lane j of the 16 in V(12+j/2).D[j%%2]
//   V20       parameters: S[0] scale, S[1] oms = 1-s, S[2] hs = s/2,
//             S[3] gamma (focal)
//   V21..V25  constants for DUP and by-element operands, 4 per register:`)
	for i := 0; i < len(packed); i += 4 {
		g.raw("//               V%d = {%s}", int(vK0)+i/4, strings.Join(packed[i:i+4], ", "))
	}
	g.raw("//   V26..V31  %s, one per register (sign = 0x80000000)", strings.Join(full, ", "))
	g.raw(`//
// The focal kernels add into acc in memory and use V12..V19 so:
//   V0..V13   temporaries
//   V14..V17  %s, one per register
//   V18       S[0] %s, S[1] %s, S[2] gb1, S[3] gb0
//   V19       S[0] al1, S[1] al0, S[2] ga1, S[3] ga0`, strings.Join(focalFull, ", "), focalPacked[0], focalPacked[1])
	g.raw("")
	var vals []float32
	for _, n := range packed {
		vals = append(vals, g.constant(n))
	}
	for _, n := range full {
		for range 4 {
			vals = append(vals, g.constant(n))
		}
	}
	for i, v := range vals {
		g.raw("DATA ·neonConsts<>+%d(SB)/4, $0x%08x // %s", 4*i, math.Float32bits(v), g.constName(i))
	}
	g.raw("GLOBL ·neonConsts<>(SB), RODATA|NOPTR, $%d", 4*len(vals))
	g.raw("")
	g.raw("// The focal kernels' constants: %s, one per register (V14..V17), then", strings.Join(focalFull, ", "))
	g.raw("// %s in V18.S[0], V18.S[1] (V18.S[2], V18.S[3] receive gb1, gb0).", strings.Join(focalPacked, ", "))
	var names []string
	for _, n := range focalFull {
		names = append(names, n, n, n, n)
	}
	names = append(names, focalPacked...)
	for len(names)%4 != 0 {
		names = append(names, "0")
	}
	for i, n := range names {
		g.raw("DATA ·neonFocal<>+%d(SB)/4, $0x%08x // %s", 4*i, math.Float32bits(g.constant(n)), n)
	}
	g.raw("GLOBL ·neonFocal<>(SB), RODATA|NOPTR, $%d", 4*len(names))
}

func (g *gen) constName(i int) string {
	if i < len(packed) {
		return packed[i]
	}
	return full[(i-len(packed))/4]
}

func (g *gen) constant(name string) float32 {
	switch name {
	case "sign":
		return math.Float32frombits(0x80000000)
	case "one":
		return 1
	case "half":
		return 0.5
	// The constants of mLog and of mFocalElem's floors, literals in the
	// model.
	case "-inf":
		return float32(math.Inf(-1))
	case "0.75":
		return 0.75
	case "0x1p-126":
		return 0x1p-126
	case "0x1p-149":
		return 0x1p-149
	case "0x1p23":
		return 0x1p23
	case "-23":
		return -23
	case "0":
		return 0
	}
	neg := strings.HasPrefix(name, "-")
	v := spec.Const(g.consts, strings.TrimPrefix(name, "-"))
	if neg {
		v = -v
	}
	return v
}
