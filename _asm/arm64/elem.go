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
	if k.Has(spec.FinishWeighted) {
		ys = g.smoothTarget(get("y"))
	}
	a := g.alloc()
	g.w(FABS(S4, a, x))
	e, elo := g.expNeg(a, k.Has(spec.ExpNegLo))
	if k.Has(spec.FinishSigmoid) {
		g.release(a) // the sigmoid needs only x's sign
	}
	loadAhead()
	var L, sm V = -1, -1
	if k.Has(spec.Log1p) {
		L = g.log1p(e, k.Has(spec.SigNeg))
	}
	if k.Has(spec.SigNeg) {
		sm = g.sigNeg(e, elo)
	}
	val := map[spec.Value]V{}
	switch {
	case k.Has(spec.FinishPlain):
		val[spec.Loss], val[spec.Grad] = g.plainFinish(k, x, get("y"), a, L, sm)
	case k.Has(spec.FinishWeighted):
		val[spec.Loss], val[spec.Grad] = g.weightedFinish(x, ys, get("w"), get("pw"), a, L, sm, k.Wants(spec.Loss), k.Wants(spec.Grad))
	case k.Has(spec.FinishSigmoid):
		val[spec.Sigmoid] = g.sigmoidFinish(x, sm)
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

// lin returns c != 0 ? fma(c, a, L) : L; L is released.
func (g *gen) lin(c, a, L V) V {
	g.raw("\t// finish: linear term fma(c, |x|, L) where c != 0")
	cz := g.alloc()
	g.w(FCMEQz(S4, cz, c)) // c == 0 (false for NaN)
	out := g.alloc()
	g.mov(out, L)
	g.fmla(out, c, a)
	g.bit(out, L, cz)
	g.release(cz, L)
	return out
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
// x, y, a, L and sm are released.
func (g *gen) plainFinish(k spec.Kernel, x, y, a, L, sm V) (loss, grad V) {
	c := g.plainC(x, y, k.YOne)
	if !k.Wants(spec.Grad) {
		g.release(x)
		loss = g.lin(c, a, L)
		g.release(c, a)
		return loss, -1
	}
	loss = -1
	if k.Wants(spec.Loss) {
		loss = g.lin(c, a, L)
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
func (g *gen) weightedFinish(x, ys, w, pw, a, L, sm V, wantLoss, wantGrad bool) (loss, grad V) {
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
	wz := g.alloc()
	g.w(FCMEQz(S4, wz, w)) // w == 0
	loss, grad = -1, -1
	if wantLoss {
		g.raw("\t// mWElem: loss = w * (c*|x| + k*L); a weight of exactly 0 gives +0")
		g.w(FMUL(S4, L, kk, L)) // kL = k * L
		lin := g.lin(c, a, L)
		g.w(FMUL(S4, lin, w, lin)) // w * lin
		g.w(BIC(lin, lin, wz))     // w == 0: +0
		loss = lin
	}
	g.release(a)
	if wantGrad {
		g.raw("\t// mWElem: grad = (w*scale) * ±(c - k*sm); a weight of exactly 0 gives +0")
		gg := g.alloc()
		g.mov(gg, c)
		g.fmls(gg, kk, sm) // g = fma(-k, sm, c)
		g.release(sm)
		g.negIfSignSet(gg, x)
		g.w(FMULe(S4, w, w, vP, 0)) // w * scale
		g.w(FMUL(S4, gg, w, gg))    // * g
		g.w(BIC(gg, gg, wz))        // w == 0: +0
		grad = gg
	}
	g.release(kk, c, wz, w, x)
	return loss, grad
}
