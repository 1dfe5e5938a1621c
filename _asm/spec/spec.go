// Package spec is the one description of package bce's kernels and paths
// that every generator reads: the amd64 one (bce_amd64.s), the arm64 one
// (bce_arm64.s) and the dispatch one (bce_dispatch_*.go). A kernel is a row
// of Kernels naming the steps it is made of; each generator implements each
// step once, so a kernel made of existing steps is one new row here (plus,
// by hand, its model function in model_test.go, its generic kernel in
// bce_generic.go and its public function).
package spec

import (
	"fmt"
	"slices"
	"strings"
)

// Step is one stage of the per-element algorithm of bce_generic.go, named
// after the model function of model_test.go that it implements.
type Step uint8

const (
	// ExpNeg computes e = exp(-|x|) (mExpNeg without its low part).
	ExpNeg Step = iota + 1
	// ExpNegLo computes e and elo, its rounding error (mExpNeg), for
	// SigNeg and Log1p.
	ExpNegLo
	// Log1p computes the loss bracket c*|x| + k*log1p(e + elo) in the
	// finish, once the target term c (and the weighted k) is known
	// (mBracket); it needs elo.
	Log1p
	// SigNeg computes sm = sigmoid(-|x|) from e and elo (mSigNeg).
	SigNeg
	// FinishPlain selects the target term c by x's sign bit (1-y for a
	// clear one, y for a set one; without a y slice, y = 0: c is 1 or 0),
	// then gives loss = c*|x| + L (mLossElem) and grad = ±(c - sm), times
	// the scalar scale when the kernel has one (mLossGradElem).
	FinishPlain
	// FinishWeighted smooths the target with the scalars oms and hs and
	// applies the positive weight pw and the weight w (mWElem): the
	// weighted loss and the weighted gradient times scale.
	FinishWeighted
	// FinishSigmoid gives sigmoid(x): 1-sm for a clear sign bit, sm for a
	// set one (mSigmoidElem).
	FinishSigmoid
	// FinishFocal is the focal loss's finish with an integer Gamma in
	// {0, 1, 2} (mFocalElem with pow false): the modulating factor
	// (1-p_t)^Gamma and its derivative are products of 1-p_t, selected by
	// the scalars ga1, ga0, gb1, gb0; no exp, no log.
	FinishFocal
	// FinishFocalPow is the focal loss's finish for any other Gamma
	// (mFocalElem with pow true): (1-p_t)^Gamma = exp(Gamma*log(1-p_t)),
	// with a general log (mLog) and a second exp (mExpNeg) per element.
	FinishFocalPow
)

var stepNames = map[Step]string{
	ExpNeg: "ExpNeg", ExpNegLo: "ExpNegLo", Log1p: "Log1p", SigNeg: "SigNeg",
	FinishPlain: "FinishPlain", FinishWeighted: "FinishWeighted", FinishSigmoid: "FinishSigmoid",
	FinishFocal: "FinishFocal", FinishFocalPow: "FinishFocalPow",
}

func (s Step) String() string { return stepNames[s] }

// Value is what a kernel stores into its output slice or adds into its
// accumulator.
type Value uint8

const (
	None    Value = iota
	Loss          // the loss (weighted under FinishWeighted and the focal finishes)
	Grad          // the gradient (weighted under FinishWeighted and the focal finishes), times scale when the kernel has that scalar
	Sigmoid       // sigmoid(x)
	X             // the input x itself (no step)
	W             // the weight w itself
)

// Kernel is one entry point, compiled once per path: name+suffix in the
// assembly (lossAVX2), name+"Generic" in bce_generic.go, name+"Kernel" for
// the dispatching switch that bce.go and criterion.go call.
type Kernel struct {
	Name string
	// Model says what element i gives, in terms of model_test.go; it
	// becomes the comment of the switch and of the assembly functions.
	Model string
	// Out is the output slice ("" for none); In the input slices, x first,
	// then any of y, w, pw in that order. All have x's length.
	Out string
	In  []string
	// Out2 is a second output slice ("" for none), after Out in the
	// parameters, receiving Store2: the one-pass loss-and-gradient kernels.
	Out2 string
	// Scalars are the float32 parameters, from oms (1 - smoothing), hs
	// (smoothing/2), the focal ones (al1, al0, ga1, ga0, gb1, gb0, gamma;
	// see mFocalElem) and scale, in that order.
	Scalars []string
	// Acc is the number of float64 accumulator lanes: 0, 16 (acc
	// *[16]float64) or 32. Element i adds into lane i%16 of each Accum
	// value's 16 lanes, in index order.
	Acc    int
	Steps  []Step
	Store  Value   // what Out receives
	Store2 Value   // what Out2 receives
	Accum  []Value // what the accumulator lanes receive, 16 lanes each
	// YOne makes the target of a kernel without a y slice 1 instead of 0:
	// c is 0 for a clear sign bit and 1 for a set one (LogSigmoid).
	YOne bool
	// Negate flips the sign bit of what Out receives: -0 for +0, so that
	// LogSigmoid is -Loss(x, 1) bit for bit.
	Negate bool
	Tune   Tune
}

// Tune holds the per-path choices of the amd64 generator that only change
// speed, never bits.
type Tune struct {
	// IL is the number of vectors interleaved per stage, by path name,
	// where it is not the path's default.
	IL map[string]int
	// NoPrefetch turns the software prefetch off (see gen.pfDist in _asm/amd64).
	NoPrefetch bool
}

// Kernels is the table of kernels, in the order of the generated files.
var Kernels = []Kernel{
	{
		Name: "loss", Model: "dst[i] = mLossElem(x[i], y[i])",
		Out: "dst", In: []string{"x", "y"},
		Steps: []Step{ExpNegLo, Log1p, FinishPlain}, Store: Loss,
		Tune: Tune{NoPrefetch: true, IL: map[string]int{"avx2": 3, "avx512": 4}},
	},
	{
		Name: "sum", Model: "acc[i%16] += float64(mLossElem(x[i], y[i]))",
		In: []string{"x", "y"}, Acc: 16,
		Steps: []Step{ExpNegLo, Log1p, FinishPlain}, Accum: []Value{Loss},
		Tune: Tune{NoPrefetch: true, IL: map[string]int{"avx2": 3, "avx512": 4}},
	},
	{
		Name: "grad", Model: "_, dst[i] = mLossGradElem(x[i], y[i])",
		Out: "dst", In: []string{"x", "y"},
		Steps: []Step{ExpNegLo, SigNeg, FinishPlain}, Store: Grad,
		Tune: Tune{IL: map[string]int{"avx2": 3, "avx512": 4}},
	},
	{
		Name: "sigmoid", Model: "dst[i] = mSigmoidElem(x[i])",
		Out: "dst", In: []string{"x"},
		Steps: []Step{ExpNegLo, SigNeg, FinishSigmoid}, Store: Sigmoid,
		Tune: Tune{IL: map[string]int{"avx2": 3, "avx512": 4}},
	},
	{
		Name: "sum16", Model: "acc[i%16] += float64(x[i])",
		In: []string{"x"}, Acc: 16,
		Accum: []Value{X},
		Tune:  Tune{NoPrefetch: true},
	},
	{
		Name: "lossGrad", Model: "loss, grad := mLossGradElem(x[i], y[i]); g[i] = scale*grad; acc[i%16] += float64(loss)",
		Out: "g", In: []string{"x", "y"}, Scalars: []string{"scale"}, Acc: 16,
		Steps: []Step{ExpNegLo, Log1p, SigNeg, FinishPlain}, Store: Grad, Accum: []Value{Loss},
		Tune: Tune{IL: map[string]int{"avx2": 2, "avx512": 4}},
	},
	{
		Name: "wloss", Model: "dst[i], _ = mWElem(x[i], y[i], w[i], pw[i], oms, hs, 1)",
		Out: "dst", In: []string{"x", "y", "w", "pw"}, Scalars: []string{"oms", "hs"},
		Steps: []Step{ExpNegLo, Log1p, FinishWeighted}, Store: Loss,
		Tune: Tune{IL: map[string]int{"avx2": 2, "avx512": 3}},
	},
	{
		Name: "wsum", Model: "loss, _ := mWElem(x[i], y[i], w[i], pw[i], oms, hs, 1); acc[i%16] += float64(loss); acc[16+i%16] += float64(w[i])",
		In: []string{"x", "y", "w", "pw"}, Scalars: []string{"oms", "hs"}, Acc: 32,
		Steps: []Step{ExpNegLo, Log1p, FinishWeighted}, Accum: []Value{Loss, W},
		Tune: Tune{IL: map[string]int{"avx2": 2, "avx512": 3}},
	},
	{
		Name: "wgrad", Model: "_, dst[i] = mWElem(x[i], y[i], w[i], pw[i], oms, hs, scale)",
		Out: "dst", In: []string{"x", "y", "w", "pw"}, Scalars: []string{"oms", "hs", "scale"},
		Steps: []Step{ExpNegLo, SigNeg, FinishWeighted}, Store: Grad,
		Tune: Tune{IL: map[string]int{"avx2": 2, "avx512": 4}},
	},
	{
		Name: "wlossGrad", Model: "loss, g[i] = mWElem(x[i], y[i], w[i], pw[i], oms, hs, scale); acc[i%16] += float64(loss)",
		Out: "g", In: []string{"x", "y", "w", "pw"}, Scalars: []string{"oms", "hs", "scale"}, Acc: 16,
		Steps: []Step{ExpNegLo, Log1p, SigNeg, FinishWeighted}, Store: Grad, Accum: []Value{Loss},
		Tune: Tune{IL: map[string]int{"avx2": 2, "avx512": 2}},
	},
	{
		Name: "lossAndGrad", Model: "loss[i], grad[i] = mLossGradElem(x[i], y[i])",
		Out: "loss", Out2: "grad", In: []string{"x", "y"},
		Steps: []Step{ExpNegLo, Log1p, SigNeg, FinishPlain}, Store: Loss, Store2: Grad,
		Tune: Tune{IL: map[string]int{"avx2": 2, "avx512": 4}},
	},
	{
		Name: "softplus", Model: "dst[i] = mLossElem(x[i], 0)",
		Out: "dst", In: []string{"x"},
		Steps: []Step{ExpNegLo, Log1p, FinishPlain}, Store: Loss,
		Tune: Tune{NoPrefetch: true, IL: map[string]int{"avx2": 3, "avx512": 4}},
	},
	{
		Name: "logSigmoid", Model: "dst[i] = -mLossElem(x[i], 1)",
		Out: "dst", In: []string{"x"},
		Steps: []Step{ExpNegLo, Log1p, FinishPlain}, Store: Loss, YOne: true, Negate: true,
		Tune: Tune{NoPrefetch: true, IL: map[string]int{"avx2": 3, "avx512": 4}},
	},
	{
		Name: "wlossAndGrad", Model: "loss[i], grad[i] = mWElem(x[i], y[i], w[i], pw[i], oms, hs, scale)",
		Out: "loss", Out2: "grad", In: []string{"x", "y", "w", "pw"}, Scalars: []string{"oms", "hs", "scale"},
		Steps: []Step{ExpNegLo, Log1p, SigNeg, FinishWeighted}, Store: Loss, Store2: Grad,
		Tune: Tune{IL: map[string]int{"avx2": 2, "avx512": 2}},
	},
	// The focal kernels (focal.go): FinishFocal for Gamma in {0, 1, 2},
	// FinishFocalPow for every other Gamma.
	{
		Name: "focalLoss", Model: "dst[i], _ = mFocalElem(x[i], y[i], w[i], oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma, 1, false)",
		Out: "dst", In: []string{"x", "y", "w"}, Scalars: []string{"oms", "hs", "al1", "al0", "ga1", "ga0", "gb1", "gb0", "gamma"},
		Steps: []Step{ExpNegLo, Log1p, SigNeg, FinishFocal}, Store: Loss,
		Tune: Tune{IL: map[string]int{"avx2": 2, "avx512": 2}},
	},
	{
		Name: "focalSum", Model: "loss, _ := mFocalElem(x[i], y[i], w[i], oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma, 1, false); acc[i%16] += float64(loss); acc[16+i%16] += float64(w[i])",
		In: []string{"x", "y", "w"}, Scalars: []string{"oms", "hs", "al1", "al0", "ga1", "ga0", "gb1", "gb0", "gamma"}, Acc: 32,
		Steps: []Step{ExpNegLo, Log1p, SigNeg, FinishFocal}, Accum: []Value{Loss, W},
		Tune: Tune{IL: map[string]int{"avx2": 2, "avx512": 2}},
	},
	{
		Name: "focalGrad", Model: "_, dst[i] = mFocalElem(x[i], y[i], w[i], oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma, scale, false)",
		Out: "dst", In: []string{"x", "y", "w"}, Scalars: []string{"oms", "hs", "al1", "al0", "ga1", "ga0", "gb1", "gb0", "gamma", "scale"},
		Steps: []Step{ExpNegLo, Log1p, SigNeg, FinishFocal}, Store: Grad,
		Tune: Tune{IL: map[string]int{"avx2": 2, "avx512": 2}},
	},
	{
		Name: "focalLossGrad", Model: "loss, g[i] = mFocalElem(x[i], y[i], w[i], oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma, scale, false); acc[i%16] += float64(loss)",
		Out: "g", In: []string{"x", "y", "w"}, Scalars: []string{"oms", "hs", "al1", "al0", "ga1", "ga0", "gb1", "gb0", "gamma", "scale"}, Acc: 16,
		Steps: []Step{ExpNegLo, Log1p, SigNeg, FinishFocal}, Store: Grad, Accum: []Value{Loss},
		Tune: Tune{IL: map[string]int{"avx2": 2, "avx512": 2}},
	},
	{
		Name: "focalPowLoss", Model: "dst[i], _ = mFocalElem(x[i], y[i], w[i], oms, hs, al1, al0, 0, 0, 0, 0, gamma, 1, true)",
		Out: "dst", In: []string{"x", "y", "w"}, Scalars: []string{"oms", "hs", "al1", "al0", "gamma"},
		Steps: []Step{ExpNegLo, Log1p, SigNeg, FinishFocalPow}, Store: Loss,
		Tune: Tune{IL: map[string]int{"avx2": 2, "avx512": 2}},
	},
	{
		Name: "focalPowSum", Model: "loss, _ := mFocalElem(x[i], y[i], w[i], oms, hs, al1, al0, 0, 0, 0, 0, gamma, 1, true); acc[i%16] += float64(loss); acc[16+i%16] += float64(w[i])",
		In: []string{"x", "y", "w"}, Scalars: []string{"oms", "hs", "al1", "al0", "gamma"}, Acc: 32,
		Steps: []Step{ExpNegLo, Log1p, SigNeg, FinishFocalPow}, Accum: []Value{Loss, W},
		Tune: Tune{IL: map[string]int{"avx2": 2, "avx512": 2}},
	},
	{
		Name: "focalPowGrad", Model: "_, dst[i] = mFocalElem(x[i], y[i], w[i], oms, hs, al1, al0, 0, 0, 0, 0, gamma, scale, true)",
		Out: "dst", In: []string{"x", "y", "w"}, Scalars: []string{"oms", "hs", "al1", "al0", "gamma", "scale"},
		Steps: []Step{ExpNegLo, Log1p, SigNeg, FinishFocalPow}, Store: Grad,
		Tune: Tune{IL: map[string]int{"avx2": 2, "avx512": 2}},
	},
	{
		Name: "focalPowLossGrad", Model: "loss, g[i] = mFocalElem(x[i], y[i], w[i], oms, hs, al1, al0, 0, 0, 0, 0, gamma, scale, true); acc[i%16] += float64(loss)",
		Out: "g", In: []string{"x", "y", "w"}, Scalars: []string{"oms", "hs", "al1", "al0", "gamma", "scale"}, Acc: 16,
		Steps: []Step{ExpNegLo, Log1p, SigNeg, FinishFocalPow}, Store: Grad, Accum: []Value{Loss},
		Tune: Tune{IL: map[string]int{"avx2": 2, "avx512": 2}},
	},
	{
		Name: "focalLossAndGrad", Model: "loss[i], grad[i] = mFocalElem(x[i], y[i], w[i], oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma, scale, false)",
		Out: "loss", Out2: "grad", In: []string{"x", "y", "w"}, Scalars: []string{"oms", "hs", "al1", "al0", "ga1", "ga0", "gb1", "gb0", "gamma", "scale"},
		Steps: []Step{ExpNegLo, Log1p, SigNeg, FinishFocal}, Store: Loss, Store2: Grad,
		Tune: Tune{IL: map[string]int{"avx2": 2, "avx512": 2}},
	},
	{
		Name: "focalPowLossAndGrad", Model: "loss[i], grad[i] = mFocalElem(x[i], y[i], w[i], oms, hs, al1, al0, 0, 0, 0, 0, gamma, scale, true)",
		Out: "loss", Out2: "grad", In: []string{"x", "y", "w"}, Scalars: []string{"oms", "hs", "al1", "al0", "gamma", "scale"},
		Steps: []Step{ExpNegLo, Log1p, SigNeg, FinishFocalPow}, Store: Loss, Store2: Grad,
		Tune: Tune{IL: map[string]int{"avx2": 2, "avx512": 2}},
	},
}

// Has reports whether the kernel is made with step s.
func (k Kernel) Has(s Step) bool { return slices.Contains(k.Steps, s) }

// HasExp reports whether the kernel computes exp(-|x|) at all (sum16 does
// not: it only adds its input).
func (k Kernel) HasExp() bool { return k.Has(ExpNeg) || k.Has(ExpNegLo) }

// Wants reports whether v is stored or accumulated.
func (k Kernel) Wants(v Value) bool {
	return k.Store == v || k.Store2 == v || slices.Contains(k.Accum, v)
}

// HasIn reports whether name is one of the input slices.
func (k Kernel) HasIn(name string) bool { return slices.Contains(k.In, name) }

// HasScalar reports whether name is one of the float32 parameters.
func (k Kernel) HasScalar(name string) bool { return slices.Contains(k.Scalars, name) }

// Outs returns the output slices, Out then Out2, with what each receives.
func (k Kernel) Outs() (names []string, vals []Value) {
	if k.Out != "" {
		names, vals = append(names, k.Out), append(vals, k.Store)
	}
	if k.Out2 != "" {
		names, vals = append(names, k.Out2), append(vals, k.Store2)
	}
	return names, vals
}

// Slices returns every slice parameter, the outputs first.
func (k Kernel) Slices() []string {
	outs, _ := k.Outs()
	return append(outs, k.In...)
}

// Arg is one Go parameter.
type Arg struct{ Name, Type string }

// Args returns the Go parameters in order: the slices, the scalars, the
// accumulator.
func (k Kernel) Args() []Arg {
	var a []Arg
	for _, s := range k.Slices() {
		a = append(a, Arg{s, "[]float32"})
	}
	for _, s := range k.Scalars {
		a = append(a, Arg{s, "float32"})
	}
	if k.Acc > 0 {
		a = append(a, Arg{"acc", fmt.Sprintf("*[%d]float64", k.Acc)})
	}
	return a
}

// Params returns the Go parameter list with consecutive parameters of one
// type grouped, as gofmt'd code writes it: "dst, x, y []float32".
func (k Kernel) Params() string {
	var groups []string
	args := k.Args()
	for i := 0; i < len(args); {
		j := i
		var names []string
		for j < len(args) && args[j].Type == args[i].Type {
			names = append(names, args[j].Name)
			j++
		}
		groups = append(groups, strings.Join(names, ", ")+" "+args[i].Type)
		i = j
	}
	return strings.Join(groups, ", ")
}

// Call returns the argument list of a call passing the parameters on.
func (k Kernel) Call() string {
	var names []string
	for _, a := range k.Args() {
		names = append(names, a.Name)
	}
	return strings.Join(names, ", ")
}

// Check reports a row that no generator can build: a step missing for a
// wanted value or present for none, parameters out of order, an
// accumulator of the wrong size.
func (k Kernel) Check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("kernel %s: "+format, append([]any{k.Name}, args...)...)
	}
	if !subsequence(k.In, []string{"x", "y", "w", "pw"}) || len(k.In) == 0 || k.In[0] != "x" {
		return bad("inputs %v: want x, then any of y, w, pw in that order", k.In)
	}
	if !subsequence(k.Scalars, scalarOrder) {
		return bad("scalars %v: want any of %v in that order", k.Scalars, scalarOrder)
	}
	if (k.Out == "") != (k.Store == None) || (k.Out2 == "") != (k.Store2 == None) {
		return bad("an output slice needs a stored value and the other way round")
	}
	if k.Out2 != "" && (k.Out == "" || k.Store2 == k.Store) {
		return bad("a second output needs a first one, with another value")
	}
	if (k.YOne && (k.HasIn("y") || !k.Has(FinishPlain))) || (k.Negate && k.Out == "") {
		return bad("YOne is for a plain kernel without y, Negate for one with an output")
	}
	if k.Acc != 16*len(k.Accum) {
		return bad("%d accumulator lanes for %d accumulated values", k.Acc, len(k.Accum))
	}
	finishes := 0
	for _, s := range []Step{FinishPlain, FinishWeighted, FinishSigmoid, FinishFocal, FinishFocalPow} {
		if k.Has(s) {
			finishes++
		}
	}
	exps := 0
	for _, s := range []Step{ExpNeg, ExpNegLo} {
		if k.Has(s) {
			exps++
		}
	}
	if exps > 1 || finishes != exps {
		return bad("want one exp step and one finish, or neither")
	}
	if exps == 0 && (k.Store != None || len(k.Accum) != 1 || k.Accum[0] != X) {
		return bad("a kernel without steps only accumulates X")
	}
	// The NEON generator adds a second accumulated value in a second pass
	// over its input slice: only W can be one.
	if len(k.Accum) > 2 || (len(k.Accum) == 2 && k.Accum[1] != W) || (len(k.Accum) > 0 && k.Accum[0] == W) {
		return bad("accumulates %v: want one value, then at most W", k.Accum)
	}
	focal := k.Has(FinishFocal) || k.Has(FinishFocalPow)
	lossOrGrad := k.Has(FinishPlain) || k.Has(FinishWeighted) || focal
	for _, v := range append([]Value{k.Store, k.Store2}, k.Accum...) {
		ok := true
		switch v {
		case Loss:
			ok = lossOrGrad && k.Has(Log1p)
		case None:
		case Grad:
			ok = lossOrGrad && k.Has(ExpNegLo) && k.Has(SigNeg) && (k.Has(FinishPlain) || k.HasScalar("scale"))
		case Sigmoid:
			ok = k.Has(FinishSigmoid) && k.Has(ExpNegLo) && k.Has(SigNeg)
		case X:
			ok = exps == 0
		case W:
			ok = k.HasIn("w")
		}
		if !ok {
			return bad("the steps %v cannot give %v", k.Steps, v)
		}
	}
	// The focal finishes need the loss for the gradient and the sigmoid
	// for the loss (1-p_t): they take all three steps whatever they store.
	if focal && !(k.Has(ExpNegLo) && k.Has(Log1p) && k.Has(SigNeg)) {
		return bad("a focal finish needs ExpNegLo, Log1p and SigNeg")
	}
	if k.Has(Log1p) && !k.Wants(Loss) && !focal {
		return bad("Log1p with no loss wanted")
	}
	if k.Has(SigNeg) && !k.Wants(Grad) && !k.Wants(Sigmoid) && !focal {
		return bad("SigNeg with no gradient or sigmoid wanted")
	}
	if (k.Has(SigNeg) || k.Has(Log1p)) && !k.Has(ExpNegLo) {
		return bad("SigNeg and Log1p need ExpNegLo")
	}
	if k.Has(ExpNegLo) && !k.Has(SigNeg) && !k.Has(Log1p) {
		return bad("ExpNegLo with neither SigNeg nor Log1p")
	}
	if k.Has(FinishWeighted) && (!k.HasIn("y") || !k.HasIn("w") || !k.HasIn("pw") || !k.HasScalar("oms") || !k.HasScalar("hs")) {
		return bad("FinishWeighted needs y, w, pw, oms and hs")
	}
	if focal {
		need := []string{"oms", "hs", "al1", "al0", "gamma"}
		if k.Has(FinishFocal) {
			need = []string{"oms", "hs", "al1", "al0", "ga1", "ga0", "gb1", "gb0", "gamma"}
		}
		for _, s := range need {
			if !k.HasScalar(s) {
				return bad("a focal finish needs the scalars %v", need)
			}
		}
		if !k.HasIn("y") || !k.HasIn("w") || k.HasIn("pw") {
			return bad("a focal finish reads x, y and w")
		}
		if k.Wants(Grad) && !k.HasScalar("scale") {
			return bad("a focal gradient needs scale")
		}
	}
	return nil
}

// scalarOrder is the order of the float32 parameters of every kernel.
var scalarOrder = []string{"oms", "hs", "al1", "al0", "ga1", "ga0", "gb1", "gb0", "gamma", "scale"}

// CheckAll checks every row of Kernels and Paths; the generators refuse to
// run on a table that fails it.
func CheckAll() error {
	seen := map[string]bool{}
	for _, k := range Kernels {
		if err := k.Check(); err != nil {
			return err
		}
		if seen[k.Name] {
			return fmt.Errorf("kernel %s listed twice", k.Name)
		}
		seen[k.Name] = true
	}
	seen = map[string]bool{}
	for _, p := range Paths {
		if seen[p.Name] || seen[p.Suffix] || seen[p.Const] {
			return fmt.Errorf("path %s: name, suffix or constant listed twice", p.Name)
		}
		seen[p.Name], seen[p.Suffix], seen[p.Const] = true, true, true
	}
	return nil
}

// subsequence reports whether s lists elements of order, each once, in
// order.
func subsequence(s, order []string) bool {
	last := -1
	for _, e := range s {
		i := slices.Index(order, e)
		if i <= last {
			return false
		}
		last = i
	}
	return true
}

// Value names, for Check's messages.
func (v Value) String() string {
	return [...]string{"None", "Loss", "Grad", "Sigmoid", "X", "W"}[v]
}

// Path is one SIMD implementation. Paths lists them per GOARCH best first:
// the order in which archPaths offers them.
type Path struct {
	Name   string // Path(), SetPath and BCE_PATH name it so (dispatch.go's pathNames)
	GOARCH string
	Suffix string // of the assembly functions: lossAVX2
	Const  string // the pathID constant of dispatch.go
	CPU    string // Go expression over golang.org/x/sys/cpu: the CPU can run it
}

// Paths is the table of SIMD paths.
var Paths = []Path{
	{Name: "avx512", GOARCH: "amd64", Suffix: "AVX512", Const: "pathAVX512",
		CPU: "cpu.X86.HasAVX && cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ"},
	{Name: "avx2", GOARCH: "amd64", Suffix: "AVX2", Const: "pathAVX2",
		CPU: "cpu.X86.HasAVX && cpu.X86.HasAVX2 && cpu.X86.HasFMA"},
	// ASIMD is part of every ARMv8-A CPU; it is checked anyway.
	{Name: "neon", GOARCH: "arm64", Suffix: "NEON", Const: "pathNEON",
		CPU: "cpu.ARM64.HasASIMD"},
}

// PathsOf returns the paths of goarch, best first.
func PathsOf(goarch string) []Path {
	var ps []Path
	for _, p := range Paths {
		if p.GOARCH == goarch {
			ps = append(ps, p)
		}
	}
	return ps
}

// Arches returns the GOARCHes that have SIMD paths, in table order.
func Arches() []string {
	var as []string
	for _, p := range Paths {
		if !slices.Contains(as, p.GOARCH) {
			as = append(as, p.GOARCH)
		}
	}
	return as
}
