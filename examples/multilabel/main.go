// Command multilabel trains ten one-vs-rest logistic outputs on the 8x8
// handwritten digits, once with the plain loss and once with a per-class
// positive weight (bce.Criterion.PosWeight), and with -focal a third time
// with the sigmoid focal loss (bce.Focal, Gamma 2 by default), and reports
// per-class precision and recall of each on a held-out split.
//
// Seen as ten binary problems ("is this a 3?"), every class has about one
// positive to nine negatives. The unweighted loss is dominated by the
// negatives, so the outputs learn to say "no" readily and recall suffers; a
// positive weight of negatives/positives per class balances the two terms
// and trades some precision for recall. The focal loss instead down-weights
// the examples the model already gets right (by (1-p_t)^Gamma), most of
// which are easy negatives.
//
// Usage, from the repository root:
//
//	go run ./examples/multilabel [-epochs 1000] [-lambda 1] [-posweight auto] [-focal [-gamma 2] [-alpha 0]] [-test 0.25] [-seed 1]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/fastbce/bce"
)

func main() {
	if _, err := run(os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // -h: the usage is already printed
		}
		fmt.Fprintln(os.Stderr, "multilabel:", err)
		os.Exit(1)
	}
}

// result is what a run measured, for the tests: [0] without and [1] with the
// positive weight, [2] with the focal loss (with -focal).
type result struct {
	scores   [3]scores
	top1     [3]float64
	curves   [3][]float64
	models   int // 2, or 3 with -focal
	baseline float64
	pw       []float32
}

func run(args []string, out io.Writer) (*result, error) {
	fs := flag.NewFlagSet("multilabel", flag.ContinueOnError)
	fs.SetOutput(out)
	data := fs.String("data", "", "CSV of 64 pixels (0..16) and the digit per row (default: the embedded testdata/digits.csv)")
	epochs := fs.Int("epochs", 1000, "full-batch gradient descent epochs")
	lambda := fs.Float64("lambda", 1, "L2 penalty: J = mean weighted BCE + lambda/(2n)||W||²")
	posWeight := fs.String("posweight", "auto", `positive weight of every class: "auto" (negatives/positives of the class in the training split) or a number`)
	focal := fs.Bool("focal", false, "also train with the sigmoid focal loss (bce.Focal)")
	gamma := fs.Float64("gamma", 2, "the focal loss's Gamma (with -focal)")
	alpha := fs.Float64("alpha", 0, "the focal loss's Alpha, in [0,1); 0 means no alpha weighting (with -focal)")
	testFrac := fs.Float64("test", 0.25, "fraction of the images held out for the report")
	seed := fs.Uint64("seed", 1, "seed of the shuffle before the split")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *epochs < 0 || *lambda < 0 {
		return nil, fmt.Errorf("-epochs and -lambda must not be negative")
	}
	if !(*gamma >= 0) || math.IsInf(*gamma, 0) || !(*alpha >= 0 && *alpha < 1) {
		return nil, fmt.Errorf("-gamma must be finite and >= 0, -alpha in [0,1)")
	}
	tr, te, err := loadDigits(*data, *testFrac, *seed)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "data: %d images of %d pixels; %d to train, %d held out (seed %d)\n",
		tr.n+te.n, tr.d, tr.n, te.n, *seed)

	pw, err := positiveWeights(*posWeight, tr)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "positive weight per class:")
	for _, p := range pw {
		fmt.Fprintf(out, " %.3g", p)
	}
	fmt.Fprintln(out)

	r := &result{pw: pw, baseline: baselineF1(te), models: 2}
	if *focal {
		r.models = 3
	}
	for k := range r.models {
		var m *model
		var curve []float64
		switch k {
		case 0:
			m, curve = train(tr, bce.Criterion{}, *lambda, *epochs)
		case 1:
			m, curve = train(tr, bce.Criterion{PosWeight: pw}, *lambda, *epochs)
		default:
			m, curve = trainFocal(tr, bce.Focal{Gamma: float32(*gamma), Alpha: float32(*alpha)}, *lambda, *epochs)
		}
		r.scores[k] = score(m.predict(te), te)
		r.top1[k] = m.top1(te)
		r.curves[k] = curve
		fmt.Fprintf(out, "%-12s training J: %.6g at epoch 0, %.6g at epoch %d\n",
			label[k]+":", curve[0], curve[len(curve)-1], len(curve)-1)
	}
	printTable(out, r, te)
	return r, nil
}

var label = [3]string{"no weight", "pos weight", "focal"}

// positiveWeights parses -posweight. "auto" gives each class the ratio of
// its negatives to its positives in the training split, which makes the
// positive and negative terms of its loss equal in total weight.
func positiveWeights(s string, tr *split) ([]float32, error) {
	pw := make([]float32, classes)
	if s == "auto" {
		for c, p := range tr.positives() {
			if p == 0 {
				return nil, fmt.Errorf("class %d has no positive in the training split", c)
			}
			pw[c] = float32(tr.n-p) / float32(p)
		}
		return pw, nil
	}
	v, err := strconv.ParseFloat(s, 32)
	if err != nil || !(v >= 0) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("-posweight %q: want \"auto\" or a finite number >= 0", s)
	}
	for c := range pw {
		pw[c] = float32(v)
	}
	return pw, nil
}

// printTable prints the held-out precision and recall of every class for
// each model, then their macro averages.
func printTable(out io.Writer, r *result, te *split) {
	fmt.Fprintf(out, "\nheld-out precision and recall per class (an output says yes when sigmoid(z) > 1/2):\n")
	fmt.Fprintf(out, "%-5s %9s", "", "")
	for k := range r.models {
		fmt.Fprintf(out, "  %19s", label[k])
	}
	fmt.Fprintf(out, "\n%-5s %9s", "class", "positives")
	for range r.models {
		fmt.Fprintf(out, "  %9s %9s", "precision", "recall")
	}
	fmt.Fprintln(out)
	pos := te.positives()
	for c := range classes {
		fmt.Fprintf(out, "%-5d %9d", c, pos[c])
		for k := range r.models {
			fmt.Fprintf(out, "  %9s %9s", num(r.scores[k].precision[c]), num(r.scores[k].recall[c]))
		}
		fmt.Fprintln(out)
	}
	fmt.Fprintf(out, "%-5s %9d", "mean", te.n)
	for k := range r.models {
		fmt.Fprintf(out, "  %9s %9s", num(mean(r.scores[k].precision)), num(mean(r.scores[k].recall)))
	}
	fmt.Fprintln(out)
	var f1, top1 []string
	for k := range r.models {
		f1 = append(f1, fmt.Sprintf("%s %.4f", label[k], mean(r.scores[k].f1)))
		top1 = append(top1, fmt.Sprintf("%s %.4f", label[k], r.top1[k]))
	}
	fmt.Fprintf(out, "\nmacro F1: %s (trivial baseline, every output always yes: %.4f)\n", strings.Join(f1, ", "), r.baseline)
	fmt.Fprintf(out, "top-1 accuracy (largest logit as a ten-way classifier): %s", strings.Join(top1, ", "))
	fmt.Fprintln(out)
}

func num(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return strconv.FormatFloat(x, 'f', 3, 64)
}
