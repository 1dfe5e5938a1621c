package main

import (
	"math"

	"github.com/fastbce/bce/examples/internal/dataset"
	"github.com/fastbce/bce/examples/internal/linear"
)

// objective64 is the same J(w, b) as problem.lossGrad, written out in float64
// with package math and no use of package bce: the reference the float32
// path and gradient descent are checked against. Its parameter vector is
// theta = (w_1, ..., w_d, b), the layout package optimize works with.
type objective64 struct {
	s      *dataset.Set
	lambda float64
	z      []float64
}

func newObjective64(s *dataset.Set, lambda float64) *objective64 {
	return &objective64{s: s, lambda: lambda, z: make([]float64, s.N)}
}

// softplus(z) = log(1 + e^z) without overflow.
func softplus(z float64) float64 { return max(z, 0) + math.Log1p(math.Exp(-math.Abs(z))) }

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

func (o *objective64) forward(theta []float64) {
	d := o.s.D
	linear.Forward(o.z, o.s.X, theta[:d], theta[d:], o.s.N, d, 1)
}

// J returns the objective: BCE(z, y) = softplus(z) - y z.
func (o *objective64) J(theta []float64) float64 {
	o.forward(theta)
	var sum float64
	for i, z := range o.z {
		sum += softplus(z) - o.s.Y[i]*z
	}
	m := float64(o.s.N)
	w := theta[:o.s.D]
	return sum/m + o.lambda/(2*m)*linear.Dot(w, w)
}

// Grad writes dJ/dtheta: Xᵀ(sigmoid(z) - y)/m + (lambda/m) w for w, and
// Σ(sigmoid(z) - y)/m for b.
func (o *objective64) Grad(grad, theta []float64) {
	o.forward(theta)
	m := float64(o.s.N)
	gz := make([]float64, o.s.N)
	for i, z := range o.z {
		gz[i] = (sigmoid(z) - o.s.Y[i]) / m
	}
	d := o.s.D
	linear.Backward(grad[:d], grad[d:], o.s.X, gz, o.s.N, d, 1)
	linear.Axpy(grad[:d], o.lambda/m, theta[:d])
}
