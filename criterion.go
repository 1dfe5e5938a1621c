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
// Every method checks its arguments once per call and panics with a message
// naming the method before writing anything: the slice lengths, len(Weight)
// equal to n when Weight is not nil, len(PosWeight) dividing n, every
// PosWeight entry finite and >= 0, LabelSmoothing in [0,1] and a known
// Reduction. The per-element targets and weights are not checked.
type Criterion struct {
	Weight         []float32 // per-element weights, len n; nil means all 1; exactly 0 masks an element out
	PosWeight      []float32 // per-class weight on the positive term, len C dividing n; element i is class i % C; nil (or empty) means all 1
	LabelSmoothing float32   // s in [0,1]: targets become y(1-s) + s/2 (Keras)
	Reduction      Reduction
	GradScale      float32 // multiplies every gradient written; 0 means 1
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
	var b wbuf
	for lo, n := 0, len(logits); lo < n; {
		hi, w, pw := b.next(&c, lo, n)
		wlossKernel(cur, dst[lo:hi], logits[lo:hi], targets[lo:hi], w, pw, oms, hs)
		lo = hi
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
	var b wbuf
	for lo := 0; lo < n; {
		hi, w, pw := b.next(&c, lo, n)
		wsumKernel(cur, logits[lo:hi], targets[lo:hi], w, pw, oms, hs, &acc)
		lo = hi
	}
	lanes := (*[16]float64)(acc[:16])
	wlanes := (*[16]float64)(acc[16:])
	return c.reduced(fold16(lanes), fold16(wlanes), n)
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
	var b wbuf
	for lo, n := 0, len(logits); lo < n; {
		hi, w, pw := b.next(&c, lo, n)
		wgradKernel(cur, dst[lo:hi], logits[lo:hi], targets[lo:hi], w, pw, oms, hs, scale)
		lo = hi
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
	var b wbuf
	for lo := 0; lo < n; {
		hi, w, pw := b.next(&c, lo, n)
		wlossGradKernel(cur, grad[lo:hi], logits[lo:hi], targets[lo:hi], w, pw, oms, hs, scale, &acc)
		lo = hi
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
}

// wchunk is the most elements one weighted kernel call processes: the size of
// the stack buffers that stand in for a nil Weight and that lay PosWeight out
// per element. It is a multiple of 16 (see chunk).
const wchunk = 2048

// wbuf feeds the weighted kernels per-element weight and positive-weight
// slices of the chunk's length, so that every kernel on every path reads both
// the same way. It lives on the caller's stack: the kernels allocate nothing.
type wbuf struct {
	ones    [wchunk]float32
	nones   int // ones[:nones] holds 1s
	cls     [wchunk]float32
	clsFrom int // cls holds the classes of a chunk starting at class clsFrom-1 (0: not filled)
	clsLen  int
}

// next returns the end of the chunk that starts at lo and that chunk's weights
// and positive weights.
func (b *wbuf) next(c *Criterion, lo, n int) (hi int, w, pw []float32) {
	m := wchunk
	C := len(c.PosWeight)
	if C > 0 {
		// A chunk length that is a multiple of lcm(C, 16) makes every chunk
		// start at class 0 (and lane 0), so the class pattern is laid out
		// once per call.
		if l := lcm16(C); l <= wchunk {
			m = wchunk / l * l
		}
	}
	hi = min(n, lo+m)
	m = hi - lo
	if c.Weight != nil {
		w = c.Weight[lo:hi]
	} else {
		w = b.fillOnes(m)
	}
	if C == 0 {
		pw = b.fillOnes(m)
	} else {
		start := lo % C
		if b.clsFrom != start+1 || b.clsLen < m {
			for j, k := 0, start; j < m; k = 0 {
				j += copy(b.cls[j:m], c.PosWeight[k:])
			}
			b.clsFrom, b.clsLen = start+1, m
		}
		pw = b.cls[:m]
	}
	return hi, w, pw
}

func (b *wbuf) fillOnes(m int) []float32 {
	for ; b.nones < m; b.nones++ {
		b.ones[b.nones] = 1
	}
	return b.ones[:m]
}

// lcm16 returns the least common multiple of C and 16.
func lcm16(C int) int {
	g := 16
	for a := C; a != 0; {
		g, a = a, g%a
	}
	return C / g * 16
}
