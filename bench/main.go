// Command bench measures the bce kernels on this machine against the plain
// float64 Go loop and the memory roofline, prints the tables, and writes a
// JSON report and a Markdown table; "bench compare" renders several reports
// side by side with charts. See README.md.
//
// Usage:
//
//	go run ./bench [flags]
//	go run ./bench compare [flags] report.json...
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"time"

	"github.com/fastbce/bce"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
		os.Exit(2)
	}
}

// run is main without the exit, for tests.
func run(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "compare" {
		return runCompare(args[1:], stdout, stderr)
	}
	return runBench(args, stdout, stderr)
}

const (
	defaultSizes = "1Ki..64Mi"
	quickSizes   = "1Ki,64Ki,1Mi"
	resultsDir   = "bench/results"
	// maxScalingN bounds the default size of the scaling: 16Mi elements
	// (64 MiB per array) is far beyond any L3 and 4 times quicker than 64Mi.
	maxScalingN = 16 << 20
)

// options are the parsed flags of a measuring run.
type options struct {
	quick    bool
	fns      []*function
	sizes    []int
	paths    []string
	budget   time.Duration
	timing   timing
	threads  int
	scalingN int
	out      string
	name     string
	quiet    bool
}

func parseOptions(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: go run ./bench [flags]
       go run ./bench compare [-out dir] [-name chart] report.json...

Measures every bce function on every path this CPU runs, against the plain
float64 loop and the memory roofline, over a sweep of sizes, and the scaling
over goroutines. Prints the tables, writes <name>.json and <name>.md.

`)
		fs.PrintDefaults()
	}
	quick := fs.Bool("quick", false, "a run of a few seconds: sizes "+quickSizes+", 3 short repetitions")
	funcs := fs.String("funcs", "all", "comma-separated functions: Loss, Mean (= Sum), Grad, LossGrad, LossAndGrad, FocalLossGrad, Sigmoid, WeightedMean")
	sizes := fs.String("sizes", "", "comma-separated element counts (4096, 4Ki, 16Mi) or a range lo..hi stepping ×4 (default "+defaultSizes+", -quick "+quickSizes+")")
	paths := fs.String("paths", "all", "comma-separated bce paths to measure (available here: "+fmt.Sprint(bce.Paths())+"); plain and roofline always run")
	budget := fs.Duration("budget", 0, "time budget: measurements not started by then are skipped (default 15m, -quick 20s)")
	reps := fs.Int("reps", 0, "repetitions per measurement; the median is reported (default 10, -quick 3)")
	threads := fs.Int("threads", runtime.GOMAXPROCS(0), "scaling: measure k = 1..threads goroutines (0 skips the scaling)")
	scalingN := fs.String("scaling-n", "", "scaling: number of elements (default the largest size up to "+formatSize(maxScalingN)+")")
	out := fs.String("out", "", "directory for <name>.json and <name>.md (default "+resultsDir+" when it exists, else .; -quick writes nothing unless -out is given)")
	name := fs.String("name", "", "short machine name for the files and charts (default derived from the CPU brand)")
	quiet := fs.Bool("q", false, "no progress line on stderr")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (did you mean 'compare'?)", fs.Arg(0))
	}
	o := &options{quick: *quick, threads: *threads, out: *out, name: *name, quiet: *quiet, timing: defaultTiming, budget: 15 * time.Minute}
	sz := defaultSizes
	if o.quick {
		o.timing, o.budget, sz = quickTiming, 20*time.Second, quickSizes
	}
	if *sizes != "" {
		sz = *sizes
	}
	switch {
	case *budget < 0:
		return nil, fmt.Errorf("-budget %v: want a positive duration (0 for the default)", *budget)
	case *reps < 0:
		return nil, fmt.Errorf("-reps %d: want a positive count (0 for the default)", *reps)
	case *threads < 0:
		return nil, fmt.Errorf("-threads %d: want 0 (no scaling) or more", *threads)
	}
	if *budget > 0 {
		o.budget = *budget
	}
	if *reps > 0 {
		o.timing.reps = *reps
		o.timing.minReps = min(o.timing.minReps, *reps)
	}
	var err error
	if o.fns, err = lookupFunctions(*funcs); err != nil {
		return nil, err
	}
	if o.sizes, err = parseSizes(sz); err != nil {
		return nil, err
	}
	if o.paths, err = selectPaths(*paths); err != nil {
		return nil, err
	}
	o.scalingN = o.sizes[0]
	for _, n := range o.sizes {
		if n <= maxScalingN {
			o.scalingN = n
		}
	}
	if *scalingN != "" {
		if o.scalingN, err = parseSize(*scalingN); err != nil {
			return nil, err
		}
	}
	scaling := []int{}
	if o.threads > 0 {
		scaling = []int{o.scalingN}
	}
	if err := checkElements(o.fns, o.sizes, "-sizes"); err != nil {
		return nil, err
	}
	if err := checkElements(o.fns, scaling, "-scaling-n"); err != nil {
		return nil, err
	}
	if o.name != "" {
		if err := checkName(o.name); err != nil {
			return nil, fmt.Errorf("-name: %w", err)
		}
	}
	if o.out == "" && !o.quick {
		o.out = "."
		if st, err := os.Stat(resultsDir); err == nil && st.IsDir() {
			o.out = resultsDir
		}
	}
	return o, nil
}

// maxElements is the largest N whose inputs and output (four float32 arrays,
// 16 bytes per element) fit in an int's worth of bytes: 128Mi on a 32-bit
// GOARCH.
const maxElements = math.MaxInt / 16

// checkElements requires every function to have at least one element at
// every size, as it is rounded down to the function's alignment (WeightedMean
// works on whole groups of its classes), and every size to be allocatable.
func checkElements(fns []*function, sizes []int, flagName string) error {
	for _, n := range sizes {
		if n > maxElements {
			return fmt.Errorf("%s %s: too large, at most %s elements fit in memory addressable by an int on %s",
				flagName, formatSize(n), formatSize(maxElements), runtime.GOARCH)
		}
		for _, f := range fns {
			if n/f.Align == 0 {
				return fmt.Errorf("%s %s: %s needs N >= %d, since it works on whole groups of its %d classes (raise N, or leave it out with -funcs)",
					flagName, formatSize(n), f.Name, f.Align, f.Align)
			}
		}
	}
	return nil
}

// validName is what a machine name may look like: it becomes a file name
// in -out, so it has no path separators and cannot be "." or "..".
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)

func checkName(name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("name %q is no file name: want letters, digits and . _ + - (starting with a letter or digit), not a path", name)
	}
	return nil
}

// checkOut makes the directory out and requires that files can be created
// there and that base.json and base.md are not directories, so that a run
// cannot measure for minutes and then fail to write.
func checkOut(out, base string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("-out %s: %w", out, err)
	}
	probe, err := os.CreateTemp(out, ".bench-probe-*")
	if err != nil {
		return fmt.Errorf("-out %s: cannot write there: %w", out, err)
	}
	probe.Close()
	if err := os.Remove(probe.Name()); err != nil {
		return fmt.Errorf("-out %s: %w", out, err)
	}
	for _, ext := range []string{".json", ".md"} {
		p := filepath.Join(out, base+ext)
		if st, err := os.Lstat(p); err == nil && !st.Mode().IsRegular() {
			return fmt.Errorf("-out %s: %s exists and is not a regular file", out, p)
		}
	}
	return nil
}

func runBench(args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	// The derived name is checked too (a brand could hold anything), and
	// the output directory before the first measurement.
	machine := detectMachine(o.name)
	if err := checkName(machine.Name); err != nil {
		return fmt.Errorf("the %w, as derived from the CPU brand %q: give one with -name", err, machine.Brand)
	}
	if o.out != "" {
		if err := checkOut(o.out, machine.Name); err != nil {
			return err
		}
	}
	start := time.Now()
	rep := &Report{
		Schema:  schemaVersion,
		Created: start.UTC().Truncate(time.Second),
		Machine: machine,
		State:   detectState(),
		Settings: Settings{
			Quick:         o.quick,
			Sizes:         o.sizes,
			Paths:         o.paths,
			Reps:          o.timing.reps,
			RepSeconds:    o.timing.rep.Seconds(),
			BudgetSeconds: o.budget.Seconds(),
			MaxThreads:    o.threads,
		},
		Results: []Result{},
		Scaling: []ScalingResult{},
	}
	for _, f := range o.fns {
		rep.Settings.Functions = append(rep.Settings.Functions, f.Name)
	}
	if o.threads > 0 {
		rep.Settings.ScalingN = o.scalingN
	}
	if err := measureAll(rep, o, stderr); err != nil {
		return err
	}
	rep.Seconds = time.Since(start).Seconds()
	rep.State.finish(machine.LogicalCores)
	if rep.State.Busy {
		fmt.Fprintf(stderr, "bench: the machine was busy (load %v before, %v after, %d logical cores): compare its ratios, not its speeds\n",
			rep.State.LoadBefore, rep.State.LoadAfter, machine.LogicalCores)
	}
	rep.derive()
	rep.writeText(stdout)
	if o.out == "" {
		return nil
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	base := filepath.Join(o.out, rep.Machine.Name)
	if err := rep.writeJSON(base + ".json"); err != nil {
		return err
	}
	f, err := os.Create(base + ".md")
	if err != nil {
		return err
	}
	rep.writeMarkdown(f)
	if err := f.Close(); err != nil {
		return err
	}
	if f, err = os.Create(base + ".txt"); err != nil {
		return err
	}
	rep.writeBenchfmt(f)
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nwrote %s.json, %s.md and %s.txt\n", base, base, base)
	return nil
}

// measureAll runs the sweep and the scaling and appends their results to rep.
func measureAll(rep *Report, o *options, stderr io.Writer) error {
	// parseOptions has checked this; options made otherwise (tests) must
	// not measure empty calls, which would count as skipped by the budget.
	if err := checkElements(o.fns, o.sizes, "-sizes"); err != nil {
		return err
	}
	if o.threads > 0 {
		if err := checkElements(o.fns, []int{o.scalingN}, "-scaling-n"); err != nil {
			return err
		}
	}
	orig := bce.Path()
	defer bce.SetPath(orig)

	maxN := slices.Max(o.sizes)
	if o.threads > 0 {
		maxN = max(maxN, o.scalingN)
	}
	if !o.quiet {
		fmt.Fprintf(stderr, "bench: preparing %s elements (%d MiB)\n", formatSize(maxN), maxN*4*4>>20)
	}
	d := newData(maxN)

	variants := append(append([]string{pathPlain}, o.paths...), pathRoofline)
	total := len(o.sizes) * len(o.fns) * len(variants)
	scalingVariants := []string{o.paths[0], pathRoofline}
	if o.threads > 0 {
		total += len(o.fns) * len(scalingVariants) * o.threads
	}
	prog := newProgress(stderr, total, o.quiet)
	deadline := time.Now().Add(o.budget)

	// Every variant's path is checked once here; in the loops SetPath cannot
	// fail.
	for _, v := range o.paths {
		if err := bce.SetPath(v); err != nil {
			return err
		}
	}
	setup := func(v string) func() {
		if v == pathPlain || v == pathRoofline {
			return nil
		}
		return func() { _ = bce.SetPath(v) }
	}

	// Each (size, function) is one group: the plain loop, every path and the
	// roofline take turns repetition by repetition.
	sweep := func(sizes []int) {
		for _, n := range sizes {
			for _, f := range o.fns {
				nn := n / f.Align * f.Align
				prog.step(fmt.Sprintf("%s N=%s", f.Name, formatSize(n)), len(variants))
				if time.Now().After(deadline) {
					rep.Skipped += len(variants)
					continue
				}
				cases := make([]*timedCase, len(variants))
				for i, v := range variants {
					run := f.run(v)
					cases[i] = &timedCase{setup: setup(v), call: func() float32 { return run(d, 0, nn) }, n: nn}
				}
				for i, s := range o.timing.measureGroup(cases) {
					rep.Results = append(rep.Results, Result{
						Function: f.Name, Path: variants[i], N: n, Elements: nn, BytesPerElement: f.Bytes,
						NsPerElement: s.median, NsMin: s.min, NsMax: s.max, NsCILow: s.ciLo, NsCIHigh: s.ciHi, NsReps: s.all, Reps: s.reps, Iters: s.iters,
					})
				}
			}
		}
	}

	// Each (function, k) is one group: the best path and the roofline.
	scaling := func() {
		n := o.scalingN
		for _, f := range o.fns {
			nn := n / f.Align * f.Align
			for k := 1; k <= o.threads; k++ {
				prog.step(fmt.Sprintf("%s N=%s on %d goroutines", f.Name, formatSize(n), k), len(scalingVariants))
				if time.Now().After(deadline) {
					rep.Skipped += len(scalingVariants)
					continue
				}
				cases := make([]*timedCase, len(scalingVariants))
				split := make([]string, len(scalingVariants))
				for i, v := range scalingVariants {
					call, how := parallel(f.run(v), d, nn, k, f.Align), splitChunks
					if v != pathRoofline && f.fanned != nil {
						call, how = func() float32 { return f.fanned(d, nn, k) }, splitGoroutines
					}
					cases[i], split[i] = &timedCase{setup: setup(v), call: call, n: nn}, how
				}
				for i, s := range o.timing.measureGroup(cases) {
					rep.Scaling = append(rep.Scaling, ScalingResult{
						Function: f.Name, Path: scalingVariants[i], N: n, Elements: nn, BytesPerElement: f.Bytes,
						Threads: k, Split: split[i], NsPerElement: s.median, NsCILow: s.ciLo, NsCIHigh: s.ciHi, NsReps: s.all, Reps: s.reps, Iters: s.iters,
					})
				}
			}
		}
	}

	// The sizes up to the scaling's come first, then the scaling, then the
	// larger sizes, so that a budget that runs out costs the slowest and
	// least informative measurements.
	split := len(o.sizes)
	if o.threads > 0 {
		split = 0
		for split < len(o.sizes) && o.sizes[split] <= o.scalingN {
			split++
		}
	}
	sweep(o.sizes[:split])
	if o.threads > 0 {
		scaling()
	}
	sweep(o.sizes[split:])
	prog.finish()
	if rep.Skipped > 0 && !o.quiet {
		fmt.Fprintf(stderr, "bench: the %v budget ran out: %d measurements skipped (-budget raises it)\n", o.budget, rep.Skipped)
	}
	return nil
}
