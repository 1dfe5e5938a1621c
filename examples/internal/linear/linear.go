// Package linear holds the affine layer z = x W + b that the examples put in
// front of the loss, and its backward pass. It is plain Go, generic over the
// element type so that the float32 path (feeding package bce) and the float64
// reference loops share one implementation and differ only in precision.
package linear

// Float is the element type of a layer.
type Float interface{ ~float32 | ~float64 }

// Forward computes the logits z = x W + b for n rows: x is n×d, W is d×k and
// z is n×k, all row-major, and b has k entries. With k = 1 (one output per
// row, as in logistic regression) it is a dot product per row, which gets its
// own loop because the general one would spend its time on a loop of length 1.
func Forward[F Float](z, x, w, b []F, n, d, k int) {
	check(len(z), len(x), len(w), len(b), n, d, k)
	if k == 1 {
		b0 := b[0]
		w = w[:d]
		for i := range n {
			z[i] = b0 + Dot(x[i*d:i*d+d], w)
		}
		return
	}
	for i := range n {
		zi := z[i*k : i*k+k]
		copy(zi, b)
		xi := x[i*d : i*d+d]
		for j, xij := range xi {
			wj := w[j*k : j*k+k]
			for c := range zi {
				zi[c] += xij * wj[c]
			}
		}
	}
}

// Backward computes, from the gradient gz of a loss with respect to the
// logits (n×k), the gradients with respect to the weights, gw = xᵀ gz (d×k),
// and to the bias, gb[c] = Σ_i gz[i,c]. It overwrites gw and gb. It walks x
// row by row, the order it is stored in, rather than column by column.
func Backward[F Float](gw, gb, x, gz []F, n, d, k int) {
	check(len(gz), len(x), len(gw), len(gb), n, d, k)
	clear(gw[:d*k])
	clear(gb[:k])
	if k == 1 {
		gw = gw[:d]
		var sb F
		for i := range n {
			g := gz[i]
			sb += g
			Axpy(gw, g, x[i*d:i*d+d])
		}
		gb[0] = sb
		return
	}
	for i := range n {
		gi := gz[i*k : i*k+k]
		for c, g := range gi {
			gb[c] += g
		}
		for j, xij := range x[i*d : i*d+d] {
			gwj := gw[j*k : j*k+k]
			for c, g := range gi {
				gwj[c] += xij * g
			}
		}
	}
}

// Dot returns Σ a[i]*b[i] over len(a) elements. Four partial sums break the
// dependency chain of one running sum, which roughly doubles the speed of
// this loop without assembly.
func Dot[F Float](a, b []F) F {
	b = b[:len(a)]
	var s0, s1, s2, s3 F
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// Axpy adds alpha*x to y.
func Axpy[F Float](y []F, alpha F, x []F) {
	x = x[:len(y)]
	for i := range y {
		y[i] += alpha * x[i]
	}
}

func check(nz, nx, nw, nb, n, d, k int) {
	if n < 0 || d < 1 || k < 1 || nz < n*k || nx < n*d || nw < d*k || nb < k {
		panic("linear: slices too short for the given shape")
	}
}
