package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// schemaVersion names the layout of the JSON report; bench/README.md
// documents every field. A change that readers must know about bumps the
// number after the slash. Version 2 added the medians' confidence
// intervals, the scaling's split and the machine's state (load, kernel,
// governor); readReport still reads version 1.
const schemaVersion = "bce-bench/2"

// schemaV1 is the previous layout, which readReport upgrades: no
// intervals, and a scaling always split by hand into chunks.
const schemaV1 = "bce-bench/1"

// Report is everything one run measured. It is written as JSON and read back
// by compare.
type Report struct {
	Schema   string          `json:"schema"`
	Created  time.Time       `json:"created"`
	Seconds  float64         `json:"seconds"`
	Machine  Machine         `json:"machine"`
	State    State           `json:"state"`
	Settings Settings        `json:"settings"`
	Results  []Result        `json:"results"`
	Scaling  []ScalingResult `json:"scaling"`
	Skipped  int             `json:"skipped"`
}

// Settings records how the run was configured.
type Settings struct {
	Quick         bool     `json:"quick"`
	Functions     []string `json:"functions"`
	Sizes         []int    `json:"sizes"`
	Paths         []string `json:"paths"`
	Reps          int      `json:"reps"`
	RepSeconds    float64  `json:"rep_seconds"`
	BudgetSeconds float64  `json:"budget_seconds"`
	ScalingN      int      `json:"scaling_n"`
	MaxThreads    int      `json:"max_threads"`
}

// Result is one function on one variant (a bce path, "plain" or "roofline")
// at one size, on one goroutine.
type Result struct {
	Function         string    `json:"function"`
	Path             string    `json:"path"`
	N                int       `json:"n"`
	Elements         int       `json:"elements"`
	BytesPerElement  int       `json:"bytes_per_element"`
	NsPerElement     float64   `json:"ns_per_element"`
	NsMin            float64   `json:"ns_per_element_min"`
	NsMax            float64   `json:"ns_per_element_max"`
	NsCILow          float64   `json:"ns_per_element_ci95_low,omitempty"`
	NsCIHigh         float64   `json:"ns_per_element_ci95_high,omitempty"`
	NsReps           []float64 `json:"ns_per_element_reps,omitempty"`
	Reps             int       `json:"reps"`
	Iters            int       `json:"iters_per_rep"`
	ElementsPerSec   float64   `json:"elements_per_second"`
	GBPerSec         float64   `json:"gb_per_second"`
	SpeedupVsPlain   float64   `json:"speedup_vs_plain"`
	RooflineFraction float64   `json:"roofline_fraction"`
}

// ScalingResult is one function on one variant at one size on Threads
// goroutines: the library's own fan-out (Criterion.Goroutines) or, for the
// roofline and Sigmoid, contiguous chunks split by hand (Split says which).
type ScalingResult struct {
	Function         string    `json:"function"`
	Path             string    `json:"path"`
	N                int       `json:"n"`
	Elements         int       `json:"elements"`
	BytesPerElement  int       `json:"bytes_per_element"`
	Threads          int       `json:"threads"`
	Split            string    `json:"split"`
	NsPerElement     float64   `json:"ns_per_element"`
	NsCILow          float64   `json:"ns_per_element_ci95_low,omitempty"`
	NsCIHigh         float64   `json:"ns_per_element_ci95_high,omitempty"`
	NsReps           []float64 `json:"ns_per_element_reps,omitempty"`
	Reps             int       `json:"reps"`
	Iters            int       `json:"iters_per_rep,omitempty"`
	ElementsPerSec   float64   `json:"elements_per_second"`
	GBPerSec         float64   `json:"gb_per_second"`
	SpeedupVs1       float64   `json:"speedup_vs_1_thread"`
	RooflineFraction float64   `json:"roofline_fraction"`
}

// derive fills the fields computed from the measured times: rates, the
// speedup over the plain loop and the fraction of the roofline (both
// measured at the same size in the same run).
func (r *Report) derive() {
	type key struct {
		fn, path string
		n, k     int
	}
	ns := map[key]float64{}
	for _, x := range r.Results {
		ns[key{x.Function, x.Path, x.N, 0}] = x.NsPerElement
	}
	for _, x := range r.Scaling {
		ns[key{x.Function, x.Path, x.N, x.Threads}] = x.NsPerElement
	}
	ratio := func(num float64, ok bool, den float64) float64 {
		if !ok || den <= 0 {
			return 0
		}
		return num / den
	}
	for i := range r.Results {
		x := &r.Results[i]
		if x.NsPerElement <= 0 {
			continue
		}
		x.ElementsPerSec = 1e9 / x.NsPerElement
		x.GBPerSec = float64(x.BytesPerElement) / x.NsPerElement
		p, ok := ns[key{x.Function, pathPlain, x.N, 0}]
		x.SpeedupVsPlain = ratio(p, ok, x.NsPerElement)
		rf, ok := ns[key{x.Function, pathRoofline, x.N, 0}]
		x.RooflineFraction = ratio(rf, ok, x.NsPerElement)
	}
	for i := range r.Scaling {
		x := &r.Scaling[i]
		if x.NsPerElement <= 0 {
			continue
		}
		x.ElementsPerSec = 1e9 / x.NsPerElement
		x.GBPerSec = float64(x.BytesPerElement) / x.NsPerElement
		one, ok := ns[key{x.Function, x.Path, x.N, 1}]
		x.SpeedupVs1 = ratio(one, ok, x.NsPerElement)
		rf, ok := ns[key{x.Function, pathRoofline, x.N, x.Threads}]
		x.RooflineFraction = ratio(rf, ok, x.NsPerElement)
	}
}

// writeJSON writes r, indented, to path.
func (r *Report) writeJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// readReport reads a JSON report and checks its schema.
func readReport(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	switch r.Schema {
	case schemaVersion:
	case schemaV1:
		for i := range r.Scaling {
			r.Scaling[i].Split = splitChunks
		}
	default:
		return nil, fmt.Errorf("%s: schema %q, this program reads %q and %q", path, r.Schema, schemaVersion, schemaV1)
	}
	return &r, nil
}

// variants returns the variants of the results in display order: plain,
// the bce paths in the order measured, roofline.
func (r *Report) variants() []string {
	out := []string{pathPlain}
	for _, x := range r.Results {
		if x.Path != pathPlain && x.Path != pathRoofline && !slices.Contains(out, x.Path) {
			out = append(out, x.Path)
		}
	}
	return append(out, pathRoofline)
}

// functionNames returns the functions of the results in the order measured.
func (r *Report) functionNames() []string {
	var out []string
	for _, x := range r.Results {
		if !slices.Contains(out, x.Function) {
			out = append(out, x.Function)
		}
	}
	return out
}

func (r *Report) sizes() []int {
	var out []int
	for _, x := range r.Results {
		out = append(out, x.N)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (r *Report) find(fn, path string, n int) *Result {
	for i := range r.Results {
		if x := &r.Results[i]; x.Function == fn && x.Path == path && x.N == n {
			return x
		}
	}
	return nil
}

func (r *Report) bytesPerElement(fn string) int {
	for _, x := range r.Results {
		if x.Function == fn {
			return x.BytesPerElement
		}
	}
	return 0
}

// headerLines are the machine's lines and, for a report that recorded it
// (schema 2), the state's.
func (r *Report) headerLines() []string {
	lines := r.Machine.lines()
	if r.Schema != schemaV1 {
		lines = append(lines, "State:    "+r.State.line())
	}
	return lines
}

// lines describes the machine in a few lines of text.
func (m *Machine) lines() []string {
	mib := func(b int) string {
		switch {
		case b < 0:
			return "?"
		case b >= 1<<20 && b%(1<<20) == 0:
			return fmt.Sprintf("%d MiB", b>>20)
		default:
			return fmt.Sprintf("%d KiB", b>>10)
		}
	}
	cpu := fmt.Sprintf("%s (%s, family %d model %d stepping %d", m.Brand, m.Vendor, m.Family, m.Model, m.Stepping)
	if m.X86Level > 0 {
		cpu += fmt.Sprintf(", x86-64-v%d", m.X86Level)
	}
	if m.Hypervisor != "" {
		cpu += ", under " + m.Hypervisor
	}
	cpu += ")"
	cores := fmt.Sprintf("%d logical cores (%d physical, %d threads/core), GOMAXPROCS %d", m.LogicalCores, m.PhysicalCores, m.ThreadsPerCore, m.GOMAXPROCS)
	if m.BaseHz > 0 || m.BoostHz > 0 {
		cores += fmt.Sprintf(", %.2f GHz base, %.2f GHz boost", float64(m.BaseHz)/1e9, float64(m.BoostHz)/1e9)
	}
	lib := m.Library
	if m.Revision != "" {
		lib += " (" + m.Revision + ")"
	}
	lines := []string{
		"CPU:      " + cpu,
		"Cores:    " + cores,
		fmt.Sprintf("Caches:   L1d %s, L1i %s, L2 %s, L3 %s, line %d B", mib(m.L1D), mib(m.L1I), mib(m.L2), mib(m.L3), m.CacheLine),
		"Features: " + strings.Join(m.Features, " "),
		fmt.Sprintf("Go:       %s %s/%s; bce %s; paths %s", m.GoVersion, m.GOOS, m.GOARCH, lib, strings.Join(m.Paths, ", ")),
	}
	if m.PathError != "" {
		lines = append(lines, "BCE_PATH: "+m.PathError)
	}
	return lines
}

// representativeSizes picks, from the measured sizes, one that fits in each
// cache level (with the largest 12 bytes per element in half the cache) and
// one that does not fit in the last level, labelled by where it lives.
func (r *Report) representativeSizes() (labels []string, sizes []int) {
	all := r.sizes()
	if len(all) == 0 {
		return nil, nil
	}
	m := &r.Machine
	levels := []struct {
		name  string
		bytes int
	}{{"L1", m.L1D}, {"L2", m.L2}, {"L3", m.L3}}
	last := 0
	for _, lv := range levels {
		if lv.bytes <= 0 {
			continue
		}
		last = lv.bytes
		pick := 0
		for _, n := range all {
			if n*12 <= lv.bytes/2 && !slices.Contains(sizes, n) {
				pick = n
			}
		}
		if pick != 0 {
			labels, sizes = append(labels, lv.name), append(sizes, pick)
		}
	}
	if big := all[len(all)-1]; last > 0 && big*8 > 2*last && !slices.Contains(sizes, big) {
		labels, sizes = append(labels, "DRAM"), append(sizes, big)
	}
	if len(sizes) == 0 {
		for _, n := range all {
			labels, sizes = append(labels, formatSize(n)), append(sizes, n)
		}
	}
	return labels, sizes
}

// cellFields formats one result as "Melem/s GB/s ×plain %roof".
func cellFields(x *Result) []string {
	if x == nil {
		return []string{"-", "-", "-", "-"}
	}
	sp, rf := "-", "-"
	if x.SpeedupVsPlain > 0 {
		sp = fmt.Sprintf("×%.1f", x.SpeedupVsPlain)
	}
	if x.RooflineFraction > 0 {
		rf = percent(x.RooflineFraction)
	}
	return []string{fmt.Sprintf("%.0f", x.ElementsPerSec/1e6), fmt.Sprintf("%.1f", x.GBPerSec), sp, rf}
}

// writeText prints the report as aligned text tables: the machine, the
// summary, every function's sweep and the multi-core scaling.
func (r *Report) writeText(w io.Writer) {
	for _, l := range r.headerLines() {
		fmt.Fprintln(w, l)
	}
	fmt.Fprintln(w)
	r.writeSummaryText(w)
	variants := r.variants()
	for _, fn := range r.functionNames() {
		fmt.Fprintf(w, "\n%s (%d B/element): Melem/s, GB/s, speedup over the plain loop, fraction of the roofline\n", fn, r.bytesPerElement(fn))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		head := []string{"N"}
		for _, v := range variants {
			switch v {
			case pathPlain:
				head = append(head, "plain M/s")
			case pathRoofline:
				head = append(head, "roofline GB/s")
			default:
				head = append(head, v+" M/s", "GB/s", "×plain", "%roof")
			}
		}
		fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
		for _, n := range r.sizes() {
			row := []string{formatSize(n)}
			for _, v := range variants {
				f := cellFields(r.find(fn, v, n))
				switch v {
				case pathPlain:
					row = append(row, f[0])
				case pathRoofline:
					row = append(row, f[1])
				default:
					row = append(row, f...)
				}
			}
			fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
		}
		tw.Flush()
	}
	r.writeScalingText(w)
	if r.Skipped > 0 {
		fmt.Fprintf(w, "\n%d measurements were skipped: the time budget ran out.\n", r.Skipped)
	}
}

// summaryRows returns, for every function and bce path, one cell per
// representative size.
func (r *Report) summaryRows(sizes []int, cell func(*Result) string) [][]string {
	var rows [][]string
	for _, fn := range r.functionNames() {
		for _, v := range r.variants() {
			if v == pathRoofline {
				continue
			}
			row := []string{fn, v}
			for _, n := range sizes {
				row = append(row, cell(r.find(fn, v, n)))
			}
			rows = append(rows, row)
		}
	}
	return rows
}

func summaryCell(x *Result) string {
	if x == nil {
		return "-"
	}
	if x.Path == pathPlain {
		return sig3(x.ElementsPerSec / 1e9)
	}
	return fmt.Sprintf("%s ×%.1f %s", sig3(x.ElementsPerSec/1e9), x.SpeedupVsPlain, percent(x.RooflineFraction))
}

// sig3 formats v with three significant digits.
func sig3(v float64) string {
	return strings.TrimSuffix(fmt.Sprintf("%#.3g", v), ".")
}

// percent formats a fraction as a percentage, with a decimal below 10%.
func percent(f float64) string {
	if f < 0.1 {
		return fmt.Sprintf("%.1f%%", 100*f)
	}
	return fmt.Sprintf("%.0f%%", 100*f)
}

func (r *Report) summaryHeader(labels []string, sizes []int) []string {
	head := []string{"function", "path"}
	for i, n := range sizes {
		head = append(head, fmt.Sprintf("%s (N=%s)", labels[i], formatSize(n)))
	}
	return head
}

func (r *Report) writeSummaryText(w io.Writer) {
	labels, sizes := r.representativeSizes()
	fmt.Fprintln(w, "Summary: Gelem/s, speedup over the plain float64 loop, fraction of the memory roofline (1 goroutine)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(r.summaryHeader(labels, sizes), "\t"))
	for _, row := range r.summaryRows(sizes, summaryCell) {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
}

// scalingAxes returns the variants measured for scaling, and the thread
// counts.
func (r *Report) scalingAxes() (fns, variants []string, threads []int, n int) {
	for _, x := range r.Scaling {
		if !slices.Contains(fns, x.Function) {
			fns = append(fns, x.Function)
		}
		if !slices.Contains(variants, x.Path) {
			variants = append(variants, x.Path)
		}
		if !slices.Contains(threads, x.Threads) {
			threads = append(threads, x.Threads)
		}
		n = x.N
	}
	slices.Sort(threads)
	return fns, variants, threads, n
}

func (r *Report) findScaling(fn, path string, k int) *ScalingResult {
	for i := range r.Scaling {
		if x := &r.Scaling[i]; x.Function == fn && x.Path == path && x.Threads == k {
			return x
		}
	}
	return nil
}

// ciText formats the half-width of a median's 95% confidence interval as
// a percentage of the median, benchstat's "± x%" (the larger side), or ""
// when the repetitions were too few for an interval.
func ciText(median, lo, hi float64) string {
	if lo <= 0 || hi <= 0 || median <= 0 {
		return ""
	}
	h := max(hi-median, median-lo) / median
	if h < 0.01 {
		return fmt.Sprintf(" ±%.1f%%", 100*h)
	}
	return fmt.Sprintf(" ±%.0f%%", 100*h)
}

func scalingCell(x *ScalingResult) string {
	if x == nil {
		return "-"
	}
	s := fmt.Sprintf("%.1f GB/s%s ×%.2f", x.GBPerSec, ciText(x.NsPerElement, x.NsCILow, x.NsCIHigh), x.SpeedupVs1)
	if x.Path != pathRoofline && x.RooflineFraction > 0 {
		s += " " + percent(x.RooflineFraction)
	}
	return s
}

func (r *Report) scalingTable() (head []string, rows [][]string, n int) {
	fns, variants, threads, n := r.scalingAxes()
	head = []string{"function", "path"}
	for _, k := range threads {
		head = append(head, fmt.Sprintf("k=%d", k))
	}
	for _, fn := range fns {
		for _, v := range variants {
			label := v
			if x := r.findScaling(fn, v, threads[0]); x != nil && x.Split == splitChunks && v != pathRoofline {
				label += " (chunks)" // no Goroutines form: split by hand
			}
			row := []string{fn, label}
			for _, k := range threads {
				row = append(row, scalingCell(r.findScaling(fn, v, k)))
			}
			rows = append(rows, row)
		}
	}
	return head, rows, n
}

func (r *Report) writeScalingText(w io.Writer) {
	if len(r.Scaling) == 0 {
		return
	}
	head, rows, n := r.scalingTable()
	fmt.Fprintf(w, "\nMulti-core scaling, N=%s on k goroutines: GB/s ± 95%% CI, speedup over k=1, fraction of the roofline at the same k\n", formatSize(n))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, row := range rows {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
}

func mdRow(cells []string) string {
	return "| " + strings.Join(cells, " | ") + " |\n"
}

func mdSep(n int) string {
	return "|" + strings.Repeat("---|", n) + "\n"
}

// writeMarkdown writes the report as Markdown: the machine, the summary, one
// table per function and the scaling.
func (r *Report) writeMarkdown(w io.Writer) {
	m := &r.Machine
	fmt.Fprintf(w, "# bce benchmark: %s\n\n", m.Name)
	fmt.Fprintf(w, "Measured %s in %.0f s (`%s`).\n\n", r.Created.UTC().Format("2006-01-02 15:04 UTC"), r.Seconds, r.command())
	fmt.Fprintln(w, "```")
	for _, l := range r.headerLines() {
		fmt.Fprintln(w, l)
	}
	fmt.Fprintln(w, "```")
	labels, sizes := r.representativeSizes()
	fmt.Fprint(w, "\n## Summary\n\nGelem/s, speedup over the plain float64 loop and fraction of the memory roofline, on one goroutine.\n\n")
	head := r.summaryHeader(labels, sizes)
	fmt.Fprint(w, mdRow(head), mdSep(len(head)))
	for _, row := range r.summaryRows(sizes, summaryCell) {
		fmt.Fprint(w, mdRow(row))
	}
	fmt.Fprint(w, "\n## Sweep\n\nEach cell: Melem/s (± the half-width of the median's 95% confidence interval, from order statistics, when there were at least 6 repetitions) · GB/s · speedup over the plain loop · fraction of the roofline. The plain column is the float64 loop, the roofline column the streaming read/copy of the same bytes.\n")
	variants := r.variants()
	for _, fn := range r.functionNames() {
		fmt.Fprintf(w, "\n### %s (%d B/element)\n\n", fn, r.bytesPerElement(fn))
		head := append([]string{"N"}, variants...)
		fmt.Fprint(w, mdRow(head), mdSep(len(head)))
		for _, n := range r.sizes() {
			row := []string{formatSize(n)}
			for _, v := range variants {
				x := r.find(fn, v, n)
				f := cellFields(x)
				switch {
				case x == nil:
					row = append(row, "-")
				case v == pathPlain:
					row = append(row, f[0]+" M/s"+ciText(x.NsPerElement, x.NsCILow, x.NsCIHigh))
				case v == pathRoofline:
					row = append(row, f[1]+" GB/s"+ciText(x.NsPerElement, x.NsCILow, x.NsCIHigh))
				default:
					row = append(row, fmt.Sprintf("%s%s · %s · %s · %s", f[0], ciText(x.NsPerElement, x.NsCILow, x.NsCIHigh), f[1], f[2], f[3]))
				}
			}
			fmt.Fprint(w, mdRow(row))
		}
	}
	if len(r.Scaling) > 0 {
		head, rows, n := r.scalingTable()
		fmt.Fprintf(w, "\n## Multi-core scaling\n\nN=%s on k goroutines (one call with Goroutines k; rows marked \"(chunks)\" and the roofline: k contiguous chunks, one per goroutine): GB/s ± the 95%% confidence interval, speedup over k=1, fraction of the roofline at the same k.\n\n", formatSize(n))
		fmt.Fprint(w, mdRow(head), mdSep(len(head)))
		for _, row := range rows {
			fmt.Fprint(w, mdRow(row))
		}
	}
	if r.Skipped > 0 {
		fmt.Fprintf(w, "\n%d measurements were skipped: the time budget ran out.\n", r.Skipped)
	}
}

// command reconstructs roughly how the run was started.
func (r *Report) command() string {
	if r.Settings.Quick {
		return "go run ./bench -quick"
	}
	return "go run ./bench"
}
