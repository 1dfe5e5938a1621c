package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/fastbce/bce"
	"github.com/fastbce/bce/internal/roofline"
)

// classes is the number of classes of the weighted Mean: its PosWeight has
// this many entries, so its n is rounded down to a multiple of it.
const classes = 10

// Variants measured besides the library's paths.
const (
	pathPlain    = "plain"    // the float64 math loop a user would write
	pathRoofline = "roofline" // streaming the same bytes, nothing else
)

// data is the input of every function: logits x, targets y, weights w, the
// per-class positive weights pw, and dst for what the functions write.
type data struct {
	x, y, w, dst, dst2, pw []float32
}

// newData fills n elements deterministically: logits uniform in [-8, 8],
// targets 0 or 1, weights uniform in [0.5, 1.5] and positive weights in
// [0.5, 4].
func newData(n int) *data {
	r := rand.New(rand.NewPCG(1, 2))
	d := &data{
		x:    make([]float32, n),
		y:    make([]float32, n),
		w:    make([]float32, n),
		dst:  make([]float32, n),
		dst2: make([]float32, n),
		pw:   make([]float32, classes),
	}
	for i := range d.x {
		d.x[i] = float32(r.Float64()*16 - 8)
		d.y[i] = float32(r.IntN(2))
		d.w[i] = float32(r.Float64() + 0.5)
		d.dst[i], d.dst2[i] = 0.5, 0.5 // touch every page before the first timed call
	}
	for i := range d.pw {
		d.pw[i] = float32(r.Float64()*3.5 + 0.5)
	}
	return d
}

// function is one benchmarked function: its bce kernel, the plain loop that
// computes the same thing, and the roofline that moves the same bytes. Each
// runs on elements [lo, hi) and returns something derived from its work.
// fanned is the kernel's Criterion or Focal form over [0, n) with
// Goroutines k, which the scaling measures; nil for Sigmoid, which has no
// such form, so the scaling splits it by hand (splitChunks).
type function struct {
	Name   string
	Bytes  int // bytes read and written per element
	Align  int // lo and hi must be multiples of Align (n is rounded down)
	kernel func(d *data, lo, hi int) float32
	plain  func(d *data, lo, hi int) float32
	roof   func(d *data, lo, hi int) float32
	fanned func(d *data, n, k int) float32
}

// run returns the implementation of the named variant: a bce path (which the
// caller has selected with bce.SetPath), "plain" or "roofline".
func (f *function) run(variant string) func(d *data, lo, hi int) float32 {
	switch variant {
	case pathPlain:
		return f.plain
	case pathRoofline:
		return f.roof
	}
	return f.kernel
}

// roofRW reads x and copies y to dst: the 12 bytes per element of a kernel
// that reads two inputs and writes one output.
func roofRW(d *data, lo, hi int) float32 {
	s := roofline.Read(d.x[lo:hi])
	roofline.ReadWrite(d.dst[lo:hi], d.y[lo:hi])
	return s
}

var functions = []*function{
	{
		Name: "Loss", Bytes: 12, Align: 1,
		fanned: func(d *data, n, k int) float32 {
			bce.Criterion{Goroutines: k}.Loss(d.dst[:n], d.x[:n], d.y[:n])
			return d.dst[0]
		},
		kernel: func(d *data, lo, hi int) float32 {
			bce.Loss(d.dst[lo:hi], d.x[lo:hi], d.y[lo:hi])
			return d.dst[lo]
		},
		plain: func(d *data, lo, hi int) float32 {
			plainLoss(d.dst[lo:hi], d.x[lo:hi], d.y[lo:hi])
			return d.dst[lo]
		},
		roof: roofRW,
	},
	{
		Name: "Mean", Bytes: 8, Align: 1,
		fanned: func(d *data, n, k int) float32 {
			return bce.Criterion{Goroutines: k}.Reduce(d.x[:n], d.y[:n])
		},
		kernel: func(d *data, lo, hi int) float32 { return bce.Mean(d.x[lo:hi], d.y[lo:hi]) },
		plain:  func(d *data, lo, hi int) float32 { return plainMean(d.x[lo:hi], d.y[lo:hi]) },
		roof: func(d *data, lo, hi int) float32 {
			return roofline.Read(d.x[lo:hi]) + roofline.Read(d.y[lo:hi])
		},
	},
	{
		Name: "Grad", Bytes: 12, Align: 1,
		fanned: func(d *data, n, k int) float32 {
			bce.Criterion{Goroutines: k}.Grad(d.dst[:n], d.x[:n], d.y[:n])
			return d.dst[0]
		},
		kernel: func(d *data, lo, hi int) float32 {
			bce.Grad(d.dst[lo:hi], d.x[lo:hi], d.y[lo:hi])
			return d.dst[lo]
		},
		plain: func(d *data, lo, hi int) float32 {
			plainGrad(d.dst[lo:hi], d.x[lo:hi], d.y[lo:hi])
			return d.dst[lo]
		},
		roof: roofRW,
	},
	{
		Name: "LossGrad", Bytes: 12, Align: 1,
		fanned: func(d *data, n, k int) float32 {
			return bce.Criterion{Goroutines: k}.LossGrad(d.dst[:n], d.x[:n], d.y[:n])
		},
		kernel: func(d *data, lo, hi int) float32 {
			return bce.LossGrad(d.dst[lo:hi], d.x[lo:hi], d.y[lo:hi])
		},
		plain: func(d *data, lo, hi int) float32 {
			return plainLossGrad(d.dst[lo:hi], d.x[lo:hi], d.y[lo:hi])
		},
		roof: roofRW,
	},
	{
		Name: "LossAndGrad", Bytes: 16, Align: 1,
		fanned: func(d *data, n, k int) float32 {
			bce.Criterion{Goroutines: k}.LossAndGrad(d.dst[:n], d.dst2[:n], d.x[:n], d.y[:n])
			return d.dst[0] + d.dst2[0]
		},
		kernel: func(d *data, lo, hi int) float32 {
			bce.LossAndGrad(d.dst[lo:hi], d.dst2[lo:hi], d.x[lo:hi], d.y[lo:hi])
			return d.dst[lo] + d.dst2[lo]
		},
		plain: func(d *data, lo, hi int) float32 {
			plainLossAndGrad(d.dst[lo:hi], d.dst2[lo:hi], d.x[lo:hi], d.y[lo:hi])
			return d.dst[lo] + d.dst2[lo]
		},
		roof: func(d *data, lo, hi int) float32 {
			roofline.ReadWrite(d.dst[lo:hi], d.x[lo:hi])
			roofline.ReadWrite(d.dst2[lo:hi], d.y[lo:hi])
			return d.dst[lo] + d.dst2[lo]
		},
	},
	{
		// The focal loss of torchvision's defaults (Gamma 2, Alpha 0.25),
		// weighted, reduced to its mean with the gradient of that mean.
		Name: "FocalLossGrad", Bytes: 16, Align: 1,
		fanned: func(d *data, n, k int) float32 {
			f := bce.Focal{Gamma: 2, Alpha: 0.25, Weight: d.w[:n], Goroutines: k}
			return f.LossGrad(d.dst[:n], d.x[:n], d.y[:n])
		},
		kernel: func(d *data, lo, hi int) float32 {
			f := bce.Focal{Gamma: 2, Alpha: 0.25, Weight: d.w[lo:hi]}
			return f.LossGrad(d.dst[lo:hi], d.x[lo:hi], d.y[lo:hi])
		},
		plain: func(d *data, lo, hi int) float32 {
			return plainFocalLossGrad(d.dst[lo:hi], d.x[lo:hi], d.y[lo:hi], d.w[lo:hi])
		},
		roof: func(d *data, lo, hi int) float32 {
			roofline.ReadWrite(d.dst[lo:hi], d.x[lo:hi])
			return roofline.Read(d.y[lo:hi]) + roofline.Read(d.w[lo:hi])
		},
	},
	{
		Name: "Sigmoid", Bytes: 8, Align: 1,
		kernel: func(d *data, lo, hi int) float32 {
			bce.Sigmoid(d.dst[lo:hi], d.x[lo:hi])
			return d.dst[lo]
		},
		plain: func(d *data, lo, hi int) float32 {
			plainSigmoid(d.dst[lo:hi], d.x[lo:hi])
			return d.dst[lo]
		},
		roof: func(d *data, lo, hi int) float32 {
			roofline.ReadWrite(d.dst[lo:hi], d.x[lo:hi])
			return d.dst[lo]
		},
	},
	{
		Name: "WeightedMean", Bytes: 12, Align: classes,
		fanned: func(d *data, n, k int) float32 {
			c := bce.Criterion{Weight: d.w[:n], PosWeight: d.pw, Goroutines: k}
			return c.Reduce(d.x[:n], d.y[:n])
		},
		kernel: func(d *data, lo, hi int) float32 {
			c := bce.Criterion{Weight: d.w[lo:hi], PosWeight: d.pw}
			return c.Reduce(d.x[lo:hi], d.y[lo:hi])
		},
		plain: func(d *data, lo, hi int) float32 {
			return plainWeightedMean(d.x[lo:hi], d.y[lo:hi], d.w[lo:hi], d.pw)
		},
		roof: func(d *data, lo, hi int) float32 {
			return roofline.Read(d.x[lo:hi]) + roofline.Read(d.y[lo:hi]) + roofline.Read(d.w[lo:hi])
		},
	},
}

// lookupFunctions parses a comma-separated list of function names
// (case-insensitive; "all" or "" for every one).
func lookupFunctions(list string) ([]*function, error) {
	if list == "" || strings.EqualFold(list, "all") {
		return functions, nil
	}
	var fs []*function
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		var found *function
		for _, f := range functions {
			if strings.EqualFold(f.Name, name) || strings.EqualFold(name, "sum") && f.Name == "Mean" ||
				strings.EqualFold(name, "wmean") && f.Name == "WeightedMean" {
				found = f
			}
		}
		if found == nil {
			names := make([]string, len(functions))
			for i, f := range functions {
				names[i] = f.Name
			}
			return nil, fmt.Errorf("unknown function %q (known: %s)", name, strings.Join(names, ", "))
		}
		fs = append(fs, found)
	}
	return fs, nil
}

// The plain loops: what a user writes without this library, in float64 with
// package math, on the float32 inputs converted.

func plainLoss(dst, x, y []float32) {
	for i := range dst {
		xi, yi := float64(x[i]), float64(y[i])
		dst[i] = float32(math.Max(xi, 0) - xi*yi + math.Log1p(math.Exp(-math.Abs(xi))))
	}
}

func plainMean(x, y []float32) float32 {
	var s float64
	for i := range x {
		xi, yi := float64(x[i]), float64(y[i])
		s += math.Max(xi, 0) - xi*yi + math.Log1p(math.Exp(-math.Abs(xi)))
	}
	return float32(s / float64(len(x)))
}

func plainGrad(dst, x, y []float32) {
	for i := range dst {
		dst[i] = float32(1/(1+math.Exp(-float64(x[i]))) - float64(y[i]))
	}
}

func plainLossGrad(grad, x, y []float32) float32 {
	var s float64
	inv := 1 / float64(len(x))
	for i := range grad {
		xi, yi := float64(x[i]), float64(y[i])
		s += math.Max(xi, 0) - xi*yi + math.Log1p(math.Exp(-math.Abs(xi)))
		grad[i] = float32((1/(1+math.Exp(-xi)) - yi) * inv)
	}
	return float32(s * inv)
}

func plainLossAndGrad(loss, grad, x, y []float32) {
	for i := range loss {
		xi, yi := float64(x[i]), float64(y[i])
		loss[i] = float32(math.Max(xi, 0) - xi*yi + math.Log1p(math.Exp(-math.Abs(xi))))
		grad[i] = float32(1/(1+math.Exp(-xi)) - yi)
	}
}

// plainFocalLossGrad is torchvision's sigmoid_focal_loss with gamma 2 and
// alpha 0.25, weighted and averaged, and its gradient: p = sigmoid(x),
// ce = BCE with logits, p_t = p*y + (1-p)*(1-y), loss = alpha_t*ce*(1-p_t)^2,
// in float64 with package math.
func plainFocalLossGrad(grad, x, y, w []float32) float32 {
	const gamma, alpha = 2, 0.25
	var s float64
	inv := 1 / float64(len(x))
	for i := range grad {
		xi, yi, wi := float64(x[i]), float64(y[i]), float64(w[i])
		p := 1 / (1 + math.Exp(-xi))
		ce := math.Max(xi, 0) - xi*yi + math.Log1p(math.Exp(-math.Abs(xi)))
		q := 1 - (p*yi + (1-p)*(1-yi))
		at := alpha*yi + (1-alpha)*(1-yi)
		m := math.Pow(q, gamma)
		s += wi * at * ce * m
		dq := (1 - 2*yi) * p * (1 - p)
		grad[i] = float32(wi * at * ((p-yi)*m + ce*gamma*math.Pow(q, gamma-1)*dq) * inv)
	}
	return float32(s * inv)
}

func plainSigmoid(dst, x []float32) {
	for i := range dst {
		dst[i] = float32(1 / (1 + math.Exp(-float64(x[i]))))
	}
}

// plainWeightedMean is PyTorch's formula,
// w*(p*y*softplus(-x) + (1-y)*softplus(x)), with the log1p(exp(-|x|)) the two
// softplus share computed once.
func plainWeightedMean(x, y, w, pw []float32) float32 {
	var s float64
	for i := range x {
		xi, yi := float64(x[i]), float64(y[i])
		p := float64(pw[i%len(pw)])
		l := math.Log1p(math.Exp(-math.Abs(xi)))
		s += float64(w[i]) * (p*yi*(math.Max(-xi, 0)+l) + (1-yi)*(math.Max(xi, 0)+l))
	}
	return float32(s / float64(len(x)))
}
