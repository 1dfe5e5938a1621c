//go:build !purego

package bce

import (
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// The agreement of the SIMD paths of this architecture (archPaths) with the
// scalar model, element by element and sum by sum. It calls the kernels
// through the switch functions, so it holds for any GOARCH's paths.

// specials are the edge values mixed into the random inputs.
var specials = []float32{
	0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
	float32(math.NaN()), math.Float32frombits(0xffc00001), math.Float32frombits(1), math.Float32frombits(0x807fffff),
	math.MaxFloat32, -math.MaxFloat32, 3.4e38, -3.4e38, 104, -104, 103.99, 87.3, -87.3, 100, -100,
	0.5, -0.5, 1, -1, 0.25, 2, -2, 1e-30, -1e-30, 30, -30, 16.6, -16.6,
	math.Float32frombits(0x3effffff), math.Float32frombits(0x3f000001),
}

func same(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

func same64(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (a != a && b != b)
}

// genVal returns a random value: a special, a random bit pattern or a
// random logit-like or target-like number.
func genVal(r *rand.Rand, kind int) float32 {
	switch r.IntN(6) {
	case 0:
		return specials[r.IntN(len(specials))]
	case 1:
		return math.Float32frombits(r.Uint32())
	case 2:
		if kind == 1 { // targets
			return float32(r.IntN(2))
		}
		return float32(r.NormFloat64() * 20)
	case 3:
		return float32(r.Float64())
	case 4:
		if kind == 2 { // weights: 0 often
			return 0
		}
		return float32(r.NormFloat64() * 3)
	}
	return float32(r.Float64()*240 - 120)
}

type agreeInput struct {
	x, y, w, pw    []float32
	oms, hs, scale float32
	acc16          [16]float64
	acc32          [32]float64
}

func newAgreeInput(r *rand.Rand, n int) *agreeInput {
	in := &agreeInput{x: make([]float32, n), y: make([]float32, n), w: make([]float32, n), pw: make([]float32, n)}
	for i := range n {
		in.x[i], in.y[i], in.w[i], in.pw[i] = genVal(r, 0), genVal(r, 1), genVal(r, 2), genVal(r, 3)
	}
	switch r.IntN(4) {
	case 0:
		in.oms, in.hs = 1, 0
	case 1:
		s := float32(r.Float64())
		in.oms, in.hs = 1-s, s/2
	default:
		in.oms, in.hs = genVal(r, 0), genVal(r, 0)
	}
	in.scale = []float32{1, 0.25, 1 / 3.0, genVal(r, 0)}[r.IntN(4)]
	for i := range in.acc32 {
		in.acc32[i] = []float64{0, math.Copysign(0, -1), 1.5, r.NormFloat64() * 1e6}[r.IntN(4)]
		if i < 16 {
			in.acc16[i] = in.acc32[i]
		}
	}
	return in
}

// checkAgree runs every kernel of path p on in and compares with the model;
// it reports at most a few mismatches per kernel.
func checkAgree(t *testing.T, p pathID, in *agreeInput, off int) {
	t.Helper()
	n := len(in.x)
	x, y, w, pw := in.x, in.y, in.w, in.pw
	dst := make([]float32, n)
	dst2 := make([]float32, n)
	bad := map[string]int{}
	fail := func(kern string, i int, got, want any) {
		if bad[kern]++; bad[kern] <= 3 {
			t.Errorf("%v %s n=%d off=%d i=%d x=%v y=%v w=%v pw=%v oms=%v hs=%v scale=%v: got %v, want %v",
				p, kern, n, off, i, x[i], y[i], w[i], pw[i], in.oms, in.hs, in.scale, got, want)
		}
	}
	failAcc := func(kern string, j int, got, want float64) {
		if bad[kern]++; bad[kern] <= 3 {
			t.Errorf("%v %s n=%d off=%d lane %d: got %v, want %v", p, kern, n, off, j, got, want)
		}
	}

	// The model, once per element.
	ml, mgl, mg, ms := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	mwl, mwg := make([]float32, n), make([]float32, n)
	for i := range n {
		ml[i] = mLossElem(x[i], y[i])
		mgl[i], mg[i] = mLossGradElem(x[i], y[i])
		ms[i] = mSigmoidElem(x[i])
		mwl[i], mwg[i] = mWElem(x[i], y[i], w[i], pw[i], in.oms, in.hs, in.scale)
	}
	checkOut := func(kern string, got, want []float32) {
		for i := range n {
			if !same(got[i], want[i]) {
				fail(kern, i, got[i], want[i])
			}
		}
	}
	checkAcc := func(kern string, got []float64, init []float64, parts ...[]float32) {
		want := append([]float64(nil), init...)
		for k, part := range parts {
			for i, v := range part {
				want[16*k+i%16] += float64(v)
			}
		}
		for j := range got {
			if !same64(got[j], want[j]) {
				failAcc(kern, j, got[j], want[j])
			}
		}
	}

	lossKernel(p, dst, x, y)
	checkOut("loss", dst, ml)
	acc := in.acc16
	sumKernel(p, x, y, &acc)
	checkAcc("sum", acc[:], in.acc16[:], ml)
	gradKernel(p, dst, x, y)
	checkOut("grad", dst, mg)
	sigmoidKernel(p, dst, x)
	checkOut("sigmoid", dst, ms)
	acc = in.acc16
	sum16Kernel(p, x, &acc)
	checkAcc("sum16", acc[:], in.acc16[:], x)
	acc = in.acc16
	lossGradKernel(p, dst, x, y, in.scale, &acc)
	for i := range n {
		if g := in.scale * mg[i]; !same(dst[i], g) {
			fail("lossGrad", i, dst[i], g)
		}
	}
	checkAcc("lossGrad sum", acc[:], in.acc16[:], mgl)
	wlossKernel(p, dst, x, y, w, pw, in.oms, in.hs)
	checkOut("wloss", dst, mwl)
	acc32 := in.acc32
	wsumKernel(p, x, y, w, pw, in.oms, in.hs, &acc32)
	checkAcc("wsum", acc32[:], in.acc32[:], mwl, w)
	wgradKernel(p, dst, x, y, w, pw, in.oms, in.hs, in.scale)
	checkOut("wgrad", dst, mwg)
	acc = in.acc16
	wlossGradKernel(p, dst2, x, y, w, pw, in.oms, in.hs, in.scale, &acc)
	checkOut("wlossGrad", dst2, mwg)
	checkAcc("wlossGrad sum", acc[:], in.acc16[:], mwl)
}

// TestNEONLengths checks every length 0..300 at start offsets 0..7 inside
// NaN guards that must stay untouched.
func TestNEONLengths(t *testing.T) {
	paths := archPaths()
	if len(paths) == 0 {
		t.Skip("no SIMD path on this CPU")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, p := range paths {
		for n := 0; n <= 300; n++ {
			off := n % 8
			in := newAgreeInput(r, n)
			// Copy into guarded slices at offset off.
			guard := func(s []float32) []float32 {
				b := make([]float32, off+n+24)
				for i := range b {
					b[i] = float32(math.NaN())
				}
				copy(b[off:], s)
				return b[off : off+n : off+n]
			}
			in.x, in.y, in.w, in.pw = guard(in.x), guard(in.y), guard(in.w), guard(in.pw)
			checkAgree(t, p, in, off)
			if t.Failed() {
				return
			}
		}
	}
}

// TestNEONRandomAgreement compares every kernel with the model over a few
// million random inputs (random bit patterns, specials, typical values);
// NEON_AGREE_N sets the number of elements per kernel (default 2^21).
// Coverage-guided fuzzing cannot run under qemu-user; this is its stand-in.
func TestNEONRandomAgreement(t *testing.T) {
	paths := archPaths()
	if len(paths) == 0 {
		t.Skip("no SIMD path on this CPU")
	}
	total := 1 << 21
	if s := os.Getenv("NEON_AGREE_N"); s != "" {
		total, _ = strconv.Atoi(s)
	}
	if testing.Short() {
		total = 1 << 16
	}
	r := rand.New(rand.NewPCG(3, 4))
	for _, p := range paths {
		for done := 0; done < total; {
			n := 4096 + r.IntN(17)
			checkAgree(t, p, newAgreeInput(r, n), 0)
			if t.Failed() {
				return
			}
			done += n
		}
	}
}
