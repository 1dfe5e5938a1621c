//go:build !purego

package bce

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// Scratch agreement test of the amd64 kernels against the SIMD model
// (model_test.go): every per-element output bit for bit, every reduction
// equal to the model's losses accumulated in lane order, every length
// 0..300, outputs surrounded by guards that must stay untouched.

func amd64Paths() []pathID {
	var ps []pathID
	for _, p := range available {
		if p == pathAVX2 || p == pathAVX512 {
			ps = append(ps, p)
		}
	}
	return ps
}

var a64SpecialX = []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
	float32(math.NaN()), -float32(math.NaN()), math.MaxFloat32, -math.MaxFloat32,
	math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, 1e-39, -1e-39, 1.17549435e-38,
	104, -104, 103.97, -103.97, 104.5, -104.5, 95, -95, 88.7, -88.7, 87.3, -87.3, 0.5, -0.5, 0.6931472, -0.6931472,
	1, -1, 2, -2, 16, -16, 30, -30, 1e-8, -1e-8, 1e10, -1e10, 1e30, -1e30}
var a64SpecialY = []float32{0, 1, float32(math.Copysign(0, -1)), 0.5, float32(math.NaN()), 2, -1, 1e-30, 0.999999}
var a64SpecialW = []float32{0, float32(math.Copysign(0, -1)), 1, 0.5, 2, float32(math.NaN()), float32(math.Inf(1)), 1e-40, 3e38}

func a64RandX(r *rand.Rand) float32 {
	switch r.Intn(6) {
	case 0:
		return a64SpecialX[r.Intn(len(a64SpecialX))]
	case 1:
		return math.Float32frombits(r.Uint32())
	case 2:
		return float32(r.NormFloat64() * 40)
	case 3:
		return float32((r.Float64()*2 - 1) * 110)
	default:
		return float32(r.NormFloat64() * 3)
	}
}

func a64RandY(r *rand.Rand) float32 {
	switch r.Intn(4) {
	case 0:
		return a64SpecialY[r.Intn(len(a64SpecialY))]
	case 1:
		return float32(r.Intn(2))
	default:
		return r.Float32()
	}
}

func a64RandW(r *rand.Rand) float32 {
	switch r.Intn(3) {
	case 0:
		return a64SpecialW[r.Intn(len(a64SpecialW))]
	default:
		return r.Float32() * 3
	}
}

func a64Same(a, b float32) bool {
	if a != a && b != b {
		return true
	}
	return math.Float32bits(a) == math.Float32bits(b)
}

func a64SameF64(a, b float64) bool {
	if a != a && b != b {
		return true
	}
	return math.Float64bits(a) == math.Float64bits(b)
}

const a64Guard = 20

// guarded returns a slice of n elements inside NaN guards.
func a64Guarded(n int) (all, s []float32) {
	all = make([]float32, n+2*a64Guard)
	for i := range all {
		all[i] = math.Float32frombits(0x7fc0dead)
	}
	return all, all[a64Guard : a64Guard+n]
}

func a64CheckGuards(t *testing.T, what string, all []float32, n int) {
	t.Helper()
	for i := range all {
		if (i < a64Guard || i >= a64Guard+n) && math.Float32bits(all[i]) != 0x7fc0dead {
			t.Fatalf("%s: n=%d: a64Guard %d overwritten", what, n, i-a64Guard)
		}
	}
}

func TestAMD64Model(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for _, p := range amd64Paths() {
		for rep := 0; rep < 3; rep++ {
			for n := 0; n <= 300; n++ {
				testAMD64Len(t, p, r, n)
			}
		}
		for _, n := range []int{1000, 4099, 65536 + 13} {
			testAMD64Len(t, p, r, n)
		}
	}
}

func testAMD64Len(t *testing.T, p pathID, r *rand.Rand, n int) {
	x := make([]float32, n)
	y := make([]float32, n)
	w := make([]float32, n)
	pw := make([]float32, n)
	for i := range x {
		x[i], y[i], w[i], pw[i] = a64RandX(r), a64RandY(r), a64RandW(r), a64RandW(r)
	}
	oms, hs := float32(1), float32(0)
	if r.Intn(2) == 0 {
		s := r.Float32()
		oms, hs = 1-s, s/2
	}
	scale := float32(1)
	if r.Intn(2) == 0 {
		scale = r.Float32() * 2
	}
	name := func(f string) string { return fmt.Sprintf("%v/%s", p, f) }

	all, dst := a64Guarded(n)
	lossKernel(p, dst, x, y)
	a64CheckGuards(t, name("loss"), all, n)
	var want [16]float64
	for j := range want {
		want[j] = float64(j) * 0.25
	}
	acc := want
	for i := range x {
		l := mLossElem(x[i], y[i])
		if !a64Same(dst[i], l) {
			t.Fatalf("%s n=%d i=%d x=%v y=%v: got %v (%#x) want %v (%#x)", name("loss"), n, i, x[i], y[i], dst[i], math.Float32bits(dst[i]), l, math.Float32bits(l))
		}
		want[i%16] += float64(l)
	}
	sumKernel(p, x, y, &acc)
	for j := range acc {
		if !a64SameF64(acc[j], want[j]) {
			t.Fatalf("%s n=%d lane %d: got %v want %v", name("sum"), n, j, acc[j], want[j])
		}
	}

	all, dst = a64Guarded(n)
	gradKernel(p, dst, x, y)
	a64CheckGuards(t, name("grad"), all, n)
	for i := range x {
		_, gr := mLossGradElem(x[i], y[i])
		if !a64Same(dst[i], gr) {
			t.Fatalf("%s n=%d i=%d x=%v y=%v: got %v want %v", name("grad"), n, i, x[i], y[i], dst[i], gr)
		}
	}

	all, dst = a64Guarded(n)
	acc = [16]float64{}
	want = [16]float64{}
	lossGradKernel(p, dst, x, y, scale, &acc)
	a64CheckGuards(t, name("lossGrad"), all, n)
	for i := range x {
		l, gr := mLossGradElem(x[i], y[i])
		gr = scale * gr
		if !a64Same(dst[i], gr) {
			t.Fatalf("%s n=%d i=%d x=%v y=%v: got %v want %v", name("lossGrad"), n, i, x[i], y[i], dst[i], gr)
		}
		want[i%16] += float64(l)
	}
	for j := range acc {
		if !a64SameF64(acc[j], want[j]) {
			t.Fatalf("%s n=%d lane %d: got %v want %v", name("lossGrad sum"), n, j, acc[j], want[j])
		}
	}

	all, dst = a64Guarded(n)
	sigmoidKernel(p, dst, x)
	a64CheckGuards(t, name("sigmoid"), all, n)
	for i := range x {
		s := mSigmoidElem(x[i])
		if !a64Same(dst[i], s) {
			t.Fatalf("%s n=%d i=%d x=%v: got %v want %v", name("sigmoid"), n, i, x[i], dst[i], s)
		}
	}

	acc = [16]float64{}
	want = [16]float64{}
	sum16Kernel(p, x, &acc)
	for i := range x {
		want[i%16] += float64(x[i])
	}
	for j := range acc {
		if !a64SameF64(acc[j], want[j]) {
			t.Fatalf("%s n=%d lane %d: got %v want %v", name("sum16"), n, j, acc[j], want[j])
		}
	}

	// Weighted kernels.
	all, dst = a64Guarded(n)
	wlossKernel(p, dst, x, y, w, pw, oms, hs)
	a64CheckGuards(t, name("wloss"), all, n)
	var acc32, want32 [32]float64
	for i := range x {
		l, _ := mWElem(x[i], y[i], w[i], pw[i], oms, hs, 1)
		if !a64Same(dst[i], l) {
			t.Fatalf("%s n=%d i=%d x=%v y=%v w=%v p=%v: got %v want %v", name("wloss"), n, i, x[i], y[i], w[i], pw[i], dst[i], l)
		}
		want32[i%16] += float64(l)
		want32[16+i%16] += float64(w[i])
	}
	wsumKernel(p, x, y, w, pw, oms, hs, &acc32)
	for j := range acc32 {
		if !a64SameF64(acc32[j], want32[j]) {
			t.Fatalf("%s n=%d lane %d: got %v want %v", name("wsum"), n, j, acc32[j], want32[j])
		}
	}

	all, dst = a64Guarded(n)
	wgradKernel(p, dst, x, y, w, pw, oms, hs, scale)
	a64CheckGuards(t, name("wgrad"), all, n)
	for i := range x {
		_, gr := mWElem(x[i], y[i], w[i], pw[i], oms, hs, scale)
		if !a64Same(dst[i], gr) {
			t.Fatalf("%s n=%d i=%d x=%v y=%v w=%v p=%v: got %v want %v", name("wgrad"), n, i, x[i], y[i], w[i], pw[i], dst[i], gr)
		}
	}

	all, dst = a64Guarded(n)
	acc = [16]float64{}
	want = [16]float64{}
	wlossGradKernel(p, dst, x, y, w, pw, oms, hs, scale, &acc)
	a64CheckGuards(t, name("wlossGrad"), all, n)
	for i := range x {
		l, gr := mWElem(x[i], y[i], w[i], pw[i], oms, hs, scale)
		if !a64Same(dst[i], gr) {
			t.Fatalf("%s n=%d i=%d: got %v want %v", name("wlossGrad"), n, i, dst[i], gr)
		}
		want[i%16] += float64(l)
	}
	for j := range acc {
		if !a64SameF64(acc[j], want[j]) {
			t.Fatalf("%s n=%d lane %d: got %v want %v", name("wlossGrad sum"), n, j, acc[j], want[j])
		}
	}
}
