package main

import (
	"math"
	"sync"
	"testing"
)

// TestPlainMatchesKernels checks that the plain loops compute what the
// kernels compute, so that the speedups compare like with like.
func TestPlainMatchesKernels(t *testing.T) {
	const n = 4000
	d := newData(n)
	other := make([]float32, n)
	near := func(a, b float32) bool {
		return math.Abs(float64(a-b)) <= 1e-5*math.Max(1, math.Abs(float64(b)))
	}
	for _, f := range functions {
		got := f.kernel(d, 0, n)
		dstK := append([]float32(nil), d.dst...)
		want := f.plain(d, 0, n)
		copy(other, d.dst)
		if !near(got, want) {
			t.Errorf("%s: kernel returns %v, plain loop %v", f.Name, got, want)
		}
		for i := range dstK {
			if !near(dstK[i], other[i]) {
				t.Errorf("%s: element %d: kernel writes %v, plain loop %v", f.Name, i, dstK[i], other[i])
				break
			}
		}
		f.roof(d, 0, n)
	}
}

func TestParallelCoversDisjointChunks(t *testing.T) {
	for _, n := range []int{1, 100, 1000, 1 << 16, 1<<16 + 7} {
		for _, align := range []int{1, classes} {
			n := n / align * align
			for k := 1; k <= 5; k++ {
				var mu sync.Mutex
				seen := make([]int, n)
				call := parallel(func(_ *data, lo, hi int) float32 {
					mu.Lock()
					defer mu.Unlock()
					if lo%align != 0 {
						t.Errorf("chunk starts at %d, not a multiple of %d", lo, align)
					}
					for i := lo; i < hi; i++ {
						seen[i]++
					}
					return 0
				}, nil, n, k, align)
				call()
				for i, c := range seen {
					if c != 1 {
						t.Fatalf("n=%d k=%d: element %d processed %d times", n, k, i, c)
					}
				}
			}
		}
	}
}

// TestFannedMatchesKernels checks that the scaling's Goroutines form of each
// function computes the package kernel's bits, at a size that fans out.
func TestFannedMatchesKernels(t *testing.T) {
	const n = 157290 * classes // above the fan-out threshold (512 Ki)
	d := newData(n)
	for _, f := range functions {
		if f.fanned == nil {
			continue
		}
		want := f.kernel(d, 0, n)
		dst, dst2 := append([]float32(nil), d.dst...), append([]float32(nil), d.dst2...)
		got := f.fanned(d, n, 3)
		if math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("%s: Goroutines 3 returns %v, the kernel %v", f.Name, got, want)
		}
		for i := range dst {
			if math.Float32bits(d.dst[i]) != math.Float32bits(dst[i]) || math.Float32bits(d.dst2[i]) != math.Float32bits(dst2[i]) {
				t.Errorf("%s: element %d differs between Goroutines 3 and the kernel", f.Name, i)
				break
			}
		}
	}
}
