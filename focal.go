package bce

import (
	"fmt"
	"math"
)

// Focal is the sigmoid focal loss (T.-Y. Lin, P. Goyal, R. Girshick, K. He
// and P. Dollár, "Focal Loss for Dense Object Detection", ICCV 2017) with the
// semantics of torchvision's sigmoid_focal_loss. Per element, with the
// (smoothed) target y', p = sigmoid(x), w = Weight[i] and
// ce = the binary cross-entropy with logits at y':
//
//	p_t     = p*y' + (1-p)*(1-y')
//	alpha_t = Alpha*y' + (1-Alpha)*(1-y')   (1 when Alpha is 0)
//	loss_i  = w * alpha_t * ce * (1-p_t)^Gamma
//	grad_i  = d(loss_i)/dx * GradScale
//	        = w * alpha_t * ((1-p_t)^Gamma * (p-y') + Gamma*(1-p_t)^(Gamma-1) * (1-2y')*p*(1-p) * ce) * GradScale
//
// alpha_t and p_t use the smoothed target, as Keras' BinaryFocalCrossentropy
// does. Unlike torchvision, whose default is alpha=0.25, the zero Focal has
// no alpha weighting: Alpha = 0 means alpha_t = 1 (torchvision's alpha=-1),
// and Focal{} is the plain BCE. Focal{Gamma: 0} (Alpha 0) is
// Criterion{Weight, LabelSmoothing, Reduction, GradScale} bit for bit.
//
// How it is computed: 1-p_t = y'*sigmoid(-x) + (1-y')*sigmoid(x), both
// sigmoids from the one e = exp(-|x|), so nothing cancels for y' in [0,1];
// for Gamma 1 and 2 the modulating factor (1-p_t)^Gamma is one or two
// multiplications, for every other Gamma exp(Gamma*log(1-p_t)); the
// gradient's Gamma*(1-p_t)^(Gamma-1)*p*(1-p) is evaluated as
// Gamma*(1-p_t)^Gamma * (p*(1-p)/(1-p_t)), where p*(1-p) <= 1-p_t, so it
// stays finite for Gamma < 1 and is 0 where 1-p_t is 0 (0^0 is 1).
//
// Accuracy: per element, against the float64 reference from the same
// float32 inputs (y' and alpha_t as the kernels compute them, see below),
// wherever that reference is finite and below MaxFloat32,
//
//	|loss - ref| <= 1e-5*|ref| + 2^-126
//	|grad - ref| <= 1e-5*S + 2^-126
//
// where S is the sum of the magnitudes of the gradient's terms,
// |w*alpha_t*GradScale| * ((1-p_t)^Gamma * (1-p_t) + |D*ce*(1-2y')|) with
// D = Gamma*(1-p_t)^(Gamma-1)*p*(1-p) (the gradient crosses zero for soft
// targets, where a relative bound means nothing). Measured over 2^19
// sampled logits (every float32 exponent, both signs, 1024 mantissas per
// binade), hard and soft targets, Gamma in {0, 0.5, 1, 2, 3.7} and Alpha in
// {0, 0.25} (TestFocalAccuracy), in units of the relative error: the SIMD
// paths (avx2 and avx512 measured, and their scalar model, which every SIMD
// path reproduces bit for bit) within 4.9e-7 for the loss and 4.3e-7 for
// the gradient at Gamma 0, 0.5, 1 and 2, and 3.7e-6 for both at Gamma 3.7;
// the generic path within 2.1e-7 and 2.7e-7.
//
// The bound on exp(Gamma*log(1-p_t)): the SIMD paths round the argument
// t = Gamma*log(1-p_t) to float32 before the exp, which gives the factor a
// relative error of about |t|*2^-24 (plus the log's and the exp's own, a few
// units of 2^-24); measured over 1-p_t on every float32 exponent and Gamma
// from 0.25 to 50 (TestFocalPowFactor), at most 1.92*(|t|+1)*2^-24, and
// 8.7e-6 in all: the factor is a normal
// float32 only for |t| < 87.4, so this holds for every Gamma. Below
// that the factor is computed to an absolute 2^-149 (and raised to 2^-149
// for a non-integer Gamma), which adds at most 2^-148*|w*alpha_t|*(1+ce) to
// a loss and 2^-148*|w*alpha_t*GradScale|*(1+Gamma*ce) to a gradient: that
// shows only where a target lies within about 2^(-126/Gamma) of the right
// label at a large logit, or for weights far above 1.
//
// alpha_t is computed as fma(y', 2*Alpha-1, 1-Alpha) with both constants
// rounded to float32 (exact for Alpha in [0.25, 1) when 1-Alpha is a
// float32; for other Alpha the rounding gives alpha_t an absolute error up
// to 2^-25, which the bound above treats as part of the inputs, as it does
// y').
//
// Edges: at x = ±Inf the loss and gradient are the limits where they exist:
// a right hard label gives 0 and 0, a wrong one +Inf and ±w*alpha_t*GradScale
// (times 1-p_t = 1), a soft target +Inf and the finite limit of the
// gradient. NaN in (logit, target or weight) gives NaN out. A weight of
// exactly 0 masks its element: loss and gradient exactly +0 whatever the
// other inputs. Targets outside [0,1] are computed by the formula without
// clamping: 1-p_t may then leave [0,1], and for a non-integer Gamma a
// 1-p_t outside [0,1] gives NaN (as a power of a negative number would);
// an infinite target gives NaN. As for Criterion, a result overflows to
// ±Inf where an intermediate product does in float32 (a huge weight or
// GradScale), it loses precision where w*alpha_t or w*alpha_t*GradScale is
// below the float32 normal range (2^-126) but not 0 (the bound above holds
// where both are normal), and the per-element targets and weights are not
// checked.
//
// Every method checks its arguments once per call and panics before
// writing anything, naming the method and the value: Gamma negative, NaN or
// ±Inf; Alpha outside [0,1); the slice lengths; and Weight, LabelSmoothing,
// Reduction and GradScale as Criterion checks them. The methods do not
// allocate and may be called concurrently.
type Focal struct {
	Gamma          float32   // focusing parameter, finite and >= 0; 0 gives the alpha-weighted BCE
	Alpha          float32   // in (0,1): positives weigh Alpha, negatives 1-Alpha; 0 means no alpha weighting (torchvision's alpha=-1)
	Weight         []float32 // per-element weights as in Criterion; exactly 0 masks an element
	LabelSmoothing float32   // as in Criterion
	Reduction      Reduction // as in Criterion
	GradScale      float32   // as in Criterion; 0 means 1
	Goroutines     int       // as in Criterion: at most this many goroutines per call
}

// Loss writes the focal loss of every element.
func (f Focal) Loss(dst, logits, targets []float32) {
	checkLen3("Focal.Loss", "dst", "logits", "targets", len(dst), len(logits), len(targets))
	c := f.check("Focal.Loss", len(logits))
	if f.isBCE() {
		c.Loss(dst, logits, targets)
		return
	}
	c.exec(len(logits), &wop{kind: opFocalLoss, out: dst, x: logits, y: targets, fk: f.scalars()}, nil)
}

// Reduce returns the focal losses reduced by f.Reduction, accumulated in
// float64 in the fixed order of the package documentation and rounded once,
// with Criterion.Reduce's results for empty inputs and zero weight sums.
func (f Focal) Reduce(logits, targets []float32) float32 {
	checkLen2("Focal.Reduce", "logits", "targets", len(logits), len(targets))
	c := f.check("Focal.Reduce", len(logits))
	if f.isBCE() {
		return c.Reduce(logits, targets)
	}
	n := len(logits)
	var acc lanes
	c.exec(n, &wop{kind: opFocalSum, x: logits, y: targets, fk: f.scalars()}, &acc)
	var wsum float64
	if f.Reduction == ReduceWeightMean {
		wsum = fold16(acc.hi())
	}
	return c.reduced(fold16(acc.lo()), wsum, n)
}

// Grad writes the gradient of every element's focal loss with respect to
// its logit, times GradScale.
func (f Focal) Grad(dst, logits, targets []float32) {
	checkLen3("Focal.Grad", "dst", "logits", "targets", len(dst), len(logits), len(targets))
	c := f.check("Focal.Grad", len(logits))
	if f.isBCE() {
		c.Grad(dst, logits, targets)
		return
	}
	c.exec(len(logits), &wop{kind: opFocalGrad, out: dst, x: logits, y: targets, scale: c.gradScale(), fk: f.scalars()}, nil)
}

// LossGrad returns Reduce and writes the gradient of that reduced loss with
// respect to every logit, times GradScale, in one pass over the data; the
// reduction's divisor enters the gradient as in Criterion.LossGrad, as a
// multiplication by float32(GradScale/divisor), and ReduceWeightMean reads
// Weight once more first for the sum of the weights.
func (f Focal) LossGrad(grad, logits, targets []float32) float32 {
	checkLen3("Focal.LossGrad", "grad", "logits", "targets", len(grad), len(logits), len(targets))
	c := f.check("Focal.LossGrad", len(logits))
	if f.isBCE() {
		return c.LossGrad(grad, logits, targets)
	}
	n := len(logits)
	gs := float64(c.gradScale())
	var wsum float64
	switch f.Reduction {
	case ReduceMean:
		gs /= float64(n)
	case ReduceWeightMean:
		wsum = c.weightSum(n)
		gs /= wsum
	}
	var acc lanes
	c.exec(n, &wop{kind: opFocalLossGrad, out: grad, x: logits, y: targets, scale: float32(gs), fk: f.scalars()}, &acc)
	return c.reduced(fold16(acc.lo()), wsum, n)
}

// LossAndGrad writes the focal loss and the gradient of every element's
// focal loss times GradScale in one pass over memory: the bits that Loss
// and Grad write separately. It ignores Reduction (it is per element, like
// Loss and Grad). Either output may be the same slice as logits or targets;
// the same non-empty slice for loss and grad panics.
func (f Focal) LossAndGrad(loss, grad, logits, targets []float32) {
	checkLen4("Focal.LossAndGrad", "loss", "grad", "logits", "targets", len(loss), len(grad), len(logits), len(targets))
	checkDistinct("Focal.LossAndGrad", loss, grad)
	c := f.check("Focal.LossAndGrad", len(logits))
	if f.isBCE() {
		c.LossAndGrad(loss, grad, logits, targets)
		return
	}
	c.exec(len(logits), &wop{kind: opFocalLossAndGrad, out: loss, out2: grad, x: logits, y: targets, scale: c.gradScale(), fk: f.scalars()}, nil)
}

// check panics on a bad argument, naming fn, and returns the Criterion
// that f shares its weights, smoothing, reduction and gradient scale with.
func (f *Focal) check(fn string, n int) Criterion {
	if g := f.Gamma; !(g >= 0 && g <= math.MaxFloat32) {
		panic(fmt.Sprintf("bce.%s: Gamma = %v, want finite and >= 0", fn, g))
	}
	if a := f.Alpha; !(a >= 0 && a < 1) {
		panic(fmt.Sprintf("bce.%s: Alpha = %v, want it in [0,1)", fn, a))
	}
	c := Criterion{Weight: f.Weight, LabelSmoothing: f.LabelSmoothing, Reduction: f.Reduction, GradScale: f.GradScale, Goroutines: f.Goroutines}
	c.check(fn, n)
	return c
}

// isBCE reports whether f is the unmodulated, unweighted-by-alpha loss,
// which Criterion computes with the same formula (and defines the bits).
func (f *Focal) isBCE() bool { return f.Gamma == 0 && f.Alpha == 0 }

// focalScalars are the kernels' float32 constants (see mFocalElem in
// model_test.go): the smoothing (oms, hs), alpha_t = fma(y', al1, al0), and
// for an integer Gamma the selectors of the modulating factor's two
// multiplications fa = fma(ga1, q, ga0) and fb = fma(gb1, q, gb0), each
// exactly q or 1.
type focalScalars struct {
	oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma float32
	pow                                          bool
}

func (f *Focal) scalars() focalScalars {
	k := focalScalars{oms: 1 - f.LabelSmoothing, hs: f.LabelSmoothing / 2, al1: 0, al0: 1, gamma: f.Gamma}
	if f.Alpha != 0 {
		// alpha_t = Alpha*y' + (1-Alpha)*(1-y') = (2*Alpha-1)*y' + (1-Alpha).
		k.al1, k.al0 = 2*f.Alpha-1, 1-f.Alpha
	}
	switch f.Gamma {
	case 0:
		k.ga1, k.ga0, k.gb1, k.gb0 = 0, 1, 0, 1
	case 1:
		k.ga1, k.ga0, k.gb1, k.gb0 = 1, 0, 0, 1
	case 2:
		k.ga1, k.ga0, k.gb1, k.gb0 = 1, 0, 1, 0
	default:
		k.pow = true
	}
	return k
}
