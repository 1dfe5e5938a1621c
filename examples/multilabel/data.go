package main

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"

	"github.com/fastbce/bce/examples/internal/dataset"
)

// classes is the number of outputs: one per digit.
const classes = 10

// Embedded so that the command and its test find the data from any working
// directory; -data reads another file of the same format.
//
//go:embed testdata/digits.csv
var digitsCSV []byte

// split is one part of the data: standardized pixels (n×d) and the
// one-hot targets (n×classes) the ten outputs are trained on, both flattened
// row-major, so that element i of the targets is class i % classes, the
// layout Criterion.PosWeight assumes.
type split struct {
	x, y  []float32
	digit []int
	n, d  int
}

// loadDigits reads the digits and splits them into a training and a held-out
// part after a shuffle with the given seed, so every run holds out the same
// images.
func loadDigits(path string, testFrac float64, seed uint64) (train, test *split, err error) {
	var r io.Reader = bytes.NewReader(digitsCSV)
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		r = f
	}
	s, err := dataset.ReadCSV(csv.NewReader(r))
	if err != nil {
		return nil, nil, fmt.Errorf("digits: %v", err)
	}
	for i, y := range s.Y {
		if y != float64(int(y)) || y < 0 || y >= classes {
			return nil, nil, fmt.Errorf("digits: row %d: label %v, want 0..9", i+1, y)
		}
	}
	perm := rand.New(rand.NewPCG(seed, 0x6469676974)).Perm(s.N)
	nTest := int(float64(s.N)*testFrac + 0.5)
	if nTest < 1 || nTest >= s.N {
		return nil, nil, fmt.Errorf("held-out fraction %v leaves no training or no test rows", testFrac)
	}
	train, test = subset(s, perm[nTest:]), subset(s, perm[:nTest])
	// Both parts are standardized with the training part's statistics:
	// the held-out images must not leak into anything the model is fit on.
	mu, sd := train.moments()
	train.standardize(mu, sd)
	test.standardize(mu, sd)
	return train, test, nil
}

// subset gathers the given rows.
func subset(s *dataset.Set, rows []int) *split {
	p := &split{n: len(rows), d: s.D,
		x: make([]float32, len(rows)*s.D), y: make([]float32, len(rows)*classes),
		digit: make([]int, len(rows))}
	for i, r := range rows {
		for j, v := range s.Row(r) {
			p.x[i*s.D+j] = float32(v)
		}
		c := int(s.Y[r])
		p.digit[i] = c
		p.y[i*classes+c] = 1
	}
	return p
}

// positives counts the positive targets of every class.
func (p *split) positives() [classes]int {
	var pos [classes]int
	for _, c := range p.digit {
		pos[c]++
	}
	return pos
}

// moments returns the mean and standard deviation of every pixel (1 for a
// pixel that is constant, such as the corners, which are always blank).
func (p *split) moments() (mu, sd []float32) {
	mu = make([]float32, p.d)
	sd = make([]float32, p.d)
	for j := range p.d {
		var m, ss float64
		for i := range p.n {
			m += float64(p.x[i*p.d+j])
		}
		m /= float64(p.n)
		for i := range p.n {
			d := float64(p.x[i*p.d+j]) - m
			ss += d * d
		}
		mu[j] = float32(m)
		sd[j] = float32(math.Sqrt(ss / float64(p.n)))
		if sd[j] == 0 {
			sd[j] = 1
		}
	}
	return mu, sd
}

// standardize maps every pixel to (x - mu)/sd. Centring matters more than it
// looks: raw intensities are all non-negative, so their mean direction
// dominates the Gram matrix, its largest eigenvalue sets the step, and
// gradient descent then crawls along every other direction. On this split,
// 100 epochs on standardized pixels reach a lower training loss than 3000 on
// pixels divided by 16.
func (p *split) standardize(mu, sd []float32) {
	for i := range p.n {
		for j := range p.d {
			p.x[i*p.d+j] = (p.x[i*p.d+j] - mu[j]) / sd[j]
		}
	}
}
