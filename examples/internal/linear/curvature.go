package linear

import "math"

// GramMaxEig returns the largest eigenvalue of AᵀDA/n, where A = [X 1] is the
// n×d matrix x with a column of ones appended for the bias and D the
// diagonal of the row weights (nil means all 1). A loss whose second
// derivative in the logit of row i is at most c·weight[i] has, through the
// layer z = x W + b, a Hessian no larger than c·GramMaxEig per output, which
// is how the examples pick a gradient descent step that cannot diverge.
//
// It runs power iteration on the (d+1)×(d+1) Gram matrix until the Rayleigh
// quotient settles to 1e-12 relative; the quotient approaches the eigenvalue
// from below, so callers should leave a little margin.
func GramMaxEig[F Float](x, weight []F, n, d int) float64 {
	d1 := d + 1
	g := make([]float64, d1*d1)
	a := make([]float64, d1)
	for i := range n {
		for j, v := range x[i*d : i*d+d] {
			a[j] = float64(v)
		}
		a[d] = 1
		wi := 1.0
		if weight != nil {
			wi = float64(weight[i])
		}
		for j, aj := range a {
			if aj != 0 {
				Axpy(g[j*d1:(j+1)*d1], wi*aj, a)
			}
		}
	}
	v := make([]float64, d1)
	for j := range v {
		v[j] = 1
	}
	u := make([]float64, d1)
	var lam float64
	for range 1000 {
		for j := range u {
			u[j] = Dot(g[j*d1:(j+1)*d1], v)
		}
		norm := math.Sqrt(Dot(u, u))
		if norm == 0 {
			return 0
		}
		next := Dot(v, u) / Dot(v, v) // Rayleigh quotient
		for j := range v {
			v[j] = u[j] / norm
		}
		if math.Abs(next-lam) <= 1e-12*next {
			return next / float64(n)
		}
		lam = next
	}
	return lam / float64(n)
}
