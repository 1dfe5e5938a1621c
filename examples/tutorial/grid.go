package main

import (
	"math"
	"time"

	"github.com/fastbce/bce"
)

// costGrid is J(w1, w2) with b held at its optimum, on an n×n grid of
// weights: the lesson's contour plot and surface. It implements
// plotter.GridXYZ, column c at w1 = X(c) and row r at w2 = Y(r).
type costGrid struct {
	w1, w2 []float64 // the grid's coordinates
	j      []float64 // J at (w1[c], w2[r]) in j[r*len(w1)+c]

	elapsed time.Duration // in bce.Mean, over the whole grid
	logits  time.Duration // computing the logits the means read
}

func (g *costGrid) Dims() (c, r int)   { return len(g.w1), len(g.w2) }
func (g *costGrid) Z(c, r int) float64 { return g.j[r*len(g.w1)+c] }
func (g *costGrid) X(c int) float64    { return g.w1[c] }
func (g *costGrid) Y(r int) float64    { return g.w2[r] }

// minMax returns the smallest and largest J on the grid.
func (g *costGrid) minMax() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range g.j {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return lo, hi
}

// span returns n points from lo to hi.
func span(lo, hi float64, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	return v
}

// evalGrid evaluates J at every point of the grid w1s × w2s with bias b,
// one bce.Mean per point. Since z_i = w1 x_i1 + w2 x_i2 + b is linear in the
// weights, a row of the grid (w2 fixed) needs one product x_i2 w2 + b per
// example, and each point then adds x_i1 w1: the logits of a whole row are
// made first and the means timed over them, so that the time per point is
// bce's and not the logits'.
func (p *problem) evalGrid(w1s, w2s []float64, b float32) *costGrid {
	g := &costGrid{w1: w1s, w2: w2s, j: make([]float64, len(w1s)*len(w2s))}
	m, nc := p.m, len(w1s)
	row := make([]float32, nc*m)
	base := make([]float32, m)
	for r, w2 := range w2s {
		t0 := time.Now()
		for i := range m {
			base[i] = p.x[2*i+1]*float32(w2) + b
		}
		for c, w1 := range w1s {
			z := row[c*m : (c+1)*m]
			for i := range m {
				z[i] = p.x[2*i]*float32(w1) + base[i]
			}
		}
		t1 := time.Now()
		js := g.j[r*nc : (r+1)*nc]
		for c := range js {
			js[c] = float64(bce.Mean(row[c*m:(c+1)*m], p.y))
		}
		g.elapsed += time.Since(t1)
		g.logits += t1.Sub(t0)
	}
	return g
}
