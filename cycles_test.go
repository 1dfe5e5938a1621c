package bce

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"
)

// BenchmarkHotLoop measures every kernel's main loop on every SIMD path of
// this CPU in cycles per element, the unit of llvm-mca's predictions
// (testdata/mca.tsv): N = 64 Ki elements (in L2, so the loop and not memory
// is measured), each repetition timed beside a clock estimate. The VM has
// no performance counters, so the clock is estimated by a chain of
// dependent 64-bit adds and xors (one cycle each on every x86 core of the
// last decade), run for about a millisecond before and after the repetition;
// cycles/el is ns/el times their mean, GHz the estimate itself. Run it on
// an otherwise idle machine (the second vCPU shares the FMA units):
//
//	go test -run '^$' -bench HotLoop -count 10 . | tee new.txt
//	benchstat new.txt
func BenchmarkHotLoop(b *testing.B) {
	const n = 1 << 16
	r := rand.New(rand.NewSource(7))
	in := &kernelInputs{x: make([]float32, n), y: make([]float32, n), w: make([]float32, n), pw: make([]float32, n),
		oms: 0.9, hs: 0.05, scale: 0.375}
	for i := range in.x {
		in.x[i] = float32(r.NormFloat64() * 4)
		in.y[i] = float32(r.Intn(2))
		in.w[i] = 0.5 + r.Float32()
		in.pw[i] = 2
	}
	in.setFocal(0.25, 2, 0.5)
	dst, dst2 := make([]float32, n), make([]float32, n)
	acc := make([]float64, 32)
	// The two-output kernels' rows allocate their second output per call
	// (harness_test.go): here both outputs are preallocated.
	two := map[string]func(p pathID){
		"lossAndGrad": func(p pathID) { lossAndGradKernel(p, dst, dst2, in.x, in.y) },
		"wlossAndGrad": func(p pathID) {
			wlossAndGradKernel(p, dst, dst2, in.x, in.y, in.w, in.pw, in.oms, in.hs, in.scale)
		},
		"focalLossAndGrad": func(p pathID) {
			focalLossAndGradKernel(p, dst, dst2, in.x, in.y, in.w, in.oms, in.hs, in.al1, in.al0, in.ga1, in.ga0, in.gb1, in.gb0, in.gamma, in.scale)
		},
		"focalPowLossAndGrad": func(p pathID) {
			focalPowLossAndGradKernel(p, dst, dst2, in.x, in.y, in.w, in.oms, in.hs, in.al1, in.al0, in.gpow, in.scale)
		},
	}
	seen := map[string]bool{}
	for _, k := range kernels {
		name, _, _ := strings.Cut(k.name, ".") // a two-output kernel's rows run one loop
		if seen[name] {
			continue
		}
		seen[name] = true
		run := func(p pathID) { k.run(p, dst, in, acc) }
		if f, ok := two[name]; ok {
			run = f
		}
		for _, p := range simdPaths() {
			b.Run(fmt.Sprintf("kernel=%s/path=%v", name, p), func(b *testing.B) {
				run(p) // warm the caches and the clock
				hz0 := clockHz()
				b.ResetTimer()
				for range b.N {
					run(p)
				}
				b.StopTimer()
				hz := (hz0 + clockHz()) / 2
				nsEl := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / n
				b.ReportMetric(nsEl*hz/1e9, "cycles/el")
				b.ReportMetric(hz/1e9, "GHz")
			})
		}
	}
}

// clockHz estimates the core clock from the time of a chain of dependent
// integer operations (addChain: 8 per iteration, so the loop's own compare
// and branch run beside them), the best of 5 runs of about 0.3 ms.
func clockHz() float64 {
	const iters = 1 << 17
	best := time.Duration(1 << 62)
	for range 5 {
		t0 := time.Now()
		chainSink += addChain(iters, chainSink|1)
		best = min(best, time.Since(t0))
	}
	return 8 * iters / best.Seconds()
}

var chainSink uint64

// addChain runs 8*n dependent one-cycle operations: adds of y, with an
// xor between them so that the compiler cannot merge the adds.
//
//go:noinline
func addChain(n int, y uint64) uint64 {
	var x uint64
	for range n {
		x += y
		x ^= 1
		x += y
		x ^= 1
		x += y
		x ^= 1
		x += y
		x ^= 1
	}
	return x
}
