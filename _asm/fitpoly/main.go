// Command fitpoly fits the two polynomials of bce's kernels and prints their
// float32 coefficients and error, so that the constants in bce_generic.go
// (and the assembly generated from them) can be reproduced:
//
//	cd _asm && go run ./fitpoly
//
// Method: a weighted minimax fit by Lawson's algorithm (C. L. Lawson,
// "Contributions to the theory of linear least maximum approximation",
// PhD thesis, UCLA, 1961: iteratively reweighted least squares whose weights
// converge to the minimax solution; here on a dense grid, each step solved
// by QR in float64), then
// the coefficients are rounded to float32 one at a time, lowest degree first,
// each rounding followed by a refit of the higher ones, so that later
// coefficients absorb the rounding of earlier ones.
//
//   - exp(r) on |r| <= ln2/2 as 1 + r + r^2*Q(r), Q of degree 4 (degree 6 in
//     all), minimising the relative error of the result.
//   - log1p(f) on f in [-0.25, 0.5] as f + f^2*P(f), P of degree 8 (degree
//     10 in all), minimising the relative error of the result.
package main

import (
	"flag"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

func main() {
	iters := flag.Int("iters", 400, "Lawson iterations per fit")
	flag.Parse()

	// exp: Q(r) ~ (exp(r)-1-r)/r^2, weight r^2/exp(r) turns an error in Q
	// into the relative error of 1 + r + r^2 Q.
	expQ := func(r float64) float64 {
		if math.Abs(r) < 1e-2 {
			return taylor(r, func(k int) float64 { return 1 / fact(k+2) }, 12)
		}
		return (math.Expm1(r) - r) / (r * r)
	}
	expW := func(r float64) float64 { return r * r / math.Exp(r) }
	h := math.Ln2 / 2 * (1 + 1e-6)
	q := fit("exp Q", expQ, expW, -h, h, 4, *iters)
	fmt.Printf("exp: 1 + r + r^2*Q(r); Q coefficients c2..c6:\n")
	printCoefs(q)

	// log1p: P(f) ~ (log1p(f)-f)/f^2 = -1/2 + f/3 - f^2/4 + ..., weight
	// f^2/log1p(f) for the relative error of f + f^2 P.
	logP := func(f float64) float64 {
		if math.Abs(f) < 1e-2 {
			return taylor(f, func(k int) float64 { return math.Pow(-1, float64(k+1)) / float64(k+2) }, 14)
		}
		return (math.Log1p(f) - f) / (f * f)
	}
	logW := func(f float64) float64 {
		if f == 0 {
			return 0
		}
		return f * f / math.Log1p(f)
	}
	p := fit("log1p P", logP, logW, -0.25, 0.5, 8, *iters)
	fmt.Printf("log1p: f + f^2*P(f); P coefficients p0..p8:\n")
	printCoefs(p)
}

func printCoefs(c []float32) {
	for i, v := range c {
		fmt.Printf("\t%2d: %.9g (0x%08x)\n", i, v, math.Float32bits(v))
	}
}

func fact(k int) float64 {
	f := 1.0
	for i := 2; i <= k; i++ {
		f *= float64(i)
	}
	return f
}

func taylor(x float64, coef func(k int) float64, n int) float64 {
	s := 0.0
	for k := n; k >= 0; k-- {
		s = s*x + coef(k)
	}
	return s
}

// fit returns float32 coefficients c[0..deg] of the polynomial that
// minimises max |w(t) (poly(t) - g(t))| on [lo, hi], and prints that maximum
// in units of 2^-24 (half a float32 ULP at 1 is 2^-24... a ULP just below 1).
func fit(name string, g, w func(float64) float64, lo, hi float64, deg, iters int) []float32 {
	const npts = 4000
	ts := make([]float64, npts)
	for i := range ts {
		// Chebyshev-distributed points cluster at the ends, where the
		// minimax error peaks.
		u := math.Cos(math.Pi * (float64(i) + 0.5) / npts)
		ts[i] = (lo+hi)/2 + (hi-lo)/2*u
	}
	fixed := make([]float64, 0, deg+1)
	var c []float64
	for len(fixed) <= deg {
		c = lawson(ts, g, w, fixed, deg, iters)
		fixed = append(fixed, float64(float32(c[len(fixed)])))
	}
	out := make([]float32, deg+1)
	maxErr := 0.0
	for i := range out {
		out[i] = float32(fixed[i])
	}
	for i := 0; i <= 200000; i++ {
		t := lo + (hi-lo)*float64(i)/200000
		e := math.Abs(w(t) * (horner(fixed, t) - g(t)))
		maxErr = math.Max(maxErr, e)
	}
	fmt.Printf("%s: degree %d on [%g, %g]: max weighted error %.3g = %.3f units of 2^-24\n",
		name, deg, lo, hi, maxErr, maxErr/0x1p-24)
	return out
}

func horner(c []float64, t float64) float64 {
	s := 0.0
	for k := len(c) - 1; k >= 0; k-- {
		s = s*t + c[k]
	}
	return s
}

// lawson runs Lawson's algorithm for the coefficients after the fixed ones.
func lawson(ts []float64, g, w func(float64) float64, fixed []float64, deg, iters int) []float64 {
	nf := len(fixed)
	nfree := deg + 1 - nf
	u := make([]float64, len(ts))
	for i := range u {
		u[i] = 1 / float64(len(ts))
	}
	c := append([]float64(nil), fixed...)
	c = append(c, make([]float64, nfree)...)
	a := mat.NewDense(len(ts), nfree, nil)
	b := mat.NewVecDense(len(ts), nil)
	for it := 0; it < iters; it++ {
		for i, t := range ts {
			s := math.Sqrt(u[i]) * w(t)
			pw := math.Pow(t, float64(nf))
			for j := 0; j < nfree; j++ {
				a.Set(i, j, s*pw)
				pw *= t
			}
			b.SetVec(i, s*(g(t)-horner(fixed, t)))
		}
		var qr mat.QR
		qr.Factorize(a)
		var x mat.VecDense
		if err := qr.SolveVecTo(&x, false, b); err != nil {
			panic(err)
		}
		for j := 0; j < nfree; j++ {
			c[nf+j] = x.AtVec(j)
		}
		sum := 0.0
		for i, t := range ts {
			u[i] *= math.Abs(w(t) * (horner(c, t) - g(t)))
			sum += u[i]
		}
		for i := range u {
			u[i] /= sum
		}
	}
	return c
}
