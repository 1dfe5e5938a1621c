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
// semantics of PyTorch's BCEWithLogitsLoss. For element i, with
// p = PosWeight[i % len(PosWeight)], the weight
// w = Weight[i] * ClassWeight[i % len(ClassWeight)] (the product rounded
// once to float32; a nil Weight or ClassWeight contributes 1s) and the
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
// ClassWeight broadcasts like PyTorch's weight of shape [C] over outputs
// laid out class-fastest, without expanding it to n by hand; PosWeight and
// ClassWeight may have different lengths. ReduceWeightMean divides by the
// float64 sum of the products w, in the fixed order.
//
// A weight of exactly 0 (either sign) masks its element out: that element's
// loss and gradient are exactly +0 whatever its logit and target, Inf and NaN
// included, so padding cannot poison a batch. A product Weight[i] *
// ClassWeight[c] that is exactly 0 (a ClassWeight entry of 0, or an
// underflow) masks the element too. This is the one exception to
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
// and len(ClassWeight) dividing n, every PosWeight and ClassWeight entry
// finite and >= 0, LabelSmoothing in
// [0,1], a known Reduction and a finite GradScale. The per-element targets
// and weights are not checked. For targets outside [0,1] the methods compute
// what the package documentation says of them; an infinite target gives NaN
// here (for an unmasked element), where the plain functions give ±Inf,
// because k = 1 + (p-1)*y' is then Inf - Inf.
type Criterion struct {
	Weight         []float32 // per-element weights, len n; nil means all 1; exactly 0 masks an element out
	PosWeight      []float32 // per-class weight on the positive term, len C dividing n; element i is class i % C; nil (or empty) means all 1
	ClassWeight    []float32 // per-class weight on the whole loss, len C dividing n (independently of PosWeight's); element i is class i % C; nil (or empty) means all 1
	LabelSmoothing float32   // s in [0,1]: targets become y(1-s) + s/2 (Keras)
	Reduction      Reduction
	GradScale      float32 // multiplies every gradient written; 0 means 1; negative negates; NaN and ±Inf panic
	Goroutines     int     // at most this many goroutines per call, the caller's included; 0 and 1 mean the caller's only; capped at GOMAXPROCS; negative panics
}

// Loss writes the weighted loss of every element.
func (c Criterion) Loss(dst, logits, targets []float32) {
	checkLen3("Criterion.Loss", "dst", "logits", "targets", len(dst), len(logits), len(targets))
	c.check("Criterion.Loss", len(logits))
	op := wop{kind: opPlainLoss, out: dst, x: logits, y: targets}
	if !c.plain() {
		op.kind = opLoss
		op.oms, op.hs = c.smoothing()
	}
	c.exec(len(logits), &op, nil)
}

// Reduce returns the losses reduced by c.Reduction, accumulated in float64 in
// the fixed order of the package documentation and rounded once. An empty
// input gives 0 for ReduceSum and NaN for the means; ReduceWeightMean is NaN
// when every weight is 0 and ±Inf when the weights sum to 0 otherwise.
func (c Criterion) Reduce(logits, targets []float32) float32 {
	checkLen2("Criterion.Reduce", "logits", "targets", len(logits), len(targets))
	c.check("Criterion.Reduce", len(logits))
	n := len(logits)
	op := wop{kind: opPlainSum, x: logits, y: targets}
	if !c.plain() || c.Reduction == ReduceWeightMean {
		op.kind = opSum
		op.oms, op.hs = c.smoothing()
	}
	var acc lanes
	c.exec(n, &op, &acc)
	var wsum float64
	if c.Reduction == ReduceWeightMean {
		wsum = fold16(acc.hi())
	}
	return c.reduced(fold16(acc.lo()), wsum, n)
}

// Grad writes the gradient of every element's weighted loss with respect to
// its logit, times GradScale.
func (c Criterion) Grad(dst, logits, targets []float32) {
	checkLen3("Criterion.Grad", "dst", "logits", "targets", len(dst), len(logits), len(targets))
	c.check("Criterion.Grad", len(logits))
	op := wop{kind: opPlainGrad, out: dst, x: logits, y: targets, scale: c.gradScale()}
	if !c.plain() || op.scale != 1 {
		op.kind = opGrad
		op.oms, op.hs = c.smoothing()
	}
	c.exec(len(logits), &op, nil)
}

// LossAndGrad writes the weighted loss and the gradient of every element's
// weighted loss times GradScale in one pass over memory: the bits that Loss
// and Grad write separately. It ignores Reduction (it is per element, like
// Loss and Grad). Either output may be the same slice as logits or targets;
// the same non-empty slice for loss and grad panics.
func (c Criterion) LossAndGrad(loss, grad, logits, targets []float32) {
	checkLen4("Criterion.LossAndGrad", "loss", "grad", "logits", "targets", len(loss), len(grad), len(logits), len(targets))
	checkDistinct("Criterion.LossAndGrad", loss, grad)
	c.check("Criterion.LossAndGrad", len(logits))
	op := wop{kind: opPlainLossAndGrad, out: loss, out2: grad, x: logits, y: targets, scale: c.gradScale()}
	if !c.plain() || op.scale != 1 {
		op.kind = opLossAndGrad
		op.oms, op.hs = c.smoothing()
	}
	c.exec(len(logits), &op, nil)
}

// LossGrad returns Reduce and writes the gradient of that reduced loss with
// respect to every logit, times GradScale, in one pass over the data. The
// reduction's divisor enters the gradient as a multiplication by
// float32(GradScale/divisor). ReduceWeightMean needs the sum of the weights
// before the first gradient is written, so it reads Weight (and
// ClassWeight) once more first. With ReduceSum and GradScale =
// 1/global_batch, a training loop accumulates the gradients of
// micro-batches exactly as if it had one batch.
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
	op := wop{kind: opPlainLossGrad, out: grad, x: logits, y: targets, scale: float32(gs)}
	if !c.plain() || c.Reduction == ReduceWeightMean {
		op.kind = opLossGrad
		op.oms, op.hs = c.smoothing()
	}
	var acc lanes
	c.exec(n, &op, &acc)
	return c.reduced(fold16(acc.lo()), wsum, n)
}

// plain reports whether c is the unweighted loss, which the package-level
// kernels compute faster and with the same bits.
func (c *Criterion) plain() bool {
	return c.Weight == nil && len(c.PosWeight) == 0 && len(c.ClassWeight) == 0 && c.LabelSmoothing == 0
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

// weightSum returns the sum of the weights (Weight times ClassWeight, as
// the kernels read them) in the reductions' fixed order.
func (c *Criterion) weightSum(n int) float64 {
	if c.Weight == nil && len(c.ClassWeight) == 0 {
		return float64(n)
	}
	var acc lanes
	c.exec(n, &wop{kind: opWeightSum}, &acc)
	return fold16(acc.lo())
}

func (c *Criterion) check(fn string, n int) {
	if c.Goroutines < 0 {
		panic(fmt.Sprintf("bce.%s: Goroutines = %d, want 0 or more", fn, c.Goroutines))
	}
	if c.Weight != nil && len(c.Weight) != n {
		panic(fmt.Sprintf("bce.%s: len(Weight) = %d, want len(logits) = %d", fn, len(c.Weight), n))
	}
	checkClasses(fn, "PosWeight", c.PosWeight, n)
	checkClasses(fn, "ClassWeight", c.ClassWeight, n)
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

// wsmall is the length of the smaller buffers for laying out PosWeight and
// ClassWeight per element, used when the chunks are this short or shorter
// (short inputs): Go zeroes a stack buffer where it is declared, and zeroing
// the 8 KiB of a wchunk buffer costs more than the kernel call on a short
// input.
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

// wop is the kernel call that walk makes on every chunk: the kind names the
// kernel, and walk passes the chunk's part of each slice. The kernels are
// called directly, never through a function value: the compiler then sees
// that none of the slices escapes (an indirect call would make the weights
// and every caller's slices escape, and the methods allocate).
type wop struct {
	kind           opKind
	out, out2      []float32
	x, y           []float32
	oms, hs, scale float32
	fk             focalScalars // the focal kernels' constants (oms and hs among them)
}

type opKind uint8

const (
	// The plain kernels, for the methods of a Criterion that is the plain
	// loss; they read no weights.
	opPlainLoss        opKind = iota // loss into out
	opPlainSum                       // sum into the lower 16 lanes
	opPlainGrad                      // grad into out
	opPlainLossGrad                  // lossGrad into out and the lower 16 lanes
	opPlainLossAndGrad               // lossAndGrad into out and out2

	opLoss        // wloss into out
	opSum         // wsum into all 32 lanes
	opGrad        // wgrad into out
	opLossGrad    // wlossGrad into out and the lower 16 lanes
	opLossAndGrad // wlossAndGrad into out and out2
	opWeightSum   // the weights into the lower 16 lanes (sum16)
	// The focal kernels (Focal's methods), FinishFocal or FinishFocalPow
	// by fk.pow; they read the weights only.
	opFocalLoss
	opFocalSum
	opFocalGrad
	opFocalLossGrad
	opFocalLossAndGrad
)

// plain reports whether the kind is a plain kernel, which reads no weights.
func (k opKind) plain() bool { return k <= opPlainLossAndGrad }

// call runs op on elements lo..hi-1 with their weights and positive weights,
// accumulating into acc (nil for the per-element kinds).
func (op *wop) call(lo, hi int, w, pw []float32, acc *lanes) {
	switch op.kind {
	case opPlainLoss:
		lossKernel(cur, op.out[lo:hi], op.x[lo:hi], op.y[lo:hi])
	case opPlainSum:
		sumKernel(cur, op.x[lo:hi], op.y[lo:hi], acc.lo())
	case opPlainGrad:
		gradKernel(cur, op.out[lo:hi], op.x[lo:hi], op.y[lo:hi])
	case opPlainLossGrad:
		lossGradKernel(cur, op.out[lo:hi], op.x[lo:hi], op.y[lo:hi], op.scale, acc.lo())
	case opPlainLossAndGrad:
		lossAndGradKernel(cur, op.out[lo:hi], op.out2[lo:hi], op.x[lo:hi], op.y[lo:hi])
	case opLoss:
		wlossKernel(cur, op.out[lo:hi], op.x[lo:hi], op.y[lo:hi], w, pw, op.oms, op.hs)
	case opSum:
		wsumKernel(cur, op.x[lo:hi], op.y[lo:hi], w, pw, op.oms, op.hs, (*[32]float64)(acc))
	case opGrad:
		wgradKernel(cur, op.out[lo:hi], op.x[lo:hi], op.y[lo:hi], w, pw, op.oms, op.hs, op.scale)
	case opLossGrad:
		wlossGradKernel(cur, op.out[lo:hi], op.x[lo:hi], op.y[lo:hi], w, pw, op.oms, op.hs, op.scale, acc.lo())
	case opLossAndGrad:
		wlossAndGradKernel(cur, op.out[lo:hi], op.out2[lo:hi], op.x[lo:hi], op.y[lo:hi], w, pw, op.oms, op.hs, op.scale)
	case opWeightSum:
		sum16Kernel(cur, w, acc.lo())
	default:
		op.focal(lo, hi, w, acc)
	}
}

// focal runs the focal kernel of op's kind on elements lo..hi-1.
func (op *wop) focal(lo, hi int, w []float32, acc *lanes) {
	k := &op.fk
	x, y := op.x[lo:hi], op.y[lo:hi]
	var d, d2 []float32
	if op.out != nil {
		d = op.out[lo:hi]
	}
	if op.out2 != nil {
		d2 = op.out2[lo:hi]
	}
	if k.pow {
		switch op.kind {
		case opFocalLoss:
			focalPowLossKernel(cur, d, x, y, w, k.oms, k.hs, k.al1, k.al0, k.gamma)
		case opFocalSum:
			focalPowSumKernel(cur, x, y, w, k.oms, k.hs, k.al1, k.al0, k.gamma, (*[32]float64)(acc))
		case opFocalGrad:
			focalPowGradKernel(cur, d, x, y, w, k.oms, k.hs, k.al1, k.al0, k.gamma, op.scale)
		case opFocalLossGrad:
			focalPowLossGradKernel(cur, d, x, y, w, k.oms, k.hs, k.al1, k.al0, k.gamma, op.scale, acc.lo())
		case opFocalLossAndGrad:
			focalPowLossAndGradKernel(cur, d, d2, x, y, w, k.oms, k.hs, k.al1, k.al0, k.gamma, op.scale)
		}
		return
	}
	switch op.kind {
	case opFocalLoss:
		focalLossKernel(cur, d, x, y, w, k.oms, k.hs, k.al1, k.al0, k.ga1, k.ga0, k.gb1, k.gb0, k.gamma)
	case opFocalSum:
		focalSumKernel(cur, x, y, w, k.oms, k.hs, k.al1, k.al0, k.ga1, k.ga0, k.gb1, k.gb0, k.gamma, (*[32]float64)(acc))
	case opFocalGrad:
		focalGradKernel(cur, d, x, y, w, k.oms, k.hs, k.al1, k.al0, k.ga1, k.ga0, k.gb1, k.gb0, k.gamma, op.scale)
	case opFocalLossGrad:
		focalLossGradKernel(cur, d, x, y, w, k.oms, k.hs, k.al1, k.al0, k.ga1, k.ga0, k.gb1, k.gb0, k.gamma, op.scale, acc.lo())
	case opFocalLossAndGrad:
		focalLossAndGradKernel(cur, d, d2, x, y, w, k.oms, k.hs, k.al1, k.al0, k.ga1, k.ga0, k.gb1, k.gb0, k.gamma, op.scale)
	}
}

// walkRange runs op on every chunk [lo, hi) of elements lo0..hi0-1 of an
// n-element call, in index order, accumulating into acc (nil for the
// per-element kinds). A plain kind runs in chunks of chunk elements with
// no weights. A weighted kind gets the chunk's per-element weights w
// (Weight times ClassWeight, each product rounded once to float32) and
// positive weights pw, both of length hi-lo, so that every kernel on every
// path reads them the same way. Weighted chunks hold at most wchunk
// elements, start at multiples of 16 when lo0 is one and never cross a
// multiple of chunk (64 Ki elements), so a range of whole blocks is walked
// the same way wherever it starts and whichever goroutine walks it. The
// weights are slices of Weight, ClassWeight, PosWeight or onesBuf where
// that suffices; otherwise a class pattern or the products are laid out in
// buffers declared here, only as large as the walk needs: a buffer
// declared unconditionally would be zeroed on every call, which cost about
// 200 ns per call with the 16 KiB this package used to zero.
func (c *Criterion) walkRange(n, lo0, hi0 int, op *wop, acc *lanes) {
	if op.kind.plain() {
		for lo := lo0; lo < hi0; {
			hi := min(hi0, (lo/chunk+1)*chunk)
			op.call(lo, hi, nil, nil, acc)
			lo = hi
		}
		return
	}
	if lo0 == 0 && hi0 == n {
		if w, pw, ok := c.single(n); ok {
			op.call(0, n, w, pw, acc)
			return
		}
	}
	it := c.chunks(n, lo0, hi0)
	var buf []float32
	switch nb := it.buffers(); {
	case nb == 0:
	case it.size == wsmall && nb == 1:
		var b [wsmall]float32
		buf = b[:]
	case it.size == wsmall:
		var b [2 * wsmall]float32
		buf = b[:]
	case nb == 1:
		var b [wchunk]float32
		buf = b[:]
	default:
		var b [2 * wchunk]float32
		buf = b[:]
	}
	// Assigned here, not in a method: stored through a pointer receiver,
	// the buffer would escape to the heap.
	if it.needP {
		it.pbuf, buf = buf[:it.size], buf[it.size:]
	}
	if it.needW {
		it.wbuf = buf[:it.size]
	}
	for it.lo < it.end {
		lo, hi := it.lo, min(it.end, it.lo+it.m, (it.lo/chunk+1)*chunk)
		it.lo = hi
		op.call(lo, hi, it.weights(lo, hi), it.posWeights(lo, hi), acc)
	}
}

// single returns the weights and positive weights of a call that is one
// chunk needing no buffer (at most wchunk elements, PosWeight empty or one
// per element, ClassWeight empty or one per element with a nil Weight), the
// common case of short inputs, which then skips the chunk walk.
func (c *Criterion) single(n int) (w, pw []float32, ok bool) {
	Cp, Cc := len(c.PosWeight), len(c.ClassWeight)
	if n > wchunk || Cp != 0 && Cp != n || Cc != 0 && (Cc != n || c.Weight != nil) {
		return nil, nil, false
	}
	w, pw = onesBuf[:n], onesBuf[:n]
	if c.Weight != nil {
		w = c.Weight
	}
	if Cc != 0 {
		w = c.ClassWeight
	}
	if Cp != 0 {
		pw = c.PosWeight
	}
	return w, pw, true
}

// wchunks is the state of walk.
type wchunks struct {
	c          *Criterion
	end, m, lo int       // the walk's end, chunk length and next chunk
	needP      bool      // PosWeight's class pattern is laid out in pbuf
	needW      bool      // the weights are laid out or multiplied in wbuf
	size       int       // the length of each buffer: wsmall or wchunk
	pbuf, wbuf []float32 // pbuf[:pFilled] holds the classes from pFrom on; wbuf likewise with wFrom, wFilled (when Weight is nil)
	pFrom      int
	pFilled    int
	wFrom      int
	wFilled    int
}

// chunks returns the walk over elements lo..hi-1 of an n-element call:
// chunks of wchunk elements, or,
// with classes, of the largest multiple of the least common multiple of 16
// and the class counts up to wchunk when there is one, so that every chunk
// of a 64 Ki block starts at the same class and a class pattern is laid
// out once per block.
func (c *Criterion) chunks(n, lo, hi int) wchunks {
	it := wchunks{c: c, lo: lo, end: hi, m: wchunk}
	Cp, Cc := len(c.PosWeight), len(c.ClassWeight)
	l := 16
	if Cp > 0 {
		l = lcm(l, Cp)
	}
	if Cc > 0 {
		l = lcm(l, Cc)
	}
	if l <= wchunk {
		it.m = wchunk / l * l
	}
	it.needP = Cp > 0 && Cp < n
	it.needW = Cc > 0 && (c.Weight != nil || Cc < n)
	it.size = wchunk
	if min(it.m, hi-lo) <= wsmall {
		it.size = wsmall
	}
	return it
}

// buffers returns how many buffers the walk needs.
func (it *wchunks) buffers() int {
	nb := 0
	if it.needP {
		nb++
	}
	if it.needW {
		nb++
	}
	return nb
}

// layout returns the k classes of pattern from class start on, laid out in
// buf (and remembered in from, filled) unless they are one run of pattern.
func layout(pattern, buf []float32, start, k int, from, filled *int) []float32 {
	if start+k <= len(pattern) {
		return pattern[start : start+k]
	}
	if *from != start || *filled < k {
		for j, cl := 0, start; j < k; cl = 0 {
			j += copy(buf[j:k], pattern[cl:])
		}
		*from, *filled = start, k
	}
	return buf[:k]
}

// weights returns the weights of elements lo..hi-1: Weight[i] *
// ClassWeight[i % C], rounded once to float32 (a nil Weight contributes
// exact 1s, so the products are ClassWeight's own values).
func (it *wchunks) weights(lo, hi int) []float32 {
	c := it.c
	k := hi - lo
	cw := c.ClassWeight
	if len(cw) == 0 {
		if c.Weight != nil {
			return c.Weight[lo:hi]
		}
		return onesBuf[:k]
	}
	start := lo % len(cw)
	if c.Weight == nil {
		return layout(cw, it.wbuf, start, k, &it.wFrom, &it.wFilled)
	}
	w, b := c.Weight[lo:hi], it.wbuf[:k]
	for j, cl := 0, start; j < k; j++ {
		b[j] = w[j] * cw[cl]
		if cl++; cl == len(cw) {
			cl = 0
		}
	}
	return b
}

// posWeights returns the positive weights of elements lo..hi-1.
func (it *wchunks) posWeights(lo, hi int) []float32 {
	pw := it.c.PosWeight
	if len(pw) == 0 {
		return onesBuf[:hi-lo]
	}
	return layout(pw, it.pbuf, lo%len(pw), hi-lo, &it.pFrom, &it.pFilled)
}

// lcm returns the least common multiple of a and b.
func lcm(a, b int) int {
	g := b
	for x := a; x != 0; {
		g, x = x, g%x
	}
	return a / g * b
}

// checkClasses panics unless the per-class weights v (named name) are empty
// or have a length dividing n and finite entries >= 0.
func checkClasses(fn, name string, v []float32, n int) {
	C := len(v)
	if C == 0 {
		return
	}
	if n%C != 0 {
		panic(fmt.Sprintf("bce.%s: len(%s) = %d does not divide len(logits) = %d", fn, name, C, n))
	}
	for j, p := range v {
		if !(p >= 0 && p <= math.MaxFloat32) {
			panic(fmt.Sprintf("bce.%s: %s[%d] = %v, want finite and >= 0", fn, name, j, p))
		}
	}
}
