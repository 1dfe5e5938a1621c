package bce

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The accuracy bounds of the package documentation, in ULP.
const (
	boundHard     = 1.0 // y in {0,1}: loss, gradient, sigmoid (faithful rounding)
	boundSoftLoss = 2.0 // y in [0,1]
	boundSoftGrad = 1.5 // of max(sigmoid(x), y)
	boundWeighted = 3.0 // weighted losses
	// boundWeightedGrad is the weighted and scaled gradients' bound. The
	// float32 chain k = fma(p, y', 1-y'), fma(-k, sm, c), w*scale and the
	// product missed it (3.073 on TestAccuracyWeighted's inputs) until
	// scaled32 put w*scale's rounding error back (2.829).
	boundWeightedGrad = 3.0
)

// hardFns are the five outputs checked for every logit: the loss and the
// gradient for each hard label, and the sigmoid.
var hardFns = [...]string{"Loss(y=0)", "Loss(y=1)", "Grad(y=0)", "Grad(y=1)", "Sigmoid"}

const nHard = len(hardFns)

// refHard returns the float64 reference of the five hard-label outputs.
func refHard(x float64) [nHard]float64 {
	if math.IsNaN(x) {
		n := math.NaN()
		return [nHard]float64{n, n, n, n, n}
	}
	e := math.Exp(-math.Abs(x))
	L := math.Log1p(e)
	sm, sp := e/(1+e), 1/(1+e)
	r := [nHard]float64{L, L, sp, -sm, sp}
	if x < 0 {
		r = [nHard]float64{L, L, sm, -sp, sm}
	}
	if x > 0 {
		r[0] += x
	}
	if x < 0 {
		r[1] -= x
	}
	return r
}

// hardBuf holds one block of logits and the outputs of the paths for it:
// out the path being checked, first those of the first SIMD path checked,
// which every later SIMD path must match bit for bit.
type hardBuf struct {
	zeros, ones []float32
	out, first  [nHard][]float32
	refs        [][nHard]float64 // the reference, reused block after block
	fa, fb      []float32        // the loss family's outputs (see family)
	// sweep says that the block is the bit patterns hi<<16 | lo for
	// every lo (the exhaustive test), which checkHard then also counts
	// for monotonicity.
	sweep bool
	hi    uint32
}

func newHardBuf(n int) *hardBuf {
	b := &hardBuf{zeros: make([]float32, n), ones: make([]float32, n), refs: make([][nHard]float64, n),
		fa: make([]float32, n), fb: make([]float32, n)}
	for i := range b.ones {
		b.ones[i] = 1
	}
	for f := range b.out {
		b.out[f] = make([]float32, n)
		b.first[f] = make([]float32, n)
	}
	return b
}

// eval runs path p's kernels on xs for the five outputs.
func (b *hardBuf) eval(p pathID, xs []float32) {
	n := len(xs)
	lossKernel(p, b.out[0][:n], xs, b.zeros[:n])
	lossKernel(p, b.out[1][:n], xs, b.ones[:n])
	gradKernel(p, b.out[2][:n], xs, b.zeros[:n])
	gradKernel(p, b.out[3][:n], xs, b.ones[:n])
	sigmoidKernel(p, b.out[4][:n], xs)
}

// familyFns are the loss family's outputs that the exhaustive test requires
// to equal a hard-label output bit for bit, which gives them its bounds:
// Softplus is Loss(y=0), LogSigmoid is -Loss(y=1), and LossAndGrad's two
// outputs are Loss's and Grad's.
var familyFns = [...]string{"Softplus", "LogSigmoid", "LossAndGrad(y=0).loss", "LossAndGrad(y=0).grad", "LossAndGrad(y=1).loss", "LossAndGrad(y=1).grad"}

// family runs path p's family kernels on xs (after eval) and records in d
// every output whose bits differ from the hard-label output it must equal
// (any NaN matching any NaN).
func (b *hardBuf) family(p pathID, xs []float32, d *crossDiff) {
	n := len(xs)
	check := func(f int, got, want []float32, neg bool) {
		for i, x := range xs {
			w := want[i]
			if neg {
				w = -w
			}
			if !sameBits(got[i], w) {
				d.merge(crossDiff{n: 1, f: f, x: x, got: got[i], want: w})
			}
		}
	}
	softplusKernel(p, b.fa[:n], xs)
	check(0, b.fa, b.out[0], false)
	logSigmoidKernel(p, b.fa[:n], xs)
	check(1, b.fa, b.out[1], true)
	lossAndGradKernel(p, b.fa[:n], b.fb[:n], xs, b.zeros[:n])
	check(2, b.fa, b.out[0], false)
	check(3, b.fb, b.out[2], false)
	lossAndGradKernel(p, b.fa[:n], b.fb[:n], xs, b.ones[:n])
	check(4, b.fa, b.out[1], false)
	check(5, b.fb, b.out[3], false)
}

// worst records the largest error seen and the logit where it happened.
type worst struct {
	ulp float64
	x   float32
	got float32
	ref float64
}

func (w *worst) add(ulp float64, x, got float32, ref float64) {
	if ulp > w.ulp || (math.IsInf(ulp, 1) && w.x == 0) || ulp == w.ulp && ulp > 0 && tieFirst(x, w.x) {
		*w = worst{ulp, x, got, ref}
	}
}

func (w *worst) merge(o worst) {
	if o.ulp > w.ulp || o.ulp == w.ulp && o.ulp > 0 && tieFirst(o.x, w.x) {
		*w = o
	}
}

// tieFirst orders the logits of equal maxima by their bits, so that the
// reported logit does not depend on which goroutine saw which first
// (testdata/accuracy.tsv records it).
func tieFirst(a, b float32) bool { return math.Float32bits(a) < math.Float32bits(b) }

func (w worst) String() string {
	return fmt.Sprintf("%.3f ULP at x=%v (%#08x): got %v, want %v", w.ulp, w.x, math.Float32bits(w.x), w.got, w.ref)
}

// crossDiff counts the outputs of a SIMD path that differ from the first
// SIMD path's, and keeps the first one found.
type crossDiff struct {
	n         int64
	f         int
	x         float32
	got, want float32
}

func (d *crossDiff) merge(o crossDiff) {
	if d.n == 0 {
		*d = o
		return
	}
	d.n += o.n
}

// pathHard is one path's part of a hardReport: the worst error per output
// and, for a SIMD path after the first, the outputs that differ from the
// first SIMD path's.
type pathHard struct {
	worst  [nHard]worst
	cross  crossDiff
	family crossDiff // outputs of familyFns that differ from the ones they must equal
	mono   *pathMono // the exhaustive sweep's monotonicity count, nil elsewhere
}

// hardReport accumulates the worst error per path and output.
type hardReport map[pathID]*pathHard

func (r hardReport) path(p pathID) *pathHard {
	if r[p] == nil {
		r[p] = new(pathHard)
	}
	return r[p]
}

func (r hardReport) merge(o hardReport) {
	for p, ph := range o {
		mine := r.path(p)
		for f := range ph.worst {
			mine.worst[f].merge(ph.worst[f])
		}
		mine.cross.merge(ph.cross)
		mine.family.merge(ph.family)
		if ph.mono != nil {
			if mine.mono == nil {
				mine.mono = new(pathMono)
			}
			mine.mono.merge(ph.mono)
		}
	}
}

// checkHard evaluates every path in paths on xs and records each output's
// error against the reference, except that the outputs of every SIMD path
// after the first are compared with the first's, bit for bit (any NaN
// matching any NaN): bit-identical outputs have the same errors.
func checkHard(paths []pathID, xs []float32, b *hardBuf, rep hardReport) {
	refs := b.refs[:len(xs)]
	for i, x := range xs {
		refs[i] = refHard(float64(x))
	}
	firstSIMD := pathGeneric // none yet: generic is never a SIMD path
	for _, p := range paths {
		ph := rep.path(p)
		ws := &ph.worst
		b.eval(p, xs)
		b.family(p, xs, &ph.family)
		if b.sweep && (p == pathGeneric || firstSIMD == pathGeneric) {
			// A later SIMD path's bits are checked equal to the
			// first's below, so it has the first's count.
			if ph.mono == nil {
				ph.mono = new(pathMono)
			}
			ph.mono.block(b.hi, xs, &b.out)
		}
		if p != pathGeneric && firstSIMD != pathGeneric {
			// A later SIMD path must give the first one's bits, and so
			// has its errors: compare the bits, which is much cheaper
			// than measuring the errors again.
			for f := range hardFns {
				for i, x := range xs {
					if got, want := b.out[f][i], b.first[f][i]; !sameBits(got, want) {
						ph.cross.merge(crossDiff{n: 1, f: f, x: x, got: got, want: want})
					}
				}
			}
			continue
		}
		for f := range hardFns {
			out := b.out[f]
			for i, x := range xs {
				ref := refs[i][f]
				// A correctly rounded result is within 0.5 ULP: skip the
				// division once the worst error seen is at least that.
				if math.Float32bits(out[i]) == math.Float32bits(float32(ref)) && ws[f].ulp >= 0.5 {
					continue
				}
				ws[f].add(ulpErr(out[i], ref, ref), x, out[i], ref)
			}
		}
		if p != pathGeneric {
			// Keep these outputs for the SIMD paths after this one: swap
			// the buffers rather than copy them.
			firstSIMD = p
			b.out, b.first = b.first, b.out
		}
	}
}

// testPaths returns the paths to test: every available one.
func testPaths() []pathID { return available }

// sampledLogits returns at least 2^20 logits spread over every exponent and
// both signs, plus the special values.
func sampledLogits() []float32 {
	xs := append([]float32(nil), specialValues...)
	// Every exponent, 2^11 mantissas each (a stride that also hits the
	// ends of each binade), both signs: 2*256*2^11 = 2^20 values.
	for exp := uint32(0); exp < 256; exp++ {
		for m := uint32(0); m < 1<<11; m++ {
			bits := exp<<23 | (m*4099)&(1<<23-1)
			xs = append(xs, math.Float32frombits(bits), math.Float32frombits(bits|1<<31))
		}
	}
	return xs
}

func TestAccuracyHardLabelsSampled(t *testing.T) {
	xs := sampledLogits()
	rep := hardReport{}
	checkHard(testPaths(), xs, newHardBuf(len(xs)), rep)
	reportHard(t, rep, boundHard)
}

// reportHard logs the worst error per path and output and fails any that
// exceeds bound, and any SIMD path whose outputs differ from the first SIMD
// path's.
func reportHard(t *testing.T, rep hardReport, bound float64) {
	t.Helper()
	first := pathGeneric // none yet
	for _, p := range testPaths() {
		ph := rep[p]
		if ph == nil {
			continue
		}
		if d := ph.family; !assert.Zero(t, d.n, "%s: loss-family outputs that differ from the hard-label outputs they must equal", p) {
			t.Errorf("%s: the first: %s at x=%v (%#08x) is %v (%#08x), want %v (%#08x)", p, familyFns[d.f], d.x, math.Float32bits(d.x),
				d.got, math.Float32bits(d.got), d.want, math.Float32bits(d.want))
		} else {
			t.Logf("%-8s %v: the bits of the loss and gradient above (so the same maxima)", p, familyFns)
		}
		if m := ph.mono; m != nil {
			// Reported, not bounded: a faithful result may go the wrong
			// way by an ULP between adjacent logits (monotone_test.go).
			m.finish()
			for f, name := range hardFns {
				t.Logf("%-8s %-10s not monotone at %s adjacent pairs", p, name, m.wrong[f])
			}
		}
		if p == pathGeneric || first == pathGeneric {
			for f, name := range hardFns {
				t.Logf("%-8s %-10s max %s", p, name, ph.worst[f])
				assert.LessOrEqual(t, ph.worst[f].ulp, bound, "%s %s: %s exceeds %v ULP", p, name, ph.worst[f], bound)
			}
		}
		if p == pathGeneric {
			continue
		}
		if first == pathGeneric {
			first = p
			continue
		}
		d := ph.cross
		if !assert.Zero(t, d.n, "%s: outputs that differ from %s's bits", p, first) {
			t.Errorf("%s: the first: %s at x=%v (%#08x) is %v (%#08x), %s gives %v (%#08x)", p, hardFns[d.f], d.x, math.Float32bits(d.x),
				d.got, math.Float32bits(d.got), first, d.want, math.Float32bits(d.want))
		} else {
			t.Logf("%-8s bit-identical to %s on all five outputs (so the same maxima)", p, first)
		}
	}
}

// TestAccuracyExhaustive checks the five hard-label outputs of every path at
// every one of the 2^32 float32 bit patterns, and that the SIMD paths give
// the same bits there. It takes minutes, so it runs only with
// BCE_EXHAUSTIVE=1 (CI sets it); TestAccuracyExhaustiveSlice runs the same
// code on a few blocks.
func TestAccuracyExhaustive(t *testing.T) {
	if os.Getenv("BCE_EXHAUSTIVE") != "1" {
		t.Skip("set BCE_EXHAUSTIVE=1 to check all 2^32 logits")
	}
	his := make([]uint32, 1<<16)
	for i := range his {
		his[i] = uint32(i)
	}
	recordAccuracy(t, exhaustiveRows(checkExhaustive(t, his)))
}

// exhaustiveRows turns the sweep's maxima into the accuracy table's rows:
// a SIMD path bit-identical to the first has its maxima, and Softplus and
// LogSigmoid, bit-identical to the losses at y = 0 and 1 (-LogSigmoid),
// have theirs. A path whose bits differ gets no rows: the sweep has failed.
func exhaustiveRows(rep hardReport) []accRow {
	var rows []accRow
	first := pathGeneric // none yet
	for _, p := range testPaths() {
		ph := rep[p]
		if ph == nil || !slices.Contains(accPaths, p.String()) || ph.family.n != 0 {
			continue
		}
		ws := ph.worst
		if p != pathGeneric {
			if first == pathGeneric {
				first = p
			} else if ph.cross.n != 0 {
				continue
			} else {
				ws = rep[first].worst
			}
		}
		for f, name := range hardFns {
			rows = append(rows, accRow{name, p.String(), ws[f].ulp, ws[f].x})
		}
		rows = append(rows, accRow{"Softplus", p.String(), ws[0].ulp, ws[0].x}, accRow{"LogSigmoid", p.String(), ws[1].ulp, ws[1].x})
	}
	return rows
}

// TestAccuracyExhaustiveSlice runs the exhaustive test's code on the blocks
// of 2^16 bit patterns where the algorithm changes regime: ±0 and the
// subnormals, |x| in [0.5, 2), the subnormal results and the clamp at 104,
// the largest finite logits, and ±Inf and the NaNs.
func TestAccuracyExhaustiveSlice(t *testing.T) {
	var his []uint32
	for _, hi := range []uint32{0x0000, 0x3f00, 0x3f80, 0x42c8, 0x42cf, 0x42d0, 0x7f7f, 0x7f80, 0x7fc0} {
		his = append(his, hi, hi|0x8000)
	}
	checkExhaustive(t, his)
}

// checkExhaustive checks every path at the bit patterns hi<<16 | lo for
// every hi in his and every 16-bit lo (see checkHard). The reference is
// computed once per logit and shared by every path and output; the work is
// spread over GOMAXPROCS goroutines.
func checkExhaustive(t *testing.T, his []uint32) hardReport {
	const block = 1 << 16
	paths := testPaths()
	for _, p := range paths {
		exercised.Store(p, true)
	}
	workers := runtime.GOMAXPROCS(0)
	next := make(chan uint32, workers)
	go func() {
		for i, hi := range his {
			if len(his) >= 1<<12 && i%(len(his)/16) == 0 {
				t.Logf("exhaustive: %2d/16 of the bit patterns", i/(len(his)/16))
			}
			next <- hi
		}
		close(next)
	}()
	var mu sync.Mutex
	total := hardReport{}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := newHardBuf(block)
			xs := make([]float32, block)
			rep := hardReport{}
			b.sweep = true
			for hi := range next {
				for i := range xs {
					xs[i] = math.Float32frombits(hi<<16 | uint32(i))
				}
				b.hi = hi
				checkHard(paths, xs, b, rep)
			}
			mu.Lock()
			total.merge(rep)
			mu.Unlock()
		}()
	}
	wg.Wait()
	reportHard(t, total, boundHard)
	return total
}

// recordSampled records the rows of a sampled accuracy test, on amd64 only:
// elsewhere the compiler may fuse the generic path's multiply-adds (arm64,
// s390x, riscv64), which changes its maxima, and neon is not a column.
func recordSampled(t *testing.T, rows ...accRow) {
	t.Helper()
	if runtime.GOARCH == "amd64" && slices.Contains(accPaths, rows[0].path) {
		recordAccuracy(t, rows)
	}
}

// TestAccuracySoftLabels checks y in [0,1]: the loss within boundSoftLoss
// ULP, the gradient within boundSoftGrad ULP of max(sigmoid(x), y).
func TestAccuracySoftLabels(t *testing.T) {
	xs := sampledLogits()
	n := len(xs)
	ys := []float32{1e-30, 1e-3, 0.1, 0.25, 0.5, 0.7, 0.9, 0.999, 1 - 0x1p-24}
	y := make([]float32, n)
	l, g := make([]float32, n), make([]float32, n)
	forEachPath(t, func(t *testing.T) {
		var wl, wg worst
		for _, yv := range ys {
			for i := range y {
				y[i] = yv
			}
			Loss(l, xs, y)
			Grad(g, xs, y)
			for i, x := range xs {
				xf, yf := float64(x), float64(yv)
				rl, rg := refLoss(xf, yf, 1, 1), refGrad(xf, yf, 1, 1)
				wl.add(ulpErr(l[i], rl, rl), x, l[i], rl)
				wg.add(ulpErr(g[i], rg, math.Max(refSigmoid(xf), yf)), x, g[i], rg)
			}
		}
		t.Logf("loss max %s", wl)
		t.Logf("grad max %s", wg)
		recordSampled(t, accRow{"Loss, y in [0,1]", cur.String(), wl.ulp, wl.x}, accRow{"Grad, y in [0,1]", cur.String(), wg.ulp, wg.x})
		if !(wl.ulp <= boundSoftLoss) {
			t.Errorf("soft-label loss: %s exceeds %g ULP", wl, boundSoftLoss)
		}
		if !(wg.ulp <= boundSoftGrad) {
			t.Errorf("soft-label grad: %s exceeds %g ULP of max(sigmoid(x), y)", wg, boundSoftGrad)
		}
	})
}

// TestAccuracyWeighted checks the weighted forms and the scaled gradients
// against the float64 reference computed from the same float32 inputs and
// the float32 smoothed target y' = fma(y, 1-s, s/2): the loss within
// boundWeighted ULP of the reference; the gradient within boundWeightedGrad
// ULP of |w*scale|*max(c, k*sm),
// the larger of its two terms (c = 1-y' for x >= 0 and p*y' below, k =
// 1+(p-1)y', sm = sigmoid(-|x|)), which is the reference itself whenever the
// label is hard, and the analogue of the soft-label bound otherwise. The
// weights multiply float32 intermediates whose spacing below 2^-126 is
// 2^-149, so the unit of error is at least that spacing times the factor:
// |w|*max(1,k)*2^-149 for the loss and |w*scale|*max(1,k)*2^-149 for the
// gradient.
func TestAccuracyWeighted(t *testing.T) {
	const n = 1 << 17
	x, y := randomInputs(n, 41)
	for i := range x {
		if isNaN32(x[i]) {
			x[i] = 1
		}
	}
	w := randomWeights(n, 42)
	pw := []float32{1, 9, 0, 0.5, 3, 1e-3, 100, 2}
	l, g := make([]float32, n), make([]float32, n)
	forEachPath(t, func(t *testing.T) {
		var wl, wg worst
		for _, s := range []float32{0, 0.1, 0.3} {
			for _, scale := range []float32{1, 1.0 / 3, -1e-4} {
				c := Criterion{Weight: w, PosWeight: pw, LabelSmoothing: s, GradScale: scale}
				c.Loss(l, x, y)
				c.Grad(g, x, y)
				oms, hs := c.smoothing()
				for i := range x {
					if !weightedInRange(x[i], fma32x(y[i], oms, hs), w[i], pw[i%len(pw)], scale) {
						continue // documented to overflow (see Criterion)
					}
					ysm := float64(fma32x(y[i], oms, hs))
					xf, wf, pf := float64(x[i]), float64(w[i]), float64(pw[i%len(pw)])
					rl := refLoss(xf, ysm, wf, pf)
					rg := refGrad(xf, ysm, wf, pf) * float64(scale)
					k := refK(ysm, pf)
					floor := math.Abs(wf) * math.Max(1, k) * 0x1p-149
					wl.add(ulpErrFloor(l[i], rl, rl, floor), x[i], l[i], rl)
					sm, _ := refSig(xf)
					cc := pf * ysm
					if !math.Signbit(xf) {
						cc = 1 - ysm
					}
					unit := math.Abs(wf*float64(scale)) * math.Max(cc, k*sm)
					wg.add(ulpErrFloor(g[i], rg, unit, floor*math.Abs(float64(scale))), x[i], g[i], rg)
				}
			}
		}
		// The package LossGrad: the gradient divided by n.
		LossGrad(g, x, y)
		for i := range x {
			rg := refGrad(float64(x[i]), float64(y[i]), 1, 1) / n
			unit := math.Max(refSigmoid(float64(x[i])), float64(y[i])) / n
			wg.add(ulpErr(g[i], rg, unit), x[i], g[i], rg)
		}
		t.Logf("weighted loss max %s", wl)
		t.Logf("weighted grad max %s", wg)
		recordSampled(t, accRow{"weighted loss", cur.String(), wl.ulp, wl.x}, accRow{"weighted and scaled gradient", cur.String(), wg.ulp, wg.x})
		if !(wl.ulp <= boundWeighted) {
			t.Errorf("weighted loss: %s exceeds %g ULP", wl, boundWeighted)
		}
		if !(wg.ulp <= boundWeightedGrad) {
			t.Errorf("weighted/scaled grad: %s exceeds %g ULP", wg, boundWeightedGrad)
		}
	})
}

// TestReductionAccuracy checks Sum and Mean against the exact sum of the
// reference losses: within 7e-7 relative plus n*2^-149 absolute. n goes up
// to 2^24 in the normal suite and to 2^27 with BCE_EXHAUSTIVE=1.
func TestReductionAccuracy(t *testing.T) {
	sizes := []int{1, 15, 1000, 1<<16 + 3, 1 << 20, 1 << 24}
	if raceEnabled || testing.Short() {
		// -short: CI's generic suites under qemu (s390x, riscv64), where
		// 2^24 elements take minutes; the full sizes run natively.
		sizes = sizes[:5]
	}
	if os.Getenv("BCE_EXHAUSTIVE") == "1" {
		sizes = append(sizes, 1<<27)
	}
	for _, n := range sizes {
		x, y := randomInputs(n, int64(n))
		ref := make([]float64, n)
		for i := range x {
			if isNaN32(x[i]) || isNaN32(y[i]) || math.IsInf(float64(x[i]), 0) || math.Abs(float64(x[i])) > 1e30 {
				x[i] = float32(i%17) - 8
			}
			ref[i] = refLoss(float64(x[i]), float64(y[i]), 1, 1)
		}
		exact := neumaier(ref)
		tol := 7e-7*math.Abs(exact) + float64(n)*0x1p-149
		forEachPath(t, func(t *testing.T) {
			s := Sum(x, y)
			if d := math.Abs(float64(s) - exact); !(d <= tol) {
				t.Errorf("n=%d: Sum = %v, exact %v: error %.3g > %.3g", n, s, exact, d, tol)
			}
			m := Mean(x, y)
			if d := math.Abs(float64(m) - exact/float64(n)); !(d <= tol/float64(n)) {
				t.Errorf("n=%d: Mean = %v, exact %v", n, m, exact/float64(n))
			}
		})
	}
}

// neumaier returns the sum of v with Neumaier's compensated summation,
// exact to about 1e-16 relative.
func neumaier(v []float64) float64 {
	s, c := 0.0, 0.0
	for _, x := range v {
		t := s + x
		if math.Abs(s) >= math.Abs(x) {
			c += (s - t) + x
		} else {
			c += (x - t) + s
		}
		s = t
	}
	return s + c
}
