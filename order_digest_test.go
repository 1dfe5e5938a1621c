package bce

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// The summation order's digest. testdata/simd.digest and family.digest hash
// the kernels' outputs on one call, below one 64 Ki block, so they cannot
// see how blocks combine (order.go). testdata/order.digest hashes the public
// reductions on inputs of several blocks, whose tree is not a power of two:
// Sum, Mean, LossGrad, Criterion.Reduce and Criterion.LossGrad under every
// Reduction, weighted and with PosWeight, and Focal's, and the float64
// lanes of their accumulations (orderDigest). The avx2 path wrote
// it; every SIMD path must reproduce it, with Goroutines 1 and 3 alike.
// Regenerate it, deliberately, with
//
//	BCE_UPDATE_DIGEST=1 go test -run TestOrderDigest .
const orderDigestFile = "testdata/order.digest"

// orderDigestN is 6 blocks less some: the tree splits it 4 + 2, the last
// block partial.
const orderDigestN = 6*block - 1236

// orderDigest hashes the public reductions on the current path with
// Goroutines g. The inputs are finite and the targets in [0,1], so that no
// NaN hides the order in a sum.
func orderDigest(g int) string {
	n := orderDigestN
	x, y := randomInputs(n, 7300)
	for i := range x {
		if isNaN32(x[i]) || math.IsInf(float64(x[i]), 0) {
			x[i] = float32(i%61) - 30
		}
		if !(y[i] >= 0 && y[i] <= 1) {
			y[i] = float32(i%5) / 4
		}
		// Two of three losses are about the logit (y = 0, x > 0), scaled
		// by 2^20 per block and spread over 2^36 within one: each block's
		// float64 sums are inexact and the blocks' magnitudes differ, so
		// that every association of the tree rounds differently. (Sums of
		// float32 values of like magnitude are exact in float64 in any
		// order and would hide it.)
		if i%3 != 0 {
			x[i] = float32(math.Ldexp(1+float64(i%1009)/1009, 20*(i/block)+i%37-18))
			y[i] = 0
		}
	}
	w := randomWeights(n, 7301)
	for i := range w {
		if isNaN32(w[i]) || math.IsInf(float64(w[i]), 0) || w[i] < 0 {
			w[i] = 1
		}
	}
	pw := []float32{0.5, 2, 9.5, 1, 0.25, 3, 1.5, 0.75, 4, 1.25} // 10 classes divide n
	if n%len(pw) != 0 {
		panic(fmt.Sprintf("orderDigest: %d classes do not divide n = %d", len(pw), n))
	}
	grad := make([]float32, n)
	var d digester
	scalar := func(v float32) { d.f32s([]float32{v}) }
	scalar(Sum(x, y))
	scalar(Mean(x, y))
	scalar(LossGrad(grad, x, y))
	d.f32s(grad)
	// The float64 lanes before the fold and the rounding to float32: the
	// public results above round a float64 sum once, which hides most
	// changes of order (a relative change near 1e-16 rarely moves a float32),
	// while the lanes show every one.
	lanesOf := func(c Criterion, op wop) {
		var acc lanes
		c.exec(n, &op, &acc)
		d.f64s(acc[:])
	}
	plain := Criterion{Goroutines: g}
	weighted := Criterion{Weight: w, PosWeight: pw, LabelSmoothing: 0.1, Goroutines: g}
	oms, hs := weighted.smoothing()
	focal := Focal{Gamma: 2, Alpha: 0.25, Weight: w, Goroutines: g}
	lanesOf(plain, wop{kind: opPlainSum, x: x, y: y})
	lanesOf(plain, wop{kind: opPlainLossGrad, out: grad, x: x, y: y, scale: 0.375})
	lanesOf(weighted, wop{kind: opSum, x: x, y: y, oms: oms, hs: hs})
	lanesOf(weighted, wop{kind: opLossGrad, out: grad, x: x, y: y, scale: 0.375, oms: oms, hs: hs})
	lanesOf(weighted, wop{kind: opWeightSum})
	lanesOf(focal.check("orderDigest", n), wop{kind: opFocalSum, x: x, y: y, fk: focal.scalars()})
	lanesOf(focal.check("orderDigest", n), wop{kind: opFocalLossGrad, out: grad, x: x, y: y, scale: 0.375, fk: focal.scalars()})
	for _, r := range []Reduction{ReduceMean, ReduceSum, ReduceWeightMean} {
		plain := Criterion{Reduction: r, Goroutines: g}
		weighted := Criterion{Reduction: r, Weight: w, PosWeight: pw, LabelSmoothing: 0.1, Goroutines: g}
		for _, c := range []Criterion{plain, weighted} {
			scalar(c.Reduce(x, y))
			scalar(c.LossGrad(grad, x, y))
			d.f32s(grad)
		}
		f := Focal{Gamma: 2, Alpha: 0.25, Weight: w, Reduction: r, Goroutines: g}
		scalar(f.Reduce(x, y))
		scalar(f.LossGrad(grad, x, y))
		d.f32s(grad)
	}
	return d.sum()
}

func TestOrderDigest(t *testing.T) {
	old := fanMin
	fanMin = 16
	t.Cleanup(func() { fanMin = old })
	if os.Getenv("BCE_UPDATE_DIGEST") == "1" {
		p, ok := lookupPath("avx2")
		if !ok {
			t.Fatal("the order digest is made by the avx2 path, which this CPU lacks")
		}
		restore := restorePath(t)
		cur = p
		got := orderDigest(1)
		restore()
		if err := os.WriteFile(orderDigestFile, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(orderDigestFile)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSpace(string(raw))
	for _, p := range simdPaths() {
		exercised.Store(p, true)
		restore := restorePath(t)
		cur = p
		for _, g := range []int{1, 3} {
			if got := orderDigest(g); got != want {
				t.Errorf("%v with Goroutines %d: digest %s, want %s (%s)", p, g, got, want, orderDigestFile)
			}
		}
		restore()
	}
}
