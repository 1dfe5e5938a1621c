// Package bce computes the binary cross-entropy with logits (the sigmoid and
// the log loss fused) over []float32 with SIMD kernels: AVX-512 and AVX2+FMA
// on amd64, NEON on arm64, and a pure-Go fallback everywhere else.
//
// For a logit x and a target y in [0,1] the loss of one element is
//
//	loss(x, y) = -y*log(sigmoid(x)) - (1-y)*log(1-sigmoid(x))
//	           = (1-y)*relu(x) + y*relu(-x) + log1p(exp(-|x|))
//
// and its gradient with respect to x is sigmoid(x) - y. The second form is
// the one computed: every term is non-negative, so nothing cancels, and
// exp(-|x|) never overflows.
//
// # Accuracy
//
// Every path agrees with a float64 reference, with errors measured in units
// in the last place (ULP) of the float32 result (the subnormal spacing 2^-149
// below 2^-126):
//
//   - y in {0, 1}: loss, gradient and sigmoid within 1 ULP for every float32
//     logit (faithfully rounded: one of the two float32 values around the
//     exact result; checked over all 2^32 bit patterns).
//   - y in [0, 1]: loss within 2 ULP; gradient within 1.5 ULP of
//     max(sigmoid(x), y).
//   - Weighted forms: the loss and the weighted and scaled gradients
//     within 3 ULP of the float64 reference computed from the
//     same float32 inputs (the smoothed target being the float32 value the
//     kernel computes, see Criterion).
//   - Sum and Mean: within 7e-7 relative plus n*2^-149 absolute of the exact
//     sum of the reference losses, for n up to 2^27.
//
// Small results are not flushed: the loss of the right label at |x| = 30 is
// about 9.4e-14, the gradient for y = 1 at x = 30 about -9.4e-14, and results
// in the subnormal range (x near 100, y = 1) are right to the subnormal
// spacing.
//
// # Edges
//
//   - loss(+Inf, 1) = 0, loss(-Inf, 0) = 0, loss(±Inf, y) = +Inf for any other
//     y in [0,1]; grad(+Inf, y) = 1-y, grad(-Inf, y) = -y;
//     sigmoid(+Inf) = 1, sigmoid(-Inf) = 0. Finite logits as large as
//     ±3.4e38 give finite, correct results.
//   - A NaN logit or target gives a NaN loss and gradient, and a NaN anywhere
//     makes Sum and Mean NaN. (The one exception is a weight of exactly 0,
//     see Criterion.)
//   - Targets outside [0,1] are not checked in the hot loop: the kernels then
//     evaluate the same formula, which is no longer a log loss (it may be
//     negative), and its value is defined as the SIMD paths compute it: the
//     float32 steps that model_test.go spells out. The generic path gives
//     the same class of value (the same infinity, NaN where they give NaN)
//     and, for a finite target, agrees with them to 4 ULP of
//     |c*x| + log1p(exp(-|x|)), the size of the terms before they cancel
//     (c is 1-y for x >= 0 and y below). An infinite target y gives the
//     loss -y for x > 0 and +y for x < 0, NaN at x = ±0, and the gradient
//     -y; the weighted forms give NaN (see Criterion). CheckTargets
//     validates a data set once.
//
// # Summation order
//
// Reductions cut the input into blocks of 64 Ki elements. Each block
// accumulates its elements into its own 16 float64 lanes, starting at zero,
// element i into lane i mod 16, in index order. The blocks' lanes are added
// lane by lane in a binary tree that depends on n alone: the blocks of a
// node split into the first 2^k (2^k the largest power of two below their
// count) and the rest. The root's 16 lanes then fold in a fixed tree (lane
// j += lane j+8, then j+4, j+2, j+1). An input of at most 64 Ki elements is
// one block. Every path and every Criterion.Goroutines value follows this
// order, so paths that agree per element agree on every sum bit for bit,
// whatever the goroutine count. The float64 sum of n non-negative terms is
// within L*2^-53/(1-L*2^-53) of their exact sum, relatively, with
// L = ceil(min(n, 65536)/16) + ceil(log2(blocks)) + 4 (the most additions
// any term passes through), before the single rounding to float32
// (TestSumBound).
//
// # Goroutines
//
// The package functions run on the calling goroutine. Criterion and Focal
// calls with Goroutines > 1 of at least 512 Ki elements spread over at most
// that many goroutines, the caller's included, capped at GOMAXPROCS: the
// caller and workers from a pool of at most GOMAXPROCS parked goroutines,
// started on first use, take spans of elements (or, for a reduction, whole
// subtrees of the blocks' tree) in turn. Outputs are bit-identical for
// every Goroutines value. A panic in a worker reaches the caller, after
// every goroutine has left the call. Smaller calls stay on the caller: a
// worker parked on an idle CPU takes tens of microseconds to start (85 us
// on the 2-vCPU machine the threshold was measured on), so below
// 512 Ki elements a second goroutine gains little or loses. Because the
// slices may be handed to other goroutines, the methods of Criterion and
// Focal make their slices escape to the heap (the package functions do
// not).
//
// # Memory and concurrency
//
// dst may be the same slice as an input (in place); a dst that partially
// overlaps an input is not supported. Slices of different lengths panic,
// naming the function and the lengths, before anything is written. Every
// function and method is safe for concurrent use, and none allocates except
// Paths, which returns a new slice on each call, and the errors that SetPath
// and CheckTargets return when they fail (and the message of a panic).
// SetPath is for benchmarks and tests and must not race with running
// kernels.
package bce

import "fmt"

// chunk bounds how many elements one assembly call processes, so that a long
// input never holds a goroutine away from a preemption point for long. It is
// a multiple of 16, which keeps every element in lane i mod 16 of the
// reductions across calls.
const chunk = 1 << 16

// Loss writes the loss of every element:
//
//	for i, x := range logits {
//		y := targets[i]
//		dst[i] = (1-y)*relu(x) + y*relu(-x) + log1p(exp(-|x|))
//	}
func Loss(dst, logits, targets []float32) {
	checkLen3("Loss", "dst", "logits", "targets", len(dst), len(logits), len(targets))
	for len(logits) > 0 {
		m := min(len(logits), chunk)
		lossKernel(cur, dst[:m], logits[:m], targets[:m])
		dst, logits, targets = dst[m:], logits[m:], targets[m:]
	}
}

// Sum returns the sum of the losses, accumulated in float64 in the fixed
// order described in the package documentation and rounded once:
//
//	// for each block of 64 Ki elements, lanes of its own:
//	for i, x := range block {
//		acc[i%16] += float64(loss(x, targets[i])) // loss as in Loss, rounded to float32
//	}
//	// the blocks' lanes added in the tree, then
//	return float32(fold16(acc)) // lane j += lane j+8, j+4, j+2, j+1
func Sum(logits, targets []float32) float32 {
	return float32(sumLosses("Sum", logits, targets))
}

// Mean returns the mean loss, divided in float64 before the single rounding
// to float32:
//
//	return float32(fold16(acc) / float64(len(logits))) // acc as in Sum
//
// It is NaN when len(logits) == 0.
func Mean(logits, targets []float32) float32 {
	s := sumLosses("Mean", logits, targets)
	return float32(s / float64(len(logits)))
}

func sumLosses(fn string, x, y []float32) float64 {
	checkLen2(fn, "logits", "targets", len(x), len(y))
	return plainReduce(len(x), &wop{kind: opPlainSum, x: x, y: y})
}

// plainReduce returns the folded sum of a plain reduction over n elements,
// on the calling goroutine, in the fixed order: the package functions'
// reductions, which the zero Criterion's methods reproduce bit for bit.
func plainReduce(n int, op *wop) float64 {
	var c Criterion // a plain kind reads none of its weights
	var acc lanes
	c.reduce(n, 0, n, op, &acc)
	return fold16(acc.lo())
}

// Grad writes the gradient of every element's loss with respect to its logit:
//
//	for i, x := range logits {
//		dst[i] = sigmoid(x) - targets[i]
//	}
//
// It is computed as (1-y)*sigmoid(x) - y*sigmoid(-x) from one exp(-|x|), so a
// small gradient (y = 1, x = 30 gives about -9.4e-14) is not rounded to 0.
func Grad(dst, logits, targets []float32) {
	checkLen3("Grad", "dst", "logits", "targets", len(dst), len(logits), len(targets))
	for len(logits) > 0 {
		m := min(len(logits), chunk)
		gradKernel(cur, dst[:m], logits[:m], targets[:m])
		dst, logits, targets = dst[m:], logits[m:], targets[m:]
	}
}

// LossGrad returns the mean loss and writes the gradient of that mean, in
// one pass over memory:
//
//	scale := float32(1 / float64(len(logits)))
//	for i, x := range logits {
//		grad[i] = scale * (sigmoid(x) - targets[i]) // the bits of Grad, times scale
//	}
//	return Mean(logits, targets) // the same bits as Mean
//
// An empty input returns NaN and writes nothing.
func LossGrad(grad, logits, targets []float32) float32 {
	checkLen3("LossGrad", "grad", "logits", "targets", len(grad), len(logits), len(targets))
	n := len(logits)
	s := plainReduce(n, &wop{kind: opPlainLossGrad, out: grad, x: logits, y: targets, scale: float32(1 / float64(n))})
	return float32(s / float64(n))
}

// LossAndGrad writes the loss and the gradient of every element in one
// pass over memory, the same bits as Loss and Grad write separately:
//
//	for i, x := range logits {
//		y := targets[i]
//		loss[i] = (1-y)*relu(x) + y*relu(-x) + log1p(exp(-|x|))
//		grad[i] = sigmoid(x) - y
//	}
//
// Either output may be the same slice as logits or targets (every element's
// inputs are read before its outputs are written), but loss and grad must
// be two slices: the same non-empty slice for both panics.
func LossAndGrad(loss, grad, logits, targets []float32) {
	checkLen4("LossAndGrad", "loss", "grad", "logits", "targets", len(loss), len(grad), len(logits), len(targets))
	checkDistinct("LossAndGrad", loss, grad)
	for len(logits) > 0 {
		m := min(len(logits), chunk)
		lossAndGradKernel(cur, loss[:m], grad[:m], logits[:m], targets[:m])
		loss, grad, logits, targets = loss[m:], grad[m:], logits[m:], targets[m:]
	}
}

// Softplus writes log(1 + exp(x)) of every element, computed as
// relu(x) + log1p(exp(-|x|)): the bits of Loss with every target 0, with no
// targets read. Softplus(+Inf) = +Inf, Softplus(-Inf) = 0.
func Softplus(dst, x []float32) {
	checkLen2("Softplus", "dst", "x", len(dst), len(x))
	for len(x) > 0 {
		m := min(len(x), chunk)
		softplusKernel(cur, dst[:m], x[:m])
		dst, x = dst[m:], x[m:]
	}
}

// LogSigmoid writes log(sigmoid(x)) = -softplus(-x) of every element,
// computed as -(relu(-x) + log1p(exp(-|x|))): the bits of Loss with every
// target 1, negated (its sign bit flipped, so an exact 0 gives -0), with no
// targets read. LogSigmoid(+Inf) = -0, LogSigmoid(-Inf) = -Inf.
func LogSigmoid(dst, x []float32) {
	checkLen2("LogSigmoid", "dst", "x", len(dst), len(x))
	for len(x) > 0 {
		m := min(len(x), chunk)
		logSigmoidKernel(cur, dst[:m], x[:m])
		dst, x = dst[m:], x[m:]
	}
}

// Sigmoid writes the sigmoid of every logit:
//
//	for i, x := range logits {
//		dst[i] = 1 / (1 + exp(-x))
//	}
//
// It is computed from the same exp(-|x|) as the loss: sigmoid(-|x|) =
// e/(1+e), and sigmoid(|x|) = 1 minus that.
func Sigmoid(dst, logits []float32) {
	checkLen2("Sigmoid", "dst", "logits", len(dst), len(logits))
	for len(logits) > 0 {
		m := min(len(logits), chunk)
		sigmoidKernel(cur, dst[:m], logits[:m])
		dst, logits = dst[m:], logits[m:]
	}
}

// CheckTargets reports the first target that is NaN or outside [0,1], for
// callers who want to validate a data set once rather than in every kernel
// call. It returns nil when every target is valid.
func CheckTargets(targets []float32) error {
	for i, y := range targets {
		if !(y >= 0 && y <= 1) {
			return fmt.Errorf("bce: target %d is %v, outside [0,1]", i, y)
		}
	}
	return nil
}

// fold16 folds the 16 float64 lanes of a reduction in the fixed tree order
// shared by every path: lane j += lane j+8, then j+4, j+2 and j+1.
func fold16(acc *[16]float64) float64 {
	for w := 8; w >= 1; w /= 2 {
		for j := 0; j < w; j++ {
			acc[j] += acc[j+w]
		}
	}
	return acc[0]
}

func checkLen2(fn, a, b string, na, nb int) {
	if na != nb {
		panic(fmt.Sprintf("bce.%s: len(%s) = %d, len(%s) = %d: lengths differ", fn, a, na, b, nb))
	}
}

func checkLen3(fn, a, b, c string, na, nb, nc int) {
	if na != nb || nb != nc {
		panic(fmt.Sprintf("bce.%s: len(%s) = %d, len(%s) = %d, len(%s) = %d: lengths differ", fn, a, na, b, nb, c, nc))
	}
}

func checkLen4(fn, a, b, c, d string, na, nb, nc, nd int) {
	if na != nb || nb != nc || nc != nd {
		panic(fmt.Sprintf("bce.%s: len(%s) = %d, len(%s) = %d, len(%s) = %d, len(%s) = %d: lengths differ", fn, a, na, b, nb, c, nc, d, nd))
	}
}

// checkDistinct panics when the two outputs of a one-pass loss and
// gradient start at the same element: one of them would be lost.
func checkDistinct(fn string, loss, grad []float32) {
	if len(loss) > 0 && len(grad) > 0 && &loss[0] == &grad[0] {
		panic(fmt.Sprintf("bce.%s: loss and grad are the same slice (len %d): want two outputs", fn, len(loss)))
	}
}
