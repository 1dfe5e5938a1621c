// Command logreg trains a logistic regression classifier on the Breast Cancer
// Wisconsin (Diagnostic) data set by full-batch gradient descent, with the
// loss and its gradient with respect to the logits from package bce.
//
// The model is p(benign | x) = sigmoid(w·x + b) and the objective
//
//	J(w, b) = mean binary cross-entropy + lambda/(2m) ||w||²
//
// Usage, from the repository root:
//
//	go run ./examples/logreg [-lambda 1] [-lr 0] [-epochs 10000] [-scale=true] [-plot prefix]
//
// It prints the learning curve (J every few epochs), writes it as a PNG and
// an SVG plot, and ends with the lines `loss=<J>` and `accuracy=<training
// accuracy>` and the confusion matrix. Run it with -scale=false to see
// gradient descent crawl on features spanning five orders of magnitude.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/fastbce/bce/examples/internal/dataset"
)

func main() {
	if _, err := run(os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // -h: the usage is already printed
		}
		fmt.Fprintln(os.Stderr, "logreg:", err)
		os.Exit(1)
	}
}

// config holds the command-line flags.
type config struct {
	data   string
	lambda float64
	lr     float64
	epochs int
	every  int
	scale  bool
	plot   string
}

// result is what a run measured, for the tests.
type result struct {
	j, accuracy float64
	lr          float64
	curve       []float64
	confusion   [2][2]int
	w           []float32
	b           float32
}

func parseFlags(args []string, errOut io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("logreg", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.StringVar(&c.data, "data", "", "CSV data file in the format of testdata/breast_cancer.csv (default: the embedded copy)")
	fs.Float64Var(&c.lambda, "lambda", 1, "L2 penalty: J = mean BCE + lambda/(2m)||w||²")
	fs.Float64Var(&c.lr, "lr", 0, "gradient descent step; 0 picks 1/L, L a bound on the curvature of J")
	fs.IntVar(&c.epochs, "epochs", 10000, "full-batch gradient descent epochs")
	fs.IntVar(&c.every, "every", 0, "print J every this many epochs (0: about 20 lines)")
	fs.BoolVar(&c.scale, "scale", true, "z-score the features (mean 0, standard deviation 1)")
	fs.StringVar(&c.plot, "plot", filepath.Join(os.TempDir(), "logreg-curve"),
		"write the learning curve to <plot>.png and <plot>.svg (\"\" for none)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.epochs < 0 || c.lambda < 0 || c.lr < 0 || c.every < 0 {
		return c, fmt.Errorf("-epochs, -lambda, -lr and -every must not be negative")
	}
	return c, nil
}

func run(args []string, out io.Writer) (*result, error) {
	c, err := parseFlags(args, out)
	if err != nil {
		return nil, err
	}
	ds, err := loadData(c.data)
	if err != nil {
		return nil, err
	}
	var npos int
	for _, y := range ds.Y {
		npos += int(y)
	}
	fmt.Fprintf(out, "data: %d rows, %d features; class 0 %s: %d, class 1 %s: %d\n",
		ds.N, ds.D, ds.classes[0], ds.N-npos, ds.classes[1], npos)
	if c.scale {
		zscore(ds.Set)
		fmt.Fprintln(out, "features: z-score scaled")
	} else {
		fmt.Fprintln(out, "features: raw (unscaled)")
	}

	p := newProblem(dataset.Float32(ds.X), dataset.Float32(ds.Y), ds.N, ds.D, c.lambda)
	L := p.smoothness()
	lr := c.lr
	if lr == 0 {
		lr = 1 / L
		fmt.Fprintf(out, "step: lr = 1/L = %.4g (L = %.4g bounds the curvature of J)\n", lr, L)
	} else {
		fmt.Fprintf(out, "step: lr = %.4g (1/L = %.4g; above 2/L gradient descent can diverge)\n", lr, 1/L)
	}

	w := make([]float32, ds.D)
	b := make([]float32, 1)
	curve := p.train(w, b, lr, c.epochs)
	printCurve(out, curve, c.every)
	if c.plot != "" {
		files, err := plotCurve(curve, c.plot, c.scale)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "plot: %s\n", strings.Join(files, ", "))
	}

	r := &result{j: curve[len(curve)-1], lr: lr, curve: curve, w: w, b: b[0]}
	pred := p.predict(w, b)
	var right int
	for i, yi := range ds.Y {
		r.confusion[int(yi)][pred[i]]++
		if pred[i] == int(yi) {
			right++
		}
	}
	r.accuracy = float64(right) / float64(ds.N)
	fmt.Fprintf(out, "loss=%.8g\n", r.j)
	fmt.Fprintf(out, "accuracy=%.4f\n", r.accuracy)
	printConfusion(out, r.confusion, ds.classes)
	return r, nil
}
