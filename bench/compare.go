package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// labelled is a report with the name it goes by in tables and legends.
type labelled struct {
	label string
	*Report
}

// runCompare implements "bench compare": it reads reports, prints one
// side-by-side Markdown table and renders the charts as SVG and PNG.
func runCompare(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: go run ./bench compare [flags] report.json...

Prints the reports side by side as a Markdown table and writes the chart
<out>/<name>.svg and <out>/<name>.png: throughput against N, one panel per
function, one line per report and path. Reports measured with different
settings (-quick against a full run, another scaling N or repetition
length) are refused unless -force is given.

`)
		fs.PrintDefaults()
	}
	out := fs.String("out", "", "directory for the charts (default a new temporary directory, printed)")
	force := fs.Bool("force", false, "compare reports measured with different settings")
	name := fs.String("name", "", "base name of the chart files (default the machine name for one report, else \"compare\")")
	md := fs.String("md", "", "also write the Markdown table to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("compare: no reports given")
	}
	var reps []labelled
	for _, path := range fs.Args() {
		r, err := readReport(path)
		if err != nil {
			return err
		}
		r.derive()
		reps = append(reps, labelled{Report: r})
	}
	assignLabels(reps)
	if err := sameSettings(reps); err != nil {
		if !*force {
			return fmt.Errorf("compare: %w (-force compares them anyway)", err)
		}
		fmt.Fprintf(stderr, "bench compare: -force: %v\n", err)
	}
	for _, r := range reps {
		rev := r.Machine.Revision
		if rev == "" {
			rev = "unknown revision"
		}
		fmt.Fprintf(stderr, "%s: bce %s at %s, measured %s\n", r.label, r.Machine.Library, rev, r.Created.UTC().Format("2006-01-02 15:04 UTC"))
	}

	var b strings.Builder
	writeComparison(&b, reps)
	io.WriteString(stdout, b.String())
	if *md != "" {
		if err := os.WriteFile(*md, []byte(b.String()), 0o644); err != nil {
			return err
		}
	}

	base := *name
	if base == "" {
		base = "compare"
		if len(reps) == 1 {
			base = reps[0].Machine.Name
		}
	}
	// The chart's name becomes a file name in -out: from -name or from a
	// report, whose machine name could be anything.
	if err := checkName(base); err != nil {
		return fmt.Errorf("compare: %w (choose one with -name)", err)
	}
	dir := *out
	if dir == "" {
		// Charts are written into the checkout only when asked for: a
		// comparison is for reading, committing one is a choice.
		var err error
		if dir, err = os.MkdirTemp("", "bce-compare-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files, err := writeCharts(reps, filepath.Join(dir, base))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nwrote %s\n", strings.Join(files, " and "))
	return nil
}

// sameSettings returns an error naming the first setting on which two
// reports differ among those that change what a figure means: -quick (its
// repetitions are short and few), the repetition length, and the scaling's
// N. The sizes, functions, paths and core counts may differ: the tables
// show what each report has.
func sameSettings(reps []labelled) error {
	if len(reps) < 2 {
		return nil
	}
	a := reps[0]
	for _, b := range reps[1:] {
		switch sa, sb := a.Settings, b.Settings; {
		case sa.Quick != sb.Quick:
			return fmt.Errorf("%s is a -quick report and %s is not, or the other way round", a.label, b.label)
		case sa.RepSeconds != sb.RepSeconds:
			return fmt.Errorf("%s's repetitions last %g s and %s's %g s", a.label, sa.RepSeconds, b.label, sb.RepSeconds)
		case sa.ScalingN != sb.ScalingN:
			return fmt.Errorf("%s's scaling is at N=%s and %s's at N=%s", a.label, formatSize(sa.ScalingN), b.label, formatSize(sb.ScalingN))
		}
	}
	return nil
}

// assignLabels names each report by its machine, adding the revision (or a
// number) when two reports come from machines of the same name.
func assignLabels(reps []labelled) {
	count := map[string]int{}
	for _, r := range reps {
		count[r.Machine.Name]++
	}
	seen := map[string]int{}
	for i := range reps {
		r := &reps[i]
		r.label = r.Machine.Name
		if count[r.label] > 1 {
			seen[r.label]++
			if r.Machine.Revision != "" {
				r.label += "@" + r.Machine.Revision
			}
			r.label += fmt.Sprintf("#%d", seen[r.Machine.Name])
		}
	}
}

// columns lists (report, variant) pairs in display order.
type column struct {
	rep     *labelled
	variant string
}

func comparisonColumns(reps []labelled) []column {
	var cols []column
	for i := range reps {
		for _, v := range reps[i].variants() {
			cols = append(cols, column{&reps[i], v})
		}
	}
	return cols
}

// writeComparison writes the side-by-side tables: the machines, then for
// every function a table of Gelem/s with one row per N and one column per
// report and variant, then the scaling.
func writeComparison(w io.Writer, reps []labelled) {
	fmt.Fprint(w, "# bce benchmark comparison\n\n")
	head := []string{"report", "CPU", "cores", "L2 / L3", "Go", "bce", "paths", "created"}
	fmt.Fprint(w, mdRow(head), mdSep(len(head)))
	for _, r := range reps {
		m := &r.Machine
		lib := m.Library
		if m.Revision != "" {
			lib += " " + m.Revision
		}
		fmt.Fprint(w, mdRow([]string{
			r.label, fmt.Sprintf("%s (%s/%s)", m.Brand, m.GOOS, m.GOARCH),
			fmt.Sprint(m.LogicalCores), fmt.Sprintf("%s / %s", bytesLabel(m.L2), bytesLabel(m.L3)),
			m.GoVersion, lib, strings.Join(m.Paths, ", "), r.Created.UTC().Format("2006-01-02"),
		}))
	}

	var fns []string
	var sizes []int
	for _, r := range reps {
		for _, f := range r.functionNames() {
			if !slices.Contains(fns, f) {
				fns = append(fns, f)
			}
		}
		sizes = append(sizes, r.sizes()...)
	}
	slices.Sort(sizes)
	sizes = slices.Compact(sizes)
	cols := comparisonColumns(reps)

	fmt.Fprint(w, "\nGelem/s on one goroutine (×speedup over that machine's plain float64 loop; the roofline column is the streaming read/copy of the same bytes).\n")
	for _, fn := range fns {
		fmt.Fprintf(w, "\n## %s\n\n", fn)
		head := []string{"N"}
		for _, c := range cols {
			head = append(head, c.rep.label+" "+c.variant)
		}
		fmt.Fprint(w, mdRow(head), mdSep(len(head)))
		for _, n := range sizes {
			row := []string{formatSize(n)}
			for _, c := range cols {
				x := c.rep.find(fn, c.variant, n)
				switch {
				case x == nil:
					row = append(row, "-")
				case c.variant == pathPlain || c.variant == pathRoofline:
					row = append(row, fmt.Sprintf("%.3f", x.ElementsPerSec/1e9))
				default:
					row = append(row, fmt.Sprintf("%.3f ×%.1f", x.ElementsPerSec/1e9, x.SpeedupVsPlain))
				}
			}
			fmt.Fprint(w, mdRow(row))
		}
	}

	fmt.Fprint(w, "\n## Multi-core scaling\n\nGB/s of the best path at k = 1 and at k = all goroutines (speedup over k = 1, fraction of the roofline at that k).\n\n")
	head = []string{"function"}
	for _, r := range reps {
		head = append(head, r.label)
	}
	fmt.Fprint(w, mdRow(head), mdSep(len(head)))
	for _, fn := range fns {
		row := []string{fn}
		for _, r := range reps {
			row = append(row, scalingSummary(r.Report, fn))
		}
		fmt.Fprint(w, mdRow(row))
	}
}

// scalingSummary describes the scaling of fn's best (first) path in r.
func scalingSummary(r *Report, fn string) string {
	_, variants, threads, n := r.scalingAxes()
	if len(threads) == 0 || len(variants) == 0 {
		return "-"
	}
	v := variants[0]
	one, all := r.findScaling(fn, v, threads[0]), r.findScaling(fn, v, threads[len(threads)-1])
	if one == nil || all == nil {
		return "-"
	}
	return fmt.Sprintf("%s N=%s: %.1f → %.1f GB/s at k=%d (×%.2f, %s)",
		v, formatSize(n), one.GBPerSec, all.GBPerSec, all.Threads, all.SpeedupVs1, percent(all.RooflineFraction))
}

func bytesLabel(b int) string {
	switch {
	case b <= 0:
		return "?"
	case b%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", b>>20)
	default:
		return fmt.Sprintf("%d KiB", b>>10)
	}
}
