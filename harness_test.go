package bce

import (
	"fmt"
	"math"
	"math/rand"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The kernel test harness. One table, kernels, has a row per kernel: how to
// call it on a path (through its switch function), what the SIMD model
// (model_test.go) says it returns, the float64 reference (ref_test.go) and
// its bound where the inputs are in the documented domain, and for a
// reduction the per-element values its lanes accumulate. Every kernel-level
// test is driven by the table, so adding a kernel means adding one row:
//
//   - TestHarnessTails: every length 0..300 at 16 start offsets, inputs and
//     output at different misalignments inside NaN guards; guards untouched
//     and inputs unmodified afterwards.
//   - TestHarnessPages (page_test.go): slices that end at a page boundary
//     followed by a PROT_NONE page, and slices that start right after one.
//   - TestHarnessModel: sampled logits, random inputs and every combination
//     of the special values, each kernel over the whole input.
//   - TestHarnessRandom: random inputs in the millions (BCE_AGREE_N), the
//     stand-in for coverage fuzzing where it cannot run (qemu-user).
//   - TestGoldenDigest (digest_test.go) and the fuzz targets (fuzz_test.go).
//
// What each path must give:
//
//   - A SIMD path (avx512, avx2, neon): the model's bits for every
//     per-element output (any NaN matching any NaN), and for every reduction
//     the initial lanes plus the model's per-element values, element i added
//     into lane i%16 in float64, in index order, bit for bit.
//   - The generic path, which is not bit-identical to the model: per-element
//     outputs that do not depend on the element's position (the bits of one
//     call over the whole input), reductions that are the lane-order fold of
//     its own per-element outputs, and the reference bound wherever the inputs
//     are in the documented domain. The fuzz targets also compare it with the
//     model outside that domain (see checkGenericNearModel).

// kernelInputs holds everything a kernel may read; a row's reads says which
// of it the kernel reads.
type kernelInputs struct {
	x, y, w, pw    []float32
	oms, hs, scale float32
	// The focal rows' scalars (see mFocalElem): alpha_t = fma(y', al1,
	// al0); the integer-Gamma rows' selectors and gamma; the pow rows'
	// gamma, gpow.
	al1, al0, ga1, ga0, gb1, gb0, gamma, gpow float32
}

// setFocal sets the focal scalars as Focal{Gamma: gamma, Alpha: alpha}
// passes them to the integer-Gamma kernels (gamma in {0, 1, 2}), and gpow
// for the pow kernels.
func (in *kernelInputs) setFocal(alpha, gamma, gpow float32) *kernelInputs {
	k := (&Focal{Gamma: gamma, Alpha: alpha}).scalars()
	in.al1, in.al0, in.ga1, in.ga0, in.gb1, in.gb0, in.gamma = k.al1, k.al0, k.ga1, k.ga0, k.gb1, k.gb0, k.gamma
	in.gpow = gpow
	return in
}

// sub returns elements lo..hi-1.
func (in *kernelInputs) sub(lo, hi int) *kernelInputs {
	c := *in
	c.x, c.y, c.w, c.pw = in.x[lo:hi:hi], in.y[lo:hi:hi], in.w[lo:hi:hi], in.pw[lo:hi:hi]
	return &c
}

func (in *kernelInputs) prefix(n int) *kernelInputs { return in.sub(0, n) }

// subOutputs returns elements lo..hi-1 of every output of outs.
func subOutputs(outs map[string][]float32, lo, hi int) map[string][]float32 {
	s := map[string][]float32{}
	for name, o := range outs {
		s[name] = o[lo:hi]
	}
	return s
}

// reads is the set of inputs beyond the logits that a kernel reads.
type reads uint8

const (
	readsY      reads = 1 << iota // the targets
	readsWeight                   // the weights, positive weights and smoothing constants oms, hs
	readsScale                    // the gradient scale
	readsFocal                    // the focal scalars (and the weights and smoothing, but not the positive weights)
)

// kernel is one row of the table.
type kernel struct {
	name  string
	reads reads
	// run calls the kernel through its switch function on path p: dst is
	// the output (nil for a pure reduction), acc the accumulator lanes
	// (len lanes, nil for a per-element kernel).
	run func(p pathID, dst []float32, in *kernelInputs, acc []float64)
	// model returns element i's output as every SIMD path must give it;
	// nil for a pure reduction.
	model func(in *kernelInputs, i int) float32
	// ref returns the reference for element i's output; nil for a pure
	// reduction.
	ref func(in *kernelInputs, i int) refVal
	// lanes is the number of accumulator lanes (0, 16 or 32). Lane j of
	// block b accumulates the per-element values fold[b] of the elements
	// i with i%16 == j: a per-element kernel's outputs on the same path (the
	// model's, for a SIMD path) or an input, "x" or "w".
	lanes int
	fold  []string
}

func acc16(acc []float64) *[16]float64 { return (*[16]float64)(acc) }

var kernels = []kernel{
	{
		name: "loss", reads: readsY,
		run:   func(p pathID, d []float32, in *kernelInputs, _ []float64) { lossKernel(p, d, in.x, in.y) },
		model: func(in *kernelInputs, i int) float32 { return mLossElem(in.x[i], in.y[i]) },
		ref:   refLossAt,
	},
	{
		name: "sum", reads: readsY, lanes: 16, fold: []string{"loss"},
		run: func(p pathID, _ []float32, in *kernelInputs, acc []float64) { sumKernel(p, in.x, in.y, acc16(acc)) },
	},
	{
		name: "grad", reads: readsY,
		run: func(p pathID, d []float32, in *kernelInputs, _ []float64) { gradKernel(p, d, in.x, in.y) },
		model: func(in *kernelInputs, i int) float32 {
			_, g := mLossGradElem(in.x[i], in.y[i])
			return g
		},
		ref: refGradAt,
	},
	{
		name:  "sigmoid",
		run:   func(p pathID, d []float32, in *kernelInputs, _ []float64) { sigmoidKernel(p, d, in.x) },
		model: func(in *kernelInputs, i int) float32 { return mSigmoidElem(in.x[i]) },
		ref:   refSigmoidAt,
	},
	{
		name: "sum16", lanes: 16, fold: []string{"x"},
		run: func(p pathID, _ []float32, in *kernelInputs, acc []float64) { sum16Kernel(p, in.x, acc16(acc)) },
	},
	{
		name: "lossGrad", reads: readsY | readsScale, lanes: 16, fold: []string{"loss"},
		run: func(p pathID, d []float32, in *kernelInputs, acc []float64) {
			lossGradKernel(p, d, in.x, in.y, in.scale, acc16(acc))
		},
		model: func(in *kernelInputs, i int) float32 {
			_, g := mLossGradElem(in.x[i], in.y[i])
			return in.scale * g
		},
		ref: refScaledGradAt,
	},
	{
		name: "wloss", reads: readsY | readsWeight,
		run: func(p pathID, d []float32, in *kernelInputs, _ []float64) {
			wlossKernel(p, d, in.x, in.y, in.w, in.pw, in.oms, in.hs)
		},
		model: func(in *kernelInputs, i int) float32 {
			l, _ := mWElem(in.x[i], in.y[i], in.w[i], in.pw[i], in.oms, in.hs, 1)
			return l
		},
		ref: refWLossAt,
	},
	{
		name: "wsum", reads: readsY | readsWeight, lanes: 32, fold: []string{"wloss", "w"},
		run: func(p pathID, _ []float32, in *kernelInputs, acc []float64) {
			wsumKernel(p, in.x, in.y, in.w, in.pw, in.oms, in.hs, (*[32]float64)(acc))
		},
	},
	{
		name: "wgrad", reads: readsY | readsWeight | readsScale,
		run: func(p pathID, d []float32, in *kernelInputs, _ []float64) {
			wgradKernel(p, d, in.x, in.y, in.w, in.pw, in.oms, in.hs, in.scale)
		},
		model: mWGradAt,
		ref:   refWGradAt,
	},
	{
		name: "wlossGrad", reads: readsY | readsWeight | readsScale, lanes: 16, fold: []string{"wloss"},
		run: func(p pathID, d []float32, in *kernelInputs, acc []float64) {
			wlossGradKernel(p, d, in.x, in.y, in.w, in.pw, in.oms, in.hs, in.scale, acc16(acc))
		},
		model: mWGradAt,
		ref:   refWGradAt,
	},
	// The two-output kernels have a row per output: each row passes the
	// harness's guarded slice as its output and a fresh slice as the
	// other, so that each output is checked against its guards, pages and
	// model in its own row.
	{
		name: "lossAndGrad.loss", reads: readsY,
		run: func(p pathID, d []float32, in *kernelInputs, _ []float64) {
			lossAndGradKernel(p, d, make([]float32, len(d)), in.x, in.y)
		},
		model: func(in *kernelInputs, i int) float32 { return mLossElem(in.x[i], in.y[i]) },
		ref:   refLossAt,
	},
	{
		name: "lossAndGrad.grad", reads: readsY,
		run: func(p pathID, d []float32, in *kernelInputs, _ []float64) {
			lossAndGradKernel(p, make([]float32, len(d)), d, in.x, in.y)
		},
		model: func(in *kernelInputs, i int) float32 {
			_, g := mLossGradElem(in.x[i], in.y[i])
			return g
		},
		ref: refGradAt,
	},
	{
		name:  "softplus",
		run:   func(p pathID, d []float32, in *kernelInputs, _ []float64) { softplusKernel(p, d, in.x) },
		model: func(in *kernelInputs, i int) float32 { return mLossElem(in.x[i], 0) },
		ref:   func(in *kernelInputs, i int) refVal { return refLossAt(fixedTarget(in, i, 0), 0) },
	},
	{
		name:  "logSigmoid",
		run:   func(p pathID, d []float32, in *kernelInputs, _ []float64) { logSigmoidKernel(p, d, in.x) },
		model: func(in *kernelInputs, i int) float32 { return -mLossElem(in.x[i], 1) },
		ref: func(in *kernelInputs, i int) refVal {
			r := refLossAt(fixedTarget(in, i, 1), 0)
			r.want = -r.want
			return r
		},
	},
	{
		name: "wlossAndGrad.loss", reads: readsY | readsWeight | readsScale,
		run: func(p pathID, d []float32, in *kernelInputs, _ []float64) {
			wlossAndGradKernel(p, d, make([]float32, len(d)), in.x, in.y, in.w, in.pw, in.oms, in.hs, in.scale)
		},
		model: func(in *kernelInputs, i int) float32 {
			l, _ := mWElem(in.x[i], in.y[i], in.w[i], in.pw[i], in.oms, in.hs, in.scale)
			return l
		},
		ref: refWLossAt,
	},
	{
		name: "wlossAndGrad.grad", reads: readsY | readsWeight | readsScale,
		run: func(p pathID, d []float32, in *kernelInputs, _ []float64) {
			wlossAndGradKernel(p, make([]float32, len(d)), d, in.x, in.y, in.w, in.pw, in.oms, in.hs, in.scale)
		},
		model: mWGradAt,
		ref:   refWGradAt,
	},
	{
		name: "focalLoss", reads: readsY | readsWeight | readsFocal,
		run: func(p pathID, d []float32, in *kernelInputs, _ []float64) {
			focalLossKernel(p, d, in.x, in.y, in.w, in.oms, in.hs, in.al1, in.al0, in.ga1, in.ga0, in.gb1, in.gb0, in.gamma)
		},
		model: func(in *kernelInputs, i int) float32 {
			l, _ := mFocalElem(in.x[i], in.y[i], in.w[i], in.oms, in.hs, in.al1, in.al0, in.ga1, in.ga0, in.gb1, in.gb0, in.gamma, 1, false)
			return l
		},
		ref: func(in *kernelInputs, i int) refVal { return refFocalAt(in, i, false, false) },
	},
	{
		name: "focalSum", reads: readsY | readsWeight | readsFocal, lanes: 32, fold: []string{"focalLoss", "w"},
		run: func(p pathID, _ []float32, in *kernelInputs, acc []float64) {
			focalSumKernel(p, in.x, in.y, in.w, in.oms, in.hs, in.al1, in.al0, in.ga1, in.ga0, in.gb1, in.gb0, in.gamma, (*[32]float64)(acc))
		},
	},
	{
		name: "focalGrad", reads: readsY | readsWeight | readsScale | readsFocal,
		run: func(p pathID, d []float32, in *kernelInputs, _ []float64) {
			focalGradKernel(p, d, in.x, in.y, in.w, in.oms, in.hs, in.al1, in.al0, in.ga1, in.ga0, in.gb1, in.gb0, in.gamma, in.scale)
		},
		model: mFocalGradAt,
		ref:   func(in *kernelInputs, i int) refVal { return refFocalAt(in, i, false, true) },
	},
	{
		name: "focalLossGrad", reads: readsY | readsWeight | readsScale | readsFocal, lanes: 16, fold: []string{"focalLoss"},
		run: func(p pathID, d []float32, in *kernelInputs, acc []float64) {
			focalLossGradKernel(p, d, in.x, in.y, in.w, in.oms, in.hs, in.al1, in.al0, in.ga1, in.ga0, in.gb1, in.gb0, in.gamma, in.scale, acc16(acc))
		},
		model: mFocalGradAt,
		ref:   func(in *kernelInputs, i int) refVal { return refFocalAt(in, i, false, true) },
	},
	{
		name: "focalPowLoss", reads: readsY | readsWeight | readsFocal,
		run: func(p pathID, d []float32, in *kernelInputs, _ []float64) {
			focalPowLossKernel(p, d, in.x, in.y, in.w, in.oms, in.hs, in.al1, in.al0, in.gpow)
		},
		model: func(in *kernelInputs, i int) float32 {
			l, _ := mFocalElem(in.x[i], in.y[i], in.w[i], in.oms, in.hs, in.al1, in.al0, 0, 0, 0, 0, in.gpow, 1, true)
			return l
		},
		ref: func(in *kernelInputs, i int) refVal { return refFocalAt(in, i, true, false) },
	},
	{
		name: "focalPowSum", reads: readsY | readsWeight | readsFocal, lanes: 32, fold: []string{"focalPowLoss", "w"},
		run: func(p pathID, _ []float32, in *kernelInputs, acc []float64) {
			focalPowSumKernel(p, in.x, in.y, in.w, in.oms, in.hs, in.al1, in.al0, in.gpow, (*[32]float64)(acc))
		},
	},
	{
		name: "focalPowGrad", reads: readsY | readsWeight | readsScale | readsFocal,
		run: func(p pathID, d []float32, in *kernelInputs, _ []float64) {
			focalPowGradKernel(p, d, in.x, in.y, in.w, in.oms, in.hs, in.al1, in.al0, in.gpow, in.scale)
		},
		model: mFocalPowGradAt,
		ref:   func(in *kernelInputs, i int) refVal { return refFocalAt(in, i, true, true) },
	},
	{
		name: "focalPowLossGrad", reads: readsY | readsWeight | readsScale | readsFocal, lanes: 16, fold: []string{"focalPowLoss"},
		run: func(p pathID, d []float32, in *kernelInputs, acc []float64) {
			focalPowLossGradKernel(p, d, in.x, in.y, in.w, in.oms, in.hs, in.al1, in.al0, in.gpow, in.scale, acc16(acc))
		},
		model: mFocalPowGradAt,
		ref:   func(in *kernelInputs, i int) refVal { return refFocalAt(in, i, true, true) },
	},
	{
		name: "focalLossAndGrad.loss", reads: readsY | readsWeight | readsScale | readsFocal,
		run: func(p pathID, d []float32, in *kernelInputs, _ []float64) {
			focalLossAndGradKernel(p, d, make([]float32, len(d)), in.x, in.y, in.w, in.oms, in.hs, in.al1, in.al0, in.ga1, in.ga0, in.gb1, in.gb0, in.gamma, in.scale)
		},
		model: func(in *kernelInputs, i int) float32 {
			l, _ := mFocalElem(in.x[i], in.y[i], in.w[i], in.oms, in.hs, in.al1, in.al0, in.ga1, in.ga0, in.gb1, in.gb0, in.gamma, in.scale, false)
			return l
		},
		ref: func(in *kernelInputs, i int) refVal { return refFocalAt(in, i, false, false) },
	},
	{
		name: "focalLossAndGrad.grad", reads: readsY | readsWeight | readsScale | readsFocal,
		run: func(p pathID, d []float32, in *kernelInputs, _ []float64) {
			focalLossAndGradKernel(p, make([]float32, len(d)), d, in.x, in.y, in.w, in.oms, in.hs, in.al1, in.al0, in.ga1, in.ga0, in.gb1, in.gb0, in.gamma, in.scale)
		},
		model: mFocalGradAt,
		ref:   func(in *kernelInputs, i int) refVal { return refFocalAt(in, i, false, true) },
	},
	{
		name: "focalPowLossAndGrad.loss", reads: readsY | readsWeight | readsScale | readsFocal,
		run: func(p pathID, d []float32, in *kernelInputs, _ []float64) {
			focalPowLossAndGradKernel(p, d, make([]float32, len(d)), in.x, in.y, in.w, in.oms, in.hs, in.al1, in.al0, in.gpow, in.scale)
		},
		model: func(in *kernelInputs, i int) float32 {
			l, _ := mFocalElem(in.x[i], in.y[i], in.w[i], in.oms, in.hs, in.al1, in.al0, 0, 0, 0, 0, in.gpow, in.scale, true)
			return l
		},
		ref: func(in *kernelInputs, i int) refVal { return refFocalAt(in, i, true, false) },
	},
	{
		name: "focalPowLossAndGrad.grad", reads: readsY | readsWeight | readsScale | readsFocal,
		run: func(p pathID, d []float32, in *kernelInputs, _ []float64) {
			focalPowLossAndGradKernel(p, make([]float32, len(d)), d, in.x, in.y, in.w, in.oms, in.hs, in.al1, in.al0, in.gpow, in.scale)
		},
		model: mFocalPowGradAt,
		ref:   func(in *kernelInputs, i int) refVal { return refFocalAt(in, i, true, true) },
	},
}

// fixedTarget returns element i of in alone, with the target y: the
// reference of a kernel whose target is a constant (Softplus, LogSigmoid).
func fixedTarget(in *kernelInputs, i int, y float32) *kernelInputs {
	return &kernelInputs{x: in.x[i : i+1], y: []float32{y}}
}

func mFocalGradAt(in *kernelInputs, i int) float32 {
	_, g := mFocalElem(in.x[i], in.y[i], in.w[i], in.oms, in.hs, in.al1, in.al0, in.ga1, in.ga0, in.gb1, in.gb0, in.gamma, in.scale, false)
	return g
}

func mFocalPowGradAt(in *kernelInputs, i int) float32 {
	_, g := mFocalElem(in.x[i], in.y[i], in.w[i], in.oms, in.hs, in.al1, in.al0, 0, 0, 0, 0, in.gpow, in.scale, true)
	return g
}

func mWGradAt(in *kernelInputs, i int) float32 {
	_, g := mWElem(in.x[i], in.y[i], in.w[i], in.pw[i], in.oms, in.hs, in.scale)
	return g
}

// kernelByName returns the row named name.
func kernelByName(name string) *kernel {
	for i := range kernels {
		if kernels[i].name == name {
			return &kernels[i]
		}
	}
	panic("no kernel " + name)
}

// rowsReading returns the rows that read the weights (weighted) or that do
// not (!weighted), and among those the focal rows (focal) or the others.
func rowsReading(weighted, focal bool) []*kernel {
	var ks []*kernel
	for i := range kernels {
		if (kernels[i].reads&readsWeight != 0) == weighted && (kernels[i].reads&readsFocal != 0) == focal {
			ks = append(ks, &kernels[i])
		}
	}
	return ks
}

// focalRows returns the focal rows.
func focalRows() []*kernel { return rowsReading(true, true) }

func allRows() []*kernel {
	ks := make([]*kernel, len(kernels))
	for i := range kernels {
		ks[i] = &kernels[i]
	}
	return ks
}

// perElement reports whether the kernel writes an output per element.
func (k *kernel) perElement() bool { return k.model != nil }

// describe names element i's inputs that k reads, for failure messages.
func (k *kernel) describe(in *kernelInputs, i int) string {
	var b strings.Builder
	v := func(name string, f float32) { fmt.Fprintf(&b, " %s=%v (%#08x)", name, f, math.Float32bits(f)) }
	v("x", in.x[i])
	if k.reads&readsY != 0 {
		v("y", in.y[i])
	}
	if k.reads&readsWeight != 0 {
		v("w", in.w[i])
		if k.reads&readsFocal == 0 {
			v("pw", in.pw[i])
		}
		v("oms", in.oms)
		v("hs", in.hs)
	}
	if k.reads&readsFocal != 0 {
		v("al1", in.al1)
		v("al0", in.al0)
		if strings.HasPrefix(k.name, "focalPow") {
			v("gamma", in.gpow)
		} else {
			v("ga1", in.ga1)
			v("ga0", in.ga0)
			v("gb1", in.gb1)
			v("gb0", in.gb0)
			v("gamma", in.gamma)
		}
	}
	if k.reads&readsScale != 0 {
		v("scale", in.scale)
	}
	return strings.TrimSpace(b.String())
}

// modelOutputs returns the model's output of every per-element kernel of ks
// on in, by kernel name, and of the kernels the folds of ks name. Rows with
// the same model function (wgrad and wlossGrad) share one evaluation.
func modelOutputs(ks []*kernel, in *kernelInputs) map[string][]float32 {
	out := map[string][]float32{}
	byFunc := map[uintptr][]float32{}
	var add func(k *kernel)
	add = func(k *kernel) {
		if _, ok := out[k.name]; ok {
			return
		}
		for _, src := range k.fold {
			if src != "x" && src != "w" {
				add(kernelByName(src))
			}
		}
		if !k.perElement() {
			return
		}
		f := reflect.ValueOf(k.model).Pointer()
		o, ok := byFunc[f]
		if !ok {
			o = make([]float32, len(in.x))
			for i := range o {
				o[i] = k.model(in, i)
			}
			byFunc[f] = o
		}
		out[k.name] = o
	}
	for _, k := range ks {
		add(k)
	}
	return out
}

// wantLanes returns init[:k.lanes] plus the lane-order fold of k's sources:
// outs holds the per-element outputs a fold names (model or same-path
// outputs), in the inputs.
func (k *kernel) wantLanes(init []float64, in *kernelInputs, outs map[string][]float32) []float64 {
	want := append([]float64(nil), init[:k.lanes]...)
	for b, src := range k.fold {
		var v []float32
		switch src {
		case "x":
			v = in.x
		case "w":
			v = in.w
		default:
			v = outs[src]
		}
		for i, f := range v[:len(in.x)] {
			want[16*b+i%16] += float64(f)
		}
	}
	return want
}

// callKernel runs k on path p over in: the output (nil for a pure reduction)
// and the lanes, which start at init.
func callKernel(p pathID, k *kernel, in *kernelInputs, init []float64) (out []float32, lanes []float64) {
	if k.perElement() {
		out = make([]float32, len(in.x))
	}
	if k.lanes > 0 {
		lanes = append([]float64(nil), init[:k.lanes]...)
	}
	k.run(p, out, in, lanes)
	return out, lanes
}

// maxReported caps the mismatches a test prints: a broken kernel would
// otherwise print one line per element.
const maxReported = 12

// reporter counts a test's mismatches and prints the first maxReported.
type reporter struct {
	t testing.TB
	n int
}

func (r *reporter) failf(format string, args ...any) {
	r.t.Helper()
	r.n++
	if r.n <= maxReported {
		assert.Fail(r.t, fmt.Sprintf(format, args...))
	}
}

// done fails the test, with the count, if anything was reported.
func (r *reporter) done() {
	r.t.Helper()
	require.Zero(r.t, r.n, "mismatches in all (the first %d are printed above)", maxReported)
}

// sameBits reports whether a and b have the same bits, any NaN matching any
// NaN: the one bit-equality test of the package's tests, for outputs
// (float32) and accumulator lanes (float64) alike. The conversion of a
// float32 to float64 is exact and keeps the sign of zero.
func sameBits[F float32 | float64](a, b F) bool {
	return math.Float64bits(float64(a)) == math.Float64bits(float64(b)) || (a != a && b != b)
}

// assertSameBits fails unless got and want hold the same bits, element by
// element (see sameBits), printing the first few mismatches.
func assertSameBits[F float32 | float64](t testing.TB, want, got []F, what string) {
	t.Helper()
	require.Len(t, got, len(want), what)
	r := reporter{t: t}
	for i := range want {
		if !sameBits(want[i], got[i]) {
			r.failf("%s: element %d = %v, want %v", what, i, got[i], want[i])
		}
	}
	r.done()
}

// call names one kernel call in failure messages.
type call struct {
	p    pathID
	k    *kernel
	in   *kernelInputs
	off  int    // the inputs' start offset in their guards, or -1
	what string // what the expected values are
}

func (c call) String() string {
	s := fmt.Sprintf("%v %s n=%d", c.p, c.k.name, len(c.in.x))
	if c.off >= 0 {
		s += fmt.Sprintf(" off=%d", c.off)
	}
	return s
}

// checkOutputs reports every element of got that does not have want's bits.
func (r *reporter) checkOutputs(c call, got, want []float32) {
	r.t.Helper()
	for i := range got {
		if !sameBits(got[i], want[i]) {
			r.failf("%v i=%d %s: got %v (%#08x), want %v (%#08x) (%s)", c, i, c.k.describe(c.in, i),
				got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]), c.what)
		}
	}
}

// checkLanes reports every lane of got that does not have want's bits.
func (r *reporter) checkLanes(c call, got, want []float64) {
	r.t.Helper()
	for j := range got {
		if !sameBits(got[j], want[j]) {
			r.failf("%v lane %d: got %v (%#016x), want %v (%#016x) (the lane-order fold of %s, %s)", c, j,
				got[j], math.Float64bits(got[j]), want[j], math.Float64bits(want[j]), strings.Join(c.k.fold, " and "), c.what)
		}
	}
}

// checkRef reports every element of got outside its reference bound, where
// the inputs are in the documented domain.
func (r *reporter) checkRef(c call, got []float32) {
	r.t.Helper()
	for i := range got {
		rv := c.k.ref(c.in, i)
		if !rv.domain {
			continue
		}
		if e := rv.err(got[i]); !(e <= rv.bound) {
			r.failf("%v i=%d %s: got %v, reference %v: error %.3g > %v (ULP, or for a focal row units of the bound)", c, i, c.k.describe(c.in, i), got[i], rv.want, e, rv.bound)
		}
	}
}

// initLanes are the initial accumulator lanes of the fixed-input tests:
// the reductions add into what the lanes hold, and each lane holds a
// different non-zero value, so a kernel that overwrites a lane, or adds
// element i into the wrong one, is caught. (Lanes of -0 are the subject of
// TestHarnessZeroLanes.)
func initLanes() []float64 {
	acc := make([]float64, 32)
	for j := range acc {
		acc[j] = float64(j)*0.25 - 2.875
	}
	acc[21] = 1e6
	return acc
}

// expectedOutputs returns what path p must write for every per-element
// kernel on in: the model's outputs for a SIMD path; for the generic path,
// its own outputs of one call over the whole of in, which every call over a
// part of in must reproduce.
func expectedOutputs(p pathID, in *kernelInputs) map[string][]float32 {
	if p != pathGeneric {
		return modelOutputs(allRows(), in)
	}
	outs := map[string][]float32{}
	for _, k := range allRows() {
		if k.perElement() {
			outs[k.name], _ = callKernel(p, k, in, initLanes())
		}
	}
	return outs
}

// guardBits is the NaN payload of the guard regions: a kernel that writes
// any value there, even a NaN, changes the bits.
const guardBits = 0x7fc0dead

// unwrittenBits fills an output before the call: a finite value that no
// kernel computes on the test inputs, so an element the kernel fails to
// write cannot pass for an expected NaN.
const unwrittenBits = 0xd3adbeef

const guardPad = 64

// guarded returns an n-element slice at element offset off inside a buffer
// whose other elements hold guardBits (the slice itself holds
// unwrittenBits), and the buffer: the one guard helper of the tests.
func guarded(n, off int) (s, buf []float32) {
	buf = make([]float32, guardPad+off+n+guardPad)
	for i := range buf {
		buf[i] = math.Float32frombits(guardBits)
	}
	s = buf[guardPad+off : guardPad+off+n : guardPad+off+n]
	for i := range s {
		s[i] = math.Float32frombits(unwrittenBits)
	}
	return s, buf
}

// guardedCopy returns a guarded copy of v at offset off.
func guardedCopy(v []float32, off int) (s, buf []float32) {
	s, buf = guarded(len(v), off)
	copy(s, v)
	return s, buf
}

// checkGuards fails the test unless buf's guard regions around the n
// elements at offset off still hold guardBits and, when inner is not nil,
// the n elements still hold inner's exact bits (NaN payloads included: an
// input the kernel must not write).
func checkGuards(t testing.TB, buf []float32, off int, inner []float32, what string) {
	t.Helper()
	lo := guardPad + off
	hi := len(buf) - guardPad
	for i, v := range buf {
		switch {
		case i < lo || i >= hi:
			if math.Float32bits(v) != guardBits {
				require.Failf(t, "guard overwritten", "%s: wrote %v (%#08x) into the guard at element %d relative to the slice start", what, v, math.Float32bits(v), i-lo)
			}
		case inner != nil:
			if math.Float32bits(v) != math.Float32bits(inner[i-lo]) {
				require.Failf(t, "input modified", "%s: element %d changed from %#08x to %#08x", what, i-lo, math.Float32bits(inner[i-lo]), math.Float32bits(v))
			}
		}
	}
}

// TestHarnessTails runs every kernel on every path for every length
// 0..300 at 16 start offsets. The call at offset off covers elements
// off..off+n-1 of one input set, so that each element meets several
// positions in a call, and each input sits at its own offset inside NaN
// guards (logits at off, targets at off+5, weights at off+11, positive
// weights at off+3, the output at 7*off, all mod 16), so that inputs and
// output are misaligned differently and every tail length meets every
// alignment. Afterwards the guards must be untouched and the inputs
// unmodified, the outputs must be the expected ones (expectedOutputs: for
// the generic path, those of one call over all elements) and the lanes the
// initial ones plus the fold of the expected values.
func TestHarnessTails(t *testing.T) {
	const maxN, offs = 300, 16
	base := randomKernelInputs(newRand(21), maxN+offs)
	base.oms, base.hs, base.scale = 0.9, 0.05, 0.375
	init := initLanes()
	forEachPath(t, func(t *testing.T) {
		p := cur
		all := expectedOutputs(p, base)
		what := "the model"
		if p == pathGeneric {
			what = "one call over all elements"
		}
		rep := reporter{t: t}
		for n := 0; n <= maxN; n++ {
			for off := 0; off < offs; off++ {
				in := base.sub(off, off+n)
				exp := subOutputs(all, off, off+n)
				g := *in
				var xb, yb, wb, pb []float32
				g.x, xb = guardedCopy(in.x, off)
				g.y, yb = guardedCopy(in.y, (off+5)%offs)
				g.w, wb = guardedCopy(in.w, (off+11)%offs)
				g.pw, pb = guardedCopy(in.pw, (off+3)%offs)
				doff := off * 7 % offs
				for _, k := range allRows() {
					c := call{p: p, k: k, in: in, off: off, what: what}
					var dst, db []float32
					if k.perElement() {
						dst, db = guarded(n, doff)
					}
					var lanes []float64
					if k.lanes > 0 {
						lanes = append([]float64(nil), init[:k.lanes]...)
					}
					k.run(p, dst, &g, lanes)
					if db != nil {
						checkGuards(t, db, doff, nil, c.String()+" output")
						rep.checkOutputs(c, dst, exp[k.name])
					}
					if lanes != nil {
						rep.checkLanes(c, lanes, k.wantLanes(init, in, exp))
					}
					checkGuards(t, xb, off, in.x, c.String()+" logits")
					if k.reads&readsY != 0 {
						checkGuards(t, yb, (off+5)%offs, in.y, c.String()+" targets")
					}
					if k.reads&readsWeight != 0 {
						checkGuards(t, wb, (off+11)%offs, in.w, c.String()+" weights")
						checkGuards(t, pb, (off+3)%offs, in.pw, c.String()+" positive weights")
					}
				}
			}
		}
		rep.done()
	})
}

// TestHarnessZeroLanes checks that a reduction leaves a lane that receives
// no element as it was, -0 included: every lane starts at -0, and for
// n < 16 the lanes n..15 must keep that sign (-0 + +0 is +0, so a kernel
// that adds zeros for the absent elements of a short tail is caught). The
// public API starts its lanes at +0, where such zeros cannot show; the
// kernels' contract (element i into lane i%16, nothing else) and the
// bit-identity of the SIMD paths are what this checks.
func TestHarnessZeroLanes(t *testing.T) {
	base := randomKernelInputs(newRand(23), 40)
	init := make([]float64, 32)
	for j := range init {
		init[j] = math.Copysign(0, -1)
	}
	forEachPath(t, func(t *testing.T) {
		p := cur
		exp := expectedOutputs(p, base)
		rep := reporter{t: t}
		for n := 0; n <= 40; n++ {
			in := base.prefix(n)
			for _, k := range allRows() {
				if k.lanes == 0 {
					continue
				}
				_, got := callKernel(p, k, in, init)
				rep.checkLanes(call{p: p, k: k, in: in, off: -1, what: "lanes starting at -0"}, got, k.wantLanes(init, in, exp))
			}
		}
		rep.done()
	})
}

// agreement compares every kernel of ks on path p over in (lanes starting
// at init) with what the path must give: for a SIMD path the model's outputs
// (model, from modelOutputs) and their lane-order folds; for the generic path
// the reference bound in the documented domain and the lane-order folds of
// its own per-element outputs. It returns the path's outputs by kernel name.
func (r *reporter) agreement(p pathID, ks []*kernel, in *kernelInputs, init []float64, model map[string][]float32) map[string][]float32 {
	r.t.Helper()
	outs := map[string][]float32{}
	lanes := map[string][]float64{}
	for _, k := range ks {
		outs[k.name], lanes[k.name] = callKernel(p, k, in, init)
	}
	want := model
	if p == pathGeneric {
		// The folds of the generic path are of its own outputs, also of
		// a source kernel that ks does not list.
		want = outs
		for _, k := range ks {
			for _, src := range k.fold {
				if _, ok := want[src]; !ok && src != "x" && src != "w" {
					want[src], _ = callKernel(p, kernelByName(src), in, init)
				}
			}
		}
	}
	for _, k := range ks {
		c := call{p: p, k: k, in: in, off: -1, what: "the model"}
		if p == pathGeneric {
			c.what = "the generic path's own outputs"
		}
		if k.perElement() {
			if p == pathGeneric {
				r.checkRef(c, outs[k.name])
			} else {
				r.checkOutputs(c, outs[k.name], model[k.name])
			}
		}
		if k.lanes > 0 {
			r.checkLanes(c, lanes[k.name], k.wantLanes(init, in, want))
		}
	}
	return outs
}

// modelCase is a named input set of TestHarnessModel.
type modelCase struct {
	name string
	in   *kernelInputs
}

func harnessModelCases() []modelCase {
	var cs []modelCase
	// Half the sampled logits (every exponent, both signs, 1024
	// mantissas per binade; the exhaustive test has them all) against each
	// hard label and a soft one, with random weights. Under -short (CI's
	// suites under qemu) and the race detector (no concurrency in these
	// comparisons), an eighth: 256 mantissas per binade, every exponent and
	// sign still; CI's exhaustive step runs the half natively.
	period := 4
	if testing.Short() || raceEnabled {
		period = 16
	}
	var xs []float32
	for i, x := range sampledLogits() {
		if i%period < 2 {
			xs = append(xs, x)
		}
	}
	n := len(xs)
	w := randomWeights(n, 3)
	pw := make([]float32, n)
	for i := range pw {
		pw[i] = []float32{1, 9.5, 0, 0.25, 3}[i%5]
	}
	for _, yv := range []float32{0, 1, 0.3} {
		y := make([]float32, n)
		for i := range y {
			y[i] = yv
		}
		cs = append(cs, modelCase{fmt.Sprintf("sampled logits, y=%v", yv),
			(&kernelInputs{x: xs, y: y, w: w, pw: pw, oms: 0.9, hs: 0.05, scale: 0.375}).setFocal(0.25, 2, 0.5)})
	}
	cs = append(cs, modelCase{"random inputs", randomKernelInputs(newRand(7), 1<<16)})
	// Every special value as logit, target and weight, in every
	// combination, with positive weights cycling through the specials too.
	sp := (&kernelInputs{oms: 1, hs: 0, scale: 1}).setFocal(0, 1, 3.7)
	for _, x := range specialValues {
		for _, y := range specialValues {
			for _, w := range specialValues {
				sp.x, sp.y, sp.w = append(sp.x, x), append(sp.y, y), append(sp.w, w)
				sp.pw = append(sp.pw, specialValues[len(sp.pw)%len(specialValues)/4])
			}
		}
	}
	cs = append(cs, modelCase{"special values", sp})
	sm := *sp
	sm.oms, sm.hs, sm.scale = 0.8, 0.1, -3
	sm.setFocal(0.25, 2, 0.5)
	cs = append(cs, modelCase{"special values, smoothed and scaled", &sm})
	return cs
}

// TestHarnessModel checks every kernel on every path over the sampled
// logits, random inputs and every combination of the special values (see
// agreement), each kernel in one call over the whole input with non-zero
// initial lanes.
func TestHarnessModel(t *testing.T) {
	init := initLanes()
	for _, c := range harnessModelCases() {
		var model map[string][]float32
		if len(simdPaths()) > 0 { // only the SIMD paths are compared with the model
			model = modelOutputs(allRows(), c.in)
		}
		t.Run(c.name, func(t *testing.T) {
			forEachPath(t, func(t *testing.T) {
				rep := reporter{t: t}
				rep.agreement(cur, allRows(), c.in, init, model)
				rep.done()
			})
		})
	}
}

// agreeSize returns the number of elements of TestHarnessRandom: BCE_AGREE_N
// when set, 2^19 by default, 2^16 with -short.
func agreeSize(t *testing.T) int {
	if s := os.Getenv("BCE_AGREE_N"); s != "" {
		n, err := strconv.Atoi(s)
		require.NoError(t, err, "BCE_AGREE_N")
		return n
	}
	if testing.Short() {
		return 1 << 16
	}
	return 1 << 19
}

// TestHarnessRandom checks every kernel on every path over BCE_AGREE_N
// random elements (see agreeSize), in calls of 4096 to 4112 elements, each
// with its own scalars and initial lanes. Coverage-guided fuzzing cannot run
// under qemu-user, where the neon path is tested; this is its stand-in there.
func TestHarnessRandom(t *testing.T) {
	total := agreeSize(t)
	r := newRand(5)
	rep := reporter{t: t}
	// Stop once maxReported mismatches are in: a broken kernel is
	// reported, and the rest of the run would add nothing.
	for done := 0; done < total && rep.n < maxReported; {
		in := randomKernelInputs(r, 4096+r.Intn(17))
		init := randomLanes(r)
		var model map[string][]float32
		if len(simdPaths()) > 0 {
			model = modelOutputs(allRows(), in)
		}
		for _, p := range available {
			exercised.Store(p, true)
			rep.agreement(p, allRows(), in, init, model)
		}
		done += len(in.x)
	}
	rep.done()
}

// newRand returns the tests' source of random numbers for seed.
func newRand(seed int64) *rand.Rand { return rand.New(rand.NewSource(seed)) }

// ones returns n ones.
func ones(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 1
	}
	return v
}
