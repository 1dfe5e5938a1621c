package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// logParts is what logPrep leaves for bracket, per vector: f (whose sign
// bit marks e >= 0.5), t1 = elo/(1+e) and the polynomial q = P(f).
type logParts struct{ f, t1, q V }

// logPrep is the first half of mBracket, before the target is known: the
// split of e, e's rounding error weighted by 1/(1+e), and the Horner
// polynomial, interleaved across the vectors (the long chain). e and elo
// are consumed (f and t1 take their registers).
func (g *gen) logPrep(e, elo V) logParts {
	n := len(e)
	Comment("mBracket: hn = 0.5 - 0.5e; f = -hn where e >= 0.5 (sign bit set, -0 at e = 1), else e; t1 = elo*(hn + lpWt)")
	// One vector after the other: the compare's mask and the temporaries
	// live only for their vector.
	each(n, func(k int) {
		h := g.cfresh("half")
		VFNMADD213PS(g.c("half"), e[k], h) // hn = -(e*0.5) + 0.5
		if g.z {
			// e >= 0.5 as an unsigned compare of the bits (e >= +0; a
			// NaN e, which may land on either side, stays NaN): on Zen 4
			// it leaves the FMA pipes to the polynomials, where VCMPPS
			// takes one of them.
			km := K()
			VPCMPUD(U8(5), g.c("half"), e[k], km) // bits(e) >= bits(0.5)
			VXORPS(g.c("signbit"), h, km, e[k])   // f = -hn where e >= 0.5
		} else {
			m, t := g.vec(), g.vec()
			VCMPPS(U8(0x1d), g.c("half"), e[k], m) // e >= 0.5, ordered
			VXORPS(g.c("signbit"), h, t)           // -hn
			VBLENDVPS(m, t, e[k], e[k])            // f = m ? -hn : e
		}
		VADDPS(g.c("lpWt"), h, h) // 1/(1+e) ~ hn + lpWt
		VMULPS(h, elo[k], elo[k]) // t1
	})
	q := newV(n, g)
	g.horner(q, e)
	return logParts{f: e, t1: elo, q: q}
}

// bracket is the second half of mBracket for one vector: from logPrep's
// parts (consumed), the target term c (kept) and, for the weighted finish,
// kk (kept; nil means 1, whose products are skipped), it returns
// c*|x| + kk*log1p(e + elo). s is the vector's sign (sign.one); a is |x|
// in a register (consumed) where the caller has one (the AVX2 tail), else
// nil.
func (g *gen) bracket(s sign, a VecVirtual, f, t1, q, c, kk VecVirtual) VecVirtual {
	var aa VecVirtual
	switch {
	case g.z:
		aa = g.absOf(s, 0)
	case s.xm != nil:
		aa = g.vec()
		VMOVUPS(s.xm[0], aa)
		VANDPS(g.c("absmask"), aa, aa)
	default:
		aa = a
	}
	gg, kv := g.vec(), g.vec()
	var km OpmaskVirtual
	var fm VecVirtual // AVX2: the fold's sign-bit mask
	if g.z {
		km = K()
		VPMOVD2M(f, km) // f's sign bit: e >= 0.5
		if kk != nil {
			VMULPS_Z(g.c("ln2f"), kk, km, kv) // kv = ln2f*kk where e >= 0.5, else +0
			VMULPS(kk, f, gg)
		} else {
			VMOVUPS_Z(g.c("ln2f"), km, kv) // kv = ln2f where e >= 0.5, else +0
			VMOVAPS(f, gg)
		}
		if kk != nil {
			// fold only where kk == 1 (f32Bracket)
			k1 := K()
			VCMPPS(U8(0), g.c("one"), kk, k1) // kk == 1, ordered
			KANDW(k1, km, km)
		}
		VFMADD231PS(aa, c, km, gg) // g = c*|x| + g where e >= 0.5 (exact)
	} else {
		// VBLENDVPS selects by the sign bit of its mask: f itself.
		if kk != nil {
			// g first, then kv, so that the fold's temporaries are dead
			// before kv lives (wlossGrad's 16 registers).
			VMULPS(kk, f, gg)
			fm = g.vec()
			VCMPPS(U8(0), g.c("one"), kk, fm) // kk == 1, ordered
			VANDPS(f, fm, fm)                 // fold only there (f32Bracket)
			t := g.vec()
			VMOVAPS(gg, t)
			VFMADD231PS(aa, c, t)    // c*|x| + g
			VBLENDVPS(fm, t, gg, gg) // g = that where folded (exact there)
			z := g.vec()
			VMULPS(g.c("ln2f"), kk, kv)
			VXORPS(z, z, z)
			VBLENDVPS(f, kv, z, kv) // kv = ln2f*kk where e >= 0.5, else +0
		} else {
			VXORPS(kv, kv, kv)
			VBLENDVPS(f, g.c("ln2f"), kv, kv) // kv = ln2f where e >= 0.5, else +0
			VMOVAPS(f, gg)
			fm = f // its sign bit: fold c*|x| into g
			t := g.vec()
			VMOVAPS(gg, t)
			VFMADD231PS(aa, c, t)    // c*|x| + g
			VBLENDVPS(fm, t, gg, gg) // g = that where e >= 0.5 (exact there)
		}
	}
	Comment("mBracket: s = kv + g and its error (Fast2Sum; Inf - Inf gives 1), lo = fma(f*f, q, err + t1), s + lo")
	sum := g.vec()
	VADDPS(gg, kv, sum)        // s = kv + g
	VSUBPS(kv, sum, kv)        // s - kv
	VSUBPS(kv, gg, gg)         // err = g - (s - kv)
	VMINPS(g.c("one"), gg, gg) // the second source (1) where err is NaN
	if kk != nil {
		gn := g.vec()
		VMULPS(kk, f, gn)
		VFNMADD231PS(kk, f, gn) // -(f*kk) + round(f*kk), exact
		VSUBPS(gn, gg, gg)      // err - that
		VMULPS(kk, t1, t1)
	}
	VADDPS(t1, gg, gg) // err + t1
	VMULPS(f, f, kv)   // f*f
	if kk != nil {
		VMULPS(kk, kv, kv)
	}
	VFMADD213PS(gg, kv, q) // lo = ff*q + (err + t1)
	VADDPS(q, sum, sum)    // s + lo
	Comment("mBracket: + c*|x| where e < 0.5 and c != 0")
	if g.z {
		kc := K()
		VPTESTMD(g.creg("absmask"), c, kc) // c != ±0 (NaN included)
		KANDNW(kc, km, kc)                 // and e < 0.5
		VFMADD231PS(aa, c, kc, sum)
		return sum
	}
	cf := g.vec()
	if kk != nil {
		// the fold's mask again: held, it does not fit in wlossGrad's
		// 16 registers
		fm = g.vec()
		VCMPPS(U8(0), g.c("one"), kk, fm) // kk == 1, ordered
		VANDPS(f, fm, fm)
	}
	VXORPS(cf, cf, cf)
	VBLENDVPS(fm, cf, c, cf) // cf = folded ? 0 : c
	m := g.vec()
	VCMPPS(U8(4), g.c("zero"), cf, m) // cf != 0, unordered
	VFMADD213PS(sum, cf, aa)          // cf*|x| + br
	VBLENDVPS(m, aa, sum, sum)
	return sum
}

// one returns the sign of vector j alone, for a stage that runs one
// vector after the other.
func (s sign) one(j int) sign {
	var o sign
	if s.sx != nil {
		o.sx = s.sx[j : j+1]
	}
	if s.xo != nil {
		o.xo = s.xo[j : j+1]
	}
	if s.xm != nil {
		o.xm = s.xm[j : j+1]
	}
	return o
}

// brackets returns the bracket of every vector of the group, one vector
// after the other, with c[j] (kept) and kk[j] (nil for 1); a is consumed.
func (g *gen) brackets(s sign, a V, lp logParts, c, kk V) V {
	br := make(V, len(c))
	for j := range c {
		var aj, kj VecVirtual
		if a != nil {
			aj = a[j]
		}
		if kk != nil {
			kj = kk[j]
		}
		br[j] = g.bracket(s.one(j), aj, lp.f[j], lp.t1[j], lp.q[j], c[j], kj)
	}
	return br
}
