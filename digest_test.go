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
//
// The kernels added after that file was frozen have their own digest,
// testdata/family.digest (familyParts), made and checked the same way.
const digestFile = "testdata/simd.digest"

// familyDigestFile is the digest of familyParts.
const familyDigestFile = "testdata/family.digest"

// digestInputs is the fixed input set: the sampled logits against hard and
// soft targets, and random inputs with weights.
func digestInputs() (x, y, w, pw []float32) {
	var xs []float32
	for i, v := range sampledLogits() {
		if i%4 == 0 || i < len(specialValues) {
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

// digestParts is the byte stream of the digest, in order: a kernel's
// outputs (lanes false) or its accumulator lanes, which start at zero. It is
// frozen, since testdata/simd.digest must not change: a new kernel gets its
// row in the kernel table, which every other harness test then runs, not a
// part here.
// digestPart is one kernel's outputs (lanes false) or accumulator lanes.
type digestPart struct {
	kernel string
	lanes  bool
}

var digestParts = []digestPart{
	{"loss", false}, {"sum", true},
	{"lossGrad", false}, {"lossGrad", true},
	{"sigmoid", false},
	{"wlossGrad", false}, {"wlossGrad", true}, {"wsum", true},
}

// familyParts is the byte stream of testdata/family.digest: the kernels
// of the loss family (issue 10), appended to as they land.
var familyParts = []digestPart{
	{"lossAndGrad.loss", false}, {"lossAndGrad.grad", false},
	{"softplus", false}, {"logSigmoid", false},
	{"wlossAndGrad.loss", false}, {"wlossAndGrad.grad", false},
}

// partsDigest runs the kernels of parts on path p, or takes the model's
// values for model, on the fixed inputs and returns the digest.
func partsDigest(parts []digestPart, p pathID, model bool) string {
	x, y, w, pw := digestInputs()
	in := &kernelInputs{x: x, y: y, w: w, pw: pw, oms: 0.9, hs: 0.05, scale: 0.375}
	zero := make([]float64, 32)
	var outs map[string][]float32
	if model {
		var ks []*kernel
		for _, part := range parts {
			ks = append(ks, kernelByName(part.kernel))
		}
		outs = modelOutputs(ks, in)
	}
	var d digester
	for _, part := range parts {
		k := kernelByName(part.kernel)
		var out []float32
		var lanes []float64
		if model {
			out, lanes = outs[k.name], k.wantLanes(zero, in, outs)
		} else {
			out, lanes = callKernel(p, k, in, zero)
		}
		if part.lanes {
			d.f64s(lanes)
		} else {
			d.f32s(out)
		}
	}
	return d.sum()
}

func TestGoldenDigest(t *testing.T) {
	checkDigest(t, digestFile, digestParts)
	checkDigest(t, familyDigestFile, familyParts)
}

// checkDigest checks the digest of parts in file against the model and
// every SIMD path, after rewriting the file from the avx2 path under
// BCE_UPDATE_DIGEST=1.
func checkDigest(t *testing.T, file string, parts []digestPart) {
	if os.Getenv("BCE_UPDATE_DIGEST") == "1" {
		p, ok := lookupPath("avx2")
		if !ok {
			t.Fatal("the golden digest is made by the avx2 path, which this CPU lacks")
		}
		if err := os.WriteFile(file, []byte(partsDigest(parts, p, false)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSpace(string(raw))
	if got := partsDigest(parts, 0, true); got != want {
		t.Errorf("model digest %s, want %s (%s)", got, want, file)
	}
	for _, p := range simdPaths() {
		exercised.Store(p, true)
		if got := partsDigest(parts, p, false); got != want {
			t.Errorf("%v digest %s, want %s (%s)", p, got, want, file)
		}
	}
}
