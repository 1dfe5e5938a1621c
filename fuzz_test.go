package bce

import (
	"encoding/binary"
	"math"
	"testing"
)

// The fuzz targets decode the fuzzer's raw bytes into float32 bit patterns,
// so every logit, target and weight is reachable: NaN payloads, ±Inf,
// subnormals, ±0, ±3.4e38, targets outside [0,1], negative weights. Each
// input runs every kernel of the table (harness_test.go) that the target
// covers, on every available path, and checkFuzz compares the paths:
//
//   - every SIMD path with the model, bit for bit, per element and per lane,
//     for every input whatever its domain;
//   - the generic path with the reference bound where the inputs are in the
//     documented domain, its reductions with the lane-order fold of its own
//     outputs, and its outputs with the model's (checkGenericNearModel);
//   - the SIMD paths' outputs, in the documented domain, with the reference
//     bound too (the model's accuracy on inputs no fixed test has).

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

// fuzzSeeds adds the seed corpus. Shared by both targets: the special values
// against every kind of target and weight, and every tail length up to 40
// elements (FuzzWeighted reads the first 6 bytes as its header, so it sees
// these triples shifted into other bit patterns). Then the edges, each
// preceded by header (FuzzWeighted's; nil for FuzzLoss): the special values
// against infinite targets, and the weighted forms' float32 overflow edge
// (x = ±3.4e38 with y = -1 or 2 and w < 1; y = 1 with the header's positive
// weight 2 at |x| > MaxFloat32/2).
func fuzzSeeds(f *testing.F, header []byte) {
	targets := []float32{0, 1, 0.5, 1e-3, nan, -1, 2}
	weights := []float32{1, 0, 2.5, nan, 1e-30, 1e30}
	var x, y, w []float32
	for i, v := range specialValues {
		x = append(x, v)
		y = append(y, targets[i%len(targets)])
		w = append(w, weights[i%len(weights)])
	}
	f.Add(encodeTriples(x, y, w))
	for n := 0; n <= 40; n++ {
		rx, ry := randomInputs(n, int64(n))
		f.Add(encodeTriples(rx, ry, randomWeights(n, int64(n))))
	}
	x, y, w = nil, nil, nil
	for i, v := range specialValues {
		for _, t := range []float32{inf, -inf} {
			x, y, w = append(x, v), append(y, t), append(w, weights[i%len(weights)])
		}
	}
	f.Add(append(append([]byte(nil), header...), encodeTriples(x, y, w)...))
	edge := []float32{3.4e38, -3.4e38, maxf, -maxf, 2e38, -2e38}
	x, y, w = nil, nil, nil
	for _, v := range edge {
		for _, t := range []float32{-1, 2, 1, 0} {
			x, y, w = append(x, v), append(y, t), append(w, 0.5)
		}
	}
	f.Add(append(append([]byte(nil), header...), encodeTriples(x, y, w)...))
}

// FuzzLoss runs the plain kernels (those that read no weights) on the
// decoded logits and targets, with a gradient scale of 1/3.
func FuzzLoss(f *testing.F) {
	fuzzSeeds(f, nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		x, y, w := decodeTriples(data)
		in := &kernelInputs{x: x, y: y, w: w, pw: ones(len(x)), oms: 1, hs: 0, scale: 1.0 / 3}
		checkFuzz(t, rowsReading(false, false), in)
	})
}

// FuzzWeighted runs the weighted kernels: the first bytes choose the
// positive weight, the label smoothing and the gradient scale, as a
// Criterion would pass them; the rest are the triples.
func FuzzWeighted(f *testing.F) {
	// The header of the edge seeds: p = 2, no smoothing, scale 1.
	fuzzSeeds(f, []byte{32, 0, 0, 0, 0x80, 0x3f})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 8 {
			return
		}
		p := float32(data[0]) / 16
		s := float32(data[1]) / 255
		scale := math.Float32frombits(binary.LittleEndian.Uint32(data[2:6]))
		if !(math.Abs(float64(scale)) >= 1e-20 && math.Abs(float64(scale)) <= 1e20) {
			scale = 1
		}
		x, y, w := decodeTriples(data[6:])
		pw := make([]float32, len(x))
		for i := range pw {
			pw[i] = p
		}
		c := Criterion{LabelSmoothing: s}
		oms, hs := c.smoothing()
		in := &kernelInputs{x: x, y: y, w: w, pw: pw, oms: oms, hs: hs, scale: scale}
		checkFuzz(t, rowsReading(true, false), in)
	})
}

// FuzzFocal runs the focal kernels: the first 8 bytes choose Alpha, the
// label smoothing, the integer Gamma of the FinishFocal rows, the Gamma of
// the pow rows and the gradient scale, as Focal would pass them; the rest
// are the triples. The generic path must be within the focal bound of the
// reference in its domain (refFocalAt) and give the model's class of value
// everywhere.
func FuzzFocal(f *testing.F) {
	// The header of the edge seeds: Alpha 0.25, no smoothing, Gamma 2,
	// pow Gamma 0.5, scale 1.
	fuzzSeeds(f, []byte{1, 0, 2, 4, 0, 0, 0x80, 0x3f})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 8 {
			return
		}
		alpha := []float32{0, 0.25, 0.5, 0.9}[data[0]%4]
		s := float32(data[1]) / 255
		gamma := float32(data[2] % 3)
		gpow := float32(data[3]%128)/8 + 0.125
		scale := math.Float32frombits(binary.LittleEndian.Uint32(data[4:8]))
		if !(math.Abs(float64(scale)) >= 1e-20 && math.Abs(float64(scale)) <= 1e20) {
			scale = 1
		}
		x, y, w := decodeTriples(data[8:])
		fc := Focal{LabelSmoothing: s}
		k := fc.scalars()
		in := (&kernelInputs{x: x, y: y, w: w, pw: ones(len(x)), oms: k.oms, hs: k.hs, scale: scale}).setFocal(alpha, gamma, gpow)
		checkFuzz(t, focalRows(), in)
	})
}

// checkFuzz runs the kernels ks on every path over in (see the top of the
// file for what it checks).
func checkFuzz(t *testing.T, ks []*kernel, in *kernelInputs) {
	init := initLanes()
	model := modelOutputs(ks, in)
	rep := reporter{t: t}
	for _, p := range available {
		exercised.Store(p, true)
		outs := rep.agreement(p, ks, in, init, model)
		for _, k := range ks {
			if !k.perElement() {
				continue
			}
			c := call{p: p, k: k, in: in, off: -1}
			if p == pathGeneric {
				rep.checkGenericNearModel(c, outs[k.name], model[k.name])
			} else {
				rep.checkRef(c, outs[k.name])
			}
		}
	}
	rep.done()
}

// class is the kind of a float32 value: NaN, -Inf, finite or +Inf.
func class(v float32) int {
	switch {
	case isNaN32(v):
		return 0
	case math.IsInf(float64(v), -1):
		return 1
	case math.IsInf(float64(v), 1):
		return 3
	}
	return 2
}

var classNames = [...]string{"NaN", "-Inf", "finite", "+Inf"}

// checkGenericNearModel compares the generic path's outputs got with the
// model's, which it does not match bit for bit: everywhere, the same class of
// value (NaN where the model gives NaN, the same infinity, finite where it is
// finite), which covers the infinite targets and the weighted forms'
// float32 overflow edge (the model's float32 bracket c*|x| + k*L overflows
// at x = ±3.4e38 with y = -1, or with a positive weight p at
// |x| > MaxFloat32/p, and stays +Inf after a weight w < 1); and for finite
// targets outside [0,1] (refVal.nearModel) within boundNearModel ULP of the
// model at the scale of the terms, which may cancel there (the unit at least
// refVal.floor).
func (r *reporter) checkGenericNearModel(c call, got, model []float32) {
	r.t.Helper()
	for i := range got {
		if cg, cm := class(got[i]), class(model[i]); cg != cm {
			r.failf("%v i=%d %s: got %v (%s), the model %v (%s): not the same class of value", c, i, c.k.describe(c.in, i),
				got[i], classNames[cg], model[i], classNames[cm])
			continue
		}
		rv := c.k.ref(c.in, i)
		if !rv.nearModel || class(got[i]) != 2 {
			continue
		}
		if d := math.Abs(float64(got[i])-float64(model[i])) / math.Max(ulpAt(rv.scale), rv.floor); !(d <= boundNearModel) {
			r.failf("%v i=%d %s: got %v, the model %v: %.3g ULP of the terms' scale %.6g > %v", c, i, c.k.describe(c.in, i),
				got[i], model[i], d, rv.scale, boundNearModel)
		}
	}
}

// weightedInRange reports whether the documented float32 intermediates of
// the weighted forms stay normal and finite: the unweighted bracket
// c*|x| + k*L (at most max(1,p)*(|x| + L) for y' in [0,1], kept 2^-20 below
// MaxFloat32 so that its float32 rounding cannot decide the overflow), the
// coefficient c = p*y' of a negative logit, and the gradient's factor
// w*scale. Outside, a result may overflow to ±Inf or lose precision, as
// documented.
func weightedInRange(x, ys, w, p, scale float32) bool {
	ws := math.Abs(float64(w * scale))
	c := p * ys
	bracket := math.Max(1, float64(p)) * (math.Abs(float64(x)) + refL(float64(x)))
	return bracket <= math.MaxFloat32*(1-0x1p-20) &&
		ws >= 0x1p-126 && ws <= math.MaxFloat32 &&
		(c == 0 || math.Abs(float64(c)) >= 0x1p-126)
}
