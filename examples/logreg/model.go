package main

import (
	"math"

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
// and S = diag(sigmoid'(z_i)) ≤ 1/4, so L = λmax(AᵀA)/(4m) + lambda/m.
// Gradient descent with a step of 1/L decreases J at every epoch whatever
// the data, which lets -lr default to a step that suits scaled and unscaled
// features alike (and shows how tiny the unscaled one has to be).
// λmax(AᵀA) comes from power iteration on the (d+1)×(d+1) Gram matrix.
func (p *problem) smoothness() float64 {
	d1 := p.d + 1
	g := make([]float64, d1*d1)
	a := make([]float64, d1)
	for i := range p.m {
		for j := range p.d {
			a[j] = float64(p.x[i*p.d+j])
		}
		a[p.d] = 1
		for j, aj := range a {
			linear.Axpy(g[j*d1:(j+1)*d1], aj, a)
		}
	}
	v := make([]float64, d1)
	for j := range v {
		v[j] = 1
	}
	u := make([]float64, d1)
	var lam float64
	for range 500 {
		for j := range u {
			u[j] = linear.Dot(g[j*d1:(j+1)*d1], v)
		}
		norm := math.Sqrt(linear.Dot(u, u))
		if norm == 0 {
			break
		}
		next := linear.Dot(v, u) / linear.Dot(v, v) // Rayleigh quotient
		for j := range v {
			v[j] = u[j] / norm
		}
		if math.Abs(next-lam) <= 1e-12*next {
			lam = next
			break
		}
		lam = next
	}
	// The Rayleigh quotient approaches λmax from below; 1% of margin keeps
	// the step on the safe side of 2/L even before full convergence.
	return 1.01*lam/(4*float64(p.m)) + p.lambda/float64(p.m)
}
