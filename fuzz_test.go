package bce

import (
	"encoding/binary"
	"math"
	"testing"
)

// The fuzz targets decode the fuzzer's raw bytes into float32 bit patterns,
// so every logit, target and weight is reachable: NaN payloads, ±Inf,
// subnormals, ±0, ±3.4e38. Each input runs on every available path and is
// checked against the float64 reference (the documented bounds, where the
// inputs are in the documented domain), the edge semantics, the SIMD model
// (bit for bit) and the fixed summation order (sums bit for bit).

const fuzzMaxLen = 300

// decodeTriples reads 12-byte little-endian (logit, target, weight) triples.
func decodeTriples(data []byte) (x, y, w []float32) {
	n := min(len(data)/12, fuzzMaxLen)
	x, y, w = make([]float32, n), make([]float32, n), make([]float32, n)
	for i := 0; i < n; i++ {
		b := data[12*i:]
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(b))
		y[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4:]))
		w[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[8:]))
	}
	return x, y, w
}

func encodeTriples(x, y, w []float32) []byte {
	b := make([]byte, 0, 12*len(x))
	for i := range x {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x[i]))
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(y[i]))
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(w[i]))
	}
	return b
}

// fuzzSeeds adds the seed corpus: the extreme logits against every kind of
// target and weight, and every tail length up to 40 elements.
func fuzzSeeds(f *testing.F) {
	targets := []float32{0, 1, 0.5, 1e-3, nan, -1, 2}
	weights := []float32{1, 0, 2.5, nan, 1e-30, 1e30}
	var x, y, w []float32
	for i, v := range specialLogits {
		x = append(x, v)
		y = append(y, targets[i%len(targets)])
		w = append(w, weights[i%len(weights)])
	}
	f.Add(encodeTriples(x, y, w))
	for n := 0; n <= 40; n++ {
		rx, ry := randomInputs(n, int64(n))
		f.Add(encodeTriples(rx, ry, randomWeights(n, int64(n))))
	}
}

func FuzzLoss(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		x, y, _ := decodeTriples(data)
		checkPlain(t, x, y)
	})
}

func FuzzWeighted(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 8 {
			return
		}
		// The first bytes choose the positive weight, the smoothing and the
		// gradient scale; the rest are the triples.
		p := float32(data[0]) / 16
		s := float32(data[1]) / 255
		scale := math.Float32frombits(binary.LittleEndian.Uint32(data[2:6]))
		if !(math.Abs(float64(scale)) >= 1e-20 && math.Abs(float64(scale)) <= 1e20) {
			scale = 1
		}
		x, y, w := decodeTriples(data[6:])
		checkWeighted(t, x, y, w, p, s, scale)
	})
}

// checkPlain checks the plain functions on every path.
func checkPlain(t *testing.T, x, y []float32) {
	n := len(x)
	l, g, s := make([]float32, n), make([]float32, n), make([]float32, n)
	var simdSum []float32
	for _, p := range available {
		cur0 := cur
		cur = p
		Loss(l, x, y)
		Grad(g, x, y)
		Sigmoid(s, x)
		sum := Sum(x, y)
		cur = cur0
		for i := range x {
			checkElem(t, p, x[i], y[i], l[i], g[i], s[i])
		}
		if !sameBits(sum, float32(laneFold(l))) {
			t.Fatalf("%v: Sum = %v, want the lane-order fold %v", p, sum, laneFold(l))
		}
		if p == pathGeneric {
			continue
		}
		for i := range x {
			ml, mg := mLossGradElem(x[i], y[i])
			if !sameBits(l[i], mLossElem(x[i], y[i])) || !sameBits(g[i], mg) || !sameBits(s[i], mSigmoidElem(x[i])) || !sameBits(ml, l[i]) {
				t.Fatalf("%v: x=%v y=%v: loss %v grad %v sigmoid %v, model %v %v %v", p, x[i], y[i], l[i], g[i], s[i], ml, mg, mSigmoidElem(x[i]))
			}
		}
		if simdSum == nil {
			simdSum = []float32{sum}
		} else if !sameBits(simdSum[0], sum) {
			t.Fatalf("%v: Sum = %v differs from another SIMD path's %v", p, sum, simdSum[0])
		}
	}
}

// checkElem checks one element's outputs against the reference where the
// inputs are in the documented domain, and NaN propagation everywhere.
func checkElem(t *testing.T, p pathID, x, y, l, g, s float32) {
	xf, yf := float64(x), float64(y)
	if isNaN32(x) || isNaN32(y) {
		if !isNaN32(l) || !isNaN32(g) {
			t.Fatalf("%v: x=%v y=%v: loss %v grad %v, want NaN", p, x, y, l, g)
		}
	}
	if isNaN32(x) {
		if !isNaN32(s) {
			t.Fatalf("%v: sigmoid(NaN) = %v", p, s)
		}
		return
	}
	rs := refSigmoid(xf)
	if e := ulpErr(s, rs, rs); !(e <= boundHard) {
		t.Fatalf("%v: sigmoid(%v) = %v, want %v (%.2f ULP)", p, x, s, rs, e)
	}
	if !(y >= 0 && y <= 1) {
		return
	}
	rl, rg := refLoss(xf, yf, 1, 1), refGrad(xf, yf, 1, 1)
	lb, gu := float64(boundSoftLoss), math.Max(rs, yf)
	if y == 0 || y == 1 {
		lb, gu = boundHard, rg
	}
	if e := ulpErr(l, rl, rl); !(e <= lb) {
		t.Fatalf("%v: loss(%v, %v) = %v, want %v (%.2f ULP)", p, x, y, l, rl, e)
	}
	if e := ulpErr(g, rg, gu); !(e <= boundHard) {
		t.Fatalf("%v: grad(%v, %v) = %v, want %v (%.2f ULP)", p, x, y, g, rg, e)
	}
}

// checkWeighted checks the weighted functions on every path.
func checkWeighted(t *testing.T, x, y, w []float32, pos, smooth, scale float32) {
	n := len(x)
	c := Criterion{Weight: w, PosWeight: []float32{pos}, LabelSmoothing: smooth, GradScale: scale, Reduction: ReduceSum}
	oms, hs := c.smoothing()
	l, g := make([]float32, n), make([]float32, n)
	var simdSum []float32
	for _, p := range available {
		cur0 := cur
		cur = p
		c.Loss(l, x, y)
		c.Grad(g, x, y)
		sum := c.Reduce(x, y)
		cur = cur0
		if !sameBits(sum, float32(laneFold(l))) {
			t.Fatalf("%v: Reduce = %v, want the lane-order fold %v", p, sum, laneFold(l))
		}
		for i := range x {
			if w[i] == 0 {
				if math.Float32bits(l[i]) != 0 || math.Float32bits(g[i]) != 0 {
					t.Fatalf("%v: weight 0 at x=%v y=%v: loss %v grad %v, want +0", p, x[i], y[i], l[i], g[i])
				}
				continue
			}
			if isNaN32(x[i]) || isNaN32(y[i]) || isNaN32(w[i]) {
				if !isNaN32(l[i]) || !isNaN32(g[i]) {
					t.Fatalf("%v: x=%v y=%v w=%v: loss %v grad %v, want NaN", p, x[i], y[i], w[i], l[i], g[i])
				}
				continue
			}
			if !(y[i] >= 0 && y[i] <= 1 && w[i] > 0 && w[i] <= math.MaxFloat32) || !weightedInRange(x[i], fma32x(y[i], oms, hs), w[i], pos, scale) {
				continue
			}
			ys := float64(fma32x(y[i], oms, hs))
			xf, wf, pf := float64(x[i]), float64(w[i]), float64(pos)
			rl := refLoss(xf, ys, wf, pf)
			rg := refGrad(xf, ys, wf, pf) * float64(scale)
			k := 1 + (pf-1)*ys
			floor := wf * math.Max(1, k) * 0x1p-149
			if e := ulpErrFloor(l[i], rl, rl, floor); !(e <= boundWeighted) {
				t.Fatalf("%v: weighted loss x=%v y=%v w=%v p=%v s=%v: %v, want %v (%.2f ULP)", p, x[i], y[i], w[i], pos, smooth, l[i], rl, e)
			}
			sm, _ := refSig(xf)
			cc := pf * ys
			if !math.Signbit(xf) {
				cc = 1 - ys
			}
			unit := math.Abs(wf*float64(scale)) * math.Max(cc, k*sm)
			if e := ulpErrFloor(g[i], rg, unit, floor*math.Abs(float64(scale))); !(e <= boundWeighted) {
				t.Fatalf("%v: weighted grad x=%v y=%v w=%v p=%v s=%v scale=%v: %v, want %v (%.2f ULP)", p, x[i], y[i], w[i], pos, smooth, scale, g[i], rg, e)
			}
		}
		if p == pathGeneric {
			continue
		}
		for i := range x {
			ml, _ := mWElem(x[i], y[i], w[i], pos, oms, hs, scale)
			_, mg := mWElem(x[i], y[i], w[i], pos, oms, hs, scale)
			if !sameBits(l[i], ml) || !sameBits(g[i], mg) {
				t.Fatalf("%v: x=%v y=%v w=%v: loss %v grad %v, model %v %v", p, x[i], y[i], w[i], l[i], g[i], ml, mg)
			}
		}
		if simdSum == nil {
			simdSum = []float32{sum}
		} else if !sameBits(simdSum[0], sum) {
			t.Fatalf("%v: Reduce = %v differs from another SIMD path's %v", p, sum, simdSum[0])
		}
	}
}

// weightedInRange reports whether the documented float32 intermediates of
// the weighted forms stay normal and finite: the unweighted bracket
// c*|x| + k*L (at most p*|x|), the coefficient c = p*y' of a negative logit,
// and the gradient's factor w*scale. Outside, a result may overflow to ±Inf
// or lose precision, as documented.
func weightedInRange(x, ys, w, p, scale float32) bool {
	ws := math.Abs(float64(w * scale))
	c := p * ys
	return math.Abs(float64(x))*math.Max(1, float64(p)) <= math.MaxFloat32 &&
		ws >= 0x1p-126 && ws <= math.MaxFloat32 &&
		(c == 0 || math.Abs(float64(c)) >= 0x1p-126)
}
