package bce

import (
	"fmt"
	"testing"
)

// The public-level counterpart of TestHarnessTails (harness_test.go), for
// what the kernel table does not see: the chunking of the public functions
// and Criterion's weight and positive-weight buffers. Every public function
// on every path, for
// every length 0..guardMaxLen and every start offset 0..15 elements, with
// each output inside NaN-filled guard regions that must be untouched
// afterwards. Per-element outputs must equal those of one call over the whole
// input (no element depends on its position), and every reduction must equal
// the lane-order fold of the per-element losses (no element missed or
// counted twice, whatever the tail).

const (
	guardMaxLen = 300
	guardOffs   = 16
)

// guardOp is one public function; per-element ops write dst, reductions
// return a value.
type guardOp struct {
	name string
	// run calls the function on n elements; w is the weight slice for
	// that call (the same elements as x).
	run func(dst, x, y, w []float32) float32
	// perElem ops write dst; the others return a reduction that must equal
	// want(losses, weights) of the per-element op lossOp.
	perElem bool
	lossOp  string
	want    func(losses, w []float32) float32
	needC5  bool // the op uses 5 classes: run only when 5 divides n
}

func guardOps() []guardOp {
	cw := func(w []float32) Criterion {
		return Criterion{Weight: w, PosWeight: []float32{2.5}, LabelSmoothing: 0.1, GradScale: 0.5}
	}
	c5 := func(w []float32) Criterion {
		return Criterion{Weight: w, PosWeight: []float32{1, 9, 0, 0.5, 3}, LabelSmoothing: 0.02}
	}
	sum := func(l, _ []float32) float32 { return float32(laneFold(l)) }
	mean := func(l, _ []float32) float32 { return float32(laneFold(l) / float64(len(l))) }
	wmean := func(l, w []float32) float32 { return float32(laneFold(l) / laneFold(w)) }
	return []guardOp{
		{name: "Loss", perElem: true, run: func(d, x, y, _ []float32) float32 { Loss(d, x, y); return 0 }},
		{name: "Grad", perElem: true, run: func(d, x, y, _ []float32) float32 { Grad(d, x, y); return 0 }},
		{name: "Sigmoid", perElem: true, run: func(d, x, _, _ []float32) float32 { Sigmoid(d, x); return 0 }},
		{name: "LossGrad(sum) grad", perElem: true, run: func(d, x, y, _ []float32) float32 {
			Criterion{Reduction: ReduceSum, GradScale: 0.75}.LossGrad(d, x, y)
			return 0
		}},
		{name: "WLoss", perElem: true, run: func(d, x, y, w []float32) float32 { cw(w).Loss(d, x, y); return 0 }},
		{name: "WGrad", perElem: true, run: func(d, x, y, w []float32) float32 { cw(w).Grad(d, x, y); return 0 }},
		{name: "WLossGrad grad", perElem: true, run: func(d, x, y, w []float32) float32 {
			c := cw(w)
			c.Reduction = ReduceSum
			c.LossGrad(d, x, y)
			return 0
		}},
		{name: "W5Loss", perElem: true, needC5: true, run: func(d, x, y, w []float32) float32 { c5(w).Loss(d, x, y); return 0 }},
		{name: "Sum", lossOp: "Loss", want: sum, run: func(_, x, y, _ []float32) float32 { return Sum(x, y) }},
		{name: "Mean", lossOp: "Loss", want: mean, run: func(_, x, y, _ []float32) float32 { return Mean(x, y) }},
		{name: "LossGrad", lossOp: "Loss", want: mean, run: func(d, x, y, _ []float32) float32 { return LossGrad(d, x, y) }},
		{name: "WReduce(sum)", lossOp: "WLoss", want: sum, run: func(_, x, y, w []float32) float32 {
			c := cw(w)
			c.Reduction = ReduceSum
			return c.Reduce(x, y)
		}},
		{name: "WReduce(wmean)", lossOp: "WLoss", want: wmean, run: func(_, x, y, w []float32) float32 {
			c := cw(w)
			c.Reduction = ReduceWeightMean
			return c.Reduce(x, y)
		}},
		{name: "WLossGrad(wmean)", lossOp: "WLoss", want: wmean, run: func(d, x, y, w []float32) float32 {
			c := cw(w)
			c.Reduction = ReduceWeightMean
			return c.LossGrad(d, x, y)
		}},
		{name: "W5LossGrad(mean)", lossOp: "W5Loss", want: mean, needC5: true, run: func(d, x, y, w []float32) float32 {
			return c5(w).LossGrad(d, x, y)
		}},
	}
}

// laneFold sums v in the documented order, written apart from order.go:
// blocks of 64 Ki elements, each into its own 16 float64 lanes (element i
// into lane i%16, in index order), the blocks' lanes merged the way a
// binary counter carries (two runs of the same number of blocks merge as
// soon as the second completes; at the end the runs left merge from the
// right), and the root's lanes folded j += j+8, j+4, j+2, j+1.
func laneFold(v []float32) float64 {
	type run struct {
		blocks int
		acc    [16]float64
	}
	var runs []run
	merge := func() {
		a, b := &runs[len(runs)-2], &runs[len(runs)-1]
		for j := range a.acc {
			a.acc[j] += b.acc[j]
		}
		a.blocks += b.blocks
		runs = runs[:len(runs)-1]
	}
	for lo := 0; lo < len(v); lo += 1 << 16 {
		r := run{blocks: 1}
		for i, x := range v[lo:min(len(v), lo+1<<16)] {
			r.acc[i%16] += float64(x)
		}
		runs = append(runs, r)
		for len(runs) >= 2 && runs[len(runs)-1].blocks == runs[len(runs)-2].blocks {
			merge()
		}
	}
	if len(runs) == 0 {
		return 0
	}
	for len(runs) >= 2 {
		merge()
	}
	return fold16(&runs[0].acc)
}

func TestTailsAndGuards(t *testing.T) {
	total := guardMaxLen + guardOffs
	bx, by := randomInputs(total, 21)
	bw := randomWeights(total, 22)
	ops := guardOps()
	forEachPath(t, func(t *testing.T) {
		// Per-element outputs of one call over the first guardMaxLen
		// elements (a multiple of 5, for the five-class op).
		full := map[string][]float32{}
		for _, op := range ops {
			if op.perElem {
				out := make([]float32, guardMaxLen)
				op.run(out, bx[:guardMaxLen], by[:guardMaxLen], bw[:guardMaxLen])
				full[op.name] = out
			}
		}
		for n := 0; n <= guardMaxLen; n++ {
			for off := 0; off < guardOffs; off++ {
				// Inputs at offset off, the output at another offset, so
				// that inputs and output are misaligned differently.
				x, xb := guardedCopy(bx[:n], off)
				y, yb := guardedCopy(by[:n], (off+5)%guardOffs)
				w, wb := guardedCopy(bw[:n], (off+11)%guardOffs)
				doff := (off * 7) % guardOffs
				for _, op := range ops {
					if op.needC5 && n%5 != 0 {
						continue
					}
					dst, db := guarded(n, doff)
					what := fmt.Sprintf("%s n=%d off=%d", op.name, n, off)
					got := op.run(dst, x, y, w)
					checkGuards(t, db, doff, nil, what)
					if op.perElem {
						for i := range dst {
							if !sameBits(dst[i], full[op.name][i]) {
								t.Fatalf("%s: element %d = %v, want %v (as in one call over all elements)", what, i, dst[i], full[op.name][i])
							}
						}
					} else if want := op.want(full[op.lossOp][:n], bw[:n]); !sameBits(got, want) {
						t.Fatalf("%s: got %v, want %v (the lane-order fold of the per-element losses)", what, got, want)
					}
				}
				checkGuards(t, xb, off, bx[:n], "logits")
				checkGuards(t, yb, (off+5)%guardOffs, by[:n], "targets")
				checkGuards(t, wb, (off+11)%guardOffs, bw[:n], "weights")
			}
		}
	})
}

// TestLossGradScale checks that LossGrad's gradient is float32(1/n) times
// Grad's, element by element, on every path.
func TestLossGradScale(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		for _, n := range []int{1, 3, 16, 31, 100, 1000, 4097} {
			x, y := randomInputs(n, int64(n))
			g, lg := make([]float32, n), make([]float32, n)
			Grad(g, x, y)
			LossGrad(lg, x, y)
			s := float32(1 / float64(n))
			for i := range g {
				if !sameBits(lg[i], s*g[i]) {
					t.Fatalf("n=%d: LossGrad grad[%d] = %v, want float32(1/n)*Grad = %v", n, i, lg[i], s*g[i])
				}
			}
		}
	})
}
