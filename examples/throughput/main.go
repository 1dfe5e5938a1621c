// Command throughput times one epoch of logistic regression's loss and
// gradient on synthetic data (by default 1 Mi rows of 32 features) for every
// path of package bce this CPU can run, and the same epoch written as a
// plain Go float64 loop with package math, side by side.
//
// An epoch is the forward pass z = x w + b, the loss and its gradient with
// respect to z, and the backward pass to dJ/dw and dJ/db. The linear layer is
// the same plain Go on both sides (float32 and float64); only the loss phase
// differs in method, so its column is where the paths differ.
//
// Usage, from the repository root:
//
//	go run ./examples/throughput [-n 1048576] [-d 32] [-epochs 5]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"time"

	"github.com/fastbce/bce"
)

func main() {
	if _, err := run(os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // -h: the usage is already printed
		}
		fmt.Fprintln(os.Stderr, "throughput:", err)
		os.Exit(1)
	}
}

// row is one line of the table.
type row struct {
	name string
	t    timing
}

func run(args []string, out io.Writer) ([]row, error) {
	fs := flag.NewFlagSet("throughput", flag.ContinueOnError)
	fs.SetOutput(out)
	n := fs.Int("n", 1<<20, "rows")
	d := fs.Int("d", 32, "features")
	epochs := fs.Int("epochs", 5, "timed epochs per path (the fastest is shown)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *n < 1 || *d < 1 || *epochs < 1 {
		return nil, fmt.Errorf("-n, -d and -epochs must be at least 1")
	}

	s := newSynthetic(*n, *d, 1)
	sc := newScratch(*n, *d)
	fmt.Fprintf(out, "n = %d rows, d = %d features, best of %d epochs; %s/%s, %s\n",
		*n, *d, *epochs, runtime.GOOS, runtime.GOARCH, runtime.Version())

	var rows []row
	// SetPath changes a process-wide setting; put the path back afterwards
	// (it was in use, so setting it again cannot fail).
	prev := bce.Path()
	defer func() { _ = bce.SetPath(prev) }()
	for _, p := range bce.Paths() {
		if err := bce.SetPath(p); err != nil {
			return nil, err
		}
		rows = append(rows, row{"bce " + p, best(*epochs, func() timing { return epochBCE(s, sc) })})
	}
	rows = append(rows, row{"float64 math", best(*epochs, func() timing { return epochFloat64(s, sc) })})
	printTable(out, rows, *n)
	return rows, nil
}

func printTable(out io.Writer, rows []row, n int) {
	ref := rows[len(rows)-1].t // the float64 loop
	fmt.Fprintf(out, "\n%-14s %10s %10s %10s %10s %13s %9s %9s  %s\n",
		"path", "forward", "loss+grad", "backward", "epoch", "loss+grad/s", "loss x", "epoch x", "J")
	for _, r := range rows {
		fmt.Fprintf(out, "%-14s %10s %10s %10s %10s %11.0fM/s %8.1fx %8.2fx  %.7g\n",
			r.name, ms(r.t.forward), ms(r.t.loss), ms(r.t.backward), ms(r.t.total()),
			float64(n)/r.t.loss.Seconds()/1e6,
			ref.loss.Seconds()/r.t.loss.Seconds(), ref.total().Seconds()/r.t.total().Seconds(), r.t.j)
	}
	fmt.Fprintf(out, "\nloss+grad/s: elements per second of the loss phase. loss x, epoch x: speed-up of\n"+
		"the loss phase and of the whole epoch over the float64 loop.\n")
	var worst float64
	for _, r := range rows[:len(rows)-1] {
		worst = max(worst, math.Abs(r.t.j-ref.j)/ref.j)
	}
	fmt.Fprintf(out, "largest relative difference of J from the float64 loop: %.2g\n", worst)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/1e6) }
