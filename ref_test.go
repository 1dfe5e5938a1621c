package bce

import "math"

// The float64 reference. Every formula is the stable one, evaluated in
// float64 from the same float32 inputs, so its own error (about 1e-16
// relative) is negligible next to a float32 ULP.

// refSig returns the sigmoids of -|x| and |x|, from one exp(-|x|).
func refSig(x float64) (sm, sp float64) {
	e := math.Exp(-math.Abs(x))
	return e / (1 + e), 1 / (1 + e)
}

// refLoss is w*((1-y)*relu(x) + p*y*relu(-x) + (1+(p-1)*y)*log1p(exp(-|x|))),
// with 0*Inf taken as 0 (the limit of the linear term for a term whose
// coefficient is exactly 0).
func refLoss(x, y, w, p float64) float64 {
	if w == 0 {
		return 0
	}
	if math.IsNaN(x) || math.IsNaN(y) {
		return math.NaN()
	}
	lin := 0.0
	if x > 0 && y != 1 {
		lin = (1 - y) * x
	}
	if x < 0 && p*y != 0 {
		lin = p * y * -x
	}
	k := refK(y, p)
	return w * (lin + k*math.Log1p(math.Exp(-math.Abs(x))))
}

// refK returns k = 1 + (p-1)*y, the coefficient of log1p(exp(-|x|)), as
// p*y + (1-y): for y in [0,1] both terms are non-negative and p*y and 1-y are
// exact for float32 y and p, where 1 + (p-1)*y cancels (p = 1e-11 and y = 1
// would lose 5 digits, p below 2^-53 all of them).
func refK(y, p float64) float64 { return p*y + (1 - y) }

// refGrad is w*((1-y)*sigmoid(x) - p*y*sigmoid(-x)), from the sigmoid of the
// smaller magnitude so that nothing cancels: for x >= 0 it is
// w*((1-y) - k*sm), for x < 0 w*(k*sm - p*y), with k = 1+(p-1)y.
func refGrad(x, y, w, p float64) float64 {
	if w == 0 {
		return 0
	}
	sm, _ := refSig(x)
	k := refK(y, p)
	if x >= 0 {
		return w * ((1 - y) - k*sm)
	}
	return w * (k*sm - p*y)
}

func refSigmoid(x float64) float64 {
	sm, sp := refSig(x)
	if x >= 0 {
		return sp
	}
	return sm
}

// ulp32 returns the spacing of float32 numbers at |v|: 2^(e-23) for v in
// [2^e, 2^(e+1)), and the subnormal spacing 2^-149 below 2^-126. (It reads
// the exponent from the bits: the exhaustive test calls it 2^32 times per
// path and output.)
func ulp32(v float64) float64 {
	a := math.Abs(v)
	if a < 0x1p-126 {
		return 0x1p-149
	}
	if a >= math.MaxFloat32 {
		return 0x1p104
	}
	return math.Float64frombits((math.Float64bits(a)>>52 - 23) << 52)
}

// ulpAt returns the spacing of float32 numbers at |v| as ulp32 does, but
// with the exponent unbounded above: the size of the terms that the
// generic-versus-model rule measures with (refVal.scale) may exceed
// MaxFloat32 while the result, after they cancel, does not.
func ulpAt(v float64) float64 {
	if a := math.Abs(v); a >= math.MaxFloat32 && a <= math.MaxFloat64 {
		return math.Float64frombits((math.Float64bits(a)>>52 - 23) << 52)
	}
	return ulp32(v)
}

// ulpErr returns |got - ref| in units of ulp32(unit). Infinities must match
// exactly (0 or +Inf), and NaN must meet NaN (0) or count as +Inf. A
// reference beyond the float32 range must give the infinity it rounds to.
func ulpErr(got float32, ref, unit float64) float64 {
	return ulpErrFloor(got, ref, unit, 0)
}

// ulpErrFloor is ulpErr with the unit of error at least floor.
func ulpErrFloor(got float32, ref, unit, floor float64) float64 {
	if r32 := float64(float32(ref)); math.IsInf(r32, 0) {
		ref = r32
	}
	g := float64(got)
	switch {
	case math.IsNaN(ref) || math.IsNaN(g):
		if math.IsNaN(ref) && math.IsNaN(g) {
			return 0
		}
		return math.Inf(1)
	case math.IsInf(ref, 0) || math.IsInf(g, 0):
		if g == ref {
			return 0
		}
		return math.Inf(1)
	}
	return math.Abs(g-ref) / math.Max(ulp32(unit), floor)
}

// refVal is the reference of one output of one element, for the kernel
// table (harness_test.go).
type refVal struct {
	// domain: the inputs are in the documented domain, and the output must
	// be within bound ULP of want, in units of ulp32(unit), at least floor
	// (ulpErrFloor).
	domain                   bool
	want, unit, floor, bound float64
	// nearModel: the inputs are outside the documented domain only by a
	// finite target outside [0,1] (the formula is then no log loss, its
	// terms may cancel); the generic path must then be within
	// boundNearModel ULP of the model, in units of ulp32(scale), scale being
	// the size of the terms, |c*|x|| + |L| for a loss and |c| + |sm| for a
	// gradient (in the weighted forms |c*|x|| + (|p*y'| + |1-y'|)*L and
	// |c| + (|p*y'| + |1-y'|)*sm, times |w| and |scale|: the terms of
	// k = p*y' + (1-y') cancel too), and the unit at least floor, as
	// for the documented bounds: the model's float32 L and sm have the
	// spacing 2^-149 below 2^-126, which k and w multiply.
	nearModel bool
	scale     float64
	// rel: a focal row's bound, checked by focalErr (unit is the
	// reference's magnitude or S, floor the absolute part, bound 1).
	rel bool
}

// boundNearModel is the distance allowed between the generic path and the
// model outside the documented domain (see refVal.nearModel).
const boundNearModel = 4

func nanRef() refVal { return refVal{domain: true, want: math.NaN()} }

func finite32(v float32) bool { return v-v == 0 }

func in01(y float32) bool { return y >= 0 && y <= 1 }

// refC returns the coefficient of |x| in the loss: 1-y for a clear sign bit,
// p*y for a set one.
func refC(x float32, y, p float64) float64 {
	if math.Signbit(float64(x)) {
		return p * y
	}
	return 1 - y
}

// refL returns log1p(exp(-|x|)).
func refL(x float64) float64 { return math.Log1p(math.Exp(-math.Abs(x))) }

func refLossAt(in *kernelInputs, i int) refVal {
	x, y := in.x[i], in.y[i]
	xf, yf := float64(x), float64(y)
	switch {
	case isNaN32(x) || isNaN32(y):
		return nanRef()
	case !in01(y):
		return refVal{nearModel: finite32(x) && finite32(y), scale: math.Abs(refC(x, yf, 1)*math.Abs(xf)) + refL(xf)}
	}
	rl := refLoss(xf, yf, 1, 1)
	bound := float64(boundSoftLoss)
	if y == 0 || y == 1 {
		bound = boundHard
	}
	return refVal{domain: true, want: rl, unit: rl, bound: bound}
}

func refGradAt(in *kernelInputs, i int) refVal {
	x, y := in.x[i], in.y[i]
	xf, yf := float64(x), float64(y)
	switch {
	case isNaN32(x) || isNaN32(y):
		return nanRef()
	case !in01(y):
		sm, _ := refSig(xf)
		return refVal{nearModel: finite32(x) && finite32(y), scale: math.Abs(refC(x, yf, 1)) + sm}
	}
	rg := refGrad(xf, yf, 1, 1)
	unit, bound := rg, float64(boundHard) // hard labels: of the gradient itself
	if y != 0 && y != 1 {
		unit, bound = math.Max(refSigmoid(xf), yf), boundSoftGrad
	}
	return refVal{domain: true, want: rg, unit: unit, bound: bound}
}

func refSigmoidAt(in *kernelInputs, i int) refVal {
	x := in.x[i]
	if isNaN32(x) {
		return nanRef()
	}
	rs := refSigmoid(float64(x))
	return refVal{domain: true, want: rs, unit: rs, bound: boundHard}
}

// refScaledGradAt is the reference of LossGrad's gradient, scale*grad: the
// weighted gradient's bound with w = p = 1.
func refScaledGradAt(in *kernelInputs, i int) refVal {
	return refWeighted(in.x[i], in.y[i], in.y[i], 1, 1, in.scale, false, false)
}

func refWLossAt(in *kernelInputs, i int) refVal {
	return refWeighted(in.x[i], in.y[i], fma32x(in.y[i], in.oms, in.hs), in.w[i], in.pw[i], 1, true, true)
}

func refWGradAt(in *kernelInputs, i int) refVal {
	return refWeighted(in.x[i], in.y[i], fma32x(in.y[i], in.oms, in.hs), in.w[i], in.pw[i], in.scale, false, true)
}

// refWeighted is the reference of the weighted loss (loss) or of the
// gradient times scale, of a weighted kernel (weighted) or of the plain
// LossGrad (w = p = 1), for the target y smoothed to ys32, with the bounds
// of TestAccuracyWeighted: the loss within boundWeighted ULP; the gradient
// within boundWeightedGrad ULP of |w*scale|*max(c, k*sm), the larger of its
// two terms; the unit of error at least the subnormal spacing
// times the factors, |w|*max(1,k)*2^-149 (times |scale| for the gradient).
// The domain: target and smoothed target y' in [0,1], a finite positive
// weight and positive weight, and float32 intermediates that stay normal and
// finite (weightedInRange).
func refWeighted(x, y, ys32, w, p, scale float32, loss, weighted bool) refVal {
	if w == 0 {
		return refVal{domain: true, want: 0, unit: 0, bound: 0} // masked: exactly 0
	}
	if isNaN32(x) || isNaN32(y) || isNaN32(w) || isNaN32(p) || isNaN32(ys32) || isNaN32(scale) {
		return nanRef()
	}
	xf, ys, wf, pf, sf := float64(x), float64(ys32), float64(w), float64(p), float64(scale)
	k := refK(ys, pf)
	c := refC(x, ys, pf)
	sm, _ := refSig(xf)
	var rv refVal
	// The size of the terms: the weighted kernels compute k = p*y' + (1-y'),
	// itself a sum whose terms cancel for y' outside [0,1], so its terms
	// count separately; the plain ones have no k.
	kTerms := 1.0
	if weighted {
		kTerms = math.Abs(pf*ys) + math.Abs(1-ys)
	}
	if loss {
		rv.scale = math.Abs(wf) * (math.Abs(c*math.Abs(xf)) + kTerms*refL(xf))
	} else {
		rv.scale = math.Abs(wf*sf) * (math.Abs(c) + kTerms*sm)
	}
	floor := math.Abs(wf) * math.Max(1, math.Abs(k)) * 0x1p-149
	if !loss {
		floor *= math.Abs(sf)
	}
	rv.floor = floor
	inRange := finite32(x) && finite32(w) && p >= 0 && finite32(p) && weightedInRange(x, ys32, w, p, scale)
	if !in01(y) || !in01(ys32) {
		rv.nearModel = finite32(y) && inRange
		return rv
	}
	if !(w > 0) || !inRange {
		return rv
	}
	rv.domain, rv.bound = true, boundWeightedGrad
	if loss {
		rv.bound = boundWeighted
		rv.want = refLoss(xf, ys, wf, pf)
		rv.unit = rv.want
		return rv
	}
	rv.want = refGrad(xf, ys, wf, pf) * sf
	cc := pf * ys
	if !math.Signbit(xf) {
		cc = 1 - ys
	}
	rv.unit = math.Abs(wf*sf) * math.Max(cc, k*sm)
	return rv
}

// refFocal returns the float64 focal loss of one element and its gradient
// times scale, for the smoothed target ys, the weight W = w*alpha_t and
// gamma, and S, the sum of the magnitudes of the gradient's terms. Nothing
// is computed as 1 - something small: p and 1-p are sigmoid(x) and
// sigmoid(-x) from one exp(-|x|), 1-p_t = y'*(1-p) + (1-y')*p (that is,
// y'/(1+exp(x)) + (1-y')/(1+exp(-x))), ce is refLoss's stable BCE, and the
// gradient is the analytic
//
//	W*scale*((1-p_t)^gamma*(p-y') + gamma*(1-p_t)^(gamma-1)*p*(1-p)*(1-2y')*ce)
//
// with p-y' = (1-y')*p - y'*(1-p), so that S = |W*scale|*((1-p_t)^gamma*(1-p_t)
// + |gamma*(1-p_t)^(gamma-1)*p*(1-p)*(1-2y')*ce|). The powers are math.Pow
// (0^0 = 1); the second term is 0 where p*(1-p) is (x = ±Inf), its limit.
func refFocal(x, ys, W, gamma, scale float64) (loss, grad, S float64) {
	if math.IsNaN(x) || math.IsNaN(ys) || math.IsNaN(W) {
		return math.NaN(), math.NaN(), math.NaN()
	}
	sm, sp := refSig(x)
	p, omp := sp, sm
	if x < 0 {
		p, omp = sm, sp
	}
	q := ys*omp + (1-ys)*p
	ce := refLoss(x, ys, 1, 1)
	m := math.Pow(q, gamma)
	var dce float64
	if P := p * omp; P != 0 && gamma != 0 {
		dce = gamma * math.Pow(q, gamma-1) * P * (1 - 2*ys) * ce
	}
	loss = W * ce * m
	if W == 0 || m == 0 {
		loss = 0 // the masked element, and 0*Inf at a right hard label's x = ±Inf (ce = 0 there in the limit)
	}
	grad = W * scale * (m*((1-ys)*p-ys*omp) + dce)
	S = math.Abs(W*scale) * (m*q + math.Abs(dce))
	return loss, grad, S
}

// focalRelBound is the focal bound's relative part: |got - ref| <=
// 1e-5*|ref| + 2^-126 for the loss and 1e-5*S + 2^-126 for the gradient.
const focalRelBound = 1e-5

// focalErr returns |got - ref| in units of focalRelBound*unit + floor, so
// that the bound holds where it is at most 1; a NaN or infinite got where
// ref is finite counts as +Inf, and NaN meets NaN.
func focalErr(got float32, ref, unit, floor float64) float64 {
	g := float64(got)
	if math.IsNaN(ref) || math.IsNaN(g) || math.IsInf(g, 0) || math.IsInf(ref, 0) {
		if sameBits(g, ref) || math.IsNaN(ref) && math.IsNaN(g) {
			return 0
		}
		return math.Inf(1)
	}
	return math.Abs(g-ref) / (focalRelBound*unit + floor)
}

// refFocalAt is the reference of a focal row's loss (grad false) or
// gradient times scale: the domain is y' in [0,1], a finite positive weight,
// a logit that is not NaN, W = w*alpha_t and W*scale in the float32 normal
// range (as weightedInRange asks of w*scale) and a reference finite and below
// MaxFloat32; the bound is focalErr <= 1 with the absolute part 2^-126 plus
// the documented subnormal floor of the modulating factor,
// 2^-148*|W|*(1+ce) for the loss and 2^-148*|W*scale|*(1+gamma*ce) for the
// gradient (see Focal). Outside the domain only the class of value is
// compared with the model (checkGenericNearModel: nearModel stays false).
func refFocalAt(in *kernelInputs, i int, pow, grad bool) refVal {
	x, w := in.x[i], in.w[i]
	if w == 0 {
		return refVal{domain: true, want: 0, unit: 0, bound: 0}
	}
	ys32 := fma32x(in.y[i], in.oms, in.hs)
	gamma, scale := in.gamma, in.scale
	if pow {
		gamma = in.gpow
	}
	if !grad {
		scale = 1
	}
	if isNaN32(x) || isNaN32(ys32) || isNaN32(w) || isNaN32(scale) {
		return nanRef()
	}
	ys := float64(ys32)
	if !in01(ys32) || !(w > 0) || !finite32(w) {
		return refVal{}
	}
	W := float64(w) * (float64(in.al1)*ys + float64(in.al0))
	// The kernels round W = w*alpha_t and then W*scale to float32: both
	// must be normal and finite (a subnormal W, such as w = 1.7e-41, loses
	// its precision before a large scale lifts it; found by FuzzFocal).
	W32 := w * fma32x(ys32, in.al1, in.al0)
	if ws := math.Abs(float64(W32 * scale)); !(ws >= 0x1p-126 && ws <= math.MaxFloat32) || !(math.Abs(float64(W32)) >= 0x1p-126) {
		return refVal{}
	}
	loss, g, S := refFocal(float64(x), ys, W, float64(gamma), float64(scale))
	ce := refLoss(float64(x), ys, 1, 1)
	rv := refVal{want: loss, unit: math.Abs(loss), floor: 0x1p-126 + 0x1p-148*math.Abs(W)*(1+ce), bound: 1, rel: true}
	if grad {
		rv.want, rv.unit = g, S
		rv.floor = 0x1p-126 + 0x1p-148*math.Abs(W*float64(scale))*(1+float64(gamma)*ce)
	}
	rv.domain = math.Abs(rv.want) < math.MaxFloat32 && !math.IsNaN(rv.floor) && !math.IsInf(rv.floor, 0)
	return rv
}

// err returns the error of got against rv in rv's units: focalErr for a
// focal row (rel), otherwise ulpErrFloor.
func (rv refVal) err(got float32) float64 {
	if rv.rel {
		return focalErr(got, rv.want, rv.unit, rv.floor)
	}
	return ulpErrFloor(got, rv.want, rv.unit, rv.floor)
}
