package main

import (
	"math"

	"github.com/fastbce/bce"
	"github.com/fastbce/bce/examples/internal/linear"
)

// model is a linear layer with one output per class: logits z = x W + b,
// W d×classes, and p(class c | x) = sigmoid(z_c), each class independent of
// the others (one-vs-rest, so an image may in principle get 0 or 2 labels).
type model struct {
	w, b []float32
	d    int
}

// train fits a model to the training split by full-batch gradient descent on
//
//	J(W, b) = crit.Reduce(z, y) + lambda/(2n) ||W||²
//
// where crit averages the (weighted) loss over the n×classes logits. The
// criterion's PosWeight, when set, multiplies the loss of each class's
// positive examples: the gradient then pushes the positives up as hard as the
// nine-times-more-numerous negatives push them down.
//
// The step is 1/L, L a bound on the Hessian (see smoothness), so both models
// descend monotonically and the weighted one, whose loss curves more, takes
// a smaller step. It returns J at every epoch.
func train(tr *split, crit bce.Criterion, lambda float64, epochs int) (*model, []float64) {
	return descend(tr, crit.LossGrad, 1/smoothness(tr, crit.PosWeight, lambda), lambda, epochs)
}

// trainFocal fits a model with the focal loss f (bce.Focal) in place of the
// BCE, with the step 1/L from focalSmoothness.
func trainFocal(tr *split, f bce.Focal, lambda float64, epochs int) (*model, []float64) {
	return descend(tr, f.LossGrad, 1/focalSmoothness(tr, f, lambda), lambda, epochs)
}

// descend runs full-batch gradient descent with the given step on
// J = lossGrad's reduced loss + lambda/(2n) ||W||², lossGrad writing the
// gradient of its loss with respect to the logits, and returns J at every
// epoch.
func descend(tr *split, lossGrad func(grad, z, y []float32) float32, stepSize, lambda float64, epochs int) (*model, []float64) {
	n, d := tr.n, tr.d
	step := float32(stepSize)

	m := &model{w: make([]float32, d*classes), b: make([]float32, classes), d: d}
	z := make([]float32, n*classes)
	gz := make([]float32, n*classes)
	gw := make([]float32, d*classes)
	gb := make([]float32, classes)
	c := float32(lambda / float64(n))
	curve := make([]float64, 0, epochs+1)
	for epoch := 0; ; epoch++ {
		linear.Forward(z, tr.x, m.w, m.b, n, d, classes)
		loss := lossGrad(gz, z, tr.y)
		linear.Backward(gw, gb, tr.x, gz, n, d, classes)
		var ww float64
		for _, w := range m.w {
			ww += float64(w) * float64(w)
		}
		curve = append(curve, float64(loss)+float64(c)/2*ww)
		if epoch == epochs {
			return m, curve
		}
		linear.Axpy(gw, c, m.w) // the penalty's gradient, (lambda/n) W
		linear.Axpy(m.w, -step, gw)
		linear.Axpy(m.b, -step, gb)
	}
}

// predict returns, for every row of s and every class, whether the model
// says the class is present: sigmoid(z) > 1/2, that is z > 0.
func (m *model) predict(s *split) []bool {
	z := make([]float32, s.n*classes)
	linear.Forward(z, s.x, m.w, m.b, s.n, m.d, classes)
	out := make([]bool, len(z))
	for i, v := range z {
		out[i] = v > 0
	}
	return out
}

// top1 returns the fraction of rows of s whose largest logit is the right
// digit: the model used as an ordinary ten-way classifier.
func (m *model) top1(s *split) float64 {
	z := make([]float32, s.n*classes)
	linear.Forward(z, s.x, m.w, m.b, s.n, m.d, classes)
	var right int
	for i, digit := range s.digit {
		zi := z[i*classes : (i+1)*classes]
		best := 0
		for c, v := range zi {
			if v > zi[best] {
				best = c
			}
		}
		if best == digit {
			right++
		}
	}
	return float64(right) / float64(s.n)
}

// smoothness bounds the largest eigenvalue of J's Hessian. The weighted loss
// of one element, p·y·softplus(-z) + (1-y)·softplus(z), has second
// derivative (p·y + 1 - y)·sigmoid'(z) ≤ (p·y + 1 - y)/4: the positive weight
// scales the curvature of the positives only. Averaged over n×classes
// elements and passed through the layer, class c's block of the Hessian is at
// most λmax([X 1]ᵀ D_c [X 1]/n)/(4·classes) + lambda/n, D_c holding p_c for
// the images of digit c and 1 for the others. Bounding with max(p) for every
// element instead would be about five times too cautious a step here.
func smoothness(tr *split, pw []float32, lambda float64) float64 {
	var worst float64
	rowWeight := make([]float32, tr.n)
	for c := range classes {
		p := float32(1)
		if len(pw) > 0 {
			p = pw[c]
		}
		for i, digit := range tr.digit {
			rowWeight[i] = 1
			if digit == c {
				rowWeight[i] = p
			}
		}
		worst = max(worst, linear.GramMaxEig(tr.x, rowWeight, tr.n, tr.d))
		if len(pw) == 0 {
			break // every class has the same bound
		}
	}
	// 1% of margin: the power iteration approaches λmax from below.
	return 1.01*worst/(4*classes) + lambda/float64(tr.n)
}

// focalSmoothness bounds the largest eigenvalue of J's Hessian for the focal
// loss f, as smoothness does for the BCE: the focal loss of one element has
// no closed-form curvature bound as simple as sigmoid' <= 1/4, so its
// second derivative in z is measured on a fine grid for y = 0 and y = 1
// (the two are mirror images), with 5% of margin for the grid, and scales
// the unweighted bound. f's Weight is not used (the example has none).
func focalSmoothness(tr *split, f bce.Focal, lambda float64) float64 {
	fl := func(z, y float64) float64 {
		p := 1 / (1 + math.Exp(-z))
		q := y/(1+math.Exp(z)) + (1-y)*p // 1-p_t, without cancellation
		at := 1.0
		if f.Alpha != 0 {
			at = float64(f.Alpha)*y + (1-float64(f.Alpha))*(1-y)
		}
		ce := math.Max(z, 0) - z*y + math.Log1p(math.Exp(-math.Abs(z)))
		return at * ce * math.Pow(q, float64(f.Gamma))
	}
	const h = 1e-3
	var k float64
	for z := -30.0; z <= 30; z += h {
		for _, y := range []float64{0, 1} {
			k = max(k, math.Abs(fl(z+h, y)-2*fl(z, y)+fl(z-h, y))/(h*h))
		}
	}
	bce := smoothness(tr, nil, 0) // (1/4)·λmax/classes, with its 1% margin
	return 1.05*k*4*bce + lambda/float64(tr.n)
}
