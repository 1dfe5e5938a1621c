package main

import (
	"fmt"

	"github.com/fastbce/bce/_asm/spec"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// fn is the state of the function being emitted.
type fn struct {
	ptr  map[string]GPVirtual
	acc  []Op // float64 accumulators (registers, or memory), 16 lanes per set
	scal map[string]Op
	// atUse marks the AVX2 scalars that have no stack slot: scal holds
	// their argument, broadcast into a register at each use (atUse).
	atUse map[string]bool
}

// atUse reports whether scalar s of kernel k is broadcast from its
// argument at each use on AVX2 instead of from a 32-byte stack slot: the
// multipliers of the focal finish's FMAs (fmaScal), which are loaded into
// a register anyway (only an FMA's addend can be a memory operand), and a
// VBROADCASTSS from memory is one load, as the VMOVUPS of a slot is.
// Without this, focalSum's nine slots and its 512-byte deferral buffer
// would pass the NOSPLIT frame limit.
func atUse(k spec.Kernel, s string) bool {
	if !k.Has(spec.FinishFocal) && !k.Has(spec.FinishFocalPow) {
		return false
	}
	switch s {
	case "oms", "al1", "ga1", "gb1":
		return true
	}
	return false
}

// body emits kernel k for the vectors ks of the current group: the steps of
// its row of the table, each one function of this generator, in an order
// fixed for every kernel, then the store and the accumulation.
func (g *gen) body(k spec.Kernel, f *fn, ks []int) {
	n := len(ks)
	val := map[spec.Value]V{}
	if !k.HasExp() {
		val[spec.X] = g.loadAll(f, "x", ks)
	} else {
		a, s := g.xAbs(f, ks)
		e, elo := g.expNeg(a, s, k.Has(spec.ExpNegLo))
		var sm V
		if k.Has(spec.SigNeg) {
			// sigNeg before logPrep, which consumes e and elo.
			sm = g.sigNeg(e, elo)
		}
		var lp *logParts
		if k.Has(spec.Log1p) {
			p := g.logPrep(e, elo)
			lp = &p
		}
		switch {
		case k.Has(spec.FinishPlain):
			val[spec.Loss], val[spec.Grad] = g.plainFinish(k, f, ks, a, s, lp, sm)
		case k.Has(spec.FinishWeighted):
			val[spec.Loss], val[spec.Grad], val[spec.W] = g.weighted(f, ks, a, s, lp, sm, k.Wants(spec.Loss), k.Wants(spec.Grad))
		case k.Has(spec.FinishSigmoid):
			val[spec.Sigmoid] = g.sigmoidFinish(s, sm)
		case k.Has(spec.FinishFocal), k.Has(spec.FinishFocalPow):
			val[spec.Loss], val[spec.Grad], val[spec.W] = g.focal(k, f, ks, a, s, lp, sm)
		}
	}
	outs, vals := k.Outs()
	for o, name := range outs {
		if o == 0 && k.Negate {
			Comment("negate: flip the sign bit, so that +0 gives -0")
			each(n, func(j int) { VXORPS(g.c("signbit"), val[vals[o]][j], val[vals[o]][j]) })
		}
		// Every value of the group is computed before the first store: an
		// output may be the same slice as x, which the AVX2 finish reads
		// again from memory.
		Comment("store " + name)
		each(n, func(j int) { g.store(f.ptr[name], ks[j], val[vals[o]][j]) })
	}
	h := len(f.acc) / max(1, len(k.Accum))
	for i, v := range k.Accum {
		Commentf("accumulate into acc[%d:%d]", 16*i, 16*(i+1))
		each(n, func(j int) { g.accum(f.acc[i*h:(i+1)*h], ks[j], val[v][j]) })
	}
}

// plainFinish returns the loss (mLossElem) and the gradient, times scale
// when the kernel has it (mLossGradElem), of the vectors ks, as the kernel
// wants them; a is consumed.
func (g *gen) plainFinish(k spec.Kernel, f *fn, ks []int, a V, s sign, lp *logParts, sm V) (loss, grad V) {
	n := len(ks)
	var c V
	if k.Wants(spec.Loss) {
		// One vector after the other, the target too: AVX2's 16
		// registers hold the other vectors' f, t1 and q meanwhile.
		c, loss = make(V, n), make(V, n)
		for j := range ks {
			var aj VecVirtual
			if a != nil {
				aj = a[j]
			}
			c[j] = g.target(f, s.one(j), ks[j:j+1])[0]
			loss[j] = g.bracket(s.one(j), aj, lp.f[j], lp.t1[j], lp.q[j], c[j], nil)
		}
	} else {
		c = g.target(f, s, ks)
	}
	if k.Wants(spec.Grad) {
		Comment("finish: grad = ±(c - sm), negated for a set sign bit")
		each(n, func(j int) { VSUBPS(sm[j], c[j], c[j]) })
		each(n, func(j int) { g.negIf(s, j, c[j]) })
		if k.HasScalar("scale") {
			each(n, func(j int) { VMULPS(f.scal["scale"], c[j], c[j]) })
		}
		grad = c
	}
	return loss, grad
}

// sigmoidFinish returns sigmoid(x): 1 - sm for a clear sign bit, sm for a
// set one (mSigmoidElem).
func (g *gen) sigmoidFinish(s sign, sm V) V {
	Comment("mSigmoidElem: 1 - sm for a clear sign bit, sm for a set one")
	n := len(sm)
	o := make(V, n)
	each(n, func(k int) { o[k] = g.oneMinus(sm[k]) })
	each(n, func(k int) { g.sel(s, k, sm[k], o[k]) })
	return o
}

func (g *gen) loadAll(f *fn, name string, ks []int) V {
	r := make(V, len(ks))
	each(len(ks), func(k int) { r[k] = g.load(f.ptr[name], ks[k]) })
	return r
}

// target loads y and returns c = y for a set sign bit, 1-y otherwise. A
// kernel without a y slice has y = 0: c = 1 for a clear sign bit, 0 for a
// set one.
func (g *gen) target(f *fn, s sign, ks []int) V {
	n := len(ks)
	Comment("finish: target select c = 1-y for a clear sign bit, y for a set one")
	if _, ok := f.ptr["y"]; !ok {
		// y = 0: c = 1 for a clear sign bit, 0 for a set one; with
		// YOne, y = 1: c = 0 for a clear sign bit, 1 for a set one.
		clear, set := "one", "zero"
		if g.yOne {
			clear, set = "zero", "one"
		}
		c := make(V, n)
		each(n, func(k int) { c[k] = g.cfresh(clear) })
		each(n, func(k int) { g.sel(s, k, g.c(set), c[k]) })
		return c
	}
	if g.z {
		// c = 1 - y, then y itself where x's sign bit is set (a merging
		// load): y is never held in a register of its own.
		y := g.opAll(f, "y", ks)
		c := newV(n, g)
		each(n, func(k int) { VSUBPS(y[k], g.creg("one"), c[k]) })
		each(n, func(k int) {
			kn := g.negMask(s, k)
			if isMem(y[k]) {
				VMOVUPS(y[k], kn, c[k])
			} else {
				VBLENDMPS(y[k], c[k], kn, c[k])
			}
		})
		return c
	}
	if s.xm != nil {
		// c = 1 - y, then y where x's sign bit is set (VBLENDVPS reads
		// only the mask's sign bit, so x itself is the mask).
		y := g.opAll(f, "y", ks)
		c := make(V, n)
		each(n, func(k int) {
			c[k] = g.cfresh("one")
			VSUBPS(y[k], c[k], c[k])
		})
		each(n, func(k int) { g.sel(s, k, y[k], c[k]) })
		return c
	}
	y := g.loadAll(f, "y", ks)
	c := make(V, n)
	each(n, func(k int) { c[k] = g.oneMinus(y[k]) })
	each(n, func(k int) { g.sel(s, k, y[k], c[k]) })
	return c
}

// weighted finishes mWElem for the vectors ks from |x| (a, consumed), L
// and sm: it returns the weighted loss (when wantLoss), the weighted
// gradient times scale (when wantGrad) and the weights (only without the
// gradient, whose finish reuses their registers).
func (g *gen) weighted(f *fn, ks []int, a V, s sign, lp *logParts, sm V, wantLoss, wantGrad bool) (_, G, w V) {
	n := len(ks)
	Comment("mWElem: smoothed target y' = fma(y, oms, hs), c and k from the positive weight")
	y := g.loadAll(f, "y", ks)
	each(n, func(k int) { // y' = fma(y, oms, hs)
		if g.z {
			VFMADD213PS(f.scal["hs"], f.scal["oms"], y[k])
		} else {
			t := g.vec()
			VMOVUPS(f.scal["oms"], t)
			VFMADD213PS(f.scal["hs"], t, y[k])
		}
	})
	o := make(V, n)
	each(n, func(k int) { o[k] = g.oneMinus(y[k]) })
	p := g.loadAll(f, "pw", ks)
	c := newV(n, g)
	each(n, func(k int) { VMULPS(y[k], p[k], c[k]) })      // p*y'
	each(n, func(k int) { VFMADD213PS(o[k], y[k], p[k]) }) // k = y'*p + (1-y') (in p)
	each(n, func(k int) { c[k] = g.sel(s, k, c[k], o[k]) })
	var L V
	if wantLoss {
		L = g.brackets(s, a, *lp, c, p) // c*|x| + k*log1p(e + elo)
	}
	if wantGrad {
		Comment("mWElem: grad = ±(c - k*sm), negated for a set sign bit")
		each(n, func(k int) { VFNMADD231PS(sm[k], p[k], c[k]) }) // c - k*sm
		each(n, func(k int) { g.negIf(s, k, c[k]) })
	}
	Comment("mWElem: times the weight w (and scale); a weight of exactly 0 gives +0")
	w = g.loadAll(f, "w", ks)
	var ws V
	if wantGrad {
		ws = newV(n, g)
		each(n, func(k int) { VMULPS(f.scal["scale"], w[k], ws[k]) }) // w*scale
	}
	if g.z {
		kw := make([]OpmaskVirtual, n)
		each(n, func(k int) {
			kw[k] = K()
			VCMPPS(U8(4), g.c("zero"), w[k], kw[k]) // w != 0, unordered
		})
		if wantLoss {
			each(n, func(k int) { VMULPS_Z(w[k], L[k], kw[k], L[k]) })
		}
		if wantGrad {
			t := g.scaleErr(f, c, w, ws)
			// nt*g is +0 where it is a zero, an infinity or a NaN. One
			// vector at a time: the masks of all of them would not fit
			// beside the kw and sign masks.
			each(n, func(k int) {
				ks := K()
				VFPCLASSPSZ(U8(0x9f), t[k], ks) // ±0, ±Inf, NaN
				VXORPS(t[k], t[k], ks, t[k])
			})
			each(n, func(k int) { VFMSUB213PS_Z(t[k], ws[k], kw[k], c[k]) }) // ws*g - nt*g
			w = nil                                                          // its registers hold nt*g
		}
		return L, c, w
	}
	wz := newV(n, g)
	each(n, func(k int) { VCMPPS(U8(0), g.c("zero"), w[k], wz[k]) }) // w == 0, ordered
	if wantLoss {
		each(n, func(k int) { VMULPS(w[k], L[k], L[k]) })
		each(n, func(k int) { VANDNPS(L[k], wz[k], L[k]) })
	}
	if wantGrad {
		t := g.scaleErr(f, c, w, ws)
		u := newV(n, g)
		each(n, func(k int) { VSUBPS(t[k], t[k], u[k]) })               // +0, or NaN where nt*g is not finite
		each(n, func(k int) { VADDPS(u[k], t[k], t[k]) })               // -0 + +0 is +0
		each(n, func(k int) { VCMPPS(U8(0), g.c("zero"), u[k], u[k]) }) // nt*g finite
		each(n, func(k int) { VANDPS(u[k], t[k], t[k]) })
		each(n, func(k int) { VFMSUB213PS(t[k], ws[k], c[k]) }) // ws*g - nt*g
		each(n, func(k int) { VANDNPS(c[k], wz[k], c[k]) })
		w = nil // its registers hold nt*g
	}
	return L, c, w
}

// scaleErr returns nt*g for the gradients gr, where nt = ws - w*scale is
// the exact rounding error of ws = w*scale, negated (mWElem's scaled32),
// computed in w's registers: no grad kernel accumulates the weights, so w
// is not needed after the loss.
func (g *gen) scaleErr(f *fn, gr, w, ws V) V {
	Comment("scaled32: nt = ws - w*scale exactly; ws*g - nt*g rounded once, nt*g +0 where zero or not finite")
	each(len(w), func(k int) { VFNMADD132PS(f.scal["scale"], ws[k], w[k]) }) // ws - w*scale
	each(len(w), func(k int) { VMULPS(gr[k], w[k], w[k]) })                  // nt*g
	return w
}

// focal finishes mFocalElem for the vectors ks from |x| (a, consumed), L
// and sm (both consumed): it returns the focal loss, the focal gradient
// times scale and the weights, as the kernel wants them. The steps differ
// only in the modulating factor: FinishFocal's product of fa and fb
// (focalFactor), FinishFocalPow's exp(gamma*log(q)) through log and a
// second expNeg (focalPowFactor).
//
// The AVX2 main loop keeps the values that wait for the modulating factor
// (ce, c - sm, (c+c) - 1, P/max(q, 2^-149)) in a stack buffer (g.spill),
// which their consumers read as memory operands, and computes W only at
// the end, from y and w in memory: its 16 registers then hold the
// interleaved log and exp chains instead. The other paths hold them in
// registers.
func (g *gen) focal(k spec.Kernel, f *fn, ks []int, a V, s sign, lp *logParts, sm V) (loss, G, w V) {
	n := len(ks)
	pow := k.Has(spec.FinishFocalPow)
	wantLoss, wantGrad := k.Wants(spec.Loss), k.Wants(spec.Grad)
	spill := !g.z && !g.masked
	// hold returns v as operands: its registers, or (spilling) the
	// vectors' places in slot number slot of g.spill, which frees them.
	hold := func(v V, slot int) []Op {
		o := make([]Op, n)
		each(n, func(j int) {
			o[j] = v[j]
			if spill {
				m := g.spill.Offset(32 * (slot*n + j))
				VMOVUPS(v[j], m)
				o[j] = m
			}
		})
		return o
	}
	Comment("mFocalElem: smoothed target y' = fma(y, oms, hs), c = 1-y' for a clear sign bit, y' for a set one")
	ys := g.smoothed(f, ks)
	c := make(V, n)
	each(n, func(j int) { c[j] = g.oneMinus(ys[j]) })
	each(n, func(j int) { g.sel(s, j, ys[j], c[j]) })
	var W V
	if !spill {
		W = g.focalW(f, ks, ys)
	}
	// ce = c*|x| + log1p(e + elo) (as mLossElem).
	ce := hold(g.brackets(s, a, *lp, c, nil), 0)
	Comment("mFocalElem: q = 1-p_t = fma(c, 1-sm, (1-c)*sm), P = sm*(1-sm)")
	osm, q := make(V, n), make(V, n)
	each(n, func(j int) { osm[j] = g.oneMinus(sm[j]) })
	each(n, func(j int) { q[j] = g.oneMinus(c[j]) })
	each(n, func(j int) { VMULPS(sm[j], q[j], q[j]) })
	each(n, func(j int) { VFMADD231PS(c[j], osm[j], q[j]) }) // q = osm*c + (1-c)*sm
	var P, cs, tc []Op
	if wantGrad {
		each(n, func(j int) { VMULPS(sm[j], osm[j], osm[j]) })
		if pow {
			// P/qd does not depend on m: taken here, before log and
			// exp, it is one value to hold instead of two.
			Comment("mFocalElem: P/max(q, 2^-149) (a NaN q stays NaN)")
			each(n, func(j int) {
				qd := g.cfresh("twoM149")
				VMAXPS(q[j], qd, qd) // the second source (q) where either is NaN
				VDIVPS(qd, osm[j], osm[j])
			})
		}
		P = hold(osm, 1)
		Comment("mFocalElem: c - sm and (c+c) - 1, for the gradient")
		each(n, func(j int) { VSUBPS(sm[j], c[j], sm[j]) })
		each(n, func(j int) { VADDPS(c[j], c[j], c[j]) })
		each(n, func(j int) { VSUBPS(g.c("one"), c[j], c[j]) })
		cs, tc = hold(sm, 2), hold(c, 3)
	}
	var m, D, lv V // the modulating factor, D, and the loss before W
	if pow {
		m, D, lv = g.focalPowFactor(f, q, ce, P, wantLoss, wantGrad)
	} else {
		m, D, lv = g.focalFactor(f, q, ce, P, wantLoss, wantGrad)
	}
	if wantGrad {
		Comment("mFocalElem: g = ±fma(D*ce, (c+c)-1, (c-sm)*m), D*ce taken as 0 where D == 0, negated for a set sign bit")
		if g.z {
			each(n, func(j int) {
				kd := K()
				VCMPPS(U8(4), g.c("zero"), D[j], kd) // D != 0, unordered
				VMULPS_Z(ce[j], D[j], kd, D[j])
			})
		} else {
			each(n, func(j int) {
				md := g.vec()
				VCMPPS(U8(4), g.c("zero"), D[j], md) // D != 0, unordered
				VMULPS(ce[j], D[j], D[j])
				VANDPS(md, D[j], D[j])
			})
		}
		G = m
		each(n, func(j int) { VMULPS(cs[j], m[j], G[j]) })
		each(n, func(j int) { VFMADD231PS(tc[j], D[j], G[j]) }) // G = D*tc + (c-sm)*m
		each(n, func(j int) { g.negIf(s, j, G[j]) })
	}
	if spill {
		Comment("mFocalElem: y' again, from y in memory, for W")
		W = g.focalW(f, ks, g.smoothed(f, ks))
	}
	Comment("mFocalElem: times W (the gradient by W*scale); a weight of exactly 0 gives +0")
	w = g.loadAll(f, "w", ks)
	var ws V
	if wantGrad {
		ws = newV(n, g)
		each(n, func(j int) { VMULPS(f.scal["scale"], W[j], ws[j]) }) // W*scale
	}
	if g.z {
		kw := make([]OpmaskVirtual, n)
		each(n, func(j int) {
			kw[j] = K()
			VCMPPS(U8(4), g.c("zero"), w[j], kw[j]) // w != 0, unordered
		})
		if wantLoss {
			each(n, func(j int) { VMULPS_Z(W[j], lv[j], kw[j], lv[j]) })
		}
		if wantGrad {
			each(n, func(j int) { VMULPS_Z(ws[j], G[j], kw[j], G[j]) })
		}
		return lv, G, w
	}
	wz := newV(n, g)
	each(n, func(j int) { VCMPPS(U8(0), g.c("zero"), w[j], wz[j]) }) // w == 0, ordered
	if wantLoss {
		each(n, func(j int) { VMULPS(W[j], lv[j], lv[j]) })
		each(n, func(j int) { VANDNPS(lv[j], wz[j], lv[j]) })
	}
	if wantGrad {
		each(n, func(j int) { VMULPS(ws[j], G[j], G[j]) })
		each(n, func(j int) { VANDNPS(G[j], wz[j], G[j]) })
	}
	return lv, G, w
}

// focalFactor is FinishFocal's part of mFocalElem (pow false): from q, ce
// and P it returns the modulating factor m = fa*fb, D = (gamma*fb)*P and
// the loss before W, ((ce*fa)*fb), as the kernel wants them; q is consumed.
func (g *gen) focalFactor(f *fn, q V, ce, P []Op, wantLoss, wantGrad bool) (m, D, lv V) {
	n := len(q)
	Comment("mFocalElem: fa = fma(ga1, q, ga0), fb = fma(gb1, q, gb0)")
	fa, fb := q, make(V, n)
	each(n, func(j int) {
		fb[j] = g.vec()
		VMOVAPS(q[j], fb[j])
	})
	each(n, func(j int) { g.fmaScal(f, "ga1", "ga0", fa[j]) })
	each(n, func(j int) { g.fmaScal(f, "gb1", "gb0", fb[j]) })
	if wantLoss {
		Comment("mFocalElem: loss = ((ce*fa)*fb)*W")
		lv = newV(n, g)
		each(n, func(j int) { VMULPS(ce[j], fa[j], lv[j]) })
		each(n, func(j int) { VMULPS(fb[j], lv[j], lv[j]) })
	}
	if wantGrad {
		Comment("mFocalElem: m = fa*fb, D = (gamma*fb)*P")
		m, D = fa, fb
		each(n, func(j int) { VMULPS(fb[j], fa[j], m[j]) })
		each(n, func(j int) { VMULPS(f.scal["gamma"], fb[j], D[j]) })
		each(n, func(j int) { VMULPS(P[j], D[j], D[j]) })
	}
	return m, D, lv
}

// focalPowFactor is FinishFocalPow's part of mFocalElem (pow true): from
// q, ce and P/max(q, 2^-149) it returns the modulating factor m =
// max(mExpNeg(-(gamma*mLog(q))), 2^-149), D = (gamma*m)*(P/max(q, 2^-149))
// and the loss before W, ce*m, as the kernel wants them.
func (g *gen) focalPowFactor(f *fn, q V, ce, P []Op, wantLoss, wantGrad bool) (m, D, lv V) {
	n := len(q)
	lg := g.log(q)
	Comment("mFocalElem: m = mExpNeg(-(gamma*log(q))), at least 2^-149 (a NaN m stays NaN)")
	each(n, func(j int) { VMULPS(f.scal["gamma"], lg[j], lg[j]) })
	each(n, func(j int) { VXORPS(g.c("signbit"), lg[j], lg[j]) })
	e, _ := g.expNeg(lg, sign{}, false)
	m = make(V, n)
	each(n, func(j int) {
		m[j] = g.cfresh("twoM149")
		VMAXPS(e[j], m[j], m[j]) // the second source (e) where either is NaN
	})
	if wantLoss {
		Comment("mFocalElem: loss = (ce*m)*W")
		lv = newV(n, g)
		each(n, func(j int) { VMULPS(ce[j], m[j], lv[j]) })
	}
	if wantGrad {
		Comment("mFocalElem: D = (gamma*m) * (P/max(q, 2^-149))")
		D = newV(n, g)
		each(n, func(j int) { VMULPS(f.scal["gamma"], m[j], D[j]) })
		each(n, func(j int) { VMULPS(P[j], D[j], D[j]) })
	}
	return m, D, lv
}

// smoothed loads y and returns mFocalElem's y' = fma(y, oms, hs).
func (g *gen) smoothed(f *fn, ks []int) V {
	ys := g.loadAll(f, "y", ks)
	each(len(ks), func(j int) { g.fmaScal(f, "oms", "hs", ys[j]) })
	return ys
}

// focalW returns W = w*fma(y', al1, al0), the weight times alpha_t
// (mFocalElem), in ys's registers.
func (g *gen) focalW(f *fn, ks []int, ys V) V {
	Comment("mFocalElem: W = w*fma(y', al1, al0), the weight times alpha_t")
	each(len(ks), func(j int) { g.fmaScal(f, "al1", "al0", ys[j]) })
	w := g.opAll(f, "w", ks)
	each(len(ks), func(j int) { VMULPS(w[j], ys[j], ys[j]) })
	return ys
}

// fmaScal sets r = r*a + b for the scalars a and b, the model's fma(a, r,
// b) (the product commutes): a is a broadcast register on AVX-512; on AVX2
// it is broadcast from its argument (atUse) and b read from its stack slot.
func (g *gen) fmaScal(f *fn, a, b string, r VecVirtual) {
	if g.z {
		VFMADD213PS(f.scal[b], f.scal[a], r)
		return
	}
	t := g.vec()
	if f.atUse[a] {
		VBROADCASTSS(f.scal[a], t)
	} else {
		VMOVUPS(f.scal[a], t)
	}
	VFMADD213PS(f.scal[b], t, r)
}

// function emits kernel k for path g.
func (g *gen) function(k spec.Kernel) {
	name := k.Name + g.suffix
	TEXT(name, NOSPLIT, "func("+k.Params()+")")
	g.fname = name
	g.yOne = k.YOne
	regMaps[name] = &regMap{model: k.Model}
	f := &fn{ptr: map[string]GPVirtual{}, scal: map[string]Op{}}
	slices := k.Slices()
	n := Load(Param(slices[0]).Len(), GP64()).(GPVirtual)
	g.role(n, "n = len("+slices[0]+")")
	for _, s := range slices {
		f.ptr[s] = Load(Param(s).Base(), GP64()).(GPVirtual)
		g.role(f.ptr[s], "&"+s+"[0]")
	}
	var accp GPVirtual
	step := 32 // bytes per float64 accumulator register
	if g.z {
		step = 64
	}
	if k.Acc > 0 {
		accp = Load(Param("acc"), GP64()).(GPVirtual)
		g.role(accp, "acc")
		// AVX2 adds into *acc in memory (drain loads, adds and stores each
		// set once per iteration), which leaves its 16 registers to the
		// interleaved vectors; AVX-512 holds them in registers.
		for j := 0; j < k.Acc*8/step; j++ {
			f.acc = append(f.acc, Mem{Base: accp, Disp: j * step})
		}
	}
	var local Mem
	slotted := 0 // the AVX2 scalars with a stack slot
	for _, s := range k.Scalars {
		if !atUse(k, s) {
			slotted++
		}
	}
	if !g.z && slotted > 0 {
		local = AllocLocal(32 * slotted)
	}
	f.atUse = map[string]bool{}
	j := 0
	for _, s := range k.Scalars {
		b, err := Param(s).Resolve()
		if err != nil {
			panic(err)
		}
		if !g.z && atUse(k, s) {
			f.scal[s], f.atUse[s] = b.Addr, true
			continue
		}
		r := g.vec()
		VBROADCASTSS(b.Addr, r)
		if g.z {
			f.scal[s] = r
			g.role(r, s+", broadcast")
		} else {
			m := local.Offset(32 * j)
			VMOVUPS(r, m)
			f.scal[s] = m
		}
		j++
	}
	if !g.z && (k.Has(spec.FinishFocal) || k.Has(spec.FinishFocalPow)) {
		// see focal: ce, and for a gradient P, c - sm and (c+c) - 1
		slots := 1
		if k.Wants(spec.Grad) {
			slots = 4
		}
		g.spill = AllocLocal(32 * slots * g.il(k))
	}
	g.preload("expClamp", "one", "half", "absmask")
	// AVX-512 adds into accumulator registers as it goes (measured faster
	// than deferring at the interleave of 8); AVX2 defers (see gen.deferAcc).
	direct := g.z && k.Acc > 0
	if direct {
		for j := range f.acc {
			r := g.vec()
			VMOVUPD(f.acc[j], r)
			f.acc[j] = r
			g.role(r, fmt.Sprintf("acc[%d:%d]", 8*j, 8*j+8))
		}
	}
	g.accAll = f.acc
	g.deferAcc = false
	deferred := k.Acc > 0 && !direct
	if deferred {
		g.pend = AllocLocal(4 * g.W * g.U * k.Acc / 16)
	}

	g.i = GP64()
	g.role(g.i, "i, the element index")
	XORQ(g.i, g.i)
	nmain := GP64()
	g.role(nmain, fmt.Sprintf("n rounded down to the main loop's %d elements", g.U*g.W))
	MOVQ(n, nmain)
	ANDQ(I32(-g.U*g.W), nmain)
	JEQ(LabelRef("after"))
	if deferred {
		JMP(LabelRef("body"))
	}

	Label("loop")
	if deferred {
		g.drain() // the previous iteration's vectors
		Label("body")
		g.deferAcc = true
	}
	g.masked = false
	g.prefetch(k, f)
	g.block(k, f, g.U)
	g.deferAcc = false
	ADDQ(I32(g.U*g.W), g.i)
	CMPQ(g.i, nmain)
	JB(LabelRef("loop"))
	if deferred {
		g.drain()
	}
	Label("after")
	if deferred && g.z {
		for j := range f.acc {
			r := g.vec()
			VMOVUPD(f.acc[j], r)
			f.acc[j] = r
		}
	}

	Label("tail")
	CMPQ(g.i, n)
	JAE(LabelRef("done"))
	rem := GP64()
	g.role(rem, "tail: n - i")
	MOVQ(n, rem)
	SUBQ(g.i, rem)
	g.masked = true
	per := 16 / g.W // vectors per group of 16 elements
	if g.z {
		vr := g.vec()
		VPBROADCASTD(rem.As32(), vr)
		g.kmask = []OpmaskVirtual{K()}
		g.kmhi = []OpmaskVirtual{K()}
		VPCMPGTD(iotaTab, vr, g.kmask[0]) // rem > lane
		g.role(g.kmask[0], "tail: lanes i..i+15 present")
		g.role(g.kmhi[0], "tail: the same, shifted right by 8 (upper float64 half)")
		KSHIFTRW(U8(8), g.kmask[0], g.kmhi[0])
	} else {
		xr := XMM()
		vr := g.vec()
		VMOVD(rem.As32(), xr)
		VPBROADCASTD(xr, vr)
		g.vmask = nil
		for v := 0; v < per; v++ {
			m := g.vec()
			VPCMPGTD(iotaTab.Offset(4*g.W*v), vr, m) // rem > lane
			g.vmask = append(g.vmask, m)
			g.role(m, fmt.Sprintf("tail: lanes i+%d..i+%d present (all ones)", g.W*v, g.W*v+g.W-1))
		}
	}
	g.block(k, f, per)
	ADDQ(I32(16), g.i)
	JMP(LabelRef("tail"))

	Label("done")
	for j, r := range f.acc {
		if !isMem(r) {
			VMOVUPD(r, Mem{Base: accp, Disp: j * step})
		}
	}
	VZEROUPPER()
	RET()
}

// block emits the body for vectors 0..nv-1, IL at a time, in index order.
func (g *gen) block(k spec.Kernel, f *fn, nv int) {
	il := g.il(k)
	if g.masked && !g.z {
		// The AVX2 tail keeps |x| and x's sign in registers, next to
		// its masks: one vector at a time (at most 15 elements).
		il = 1
	}
	for lo := 0; lo < nv; lo += il {
		var ks []int
		for v := lo; v < min(nv, lo+il); v++ {
			ks = append(ks, v)
		}
		g.body(k, f, ks)
	}
}

// il returns the interleave of kernel k's main loop on path g.
func (g *gen) il(k spec.Kernel) int {
	if v, ok := k.Tune.IL[g.name]; ok {
		return v
	}
	return g.IL
}

// prefetch emits the main loop's software prefetches (see gen.pfDist).
func (g *gen) prefetch(k spec.Kernel, f *fn) {
	if g.pfDist == 0 || k.Tune.NoPrefetch {
		return
	}
	// The output slice too: a sole reader gets the line exclusive, so the
	// store needs no upgrade (avo has no PREFETCHW).
	for _, s := range k.Slices() {
		for off := 0; off < 4*g.W*g.U; off += 64 {
			PREFETCHT0(Mem{Base: f.ptr[s], Index: g.i, Scale: 4, Disp: g.pfDist + off})
		}
	}
}
