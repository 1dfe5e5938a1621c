package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fastbce/bce"
)

// timing holds how long the measurements run.
type timing struct {
	warm    time.Duration // warm-up before the first repetition (at least one call)
	rep     time.Duration // target length of one repetition: iterations are calibrated to it
	reps    int           // repetitions whose median is reported
	minReps int           // repetitions kept when one call is so slow that caseMax would be exceeded
	caseMax time.Duration // soft bound on the repetitions of one case
}

// The default run takes 10 repetitions, whose median has a 97.9% interval
// between the 2nd and 9th (medianCI); a case whose single call is so slow
// that 10 would take more than caseMax (the plain loop and the generic path
// at 64Mi) takes 6, the fewest whose extremes bound the median with at least
// 95% confidence. -quick's 3 repetitions give no interval.
var (
	defaultTiming = timing{warm: 20 * time.Millisecond, rep: 4 * time.Millisecond, reps: 10, minReps: 6, caseMax: time.Second}
	quickTiming   = timing{warm: 2 * time.Millisecond, rep: time.Millisecond, reps: 3, minReps: 3, caseMax: 60 * time.Millisecond}
)

// sample is the outcome of measuring one case, in nanoseconds per element:
// the median of the repetitions, the fastest and slowest, and the 95%
// confidence interval of the median (ciLo = ciHi = 0 when there are too few
// repetitions for one).
type sample struct {
	median, min, max float64
	ciLo, ciHi       float64
	reps, iters      int
	all              []float64 // every repetition, in the order measured
}

// medianCI returns a distribution-free confidence interval of at least 95%
// for the median of the population that the sorted samples come from: the
// order statistics x(j) and x(n+1-j) (1-based) with the largest j for
// which 1 - 2*P(B <= j-1) >= 0.95, B ~ Binomial(n, 1/2) counting the
// samples below the true median (as benchstat does, without its
// interpolation). Fewer than 6 samples give no such interval (ok false): at
// n = 5 even the extremes cover only 1 - 2/32 = 93.75%.
func medianCI(sorted []float64) (lo, hi float64, ok bool) {
	n := len(sorted)
	// tail is P(B <= j-1), accumulated one binomial term at a time.
	tail, term := 0.0, math.Pow(0.5, float64(n))
	j := 0
	for k := 0; k < n/2; k++ {
		tail += term // P(B = k)
		if 1-2*tail < 0.95 {
			break
		}
		j = k + 1
		term *= float64(n-k) / float64(k+1)
	}
	if j == 0 {
		return 0, 0, false
	}
	return sorted[j-1], sorted[n-j], true
}

// sinks keeps every result alive so that no call can be optimised away.
var sinks struct {
	sync.Mutex
	v float32
}

func sink(v float32) {
	sinks.Lock()
	sinks.v += v
	sinks.Unlock()
}

// A case is one call being measured: calibrated once, then timed one
// repetition at a time, so that the cases of a group can take turns.
type timedCase struct {
	setup func() // run before every repetition, untimed (selects the path)
	call  func() float32
	n     int
	iters int
	reps  int
	ns    []float64 // ns per element of the repetitions so far
	acc   float32
}

// calibrate warms c up for t.warm (at least one call) and chooses its calls
// per repetition and its repetitions.
//
// A slow case (one call longer than caseMax/minReps: the plain loop at 64Mi)
// gets minReps repetitions of one call, and its warm-up call counts as the
// first: at hundreds of milliseconds per call there is nothing left to warm.
func (t timing) calibrate(c *timedCase) {
	if c.setup != nil {
		c.setup()
	}
	start := time.Now()
	calls := 0
	for calls == 0 || time.Since(start) < t.warm {
		c.acc += c.call()
		calls++
	}
	first := time.Since(start)
	per := first / time.Duration(calls)
	c.iters = max(1, int(t.rep/max(per, 1)))
	c.reps = t.reps
	if total := per * time.Duration(c.iters*c.reps); total > t.caseMax {
		c.reps = max(t.minReps, int(t.caseMax/(per*time.Duration(c.iters))))
		if calls == 1 && per*time.Duration(t.minReps) >= t.caseMax {
			c.ns = append(c.ns, float64(first.Nanoseconds())/float64(c.n))
		}
	}
}

// rep times one repetition of c.
func (c *timedCase) rep() {
	if c.setup != nil {
		c.setup()
	}
	t0 := time.Now()
	for range c.iters {
		c.acc += c.call()
	}
	c.ns = append(c.ns, float64(time.Since(t0).Nanoseconds())/float64(c.iters*c.n))
}

// sample returns the median, fastest and slowest repetition and the
// median's confidence interval.
func (c *timedCase) sample() sample {
	sink(c.acc)
	ns := slices.Clone(c.ns)
	slices.Sort(ns)
	reps := len(ns)
	m := ns[reps/2]
	if reps%2 == 0 {
		m = (ns[reps/2-1] + ns[reps/2]) / 2
	}
	lo, hi, _ := medianCI(ns)
	return sample{median: m, min: ns[0], max: ns[reps-1], ciLo: lo, ciHi: hi, reps: reps, iters: c.iters, all: slices.Clone(c.ns)}
}

// measureGroup measures cases that are to be compared with each other:
// after calibrating each, it times their repetitions in turn (one of the
// first, one of the second, ..., then again), so that a burst of load from
// other programs slows all of them alike and their ratios stay right.
func (t timing) measureGroup(cases []*timedCase) []sample {
	for _, c := range cases {
		t.calibrate(c)
	}
	for more := true; more; {
		more = false
		for _, c := range cases {
			if len(c.ns) < c.reps {
				c.rep()
				more = true
			}
		}
	}
	out := make([]sample, len(cases))
	for i, c := range cases {
		out[i] = c.sample()
	}
	return out
}

// How a scaling measurement spreads over k goroutines.
const (
	splitGoroutines = "goroutines" // the library's Criterion.Goroutines = k on one call
	splitChunks     = "chunks"     // k goroutines, each one call on its own chunk (parallel)
)

// parallel returns a call that runs run on k goroutines over disjoint chunks
// of [0, n), each a multiple of align elements long (the last takes the
// rest).
func parallel(run func(d *data, lo, hi int) float32, d *data, n, k, align int) func() float32 {
	bounds := make([]int, k+1)
	for i := 1; i < k; i++ {
		bounds[i] = n * i / k / 64 / align * 64 * align
	}
	bounds[k] = n
	return func() float32 {
		var wg sync.WaitGroup
		res := make([]float32, k)
		for i := range k {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if bounds[i] < bounds[i+1] {
					res[i] = run(d, bounds[i], bounds[i+1])
				}
			}()
		}
		wg.Wait()
		var s float32
		for _, v := range res {
			s += v
		}
		return s
	}
}

// sizeUnits are the suffixes parseSize accepts, largest first.
var sizeUnits = []struct {
	suffix string
	mult   int
}{{"Gi", 1 << 30}, {"Mi", 1 << 20}, {"Ki", 1 << 10}}

// parseSize reads a number of elements: "4096", "4Ki", "16Mi" (also "4k",
// "16M": the units are binary).
func parseSize(s string) (int, error) {
	s = strings.TrimSpace(s)
	mult := 1
	for _, u := range sizeUnits {
		for _, suf := range []string{u.suffix, u.suffix[:1], strings.ToLower(u.suffix[:1])} {
			if strings.HasSuffix(s, suf) {
				s, mult = strings.TrimSuffix(s, suf), u.mult
				break
			}
		}
		if mult != 1 {
			break
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("bad size %q: want a positive count such as 4096, 4Ki or 16Mi", s)
	}
	// v*mult must not wrap around: on a 32-bit GOARCH 2Gi already does.
	if v > math.MaxInt/mult {
		return 0, fmt.Errorf("size %q is too large for an int on %s", s, runtime.GOARCH)
	}
	return v * mult, nil
}

// formatSize writes n the way parseSize reads it, in the largest unit that
// divides it.
func formatSize(n int) string {
	for _, u := range sizeUnits {
		if n >= u.mult && n%u.mult == 0 {
			return strconv.Itoa(n/u.mult) + u.suffix
		}
	}
	return strconv.Itoa(n)
}

// parseSizes reads a comma-separated list of sizes, or a range "lo..hi"
// stepping by a factor of 4.
func parseSizes(list string) ([]int, error) {
	var out []int
	for _, item := range strings.Split(list, ",") {
		if lo, hi, ok := strings.Cut(item, ".."); ok {
			a, err := parseSize(lo)
			if err != nil {
				return nil, err
			}
			b, err := parseSize(hi)
			if err != nil {
				return nil, err
			}
			if a > b {
				return nil, fmt.Errorf("size range %q is reversed: write %s..%s", item, strings.TrimSpace(hi), strings.TrimSpace(lo))
			}
			// n stops growing before n*4 could exceed b, and so before
			// it could overflow.
			for n := a; ; n *= 4 {
				out = append(out, n)
				if n > b/4 {
					break
				}
			}
			continue
		}
		n, err := parseSize(item)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// selectPaths returns the bce paths to measure: every available one for
// "all" or "", or the listed ones, which must be available.
func selectPaths(list string) ([]string, error) {
	avail := bce.Paths()
	if list == "" || strings.EqualFold(list, "all") {
		return avail, nil
	}
	var out []string
	for _, p := range strings.Split(list, ",") {
		p = strings.ToLower(strings.TrimSpace(p))
		if !slices.Contains(avail, p) {
			return nil, fmt.Errorf("path %q is not available on this CPU (available: %s)", p, strings.Join(avail, ", "))
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// progress writes one line on a terminal (rewritten in place) or, when
// stderr is a file or pipe, a line every few seconds.
type progress struct {
	w        io.Writer
	tty      bool
	start    time.Time
	last     time.Time
	total    int
	done     int
	lastLen  int
	disabled bool
}

func newProgress(w io.Writer, total int, quiet bool) *progress {
	p := &progress{w: w, total: total, start: time.Now(), disabled: quiet}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

// step reports that the next count measurements, described by label, start.
func (p *progress) step(label string, count int) {
	if p.disabled {
		return
	}
	now := time.Now()
	line := fmt.Sprintf("bench: [%d/%d] %-32s %5.1fs", p.done+count, p.total, label, now.Sub(p.start).Seconds())
	if p.tty {
		pad := max(0, p.lastLen-len(line))
		fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", pad))
		p.lastLen = len(line)
	} else if now.Sub(p.last) >= 5*time.Second {
		fmt.Fprintln(p.w, line)
		p.last = now
	}
	p.done += count
}

func (p *progress) finish() {
	if p.disabled {
		return
	}
	if p.tty {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.lastLen))
	}
	fmt.Fprintf(p.w, "bench: %d measurements in %.1fs\n", p.done, time.Since(p.start).Seconds())
}
