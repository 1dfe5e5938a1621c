package bce

import (
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The exhaustive sweep's monotonicity count. softplus(x) (the loss for
// y = 0), sigmoid(x) and the gradients sigmoid(x) - y increase with x, and
// softplus(-x) (the loss for y = 1) decreases; the exact functions are
// strictly monotone, so a correctly rounded result is monotone too (never
// going the wrong way between adjacent floats, though it may stay equal),
// while a faithful one need not be. monoCounter counts, per path and
// output, the pairs of adjacent logits (consecutive float32 values, -0 and
// +0 adjacent) whose results go the wrong way. A NaN on either side is no
// pair.

// monoIncreasing says, per hardFns entry, whether the exact function
// increases with x (else it decreases).
var monoIncreasing = [nHard]bool{true, false, true, true, true}

// monoWrong is one output's count and its first wrong pair found (lower
// logit first, in value order).
type monoWrong struct {
	n      int64
	x0, x1 float32
	r0, r1 float32
}

func (m *monoWrong) merge(o monoWrong) {
	if m.n == 0 {
		*m = o
		return
	}
	m.n += o.n
}

func (m monoWrong) String() string {
	if m.n == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (the first found: x=%v gives %v, the next float up x=%v gives %v)", m.n, m.x0, m.r0, m.x1, m.r1)
}

// monoEdge holds the outputs at lo = 0 and lo = 0xffff of one block of
// 2^16 bit patterns, which pair with the neighbouring blocks' edges.
type monoEdge struct{ first, last [nHard]float32 }

// pathMono is one path's count: per output, and the block edges still to
// be paired (see finish).
type pathMono struct {
	wrong [nHard]monoWrong
	edges map[uint32]monoEdge
}

// pair records the results r0 at x0 and r1 at x1 (x0 < x1, adjacent).
func (m *pathMono) pair(f int, x0, x1, r0, r1 float32) {
	if isNaN32(x0) || isNaN32(x1) || isNaN32(r0) || isNaN32(r1) {
		return
	}
	if (monoIncreasing[f] && r1 < r0) || (!monoIncreasing[f] && r1 > r0) {
		m.wrong[f].merge(monoWrong{n: 1, x0: x0, x1: x1, r0: r0, r1: r1})
	}
}

// block counts the wrong pairs inside the block hi<<16 | lo, lo = 0..0xffff
// (xs[lo] and out[f][lo]), and keeps its edges.
func (m *pathMono) block(hi uint32, xs []float32, out *[nHard][]float32) {
	if m.edges == nil {
		m.edges = make(map[uint32]monoEdge)
	}
	neg := hi&0x8000 != 0
	var e monoEdge
	for f := range out {
		o := out[f]
		// In bit order, the results must increase where the function
		// increases in x, except in a negative block (a larger bit pattern
		// is a smaller value). The comparison is false for a NaN on either
		// side; pair records the rare wrong pair.
		inc := monoIncreasing[f] != neg
		for i := 1; i < len(xs); i++ {
			if inc && o[i] < o[i-1] || !inc && o[i] > o[i-1] {
				if neg {
					m.pair(f, xs[i], xs[i-1], o[i], o[i-1])
				} else {
					m.pair(f, xs[i-1], xs[i], o[i-1], o[i])
				}
			}
		}
		e.first[f], e.last[f] = o[0], o[len(xs)-1]
	}
	m.edges[hi] = e
}

// merge adds o's counts and edges to m's.
func (m *pathMono) merge(o *pathMono) {
	for f := range o.wrong {
		m.wrong[f].merge(o.wrong[f])
	}
	if m.edges == nil {
		m.edges = make(map[uint32]monoEdge, len(o.edges))
	}
	for hi, e := range o.edges {
		m.edges[hi] = e
	}
}

// finish pairs the edges of neighbouring blocks that were both swept:
// hi<<16|0xffff with (hi+1)<<16 within one sign, and -0 with +0.
func (m *pathMono) finish() {
	for hi, e := range m.edges {
		if hi&0x7fff != 0x7fff {
			if next, ok := m.edges[hi+1]; ok {
				x0 := math.Float32frombits(hi<<16 | 0xffff)
				x1 := math.Float32frombits((hi + 1) << 16)
				for f := range e.last {
					if hi&0x8000 != 0 {
						m.pair(f, x1, x0, next.first[f], e.last[f])
					} else {
						m.pair(f, x0, x1, e.last[f], next.first[f])
					}
				}
			}
		}
		if hi == 0x8000 {
			if pos, ok := m.edges[0]; ok {
				for f := range e.first {
					m.pair(f, float32(math.Copysign(0, -1)), 0, e.first[f], pos.first[f])
				}
			}
		}
	}
	m.edges = nil
}

// TestMonoCounter checks the counter on made-up outputs: one wrong pair
// inside a positive block, one inside a negative block, one across two
// blocks' edges, and one at -0, +0; equal neighbours and NaNs are no wrong
// pair.
func TestMonoCounter(t *testing.T) {
	const n = 1 << 16
	blocks := map[uint32]*[nHard][]float32{}
	m := new(pathMono)
	for _, hi := range []uint32{0x0000, 0x3f80, 0x3f81, 0x8000, 0xbf80} {
		var out [nHard][]float32
		xs := make([]float32, n)
		for i := range xs {
			xs[i] = math.Float32frombits(hi<<16 | uint32(i))
		}
		for f := range out {
			out[f] = make([]float32, n)
			for i, x := range xs {
				// A strictly monotone stand-in: x itself for increasing
				// outputs, -x for decreasing ones, with a run of equal
				// values and a NaN, neither of which counts.
				v := x
				if !monoIncreasing[f] {
					v = -x
				}
				if i >= 100 && i < 110 {
					v = out[f][99]
				}
				if i == 200 {
					v = float32(math.NaN())
				}
				out[f][i] = v
			}
		}
		blocks[hi] = &out
		switch hi {
		case 0x3f80: // 1 + i ULP: a dip at i = 5000 (the pairs 4999-5000 and 5000-5001: one wrong)
			out[0][5000] = out[0][4998]
		case 0xbf80: // -(1 + i ULP): a larger value at a smaller x
			out[4][7000] = out[4][7002]
		case 0x3f81: // the first of the block below the last of 0x3f80
			out[2][0] = math.Float32frombits(0x3f80fffe)
		case 0x8000: // -0 above +0
			out[3][0] = 1
		}
		m.block(hi, xs, &out)
	}
	m.finish()
	want := [nHard]int64{1, 0, 1, 1, 1}
	for f := range want {
		assert.Equal(t, want[f], m.wrong[f].n, "%s: %s", hardFns[f], m.wrong[f])
	}
	bits := func(b uint32) float32 { return math.Float32frombits(b) }
	assert.Equal(t, [2]float32{bits(0x3f800000 + 4999), bits(0x3f800000 + 5000)}, [2]float32{m.wrong[0].x0, m.wrong[0].x1})
	assert.Equal(t, [2]float32{bits(0x3f80ffff), bits(0x3f810000)}, [2]float32{m.wrong[2].x0, m.wrong[2].x1})
	assert.Equal(t, [2]float32{float32(math.Copysign(0, -1)), 0}, [2]float32{m.wrong[3].x0, m.wrong[3].x1})
	assert.Equal(t, [2]float32{bits(0xbf800000 + 7001), bits(0xbf800000 + 7000)}, [2]float32{m.wrong[4].x0, m.wrong[4].x1})
}

// expNegResid3 is mExpNeg with the trial of README's accuracy section: the
// rounding error of the next-to-last Horner step, p = fma(p3, r, 1), also
// folded into elo (three more operations: 1-p, its residual, the fold).
func expNegResid3(a float32) (e, elo float32) {
	if a > expClamp {
		a = expClamp
	}
	t := fma32x(a, -log2e, expMagic)
	n := t - expMagic
	r := fma32x(n, -ln2hi, -a)
	r = fma32x(n, -ln2lo, r)
	p := fma32x(exp6, r, exp5)
	p = fma32x(p, r, exp4)
	p = fma32x(p, r, exp3)
	p3 := fma32x(p, r, exp2)
	p = fma32x(p3, r, 1)
	d := fma32x(p3, r, 1-p) // p's rounding error (1-p is exact)
	p1 := fma32x(p, r, 1)
	plo := fma32x(p, r, 1-p1)
	plo = fma32x(d, r, plo)
	scale := math.Float32frombits(math.Float32bits(t) << 23)
	return p1 * scale * twoM64, plo * scale * twoM64
}

// TestSigmoidMonotoneTrial backs README's account of the sigmoid's wrong
// pairs: on logits where the SIMD model's sigmoid goes the wrong way, the
// trial with three more operations in the exp (expNegResid3) does not.
// It scans 0.06 <= |x| < 0.0625, and with BCE_EXHAUSTIVE=1 the whole of
// 0.02 <= |x| <= 0.3, where the exhaustive sweep finds every wrong pair.
func TestSigmoidMonotoneTrial(t *testing.T) {
	lo, hi := math.Float32bits(0.06), math.Float32bits(0.0625)
	if os.Getenv("BCE_EXHAUSTIVE") == "1" {
		lo, hi = math.Float32bits(0.02), math.Float32bits(0.3)
	}
	sig := func(x float32, trial bool) float32 {
		a := float32(math.Abs(float64(x)))
		e, elo := mExpNeg(a)
		if trial {
			e, elo = expNegResid3(a)
		}
		sm := mSigNeg(e, elo)
		if signClear(x) {
			return 1 - sm
		}
		return sm
	}
	for _, trial := range []bool{false, true} {
		var pos, neg int
		x0 := math.Float32frombits(lo)
		prevP, prevN := sig(x0, trial), sig(-x0, trial)
		for b := lo + 1; b < hi; b++ {
			x := math.Float32frombits(b)
			sp, sn := sig(x, trial), sig(-x, trial)
			if sp < prevP {
				pos++
			}
			if sn > prevN {
				neg++
			}
			prevP, prevN = sp, sn
		}
		t.Logf("%v <= |x| < %v, trial %v: wrong pairs %d for x > 0, %d for x < 0", math.Float32frombits(lo), math.Float32frombits(hi), trial, pos, neg)
		if trial {
			assert.Zero(t, pos+neg, "the trial's sigmoid goes the wrong way")
		} else {
			assert.NotZero(t, pos+neg, "the model's sigmoid has no wrong pair here: README's account is out of date")
		}
	}
}
