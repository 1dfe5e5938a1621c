package bce

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"
	"testing"
)

// The accuracy bounds of the package documentation, in ULP.
const (
	boundHard     = 2 // y in {0,1}: loss, gradient, sigmoid
	boundSoftLoss = 4 // y in [0,1]
	boundSoftGrad = 2 // of max(sigmoid(x), y)
	boundWeighted = 4 // weighted forms and scaled gradients
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

// hardBuf holds one block of logits and every path's outputs for it.
type hardBuf struct {
	zeros, ones []float32
	out         [nHard][]float32
}

func newHardBuf(n int) *hardBuf {
	b := &hardBuf{zeros: make([]float32, n), ones: make([]float32, n)}
	for i := range b.ones {
		b.ones[i] = 1
	}
	for f := range b.out {
		b.out[f] = make([]float32, n)
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

// worst records the largest error seen and the logit where it happened.
type worst struct {
	ulp float64
	x   float32
	got float32
	ref float64
}

func (w *worst) add(ulp float64, x, got float32, ref float64) {
	if ulp > w.ulp || (math.IsInf(ulp, 1) && w.x == 0) {
		*w = worst{ulp, x, got, ref}
	}
}

func (w *worst) merge(o worst) {
	if o.ulp > w.ulp {
		*w = o
	}
}

func (w worst) String() string {
	return fmt.Sprintf("%.3f ULP at x=%v (%#08x): got %v, want %v", w.ulp, w.x, math.Float32bits(w.x), w.got, w.ref)
}

// hardReport accumulates the worst error per path and output.
type hardReport map[pathID]*[nHard]worst

func (r hardReport) merge(o hardReport) {
	for p, ws := range o {
		if r[p] == nil {
			r[p] = new([nHard]worst)
		}
		for f := range ws {
			r[p][f].merge(ws[f])
		}
	}
}

// checkHard evaluates every path in paths on xs and records each output's
// error against the reference.
func checkHard(paths []pathID, xs []float32, b *hardBuf, rep hardReport) {
	refs := make([][nHard]float64, len(xs))
	for i, x := range xs {
		refs[i] = refHard(float64(x))
	}
	for _, p := range paths {
		ws := rep[p]
		if ws == nil {
			ws = new([nHard]worst)
			rep[p] = ws
		}
		b.eval(p, xs)
		for f := range hardFns {
			out := b.out[f]
			for i, x := range xs {
				ws[f].add(ulpErr(out[i], refs[i][f], refs[i][f]), x, out[i], refs[i][f])
			}
		}
	}
}

// testPaths returns the paths to test: every available one.
func testPaths() []pathID { return available }

// sampledLogits returns at least 2^20 logits spread over every exponent and
// both signs, plus the special values.
func sampledLogits() []float32 {
	xs := append([]float32(nil), specialLogits...)
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

var specialLogits = []float32{
	0, float32(math.Copysign(0, -1)), 1, -1, 0.5, -0.5, 2, -2,
	float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
	math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
	0x1p-126, -0x1p-126, 30, -30, 88, -88, 100, -100, 103.28, -103.28, 103.98, -103.98, 104, -104, 1e6, -1e6,
	float32(math.Log(4)), float32(math.Log(3.0 / 7)),
}

func TestAccuracyHardLabelsSampled(t *testing.T) {
	xs := sampledLogits()
	rep := hardReport{}
	checkHard(testPaths(), xs, newHardBuf(len(xs)), rep)
	reportHard(t, rep, boundHard)
}

// reportHard logs the worst error per path and output and fails any that
// exceeds bound.
func reportHard(t *testing.T, rep hardReport, bound float64) {
	t.Helper()
	for _, p := range testPaths() {
		ws := rep[p]
		if ws == nil {
			continue
		}
		for f, name := range hardFns {
			t.Logf("%-8s %-10s max %s", p, name, ws[f])
			if !(ws[f].ulp <= bound) {
				t.Errorf("%s %s: %s exceeds %v ULP", p, name, ws[f], bound)
			}
		}
	}
}

// TestAccuracyExhaustive checks the five hard-label outputs of every path at
// every one of the 2^32 float32 bit patterns. It takes minutes, so it runs
// only with BCE_EXHAUSTIVE=1 (CI sets it). The reference is computed once
// per logit and shared by every path and output; the work is spread over
// GOMAXPROCS goroutines.
func TestAccuracyExhaustive(t *testing.T) {
	if os.Getenv("BCE_EXHAUSTIVE") != "1" {
		t.Skip("set BCE_EXHAUSTIVE=1 to check all 2^32 logits")
	}
	const block = 1 << 16
	paths := testPaths()
	workers := runtime.GOMAXPROCS(0)
	next := make(chan uint32, workers)
	go func() {
		for hi := uint32(0); hi < 1<<16; hi++ {
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
			for hi := range next {
				for i := range xs {
					xs[i] = math.Float32frombits(hi<<16 | uint32(i))
				}
				checkHard(paths, xs, b, rep)
			}
			mu.Lock()
			total.merge(rep)
			mu.Unlock()
		}()
	}
	wg.Wait()
	reportHard(t, total, boundHard)
}
