package main

import (
	"slices"

	"github.com/fastbce/bce/_asm/spec"
)

// elem emits one vector of kernel k: the steps of its row of the table,
// each one function of this generator, in an order fixed for every kernel.
// in holds the inputs of k.In; it returns the vector to store (or -1) and
// the vector to accumulate (or -1), and releases the inputs.
func (g *gen) elem(k spec.Kernel, in []V) (out, sum V) {
	get := func(name string) V {
		if i := slices.Index(k.In, name); i >= 0 {
			return in[i]
		}
		return -1
	}
	x := get("x")
	if !k.HasExp() {
		return -1, x // the input itself (sum16)
	}
	var ys V = -1
	focal := k.Has(spec.FinishFocal) || k.Has(spec.FinishFocalPow)
	if k.Has(spec.FinishWeighted) || focal {
		ys = g.smoothTarget(get("y")) // mFocalElem smooths the target as mWElem does
	}
	a := g.alloc()
	g.w(FABS(S4, a, x))
	e, elo := g.expNeg(a, k.Has(spec.ExpNegLo))
	if k.Has(spec.FinishSigmoid) {
		g.release(a) // the sigmoid needs only x's sign
	}
	loadAhead()
	// sigNeg first, keeping e and elo for logPrep, which consumes them:
	// the model's order is exp, sigmoid, then the bracket in the finish.
	var sm V = -1
	if k.Has(spec.SigNeg) {
		sm = g.sigNeg(e, elo, k.Has(spec.Log1p))
	}
	lp := logParts{-1, -1}
	if k.Has(spec.Log1p) {
		lp = g.logPrep(e, elo)
	}
	val := map[spec.Value]V{}
	switch {
	case k.Has(spec.FinishPlain):
		val[spec.Loss], val[spec.Grad] = g.plainFinish(k, x, get("y"), a, lp, sm)
	case k.Has(spec.FinishWeighted):
		val[spec.Loss], val[spec.Grad] = g.weightedFinish(x, ys, get("w"), get("pw"), a, lp, sm, k.Wants(spec.Loss), k.Wants(spec.Grad))
	case k.Has(spec.FinishSigmoid):
		val[spec.Sigmoid] = g.sigmoidFinish(x, sm)
	case focal:
		val[spec.Loss], val[spec.Grad] = g.focalFinish(x, ys, get("w"), a, lp, sm, k.Has(spec.FinishFocalPow), k.Wants(spec.Loss), k.Wants(spec.Grad))
	}
	out, sum = -1, -1
	if k.Store != spec.None {
		out = val[k.Store]
		if k.Negate {
			g.raw("\t// negate: flip the sign bit, so that +0 gives -0")
			g.eor(out, out, vSIGN)
		}
	}
	g.out2 = -1
	if k.Store2 != spec.None {
		g.out2 = val[k.Store2] // stored by blockOnce after out
	}
	if len(k.Accum) > 0 && k.Accum[0] != spec.X {
		sum = val[k.Accum[0]] // a W of Accum[1] is a second pass (kernel)
	}
	return out, sum
}

// plainC returns c = signClear(x) ? 1-y : y; y is released. Without a y
// slice (y < 0), y = 0: c = signClear(x) ? 1 : 0, or with yOne y = 1:
// c = signClear(x) ? 0 : 1.
func (g *gen) plainC(x, y V, yOne bool) V {
	g.raw("\t// finish: target select c = 1-y for a clear sign bit, y for a set one")
	c := g.alloc()
	if y < 0 {
		neg := g.alloc()
		g.signSet(neg, x)
		if yOne {
			g.and(c, vONE, neg) // +0 where the sign bit is clear, 1 where set
		} else {
			g.w(BIC(c, vONE, neg)) // 1 where the sign bit is clear, +0 where set
		}
		g.release(neg)
		return c
	}
	g.w(FSUB(S4, c, vONE, y))
	neg := g.alloc()
	g.signSet(neg, x)
	g.bit(c, y, neg)
	g.release(neg, y)
	return c
}

// negIfSignSet flips the sign of v where x's sign bit is set.
func (g *gen) negIfSignSet(v, x V) {
	sb := g.alloc()
	g.and(sb, x, vSIGN)
	g.eor(v, v, sb)
	g.release(sb)
}

// plainFinish returns the loss (mLossElem) and the gradient, times scale
// when the kernel has it (mLossGradElem), as k wants them (-1 otherwise);
// x, y, a, lp and sm are released.
func (g *gen) plainFinish(k spec.Kernel, x, y, a V, lp logParts, sm V) (loss, grad V) {
	c := g.plainC(x, y, k.YOne)
	if !k.Wants(spec.Grad) {
		g.release(x)
		loss = g.bracket(lp, a, c, -1)
		g.release(c, a)
		return loss, -1
	}
	loss = -1
	if k.Wants(spec.Loss) {
		loss = g.bracket(lp, a, c, -1)
	}
	g.release(a)
	g.raw("\t// finish: grad = ±(c - sm), negated for a set sign bit")
	g.w(FSUB(S4, c, c, sm)) // c - sm
	g.release(sm)
	g.negIfSignSet(c, x)
	g.release(x)
	if k.HasScalar("scale") {
		g.w(FMULe(S4, c, c, vP, 0)) // scale * g
	}
	return loss, c
}

// sigmoidFinish returns sigmoid(x) (mSigmoidElem): 1 - sm for a clear sign
// bit, sm for a set one; x is released.
func (g *gen) sigmoidFinish(x, sm V) V {
	g.raw("\t// mSigmoidElem: 1 - sm for a clear sign bit, sm for a set one")
	t := g.alloc()
	g.w(FSUB(S4, t, vONE, sm)) // 1 - sm
	neg := g.alloc()
	g.signSet(neg, x)
	g.bif(sm, t, neg) // sign clear: 1 - sm
	g.release(t, neg, x)
	return sm
}

// smoothTarget returns ys = fma(y, oms, hs), the smoothed target of mWElem;
// y is released. It runs before the exp, the first use of y.
func (g *gen) smoothTarget(y V) V {
	g.raw("\t// mWElem: smoothed target ys = fma(y, oms, hs)")
	ys := g.alloc()
	g.dupP(ys, 2)
	g.w(FMLAe(S4, ys, y, vP, 1)) // ys = fma(y, oms, hs)
	g.release(y)
	return ys
}

// weightedFinish finishes mWElem from ys, the positive weight pw and the
// weight w: it returns the weighted loss and/or the weighted gradient
// times scale (-1 for the one not wanted), and releases its inputs.
func (g *gen) weightedFinish(x, ys, w, pw, a V, lp logParts, sm V, wantLoss, wantGrad bool) (loss, grad V) {
	g.raw("\t// mWElem: c = 1-ys for a clear sign bit, p*ys for a set one; k = fma(p, ys, 1-ys)")
	omy := g.alloc()
	g.w(FSUB(S4, omy, vONE, ys)) // omy = 1 - ys
	c := g.alloc()
	g.w(FMUL(S4, c, pw, ys)) // p * ys
	neg := g.alloc()
	g.signSet(neg, x)
	g.bif(c, omy, neg) // sign clear: c = omy
	g.release(neg)
	g.fmla(omy, pw, ys) // k = fma(p, ys, omy)
	kk := omy
	g.release(pw, ys)
	loss, grad = -1, -1
	var lin V = -1
	if wantLoss {
		lin = g.bracket(lp, a, c, kk) // c*|x| + k*log1p(e + elo)
	}
	g.release(a)
	wz := g.alloc()
	g.w(FCMEQz(S4, wz, w)) // w == 0
	if wantLoss {
		g.raw("\t// mWElem: loss = w * bracket; a weight of exactly 0 gives +0")
		g.w(FMUL(S4, lin, w, lin)) // w * lin
		g.w(BIC(lin, lin, wz))     // w == 0: +0
		loss = lin
	}
	if wantGrad {
		g.raw("\t// mWElem: grad = (w*scale) * ±(c - k*sm); a weight of exactly 0 gives +0")
		gg := g.alloc()
		g.mov(gg, c)
		g.fmls(gg, kk, sm) // g = fma(-k, sm, c)
		g.release(sm)
		g.negIfSignSet(gg, x)
		g.raw("\t// scaled32: ws*g - nt*g rounded once, nt = ws - w*scale exactly; nt*g +0 where zero or not finite")
		ws := g.alloc()
		g.w(FMULe(S4, ws, w, vP, 0)) // ws = w * scale
		t := g.alloc()
		g.w(FNEG(S4, t, ws))        // -ws
		g.w(FMLAe(S4, t, w, vP, 0)) // -nt = fma(w, scale, -ws)
		g.w(FMUL(S4, t, t, gg))     // -nt*g
		g.w(FSUB(S4, w, t, t))      // +0, or NaN where nt*g is not finite
		g.w(FSUB(S4, t, w, t))      // nt*g, a zero as +0
		g.w(FCMEQz(S4, w, w))       // nt*g finite
		g.and(t, t, w)
		g.w(FNEG(S4, t, t)) // -nt*g, a zero as -0: adding it keeps a zero's sign
		g.fmla(t, ws, gg)   // ws*g - nt*g
		g.w(BIC(t, t, wz))  // w == 0: +0
		g.release(gg, ws)
		grad = t
	}
	g.release(kk, c, wz, w, x)
	return loss, grad
}

// dupParam sets d to the float32 parameter name in every lane.
func (g *gen) dupParam(d V, name string) {
	r, i := param(name)
	g.line("VDUP V%d.S[%d], %s", r, i, s4(d))
}

// focalFinish finishes mFocalElem from ys, the weight w, |x|, L and sm,
// with the modulating factor of FinishFocal (products of q selected by
// ga1, ga0, gb1, gb0) or, for pow, of FinishFocalPow (exp(gamma*log(q))):
// it returns the loss and/or the gradient times scale (-1 for the one not
// wanted), and releases its inputs. The order keeps the fewest vectors
// live across the pow finish's log and exp; every value is the model's.
func (g *gen) focalFinish(x, ys, w, a V, lp logParts, sm V, pow, wantLoss, wantGrad bool) (loss, grad V) {
	g.raw("\t// mFocalElem: W = w * fma(ys, al1, al0); a weight of exactly 0 gives (+0, +0)")
	wz := g.alloc()
	g.w(FCMEQz(S4, wz, w)) // w == 0
	W := g.alloc()
	g.dupParam(W, "al0")
	r, i := param("al1")
	g.w(FMLAe(S4, W, ys, r, i)) // alpha_t = fma(ys, al1, al0)
	g.w(FMUL(S4, W, w, W))      // W = w * alpha_t
	g.release(w)
	c := g.plainC(x, ys, false)   // c = 1-ys for a clear sign bit, ys for a set one, as mWElem without p
	ce := g.bracket(lp, a, c, -1) // ce = c*|x| + log1p(e + elo), as mLossElem
	g.release(a)
	g.raw("\t// mFocalElem: osm = 1 - sm, q = fma(c, osm, (1-c)*sm)")
	osm := g.alloc()
	g.w(FSUB(S4, osm, vONE, sm))
	q := g.alloc()
	g.w(FSUB(S4, q, vONE, c)) // 1 - c
	g.w(FMUL(S4, q, q, sm))   // (1-c) * sm
	g.fmla(q, c, osm)         // q = fma(c, osm, (1-c)*sm)
	P := V(-1)
	if wantGrad {
		g.raw("\t// mFocalElem: P = sm * osm")
		g.w(FMUL(S4, osm, sm, osm))
		P = osm
	} else {
		g.release(osm)
	}
	var m, D V = -1, -1
	loss = -1
	if pow {
		if wantGrad {
			// P/qd before the log and the exp, so that q is not held across them.
			g.raw("\t// mFocalElem (pow): P/qd with qd = max(q, 0x1p-149), NaN staying")
			qd := g.alloc()
			g.w(FMAX(S4, qd, q, vTINY)) // if q < 0x1p-149 {qd = 0x1p-149}; NaN propagates
			g.w(FDIV(S4, P, P, qd))     // P / qd
			g.release(qd)
		}
		lg := g.log(q)
		g.release(q)
		g.raw("\t// mFocalElem (pow): m = mExpNeg(-(gamma * mLog(q))), then max(m, 0x1p-149), NaN staying")
		r, i = param("gamma")
		g.w(FMULe(S4, lg, lg, r, i)) // gamma * mLog(q)
		g.w(FNEG(S4, lg, lg))        // exact
		m, _ = g.expNeg(lg, false)
		g.release(lg)
		g.w(FMAX(S4, m, m, vTINY)) // if m < 0x1p-149 {m = 0x1p-149}; FMAX keeps a NaN m
		if wantLoss {
			g.raw("\t// mFocalElem (pow): loss = (ce * m) * W")
			loss = g.alloc()
			g.w(FMUL(S4, loss, ce, m))
			g.w(FMUL(S4, loss, loss, W))
		}
		if wantGrad {
			g.raw("\t// mFocalElem (pow): D = (gamma * m) * (P / qd)")
			gm := g.alloc()
			g.w(FMULe(S4, gm, m, r, i)) // gamma * m
			g.w(FMUL(S4, P, gm, P))
			g.release(gm)
			D = P
		} else {
			g.release(m)
		}
	} else {
		g.raw("\t// mFocalElem: fa = fma(ga1, q, ga0), fb = fma(gb1, q, gb0), each q or 1 by the scalars")
		fa := g.alloc()
		g.dupParam(fa, "ga0")
		r, i = param("ga1")
		g.w(FMLAe(S4, fa, q, r, i))
		fb := g.alloc()
		g.dupParam(fb, "gb0")
		r, i = param("gb1")
		g.w(FMLAe(S4, fb, q, r, i))
		g.release(q)
		if wantLoss {
			g.raw("\t// mFocalElem: loss = ((ce * fa) * fb) * W")
			loss = g.alloc()
			g.w(FMUL(S4, loss, ce, fa))
			g.w(FMUL(S4, loss, loss, fb))
			g.w(FMUL(S4, loss, loss, W))
		}
		if wantGrad {
			g.raw("\t// mFocalElem: m = fa * fb, D = (gamma * fb) * P")
			g.w(FMUL(S4, fa, fa, fb))
			m = fa
			r, i = param("gamma")
			g.w(FMULe(S4, fb, fb, r, i)) // gamma * fb
			g.w(FMUL(S4, P, fb, P))
			g.release(fb)
			D = P
		} else {
			g.release(fa, fb)
		}
	}
	grad = -1
	if wantGrad {
		g.raw("\t// mFocalElem: Dce = D != 0 ? D * ce : +0 (NaN D included: D*ce)")
		dz := g.alloc()
		g.w(FCMEQz(S4, dz, D)) // D == 0 (false for NaN)
		g.w(FMUL(S4, D, D, ce))
		g.w(BIC(D, D, dz))
		g.release(dz)
		g.raw("\t// mFocalElem: g = ±fma(Dce, (c+c)-1, (c-sm)*m), negated for a set sign bit; grad = (W*scale) * g")
		cc := g.alloc()
		g.w(FADD(S4, cc, c, c))
		g.w(FSUB(S4, cc, cc, vONE)) // (c+c) - 1
		g.w(FSUB(S4, sm, c, sm))    // c - sm
		g.w(FMUL(S4, sm, sm, m))    // (c-sm) * m
		g.fmla(sm, D, cc)           // fma(Dce, (c+c)-1, (c-sm)*m)
		g.release(cc, D, m)
		g.negIfSignSet(sm, x)
		r, i = param("scale")
		g.w(FMULe(S4, W, W, r, i)) // W * scale
		g.w(FMUL(S4, sm, W, sm))
		g.w(BIC(sm, sm, wz)) // w == 0: +0
		grad = sm
	} else {
		g.release(sm)
	}
	if wantLoss {
		g.w(BIC(loss, loss, wz)) // w == 0: +0
	}
	g.release(wz, W, c, ce, x)
	return loss, grad
}
