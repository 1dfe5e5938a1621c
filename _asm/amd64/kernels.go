package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// kernel describes one entry point: its Go signature, the slices it reads
// and writes, its accumulator (0, 16 or 32 float64 lanes), its float32
// scalars and the per-vector body.
type kernel struct {
	name    string
	doc     string
	sig     string
	slices  []string // every slice parameter; the first gives the length
	acc     int
	scalars []string
	body    func(g *gen, f *fn, ks []int)
	il      map[string]int // vectors interleaved per path, when not gen.IL
	u       map[string]int // vectors per main-loop iteration per path, when not gen.U
	nopf    bool           // no software prefetch (see gen.pfDist)
}

// fn is the state of the function being emitted.
type fn struct {
	ptr  map[string]GPVirtual
	acc  []Op // float64 accumulators (registers, or memory), 16 lanes per set
	scal map[string]Op
}

var kernels = []kernel{
	{
		name: "loss", doc: "loss writes the loss of every element (mLossElem).",
		sig: "func(dst, x, y []float32)", slices: []string{"dst", "x", "y"}, nopf: true,
		body: func(g *gen, f *fn, ks []int) {
			L := g.plainLoss(f, ks)
			each(len(ks), func(k int) { g.store(f.ptr["dst"], ks[k], L[k]) })
		},
	},
	{
		name: "sum", doc: "sum adds the loss of element i into acc[i%16] (mLossElem).",
		sig: "func(x, y []float32, acc *[16]float64)", slices: []string{"x", "y"}, acc: 16, nopf: true,
		body: func(g *gen, f *fn, ks []int) {
			L := g.plainLoss(f, ks)
			each(len(ks), func(k int) { g.accum(f.acc, ks[k], L[k]) })
		},
	},
	{
		name: "grad", il: map[string]int{"AVX2": 3, "AVX512": 4}, doc: "grad writes sigmoid(x)-y of every element (mLossGradElem).",
		sig: "func(dst, x, y []float32)", slices: []string{"dst", "x", "y"},
		body: func(g *gen, f *fn, ks []int) {
			n := len(ks)
			a, s := g.xAbs(f, ks)
			e, elo := g.expNeg(a, s, true)
			sm := g.sigNeg(e, elo)
			c := g.target(f, s, ks)
			each(n, func(k int) { VSUBPS(sm[k], c[k], c[k]) })
			each(n, func(k int) { g.negIf(s, k, c[k]) })
			each(n, func(k int) { g.store(f.ptr["dst"], ks[k], c[k]) })
		},
	},
	{
		name: "sigmoid", il: map[string]int{"AVX2": 3, "AVX512": 4}, doc: "sigmoid writes sigmoid(x) of every element (mSigmoidElem).",
		sig: "func(dst, x []float32)", slices: []string{"dst", "x"},
		body: func(g *gen, f *fn, ks []int) {
			n := len(ks)
			a, s := g.xAbs(f, ks)
			e, elo := g.expNeg(a, s, true)
			sm := g.sigNeg(e, elo)
			o := make(V, n)
			each(n, func(k int) { o[k] = g.oneMinus(sm[k]) })
			each(n, func(k int) { g.sel(s, k, sm[k], o[k]) })
			each(n, func(k int) { g.store(f.ptr["dst"], ks[k], o[k]) })
		},
	},
	{
		name: "sum16", doc: "sum16 adds x[i] into acc[i%16].",
		sig: "func(x []float32, acc *[16]float64)", slices: []string{"x"}, acc: 16, nopf: true,
		body: func(g *gen, f *fn, ks []int) {
			x := g.loadAll(f, "x", ks)
			each(len(ks), func(k int) { g.accum(f.acc, ks[k], x[k]) })
		},
	},
	{
		name: "lossGrad", il: map[string]int{"AVX2": 3, "AVX512": 4}, doc: "lossGrad writes scale*(sigmoid(x)-y) and adds the loss of element i into acc[i%16] (mLossGradElem).",
		sig: "func(g, x, y []float32, scale float32, acc *[16]float64)", slices: []string{"g", "x", "y"}, acc: 16,
		scalars: []string{"scale"},
		body: func(g *gen, f *fn, ks []int) {
			n := len(ks)
			a, s := g.xAbs(f, ks)
			e, elo := g.expNeg(a, s, true)
			// sigNeg before log1p: e is then dead after log1p, and
			// neither stage holds L, e and elo next to its own
			// temporaries (5 live per vector instead of 6).
			sm := g.sigNeg(e, elo)
			L := g.log1p(e, false)
			c := g.target(f, s, ks)
			g.lin(a, c, L, s)
			each(n, func(k int) { VSUBPS(sm[k], c[k], c[k]) })
			each(n, func(k int) { g.negIf(s, k, c[k]) })
			each(n, func(k int) { VMULPS(f.scal["scale"], c[k], c[k]) })
			each(n, func(k int) { g.store(f.ptr["g"], ks[k], c[k]) })
			each(n, func(k int) { g.accum(f.acc, ks[k], L[k]) })
		},
	},
	{
		name: "wloss", il: map[string]int{"AVX2": 3, "AVX512": 4}, doc: "wloss writes the weighted loss of every element (mWElem).",
		sig: "func(dst, x, y, w, pw []float32, oms, hs float32)", slices: []string{"dst", "x", "y", "w", "pw"},
		scalars: []string{"oms", "hs"},
		body: func(g *gen, f *fn, ks []int) {
			L, _, _ := g.weighted(f, ks, true, false)
			each(len(ks), func(k int) { g.store(f.ptr["dst"], ks[k], L[k]) })
		},
	},
	{
		name: "wsum", il: map[string]int{"AVX2": 3, "AVX512": 4}, doc: "wsum adds the weighted loss of element i into acc[i%16] and its weight into acc[16+i%16] (mWElem).",
		sig: "func(x, y, w, pw []float32, oms, hs float32, acc *[32]float64)", slices: []string{"x", "y", "w", "pw"}, acc: 32,
		scalars: []string{"oms", "hs"},
		body: func(g *gen, f *fn, ks []int) {
			L, _, w := g.weighted(f, ks, true, false)
			h := len(f.acc) / 2
			each(len(ks), func(k int) { g.accum(f.acc[:h], ks[k], L[k]) })
			each(len(ks), func(k int) { g.accum(f.acc[h:], ks[k], w[k]) })
		},
	},
	{
		name: "wgrad", il: map[string]int{"AVX2": 2, "AVX512": 4}, doc: "wgrad writes the weighted gradient times scale of every element (mWElem).",
		sig: "func(dst, x, y, w, pw []float32, oms, hs, scale float32)", slices: []string{"dst", "x", "y", "w", "pw"},
		scalars: []string{"oms", "hs", "scale"},
		body: func(g *gen, f *fn, ks []int) {
			_, G, _ := g.weighted(f, ks, false, true)
			each(len(ks), func(k int) { g.store(f.ptr["dst"], ks[k], G[k]) })
		},
	},
	{
		name: "wlossGrad", il: map[string]int{"AVX2": 2, "AVX512": 2}, doc: "wlossGrad writes the weighted gradient times scale and adds the weighted loss of element i into acc[i%16] (mWElem).",
		sig: "func(g, x, y, w, pw []float32, oms, hs, scale float32, acc *[16]float64)", slices: []string{"g", "x", "y", "w", "pw"}, acc: 16,
		scalars: []string{"oms", "hs", "scale"},
		body: func(g *gen, f *fn, ks []int) {
			L, G, _ := g.weighted(f, ks, true, true)
			each(len(ks), func(k int) { g.store(f.ptr["g"], ks[k], G[k]) })
			each(len(ks), func(k int) { g.accum(f.acc, ks[k], L[k]) })
		},
	},
}

func (g *gen) loadAll(f *fn, name string, ks []int) V {
	r := make(V, len(ks))
	each(len(ks), func(k int) { r[k] = g.load(f.ptr[name], ks[k]) })
	return r
}

// plainLoss returns the loss of the vectors ks (mLossElem).
func (g *gen) plainLoss(f *fn, ks []int) V {
	a, s := g.xAbs(f, ks)
	e, _ := g.expNeg(a, s, false)
	L := g.log1p(e, false)
	c := g.target(f, s, ks)
	g.lin(a, c, L, s)
	return L
}

// target loads y and returns c = y for a set sign bit, 1-y otherwise.
func (g *gen) target(f *fn, s sign, ks []int) V {
	n := len(ks)
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

// lin sets L = fma(c, a, L) where c != 0 (NaN included), leaving L where
// c == 0 so that 0*Inf never makes a NaN. a is consumed.
func (g *gen) lin(a, c, L V, s sign) {
	n := len(c)
	if g.z {
		// One vector after the other: an opmask each, 7 in all.
		each(n, func(k int) {
			aa := g.absOf(s, k)
			kc := K()
			VPTESTMD(g.creg("absmask"), c[k], kc) // c != ±0 (NaN included)
			VFMADD231PS(aa, c[k], kc, L[k])
		})
		return
	}
	if s.xm != nil {
		// One vector after the other, |x| read again.
		each(n, func(k int) {
			m, aa := g.vec(), g.vec()
			VCMPPS(U8(4), g.c("zero"), c[k], m) // c != 0, unordered
			VMOVUPS(s.xm[k], aa)
			VANDPS(g.c("absmask"), aa, aa)
			VFMADD213PS(L[k], c[k], aa)
			VBLENDVPS(m, aa, L[k], L[k])
		})
		return
	}
	// a = fma(c, a, L) (a is dead afterwards), then L = c != 0 ? a : L.
	m := newV(n, g)
	each(n, func(k int) { VCMPPS(U8(4), g.c("zero"), c[k], m[k]) }) // c != 0, unordered
	each(n, func(k int) { VFMADD213PS(L[k], c[k], a[k]) })
	each(n, func(k int) { VBLENDVPS(m[k], a[k], L[k], L[k]) })
}

// weighted computes mWElem for the vectors ks: the weighted loss (when
// wantLoss), the weighted gradient times scale (when wantGrad) and the
// weights.
func (g *gen) weighted(f *fn, ks []int, wantLoss, wantGrad bool) (L, G, w V) {
	n := len(ks)
	a, s := g.xAbs(f, ks)
	e, elo := g.expNeg(a, s, wantGrad)
	var sm V
	if wantGrad {
		sm = g.sigNeg(e, elo) // before log1p: see lossGrad
	}
	L = g.log1p(e, false)
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
	each(n, func(k int) { VMULPS(p[k], L[k], L[k]) }) // kL
	if wantLoss {
		g.lin(a, c, L, s)
	}
	if wantGrad {
		each(n, func(k int) { VFNMADD231PS(sm[k], p[k], c[k]) }) // c - k*sm
		each(n, func(k int) { g.negIf(s, k, c[k]) })
	}
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
			each(n, func(k int) { VMULPS_Z(ws[k], c[k], kw[k], c[k]) })
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
		each(n, func(k int) { VMULPS(ws[k], c[k], c[k]) })
		each(n, func(k int) { VANDNPS(c[k], wz[k], c[k]) })
	}
	return L, c, w
}

// function emits kernel k for path g.
func (g *gen) function(k kernel) {
	name := k.name + g.suffix
	TEXT(name, NOSPLIT, k.sig)
	defer func(u int) { g.U = u }(g.U)
	if u, ok := k.u[g.suffix]; ok {
		g.U = u
	}
	Doc(name + ": " + k.doc)
	f := &fn{ptr: map[string]GPVirtual{}, scal: map[string]Op{}}
	n := Load(Param(k.slices[0]).Len(), GP64()).(GPVirtual)
	for _, s := range k.slices {
		f.ptr[s] = Load(Param(s).Base(), GP64()).(GPVirtual)
	}
	var accp GPVirtual
	step := 32 // bytes per float64 accumulator register
	if g.z {
		step = 64
	}
	if k.acc > 0 {
		accp = Load(Param("acc"), GP64()).(GPVirtual)
		// AVX2 adds into *acc in memory (drain loads, adds and stores each
		// set once per iteration), which leaves its 16 registers to the
		// interleaved vectors; AVX-512 holds them in registers.
		for j := 0; j < k.acc*8/step; j++ {
			f.acc = append(f.acc, Mem{Base: accp, Disp: j * step})
		}
	}
	var local Mem
	if !g.z && len(k.scalars) > 0 {
		local = AllocLocal(32 * len(k.scalars))
	}
	for j, s := range k.scalars {
		b, err := Param(s).Resolve()
		if err != nil {
			panic(err)
		}
		r := g.vec()
		VBROADCASTSS(b.Addr, r)
		if g.z {
			f.scal[s] = r
		} else {
			m := local.Offset(32 * j)
			VMOVUPS(r, m)
			f.scal[s] = m
		}
	}
	g.preload("clamp", "one", "half", "absmask")
	// AVX-512 adds into accumulator registers as it goes (measured faster
	// than deferring at the interleave of 8); AVX2 defers (see gen.deferAcc).
	direct := g.z && k.acc > 0
	if direct {
		for j := range f.acc {
			r := g.vec()
			VMOVUPD(f.acc[j], r)
			f.acc[j] = r
		}
	}
	g.accAll = f.acc
	g.deferAcc = false
	deferred := k.acc > 0 && !direct
	if deferred {
		g.pend = AllocLocal(4 * g.W * g.U * k.acc / 16)
	}

	g.i = GP64()
	XORQ(g.i, g.i)
	nmain := GP64()
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
func (g *gen) block(k kernel, f *fn, nv int) {
	il := g.IL
	if v, ok := k.il[g.suffix]; ok {
		il = v
	}
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
		k.body(g, f, ks)
	}
}

// prefetch emits the main loop's software prefetches (see gen.pfDist).
func (g *gen) prefetch(k kernel, f *fn) {
	if g.pfDist == 0 || k.nopf {
		return
	}
	// The output slice too: a sole reader gets the line exclusive, so the
	// store needs no upgrade (avo has no PREFETCHW).
	for _, s := range k.slices {
		for off := 0; off < 4*g.W*g.U; off += 64 {
			PREFETCHT0(Mem{Base: f.ptr[s], Index: g.i, Scale: 4, Disp: g.pfDist + off})
		}
	}
}
