package bce

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"os"
	"strings"
	"testing"
)

// The golden digest: a SHA-256 of every output of every kernel on a fixed
// input set, as the SIMD paths compute them. testdata/simd.digest holds the
// digest that the avx2 path produced natively; every SIMD path on every
// architecture (neon under qemu in CI) must reproduce it, and so must the
// scalar model, so the file cannot drift from the model either. Regenerate
// it on an amd64 machine with
//
//	BCE_UPDATE_DIGEST=1 go test -run TestGoldenDigest .
const digestFile = "testdata/simd.digest"

// digestInputs is the fixed input set: the sampled logits against hard and
// soft targets, and random inputs with weights.
func digestInputs() (x, y, w, pw []float32) {
	var xs []float32
	for i, v := range sampledLogits() {
		if i%4 == 0 || i < len(specialLogits) {
			xs = append(xs, v)
		}
	}
	rx, ry := randomInputs(1<<15, 2026)
	x = append(append(append([]float32(nil), xs...), xs...), rx...)
	y = make([]float32, 0, len(x))
	for range xs {
		y = append(y, 1)
	}
	for i := range xs {
		y = append(y, []float32{0, 0.3, 1e-3, 0.999}[i%4])
	}
	y = append(y, ry...)
	w = randomWeights(len(x), 2027)
	pw = make([]float32, len(x))
	for i := range pw {
		pw[i] = []float32{1, 9.5, 0, 0.25}[i%4]
	}
	return x, y, w, pw
}

// digester hashes float32 outputs with every NaN as one canonical NaN, and
// float64 lanes likewise.
type digester struct{ b []byte }

func (d *digester) f32s(v []float32) {
	for _, f := range v {
		bits := math.Float32bits(f)
		if f != f {
			bits = 0x7fc00000
		}
		d.b = binary.LittleEndian.AppendUint32(d.b, bits)
	}
}

func (d *digester) f64s(v []float64) {
	for _, f := range v {
		bits := math.Float64bits(f)
		if f != f {
			bits = 0x7ff8000000000000
		}
		d.b = binary.LittleEndian.AppendUint64(d.b, bits)
	}
}

func (d *digester) sum() string {
	h := sha256.Sum256(d.b)
	return hex.EncodeToString(h[:])
}

// kernelDigest runs every kernel of path p (or the model, for p < 0) on the
// fixed inputs and returns the digest.
func kernelDigest(p pathID, model bool) string {
	x, y, w, pw := digestInputs()
	n := len(x)
	const oms, hs, scale = 0.9, 0.05, 0.375
	var d digester
	out := make([]float32, n)
	var acc [16]float64
	var wacc [32]float64
	if model {
		for i := range x {
			out[i] = mLossElem(x[i], y[i])
			acc[i%16] += float64(out[i])
		}
		d.f32s(out)
		d.f64s(acc[:])
		acc = [16]float64{}
		for i := range x {
			l, g := mLossGradElem(x[i], y[i])
			out[i] = scale * g
			acc[i%16] += float64(l)
		}
		d.f32s(out)
		d.f64s(acc[:])
		for i := range x {
			out[i] = mSigmoidElem(x[i])
		}
		d.f32s(out)
		acc = [16]float64{}
		for i := range x {
			l, g := mWElem(x[i], y[i], w[i], pw[i], oms, hs, scale)
			out[i] = g
			acc[i%16] += float64(l)
			wacc[i%16] += float64(l)
			wacc[16+i%16] += float64(w[i])
		}
		d.f32s(out)
		d.f64s(acc[:])
		d.f64s(wacc[:])
		return d.sum()
	}
	lossKernel(p, out, x, y)
	sumKernel(p, x, y, &acc)
	d.f32s(out)
	d.f64s(acc[:])
	acc = [16]float64{}
	lossGradKernel(p, out, x, y, scale, &acc)
	d.f32s(out)
	d.f64s(acc[:])
	sigmoidKernel(p, out, x)
	d.f32s(out)
	acc = [16]float64{}
	wlossGradKernel(p, out, x, y, w, pw, oms, hs, scale, &acc)
	wsumKernel(p, x, y, w, pw, oms, hs, &wacc)
	d.f32s(out)
	d.f64s(acc[:])
	d.f64s(wacc[:])
	return d.sum()
}

func TestGoldenDigest(t *testing.T) {
	if os.Getenv("BCE_UPDATE_DIGEST") == "1" {
		p, ok := lookupPath("avx2")
		if !ok {
			t.Fatal("the golden digest is made by the avx2 path, which this CPU lacks")
		}
		if err := os.WriteFile(digestFile, []byte(kernelDigest(p, false)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(digestFile)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSpace(string(raw))
	if got := kernelDigest(0, true); got != want {
		t.Errorf("model digest %s, want %s (%s)", got, want, digestFile)
	}
	for _, p := range simdPaths() {
		exercised.Store(p, true)
		if got := kernelDigest(p, false); got != want {
			t.Errorf("%v digest %s, want %s (%s)", p, got, want, digestFile)
		}
	}
}
