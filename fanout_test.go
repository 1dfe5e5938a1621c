package bce

import (
	"fmt"
	"math"
	"math/big"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lowFanMin lets every call of at least 16 elements fan out, for the test's
// duration, so that small inputs exercise the fan-out too.
func lowFanMin(t *testing.T) {
	old := fanMin
	fanMin = 16
	t.Cleanup(func() { fanMin = old })
}

// countHelpers counts the tasks that workers (not callers) run, for the
// test's duration.
func countHelpers(t *testing.T) *atomic.Int64 {
	var n atomic.Int64
	testHookTask = func(helper bool, _ int) {
		if helper {
			n.Add(1)
		}
	}
	t.Cleanup(func() { testHookTask = nil })
	return &n
}

// goroutineCounts are the Goroutines values that must agree bit for bit;
// under -short and -race (qemu, the race detector) a subset.
func goroutineCounts(short bool) []int {
	if short {
		return []int{0, 3}
	}
	return []int{0, 1, 2, 3, 4, 8, 17}
}

// fanSizes are lengths around the span, block and tree boundaries; under
// -short and -race a subset.
func fanSizes(short bool) []int {
	if short {
		return []int{17, minSpan + 17, 3*block + 5}
	}
	return []int{0, 1, 15, 16, 17, minSpan - 1, minSpan + 17, block - 1, block, block + 1,
		2*block - 16, 2*block + 1, 3*block + 5, 4 * block, 5*block + 77, 1<<20 + 3, 5<<20 + 7}
}

// callOutputs runs every method of c and of a focal loss built from it on
// the inputs, with c.Goroutines = g, and returns every output: the written
// slices and the reductions' values.
func callOutputs(c Criterion, g int, x, y []float32) [][]float32 {
	n := len(x)
	c.Goroutines = g
	var outs [][]float32
	out := func() []float32 {
		v := make([]float32, n)
		outs = append(outs, v)
		return v
	}
	c.Loss(out(), x, y)
	c.Grad(out(), x, y)
	c.LossAndGrad(out(), out(), x, y)
	var red []float32
	for _, r := range []Reduction{ReduceMean, ReduceSum, ReduceWeightMean} {
		c.Reduction = r
		red = append(red, c.Reduce(x, y), c.LossGrad(out(), x, y))
	}
	for _, gamma := range []float32{2, 0.5} {
		f := Focal{Gamma: gamma, Alpha: 0.25, Weight: c.Weight, LabelSmoothing: c.LabelSmoothing, GradScale: c.GradScale, Goroutines: g}
		f.Loss(out(), x, y)
		f.Grad(out(), x, y)
		f.LossAndGrad(out(), out(), x, y)
		for _, r := range []Reduction{ReduceMean, ReduceWeightMean} {
			f.Reduction = r
			red = append(red, f.Reduce(x, y), f.LossGrad(out(), x, y))
		}
	}
	return append(outs, red)
}

// criteria are the configurations that take the different kernels: the
// plain loss, a gradient scale, weights, class patterns and smoothing.
func criteria(n int, w []float32) map[string]Criterion {
	cs := map[string]Criterion{
		"plain":  {},
		"scaled": {GradScale: 0.5},
		"weighted": {Weight: w[:n], PosWeight: []float32{2, 0.5, 1, 3}, ClassWeight: []float32{1, 0.25},
			LabelSmoothing: 0.1},
	}
	if n%48 == 0 {
		cs["classes"] = Criterion{PosWeight: make48(1.5), ClassWeight: make48(0.75)}
	}
	if n%4 != 0 {
		delete(cs, "weighted") // its class counts must divide n
	}
	return cs
}

func make48(v float32) []float32 {
	s := make([]float32, 48)
	for i := range s {
		s[i] = v + float32(i%5)
	}
	return s
}

// TestGoroutinesBitIdentical: every method gives the same bits for every
// Goroutines value, at lengths around every span, block and tree boundary,
// on every path, and the workers really ran.
func TestGoroutinesBitIdentical(t *testing.T) {
	lowFanMin(t)
	helpers := countHelpers(t)
	short := testing.Short() || raceEnabled
	ns, gs := fanSizes(short), goroutineCounts(short)
	big := ns[len(ns)-1]
	x, y := randomInputs(big, 7001)
	w := randomWeights(big, 7002)
	forEachPath(t, func(t *testing.T) {
		for _, n := range ns {
			if n > 5*block+77 && cur != bestPath() {
				continue // the largest sizes on the best path only: the blocks are the same on every path
			}
			for name, c := range criteria(n, w) {
				want := callOutputs(c, 0, x[:n], y[:n])
				for _, g := range gs[1:] {
					got := callOutputs(c, g, x[:n], y[:n])
					for i := range want {
						if j := firstDiff(want[i], got[i]); j >= 0 {
							t.Fatalf("n=%d %s Goroutines=%d output %d element %d: %v, want %v (Goroutines 0)",
								n, name, g, i, j, got[i][j], want[i][j])
						}
					}
				}
			}
		}
	})
	assert.Positive(t, helpers.Load(), "no task ran on a worker")
}

// bestPath is the path chosen at start-up.
func bestPath() pathID {
	p, _ := lookupPath(Paths()[0])
	return p
}

// firstDiff returns the first index where a and b differ in bits (NaN equal
// to NaN), or -1.
func firstDiff(a, b []float32) int {
	for i := range a {
		if !sameBits(a[i], b[i]) {
			return i
		}
	}
	return -1
}

// TestFanOutWorkersRun makes the caller wait in its first task until a worker
// has started one: a call with Goroutines 2 then certainly ran on two
// goroutines, and its result is still the one-goroutine result.
func TestFanOutWorkersRun(t *testing.T) {
	lowFanMin(t)
	const n = 4*block + 3
	x, y := randomInputs(n, 7003)
	want := Sum(x, y)
	var helper atomic.Bool
	testHookTask = func(h bool, _ int) {
		if h {
			helper.Store(true)
			return
		}
		for deadline := time.Now().Add(10 * time.Second); !helper.Load() && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	defer func() { testHookTask = nil }()
	got := Criterion{Reduction: ReduceSum, Goroutines: 2}.Reduce(x, y)
	require.True(t, helper.Load(), "no worker ran a task within 10 s")
	assert.True(t, sameBits(want, got), "Reduce on 2 goroutines %v, Sum %v", got, want)
}

// TestFanOutPanic: a panic in a worker's task reaches the caller, with its
// value, after every goroutine has left the call; the pool works afterwards.
func TestFanOutPanic(t *testing.T) {
	lowFanMin(t)
	const n = 4 * block
	x, y := randomInputs(n, 7004)
	var once sync.Once
	var waited atomic.Bool
	testHookTask = func(h bool, _ int) {
		if h {
			waited.Store(true)
			once.Do(func() { panic("injected") })
		}
	}
	defer func() { testHookTask = nil }()
	for range 100 {
		got := func() (p any) {
			defer func() { p = recover() }()
			Criterion{Goroutines: 2}.Grad(make([]float32, n), x, y)
			return nil
		}()
		if waited.Load() {
			assert.Equal(t, "injected", got)
			break
		}
	}
	require.True(t, waited.Load(), "no worker ran a task in 100 calls")
	testHookTask = nil
	want := make([]float32, n)
	Grad(want, x, y)
	got := make([]float32, n)
	Criterion{Goroutines: 2}.Grad(got, x, y)
	assert.Equal(t, -1, firstDiff(want, got), "Grad after the panic")
}

// TestFanOutConcurrent: callers that fan out at the same time (under -race
// in CI) share the pool and get their own bits.
func TestFanOutConcurrent(t *testing.T) {
	lowFanMin(t)
	const n = 3*block + 100
	x, y := randomInputs(n, 7005)
	w := randomWeights(n, 7006)
	c := Criterion{Weight: w, Reduction: ReduceWeightMean}
	wantG := make([]float32, n)
	want := c.LossGrad(wantG, x, y)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for k := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cc := c
			cc.Goroutines = 2 + k%3
			g := make([]float32, n)
			for range 5 {
				if got := cc.LossGrad(g, x, y); !sameBits(got, want) || firstDiff(g, wantG) >= 0 {
					errs <- fmt.Sprintf("Goroutines %d: %v, want %v", cc.Goroutines, got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestGoroutinesNegativePanics(t *testing.T) {
	x := make([]float32, 4)
	assert.PanicsWithValue(t, "bce.Criterion.Reduce: Goroutines = -1, want 0 or more", func() {
		Criterion{Goroutines: -1}.Reduce(x, x)
	})
	assert.PanicsWithValue(t, "bce.Focal.Grad: Goroutines = -2, want 0 or more", func() {
		Focal{Gamma: 2, Goroutines: -2}.Grad(x, x, x)
	})
}

// TestFanOutAllocs: a call that fans out allocates nothing once the pool
// and the call state exist.
func TestFanOutAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	old := fanMin
	fanMin = 16 // the -short size fans out too
	t.Cleanup(func() { fanMin = old })
	n := 8 * block
	if testing.Short() {
		n = 3 * block // qemu
	}
	x, y := randomInputs(n, 7007)
	g := make([]float32, n)
	c := Criterion{Goroutines: 2, Weight: randomWeights(n, 7008)}
	f := Focal{Gamma: 2, Goroutines: 2}
	for _, fn := range []func(){
		func() { c.LossGrad(g, x, y) },
		func() { c.Grad(g, x, y) },
		func() { f.LossGrad(g, x, y) },
	} {
		fn()
		assert.Zero(t, testing.AllocsPerRun(20, fn))
	}
}

// orderBound is the documented bound on the float64 sum of n non-negative
// terms in the fixed order, as a multiple of their exact sum: an element
// passes through at most L = ceil(min(n, block)/16) lane additions,
// ceil(log2(blocks)) tree additions and 4 fold additions, each rounding
// with a relative error of at most u = 2^-53, so |error| <= L*u/(1-L*u) *
// sum (N. J. Higham, Accuracy and Stability of Numerical Algorithms,
// 2nd ed., section 4.2).
func orderBound(n int) float64 {
	if n == 0 {
		return 0
	}
	blocks := (n + block - 1) / block
	depth := 0
	for 1<<depth < blocks {
		depth++
	}
	L := float64((min(n, block)+15)/16 + depth + 4)
	u := math.Ldexp(1, -53)
	return L * u / (1 - L*u)
}

// TestSumBound measures the summation alone: the float64 sum that Sum and
// Mean round against the exact (math/big) sum of the kernel's own float32
// per-element losses, which Loss writes, on inputs whose losses span many
// binades; and Sum against the float32 rounding of that.
func TestSumBound(t *testing.T) {
	ns := []int{1000, 3*block + 5}
	if !testing.Short() && !raceEnabled { // the race run is for races; the plain run measures the large sums
		ns = append(ns, 1<<20+3, 5<<20+7)
	}
	forEachPath(t, func(t *testing.T) {
		for _, n := range ns {
			x, y := randomInputs(n, int64(7100+n))
			for i := range x {
				if isNaN32(x[i]) || math.IsInf(float64(x[i]), 0) {
					x[i] = float32(i%97) - 48
				}
				if !(y[i] >= 0 && y[i] <= 1) {
					y[i] = 0.5
				}
				if i%1000 == 7 {
					x[i] = 1e30 // a huge loss among small ones
				}
			}
			l := make([]float32, n)
			Loss(l, x, y)
			exact := new(big.Float).SetPrec(400)
			for _, v := range l {
				exact.Add(exact, new(big.Float).SetFloat64(float64(v)))
			}
			ex, _ := exact.Float64()
			got := sumLosses("Sum", x, y)
			diff, _ := new(big.Float).Sub(exact, new(big.Float).SetFloat64(got)).Float64()
			bound := orderBound(n) * ex
			t.Logf("n=%d: |float64 sum - exact| = %.3g, %.3g of the bound %.3g", n, math.Abs(diff), math.Abs(diff)/bound, bound)
			assert.LessOrEqual(t, math.Abs(diff), bound, "n=%d", n)
			assert.True(t, sameBits(float32(got), Sum(x, y)), "n=%d: Sum is not the float64 sum rounded once", n)
		}
	})
}

// BenchmarkFanOutCost is the fixed cost of a fan-out: Grad over 64
// elements cut into two 32-element tasks, with Goroutines 2 against 1
// (the difference is handing a task to a parked worker, waking it and
// waiting for it):
//
//	go test -run '^$' -bench FanOutCost -count 10 . | benchstat -col /g -
func BenchmarkFanOutCost(b *testing.B) {
	oldMin, oldSpan := fanMin, minSpan
	fanMin, minSpan = 16, 32
	defer func() { fanMin, minSpan = oldMin, oldSpan }()
	d := benchInputs(64, "")
	for _, k := range []int{1, 2} {
		c := Criterion{Goroutines: k}
		b.Run(fmt.Sprintf("fn=Grad/n=64/g=%d", k), func(b *testing.B) {
			for range b.N {
				c.Grad(d.dst, d.x, d.y)
			}
		})
	}
	// A worker parked on an idle CPU, as in a training loop that calls
	// once per batch: the time from the call to the worker's first task.
	b.Run("fn=LossGrad/n=256Ki/g=2/cold", func(b *testing.B) {
		fanMin, minSpan = 16, oldSpan
		d := benchInputs(1<<18, "")
		c := Criterion{Goroutines: 2}
		var start time.Time
		var first atomic.Int64
		testHookTask = func(helper bool, _ int) {
			if helper {
				first.CompareAndSwap(0, int64(time.Since(start)))
			}
		}
		defer func() { testHookTask = nil }()
		var total time.Duration
		helped := 0
		for range b.N {
			b.StopTimer()
			time.Sleep(time.Millisecond)
			first.Store(0)
			b.StartTimer()
			start = time.Now()
			c.LossGrad(d.dst, d.x, d.y)
			if t := first.Load(); t > 0 {
				total += time.Duration(t)
				helped++
			}
		}
		// Calls the worker did not help in (it started after the last
		// task was claimed) are left out of the mean and counted.
		b.ReportMetric(float64(total.Nanoseconds())/float64(max(helped, 1)), "ns-to-worker")
		b.ReportMetric(float64(b.N-helped)/float64(b.N), "unhelped-fraction")
	})
}

// BenchmarkFanOut compares one goroutine with Goroutines 2 on the best
// path, for the threshold (fanMin) and the scaling. The inputs are the
// benchmarks' normal logits: randomInputs' subnormals and specials cost
// microcode assists on Intel cores and hide the fan-out's cost.
//
//	go test -run '^$' -bench FanOut -count 10 . | benchstat -col /g -
func BenchmarkFanOut(b *testing.B) {
	old := fanMin
	fanMin = 16
	defer func() { fanMin = old }()
	for _, n := range []int{1 << 14, 1 << 16, 1 << 17, 1 << 18, 3 << 17, 1 << 19, 3 << 18, 1 << 20, 1 << 22, 1 << 24} {
		d := benchInputs(n, "")
		x, y, g := d.x, d.y, d.dst
		for _, fn := range []string{"Grad", "LossGrad", "Mean"} {
			for _, k := range []int{1, 2} {
				c := Criterion{Goroutines: k}
				b.Run(fmt.Sprintf("fn=%s/n=%d/g=%d", fn, n, k), func(b *testing.B) {
					b.SetBytes(int64(8 * n))
					b.ReportAllocs()
					for range b.N {
						switch fn {
						case "Grad":
							c.Grad(g, x, y)
						case "LossGrad":
							c.LossGrad(g, x, y)
						case "Mean":
							c.Reduce(x, y)
						}
					}
				})
			}
		}
	}
}
