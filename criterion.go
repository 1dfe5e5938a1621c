package bce

import (
	"fmt"
	"math"
)

// Reduction says how Criterion.Reduce and Criterion.LossGrad reduce the
// per-element losses to one number.
type Reduction uint8

const (
	ReduceMean       Reduction = iota // sum of losses / n (PyTorch's mean); the zero value
	ReduceSum                         // sum of losses
	ReduceWeightMean                  // sum of losses / sum of weights (sklearn's weighted mean)
)

// String returns the constant's name.
func (r Reduction) String() string {
	switch r {
	case ReduceMean:
		return "ReduceMean"
	case ReduceSum:
		return "ReduceSum"
	case ReduceWeightMean:
		return "ReduceWeightMean"
	}
	return fmt.Sprintf("Reduction(%d)", uint8(r))
}

// Criterion is the weighted binary cross-entropy with logits, with the
// semantics of PyTorch's BCEWithLogitsLoss. For element i of class
// c = i % len(PosWeight), with w = Weight[i], p = PosWeight[c] and the
// (smoothed) target y:
//
//	loss_i = w * (p*y*softplus(-x) + (1-y)*softplus(x))
//	       = w * ((1-y)*relu(x) + p*y*relu(-x) + (1 + (p-1)*y)*log1p(exp(-|x|)))
//	grad_i = w * ((1-y)*sigmoid(x) - p*y*sigmoid(-x)) * GradScale
//
// The second form of each is the one computed: for y in [0,1] and p >= 0
// every term is non-negative, and both sigmoids come from the same
// e = exp(-|x|), so no avoidable cancellation happens.
//
// A weight of exactly 0 (either sign) masks its element out: that element's
// loss and gradient are exactly +0 whatever its logit and target, Inf and NaN
// included, so padding cannot poison a batch. This is the one exception to
// "NaN in, NaN out"; a NaN weight gives NaN. Negative weights are not checked
// and follow the formula.
//
// Both are evaluated in float32 as w*(c*|x| + k*log1p(exp(-|x|))) and
// (w*GradScale)*g, so a result is ±Inf where the bracket c*|x| + k*L
// overflows (|x| above MaxFloat32/p) or where w*GradScale does, and it loses
// precision where w*GradScale, or the coefficient p*y' of a negative logit,
// is below the normal range (2^-126) but not 0.
//
// With label smoothing s the kernels use the float32 target
// y' = fma(y, float32(1-s), s/2), rounded once; the accuracy bounds refer to
// that y'. The zero Criterion is the plain loss: Mean is Criterion{}.Reduce,
// Sum is Criterion{Reduction: ReduceSum}.Reduce, and Grad and LossGrad
// likewise, bit for bit.
//
// GradScale multiplies every gradient as written: 0 means 1, and a negative
// scale negates the gradients (a masked element's stays +0), which is what
// gradient ascent or a loss entering with a minus sign needs.
//
// Every method checks its arguments once per call and panics with a message
// naming the method and the value before writing anything: the slice
// lengths, len(Weight) equal to n when Weight is not nil, len(PosWeight)
// dividing n, every PosWeight entry finite and >= 0, LabelSmoothing in
// [0,1], a known Reduction and a finite GradScale. The per-element targets
// and weights are not checked. For targets outside [0,1] the methods compute
// what the package documentation says of them; an infinite target gives NaN
// here (for an unmasked element), where the plain functions give ±Inf,
// because k = 1 + (p-1)*y' is then Inf - Inf.
type Criterion struct {
	Weight         []float32 // per-element weights, len n; nil means all 1; exactly 0 masks an element out
	PosWeight      []float32 // per-class weight on the positive term, len C dividing n; element i is class i % C; nil (or empty) means all 1
	LabelSmoothing float32   // s in [0,1]: targets become y(1-s) + s/2 (Keras)
	Reduction      Reduction
	GradScale      float32 // multiplies every gradient written; 0 means 1; negative negates; NaN and ±Inf panic
}

// Loss writes the weighted loss of every element.
func (c Criterion) Loss(dst, logits, targets []float32) {
	checkLen3("Criterion.Loss", "dst", "logits", "targets", len(dst), len(logits), len(targets))
	c.check("Criterion.Loss", len(logits))
	if c.plain() {
		Loss(dst, logits, targets)
		return
	}
	oms, hs := c.smoothing()
	if w, pw, ok := c.single(len(logits)); ok {
		wlossKernel(cur, dst, logits, targets, w, pw, oms, hs)
	} else {
		it := c.chunks(len(logits))
		switch it.bufLen {
		case wsmall:
			var b [wsmall]float32
			it.buf = b[:]
		case wchunk:
			var b [wchunk]float32
			it.buf = b[:]
		}
		for it.more() {
			lo, hi, w, pw := it.next()
			wlossKernel(cur, dst[lo:hi], logits[lo:hi], targets[lo:hi], w, pw, oms, hs)
		}
	}
}

// Reduce returns the losses reduced by c.Reduction, accumulated in float64 in
// the fixed order of the package documentation and rounded once. An empty
// input gives 0 for ReduceSum and NaN for the means; ReduceWeightMean is NaN
// when every weight is 0 and ±Inf when the weights sum to 0 otherwise.
func (c Criterion) Reduce(logits, targets []float32) float32 {
	checkLen2("Criterion.Reduce", "logits", "targets", len(logits), len(targets))
	c.check("Criterion.Reduce", len(logits))
	n := len(logits)
	if c.plain() && c.Reduction != ReduceWeightMean {
		return c.reduced(sumLosses("Criterion.Reduce", logits, targets), 0, n)
	}
	oms, hs := c.smoothing()
	var acc [32]float64
	if w, pw, ok := c.single(n); ok {
		wsumKernel(cur, logits, targets, w, pw, oms, hs, &acc)
	} else {
		it := c.chunks(n)
		switch it.bufLen {
		case wsmall:
			var b [wsmall]float32
			it.buf = b[:]
		case wchunk:
			var b [wchunk]float32
			it.buf = b[:]
		}
		for it.more() {
			lo, hi, w, pw := it.next()
			wsumKernel(cur, logits[lo:hi], targets[lo:hi], w, pw, oms, hs, &acc)
		}
	}
	var wsum float64
	if c.Reduction == ReduceWeightMean {
		wsum = fold16((*[16]float64)(acc[16:]))
	}
	return c.reduced(fold16((*[16]float64)(acc[:16])), wsum, n)
}

// Grad writes the gradient of every element's weighted loss with respect to
// its logit, times GradScale.
func (c Criterion) Grad(dst, logits, targets []float32) {
	checkLen3("Criterion.Grad", "dst", "logits", "targets", len(dst), len(logits), len(targets))
	c.check("Criterion.Grad", len(logits))
	scale := c.gradScale()
	if c.plain() && scale == 1 {
		Grad(dst, logits, targets)
		return
	}
	oms, hs := c.smoothing()
	if w, pw, ok := c.single(len(logits)); ok {
		wgradKernel(cur, dst, logits, targets, w, pw, oms, hs, scale)
	} else {
		it := c.chunks(len(logits))
		switch it.bufLen {
		case wsmall:
			var b [wsmall]float32
			it.buf = b[:]
		case wchunk:
			var b [wchunk]float32
			it.buf = b[:]
		}
		for it.more() {
			lo, hi, w, pw := it.next()
			wgradKernel(cur, dst[lo:hi], logits[lo:hi], targets[lo:hi], w, pw, oms, hs, scale)
		}
	}
}

// LossGrad returns Reduce and writes the gradient of that reduced loss with
// respect to every logit, times GradScale, in one pass over the data. The
// reduction's divisor enters the gradient as a multiplication by
// float32(GradScale/divisor). ReduceWeightMean needs the sum of the weights
// before the first gradient is written, so it reads Weight once more first.
// With ReduceSum and GradScale = 1/global_batch, a training loop accumulates
// the gradients of micro-batches exactly as if it had one batch.
func (c Criterion) LossGrad(grad, logits, targets []float32) float32 {
	checkLen3("Criterion.LossGrad", "grad", "logits", "targets", len(grad), len(logits), len(targets))
	c.check("Criterion.LossGrad", len(logits))
	n := len(logits)
	gs := float64(c.gradScale())
	var wsum float64
	switch c.Reduction {
	case ReduceMean:
		gs /= float64(n)
	case ReduceWeightMean:
		wsum = c.weightSum(n)
		gs /= wsum
	}
	scale := float32(gs)
	var acc [16]float64
	if c.plain() && c.Reduction != ReduceWeightMean {
		for lo := 0; lo < n; {
			hi := min(n, lo+chunk)
			lossGradKernel(cur, grad[lo:hi], logits[lo:hi], targets[lo:hi], scale, &acc)
			lo = hi
		}
		return c.reduced(fold16(&acc), wsum, n)
	}
	oms, hs := c.smoothing()
	if w, pw, ok := c.single(n); ok {
		wlossGradKernel(cur, grad, logits, targets, w, pw, oms, hs, scale, &acc)
	} else {
		it := c.chunks(n)
		switch it.bufLen {
		case wsmall:
			var b [wsmall]float32
			it.buf = b[:]
		case wchunk:
			var b [wchunk]float32
			it.buf = b[:]
		}
		for it.more() {
			lo, hi, w, pw := it.next()
			wlossGradKernel(cur, grad[lo:hi], logits[lo:hi], targets[lo:hi], w, pw, oms, hs, scale, &acc)
		}
	}
	return c.reduced(fold16(&acc), wsum, n)
}

// plain reports whether c is the unweighted loss, which the package-level
// kernels compute faster and with the same bits.
func (c *Criterion) plain() bool {
	return c.Weight == nil && len(c.PosWeight) == 0 && c.LabelSmoothing == 0
}

func (c *Criterion) gradScale() float32 {
	if c.GradScale == 0 {
		return 1
	}
	return c.GradScale
}

// smoothing returns the constants of the smoothed target
// y' = fma(y, 1-s, s/2); s = 0 gives y' = y exactly.
func (c *Criterion) smoothing() (oms, hs float32) {
	s := c.LabelSmoothing
	return 1 - s, s / 2
}

func (c *Criterion) reduced(sum, wsum float64, n int) float32 {
	switch c.Reduction {
	case ReduceSum:
		return float32(sum)
	case ReduceWeightMean:
		return float32(sum / wsum)
	}
	return float32(sum / float64(n))
}

// weightSum returns the sum of the weights in the reductions' fixed order.
func (c *Criterion) weightSum(n int) float64 {
	if c.Weight == nil {
		return float64(n)
	}
	var acc [16]float64
	for w := c.Weight; len(w) > 0; {
		m := min(len(w), chunk)
		sum16Kernel(cur, w[:m], &acc)
		w = w[m:]
	}
	return fold16(&acc)
}

func (c *Criterion) check(fn string, n int) {
	if c.Weight != nil && len(c.Weight) != n {
		panic(fmt.Sprintf("bce.%s: len(Weight) = %d, want len(logits) = %d", fn, len(c.Weight), n))
	}
	if C := len(c.PosWeight); C > 0 {
		if n%C != 0 {
			panic(fmt.Sprintf("bce.%s: len(PosWeight) = %d does not divide len(logits) = %d", fn, C, n))
		}
		for j, p := range c.PosWeight {
			if !(p >= 0 && p <= math.MaxFloat32) {
				panic(fmt.Sprintf("bce.%s: PosWeight[%d] = %v, want finite and >= 0", fn, j, p))
			}
		}
	}
	if s := c.LabelSmoothing; !(s >= 0 && s <= 1) {
		panic(fmt.Sprintf("bce.%s: LabelSmoothing = %v, want it in [0,1]", fn, s))
	}
	if c.Reduction > ReduceWeightMean {
		panic(fmt.Sprintf("bce.%s: unknown %v", fn, c.Reduction))
	}
	if g := c.GradScale; g-g != 0 { // NaN or ±Inf
		panic(fmt.Sprintf("bce.%s: GradScale = %v, want finite", fn, g))
	}
}

// wchunk is the most elements one weighted kernel call processes, and so
// the longest weight and positive-weight slices a call needs. It is a
// multiple of 16 (see chunk).
const wchunk = 2048

// wsmall is the length of the smaller buffer for laying out PosWeight per
// element, used when the chunks are this short or shorter (short inputs):
// Go zeroes a stack buffer where it is declared, and zeroing the 8 KiB of a
// wchunk buffer costs more than the kernel call on a short input.
const wsmall = 256

// onesBuf holds wchunk 1s: the weights that stand in for a nil Weight and
// the positive weights for a nil PosWeight. It is written once, at
// initialization, and only read after that (the kernels never write their
// weights), so concurrent calls share it safely.
var onesBuf = func() (b [wchunk]float32) {
	for i := range b {
		b[i] = 1
	}
	return b
}()

// single returns the weights and positive weights of a call that is one
// chunk needing no buffer (at most wchunk elements, and PosWeight empty or
// one per element), the common case of short inputs, which then skips the
// chunk walk.
func (c *Criterion) single(n int) (w, pw []float32, ok bool) {
	if C := len(c.PosWeight); n > wchunk || C != 0 && C != n {
		return nil, nil, false
	}
	w, pw = onesBuf[:n], onesBuf[:n]
	if c.Weight != nil {
		w = c.Weight
	}
	if len(c.PosWeight) != 0 {
		pw = c.PosWeight
	}
	return w, pw, true
}

// wchunks walks the chunks [lo, hi) of a weighted call, each with its
// per-element weights and positive weights of length hi-lo, so that every
// kernel on every path reads both the same way. The weights are slices of
// c.Weight or of onesBuf, the positive weights slices of c.PosWeight or of
// onesBuf where that suffices; otherwise the class pattern is laid out in
// buf, which the caller declares on its own stack with bufLen elements (0,
// wsmall or wchunk) after Criterion.chunks: a buffer declared in a callee
// would not outlive it, and one declared unconditionally would be zeroed on
// every call, which cost about 200 ns per call with the 16 KiB this package
// used to zero.
type wchunks struct {
	c                  *Criterion
	n, m, lo           int
	bufLen             int
	buf                []float32
	filledFrom, filled int // buf[:filled] holds the classes from class filledFrom on (filled = 0: nothing)
}

// chunks returns the walk over n elements: chunks of wchunk elements, or with
// C classes of the largest multiple of lcm(C, 16) up to wchunk when there is
// one, which makes every chunk start at class 0 (and lane 0) so that the
// class pattern is laid out once per call. A buffer is needed only when
// 0 < C < n; a short one when the chunks are at most wsmall long.
func (c *Criterion) chunks(n int) wchunks {
	it := wchunks{c: c, n: n, m: wchunk}
	if C := len(c.PosWeight); C > 0 {
		if l := lcm16(C); l <= wchunk {
			it.m = wchunk / l * l
		}
		if C < n {
			it.bufLen = wchunk
			if min(it.m, n) <= wsmall {
				it.bufLen = wsmall
			}
		}
	}
	return it
}

func (it *wchunks) more() bool { return it.lo < it.n }

// next returns the next chunk and its weights and positive weights.
func (it *wchunks) next() (lo, hi int, w, pw []float32) {
	c := it.c
	lo = it.lo
	hi = min(it.n, lo+it.m)
	it.lo = hi
	k := hi - lo
	w = onesBuf[:k]
	if c.Weight != nil {
		w = c.Weight[lo:hi]
	}
	C := len(c.PosWeight)
	if C == 0 {
		return lo, hi, w, onesBuf[:k]
	}
	start := lo % C
	if start+k <= C {
		// One run of classes: no copy.
		return lo, hi, w, c.PosWeight[start : start+k]
	}
	if it.filledFrom != start || it.filled < k {
		for j, cl := 0, start; j < k; cl = 0 {
			j += copy(it.buf[j:k], c.PosWeight[cl:])
		}
		it.filledFrom, it.filled = start, k
	}
	return lo, hi, w, it.buf[:k]
}

// lcm16 returns the least common multiple of C and 16.
func lcm16(C int) int {
	g := 16
	for a := C; a != 0; {
		g, a = a, g%a
	}
	return C / g * 16
}
