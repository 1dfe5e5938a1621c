package main

import (
	"github.com/fastbce/bce"
	"github.com/fastbce/bce/examples/internal/linear"
)

// problem is the regularised logistic regression objective
//
//	J(w, b) = mean_i BCE(w·x_i + b, y_i) + lambda/(2m) ||w||²
//
// over m rows of d features, evaluated with the float32 kernels of package
// bce. The bias is not regularised: penalising it would pull the predicted
// base rate towards 1/2 for no reason.
type problem struct {
	x      []float32 // m×d, row-major
	y      []float32 // m targets in {0, 1}
	m, d   int
	lambda float64

	z, gz []float32 // scratch: logits and dJ/dz, m each
}

func newProblem(x, y []float32, m, d int, lambda float64) *problem {
	return &problem{x: x, y: y, m: m, d: d, lambda: lambda,
		z: make([]float32, m), gz: make([]float32, m)}
}

// lossGrad returns J(w, b) and writes dJ/dw to gw and dJ/db to gb[0].
//
// bce.LossGrad gives the mean loss and its gradient with respect to each
// logit, (sigmoid(z_i) - y_i)/m. The chain rule through z = X w + b turns
// that into dJ/dw = Xᵀ dJ/dz and dJ/db = Σ_i dJ/dz_i, and the penalty adds
// (lambda/m) w. The penalty and the sum with the loss are done in float64:
// they cost nothing and keep J's last digits meaningful near the optimum.
func (p *problem) lossGrad(w, b, gw, gb []float32) float64 {
	linear.Forward(p.z, p.x, w, b, p.m, p.d, 1)
	loss := bce.LossGrad(p.gz, p.z, p.y)
	linear.Backward(gw, gb, p.x, p.gz, p.m, p.d, 1)
	c := p.lambda / float64(p.m)
	var ww float64
	for j, wj := range w {
		ww += float64(wj) * float64(wj)
		gw[j] += float32(c * float64(wj))
	}
	return float64(loss) + c/2*ww
}

// train runs full-batch gradient descent from (w, b) for the given number of
// epochs with step lr, updating w and b in place. It returns J at every
// epoch: curve[t] is J before step t, and curve[epochs] is J at the end.
func (p *problem) train(w, b []float32, lr float64, epochs int) []float64 {
	gw := make([]float32, p.d)
	gb := make([]float32, 1)
	curve := make([]float64, 0, epochs+1)
	step := float32(lr)
	for range epochs {
		curve = append(curve, p.lossGrad(w, b, gw, gb))
		linear.Axpy(w, -step, gw)
		b[0] -= step * gb[0]
	}
	return append(curve, p.lossGrad(w, b, gw, gb))
}

// predict writes the predicted class (0 or 1) of every row: 1 when the
// logit is positive, that is when sigmoid(logit) > 1/2.
func (p *problem) predict(w, b []float32) []int {
	linear.Forward(p.z, p.x, w, b, p.m, p.d, 1)
	pred := make([]int, p.m)
	for i, z := range p.z {
		if z > 0 {
			pred[i] = 1
		}
	}
	return pred
}

// smoothness returns L, an upper bound of the largest eigenvalue of J's
// Hessian: the Hessian is Aᵀ S A/m + (lambda/m) diag(1,..,1,0) with A = [X 1]
// and S = diag(sigmoid'(z_i)) ≤ 1/4, so L = λmax(AᵀA/m)/4 + lambda/m.
// Gradient descent with a step of 1/L decreases J at every epoch whatever
// the data, which lets -lr default to a step that suits scaled and unscaled
// features alike (and shows how tiny the unscaled one has to be).
func (p *problem) smoothness() float64 {
	// 1% of margin: the power iteration approaches λmax from below.
	return 1.01*linear.GramMaxEig(p.x, nil, p.m, p.d)/4 + p.lambda/float64(p.m)
}
