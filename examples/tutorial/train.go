package main

import (
	"github.com/fastbce/bce"
	"github.com/fastbce/bce/examples/internal/linear"
)

// problem is the lesson's batch objective for a model with two weights and
// a bias, yhat_i = sigmoid(z_i), z_i = w1 x_i1 + w2 x_i2 + b:
//
//	J(w, b) = -(1/m) Σ_i [y_i log(yhat_i) + (1-y_i) log(1-yhat_i)]
//
// which is bce.Mean of the logits z. No regularisation: the lesson's J, and
// scikit-learn's LogisticRegression(penalty=None).
type problem struct {
	x     []float32 // m×2, row-major
	y     []float32 // m labels in {0, 1}
	m     int
	z, gz []float32 // scratch: logits and dJ/dz
}

func newProblem(x, y []float32) *problem {
	m := len(y)
	return &problem{x: x, y: y, m: m, z: make([]float32, m), gz: make([]float32, m)}
}

// cost returns J(w, b).
func (p *problem) cost(w []float32, b float32) float32 {
	linear.Forward(p.z, p.x, w, []float32{b}, p.m, 2, 1)
	return bce.Mean(p.z, p.y)
}

// lossGrad returns J(w, b) and writes dJ/dw to gw and dJ/db to gb[0].
// bce.LossGrad writes dJ/dz_i = (sigmoid(z_i) - y_i)/m, the lesson's
// (yhat - y) with the 1/m of the mean; z = X w + b then gives, by the chain
// rule, dJ/dw_j = Σ_i dJ/dz_i x_ij and dJ/db = Σ_i dJ/dz_i.
func (p *problem) lossGrad(w, b, gw, gb []float32) float32 {
	linear.Forward(p.z, p.x, w, b, p.m, 2, 1)
	j := bce.LossGrad(p.gz, p.z, p.y)
	linear.Backward(gw, gb, p.x, p.gz, p.m, 2, 1)
	return j
}

// smoothness returns L, a bound on the curvature of J: its Hessian is
// Aᵀ S A/m with A = [X 1] and S = diag(yhat_i (1-yhat_i)) ≤ 1/4, so
// λmax ≤ λmax(AᵀA/m)/4. A step of 1/L then lowers J at every epoch. The 1%
// margin covers the power iteration approaching λmax from below.
func (p *problem) smoothness() float64 {
	return 1.01 * linear.GramMaxEig(p.x, nil, p.m, 2) / 4
}

// descent is one gradient descent run: its step, J before every epoch and
// at the end (curve[t] is J after t steps), and the final parameters.
type descent struct {
	lr    float64
	curve []float32
	w     [2]float32
	b     float32
	path  [][2]float32 // (w1, w2) after every step, for the contour plot
}

// train runs full-batch gradient descent from w = 0, b = 0 with step 1/L.
func (p *problem) train(epochs int) *descent {
	r := &descent{lr: 1 / p.smoothness()}
	w, b := make([]float32, 2), make([]float32, 1)
	gw, gb := make([]float32, 2), make([]float32, 1)
	step := float32(r.lr)
	r.curve = make([]float32, 0, epochs+1)
	r.path = make([][2]float32, 0, epochs+1)
	r.path = append(r.path, [2]float32{})
	for range epochs {
		r.curve = append(r.curve, p.lossGrad(w, b, gw, gb))
		linear.Axpy(w, -step, gw)
		b[0] -= step * gb[0]
		r.path = append(r.path, [2]float32{w[0], w[1]})
	}
	r.curve = append(r.curve, p.cost(w, b[0]))
	r.w, r.b = [2]float32{w[0], w[1]}, b[0]
	return r
}

// reached returns the first epoch at which J is within rel of target, or -1.
func (r *descent) reached(target, rel float64) int {
	for t, j := range r.curve {
		if float64(j) <= target*(1+rel) {
			return t
		}
	}
	return -1
}
