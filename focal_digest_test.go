package bce

import (
	"os"
	"strings"
	"testing"
)

// focalDigestFile is the golden digest of the focal kernels, made and
// checked as testdata/simd.digest is (digest_test.go), in a file of its own
// because simd.digest is frozen: regenerate it on an amd64 machine with
//
//	BCE_UPDATE_DIGEST=1 go test -run TestFocalDigest .
const focalDigestFile = "testdata/focal.digest"

// focalParts is the focal digest's byte stream, in order, for each of
// focalDigestConfigs: a kernel's outputs (lanes false) or its lanes, which
// start at zero.
var focalParts = []digestPart{
	{"focalLoss", false}, {"focalSum", true}, {"focalGrad", false}, {"focalLossGrad", false}, {"focalLossGrad", true},
	{"focalPowLoss", false}, {"focalPowSum", true}, {"focalPowGrad", false}, {"focalPowLossGrad", false}, {"focalPowLossGrad", true},
	{"focalLossAndGrad.loss", false}, {"focalLossAndGrad.grad", false},
	{"focalPowLossAndGrad.loss", false}, {"focalPowLossAndGrad.grad", false},
}

// focalDigestConfigs are the (Alpha, integer Gamma, pow Gamma) of the
// digest's two runs over digestInputs.
var focalDigestConfigs = [][3]float32{{0.25, 2, 0.5}, {0, 1, 3.7}}

// focalDigest returns the digest of focalParts on path p, or of the
// model's values for model.
func focalDigest(p pathID, model bool) string {
	x, y, w, pw := digestInputs()
	zero := make([]float64, 32)
	var d digester
	for _, cfg := range focalDigestConfigs {
		in := (&kernelInputs{x: x, y: y, w: w, pw: pw, oms: 0.9, hs: 0.05, scale: 0.375}).setFocal(cfg[0], cfg[1], cfg[2])
		var outs map[string][]float32
		if model {
			outs = modelOutputs(focalRows(), in)
		}
		for _, part := range focalParts {
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
	}
	return d.sum()
}

// TestFocalDigest checks the model and every SIMD path against
// testdata/focal.digest.
func TestFocalDigest(t *testing.T) {
	if os.Getenv("BCE_UPDATE_DIGEST") == "1" {
		p, ok := lookupPath("avx2")
		if !ok {
			t.Fatal("the golden digest is made by the avx2 path, which this CPU lacks")
		}
		if err := os.WriteFile(focalDigestFile, []byte(focalDigest(p, false)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(focalDigestFile)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSpace(string(raw))
	if got := focalDigest(0, true); got != want {
		t.Errorf("model digest %s, want %s (%s)", got, want, focalDigestFile)
	}
	for _, p := range simdPaths() {
		exercised.Store(p, true)
		if got := focalDigest(p, false); got != want {
			t.Errorf("%v digest %s, want %s (%s)", p, got, want, focalDigestFile)
		}
	}
}
