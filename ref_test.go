package bce

import "math"

// The float64 reference. Every formula is the stable one, evaluated in
// float64 from the same float32 inputs, so its own error (about 1e-16
// relative) is negligible next to a float32 ULP.

// refE returns exp(-|x|) and the sigmoids of -|x| and |x|.
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
	k := 1 + (p-1)*y
	return w * (lin + k*math.Log1p(math.Exp(-math.Abs(x))))
}

// refGrad is w*((1-y)*sigmoid(x) - p*y*sigmoid(-x)), from the sigmoid of the
// smaller magnitude so that nothing cancels: for x >= 0 it is
// w*((1-y) - k*sm), for x < 0 w*(k*sm - p*y), with k = 1+(p-1)y.
func refGrad(x, y, w, p float64) float64 {
	if w == 0 {
		return 0
	}
	sm, _ := refSig(x)
	k := 1 + (p-1)*y
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
