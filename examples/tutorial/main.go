// Command tutorial runs the lesson on the simplified logistic loss with
// package bce: the loss of one example,
//
//	loss(yhat, y) = -y log(yhat) - (1-y) log(1-yhat),  yhat = sigmoid(z)
//
// its worked example, why it is computed from the logit z rather than from
// yhat, and the batch objective J(w, b), the mean loss, minimised by
// gradient descent on two features of the breast cancer data (mean radius
// and mean texture), with and without feature scaling, checked against
// scikit-learn's LogisticRegression(penalty=None).
//
// Usage, from the repository root:
//
//	go run ./examples/tutorial [-out dir] [-epochs 2000] [-grid 201]
//
// It writes the lesson's pictures as PNG files into -out (by default a new
// temporary directory, whose path it prints): the sigmoid, both learning
// curves, the decision boundary over the data, and J(w1, w2) as a contour
// plot and as a surface.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/fastbce/bce"
	"github.com/fastbce/bce/examples/internal/dataset"
)

func main() {
	if _, err := run(os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "tutorial:", err)
		os.Exit(1)
	}
}

type config struct {
	out    string
	epochs int
	grid   int
}

// result is what a run computed, for the tests.
type result struct {
	worked   []workedRow
	extremes []extremeRow
	scaled   *descent // on z-scored features
	raw      *descent // on the features as measured
	sk       *sklearnFit
	relJ     float64 // |J(scaled) - J(scikit-learn)| / J(scikit-learn)
	grid     *costGrid
	dir      string // where the pictures went
	files    []string
}

func parseFlags(args []string, errOut io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("tutorial", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.StringVar(&c.out, "out", "", "directory for the pictures (default: a new temporary directory)")
	fs.IntVar(&c.epochs, "epochs", 2000, "gradient descent epochs, for both the scaled and the unscaled run")
	fs.IntVar(&c.grid, "grid", 201, "points per side of the grid J(w1, w2) is evaluated on")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.epochs < 1 || c.grid < 2 {
		return c, fmt.Errorf("-epochs must be at least 1 and -grid at least 2")
	}
	return c, nil
}

func run(args []string, out io.Writer) (*result, error) {
	c, err := parseFlags(args, out)
	if err != nil {
		return nil, err
	}
	r := &result{worked: workedExample(), extremes: extremes()}
	fmt.Fprintf(out, "bce path: %s\n\n", bce.Path())
	printLesson(out, r.worked, r.extremes)

	ls, err := newLesson()
	if err != nil {
		return nil, err
	}
	ds, sc := ls.data, ls.sc
	r.sk = ls.sk
	var npos int
	for _, y := range ds.Y {
		npos += int(y)
	}
	fmt.Fprintf(out, "\ndata: breast cancer, %d rows; x1 = %s, x2 = %s; y = 1 for %s (%d), 0 for malignant (%d)\n",
		ds.N, ds.names[0], ds.names[1], ds.label, npos, ds.N-npos)
	for j := range 2 {
		fmt.Fprintf(out, "    %-12s mean %.4f, std %.4f\n", ds.names[j], sc.mean[j], sc.std[j])
	}

	r.scaled, r.raw = ls.scaled.train(c.epochs), ls.raw.train(c.epochs)
	jStar := r.sk.J
	fmt.Fprintf(out, "\ngradient descent from w = 0, b = 0, %d epochs, step 1/L:\n", c.epochs)
	fmt.Fprintln(out, "    features        step      J(0)         J(end)      epochs to J* (1+1e-4)")
	for _, d := range []struct {
		name string
		r    *descent
	}{{"z-score scaled", r.scaled}, {"raw", r.raw}} {
		at := "not reached"
		if t := d.r.reached(jStar, 1e-4); t >= 0 {
			at = fmt.Sprint(t)
		}
		fmt.Fprintf(out, "    %-14s  %-8.4g  %-11.7f  %-10.7f  %s\n", d.name, d.r.lr, d.r.curve[0], d.r.curve[len(d.r.curve)-1], at)
	}

	jEnd := float64(r.scaled.curve[len(r.scaled.curve)-1])
	r.relJ = math.Abs(jEnd-jStar) / jStar
	fmt.Fprintf(out, "\nscaled optimum: w1 = %.6f, w2 = %.6f, b = %.6f, J = %.7f\n", r.scaled.w[0], r.scaled.w[1], r.scaled.b, jEnd)
	fmt.Fprintf(out, "scikit-learn %s LogisticRegression(penalty=None), same scaling (testdata/sklearn.json):\n", r.sk.Version)
	fmt.Fprintf(out, "                w1 = %.6f, w2 = %.6f, b = %.6f, J = %.7f\n", r.sk.Coef[0], r.sk.Coef[1], r.sk.Intercept, jStar)
	fmt.Fprintf(out, "relative difference in J: %.1e\n", r.relJ)
	wr, br := sc.unscale([2]float64{float64(r.scaled.w[0]), float64(r.scaled.w[1])}, float64(r.scaled.b))
	fmt.Fprintf(out, "decision boundary in raw units: %s\n", equation(wr, br, 4))

	// The grid is centred on the optimum and wide enough to take in the
	// start of gradient descent, w = 0.
	half := 1.25 * math.Max(math.Abs(float64(r.scaled.w[0])), math.Abs(float64(r.scaled.w[1])))
	w1s := span(float64(r.scaled.w[0])-half, float64(r.scaled.w[0])+half, c.grid)
	w2s := span(float64(r.scaled.w[1])-half, float64(r.scaled.w[1])+half, c.grid)
	r.grid = ls.scaled.evalGrid(w1s, w2s, r.scaled.b)
	pts := len(r.grid.j)
	secs := r.grid.elapsed.Seconds()
	fmt.Fprintf(out, "\nJ(w1, w2) at b = %.6f on a %d×%d grid: %d bce.Mean calls of %d examples in %v\n",
		r.scaled.b, c.grid, c.grid, pts, ls.scaled.m, r.grid.elapsed.Round(time.Microsecond))
	fmt.Fprintf(out, "    bce.Mean: %.3g grid points/s (%.3g losses/s); with the logits (%v more): %.3g grid points/s\n",
		float64(pts)/secs, float64(pts*ls.scaled.m)/secs, r.grid.logits.Round(time.Microsecond),
		float64(pts)/(r.grid.elapsed+r.grid.logits).Seconds())

	// Pictures go into a directory of their own, never into the working
	// directory unasked: run from the checkout, that would be the source tree.
	if c.out == "" {
		if c.out, err = os.MkdirTemp("", "bce-tutorial-"); err != nil {
			return nil, err
		}
	} else if err := os.MkdirAll(c.out, 0o755); err != nil {
		return nil, err
	}
	r.dir = c.out
	pics := &pictures{dir: c.out, data: ds, sc: sc, r: r}
	if r.files, err = pics.draw(); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "\npictures in %s:\n", c.out)
	for _, f := range r.files {
		fmt.Fprintf(out, "    %s\n", f)
	}
	return r, nil
}

// lesson is the data and the two problems trained on it: J on the z-scored
// features and on the raw ones, with the same labels.
type lesson struct {
	data        *data
	sc          scaler
	scaled, raw *problem
	sk          *sklearnFit
}

func newLesson() (*lesson, error) {
	ds, err := loadData()
	if err != nil {
		return nil, err
	}
	sk, err := loadSklearn()
	if err != nil {
		return nil, err
	}
	sc := fitScaler(ds.Set)
	y := dataset.Float32(ds.Y)
	return &lesson{data: ds, sc: sc, sk: sk,
		scaled: newProblem(dataset.Float32(sc.apply(ds.X)), y),
		raw:    newProblem(dataset.Float32(ds.X), y)}, nil
}
