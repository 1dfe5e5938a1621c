package main

import (
	"strings"
	"testing"
)

// TestPosWeightRaisesRecall trains both models for fewer epochs than the
// command's default (the comparison is already clear) and checks what the
// example is there to show: on held-out images the per-class positive
// weight raises the mean recall, and both models are far better than a
// trivial classifier.
func TestPosWeightRaisesRecall(t *testing.T) {
	var out strings.Builder
	r, err := run([]string{"-epochs", "300"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	for c, p := range r.pw {
		if p < 7 || p > 11 {
			t.Errorf("class %d: positive weight %v, want about 9 (one positive to nine negatives)", c, p)
		}
	}
	recall := [2]float64{mean(r.scores[0].recall), mean(r.scores[1].recall)}
	if !(recall[1] > recall[0]+0.02) {
		t.Errorf("mean recall: no weight %.3f, pos weight %.3f; want the weight to raise it", recall[0], recall[1])
	}
	for k := range 2 {
		f1 := mean(r.scores[k].f1)
		if !(f1 > 0.75 && f1 > 2*r.baseline) {
			t.Errorf("%s: macro F1 %.3f, trivial baseline %.3f", label[k], f1, r.baseline)
		}
		if r.top1[k] < 0.9 {
			t.Errorf("%s: top-1 accuracy %.3f, want at least 0.9 (a tenth is chance)", label[k], r.top1[k])
		}
	}
	if !strings.Contains(out.String(), "precision") {
		t.Error("no precision/recall table in the output")
	}
}

// TestPositiveWeightsFlag checks -posweight parsing: "auto" is the ratio of
// negatives to positives per class, a number applies to every class, and a
// negative or non-numeric value is refused.
func TestPositiveWeightsFlag(t *testing.T) {
	tr := &split{n: 10, digit: []int{0, 0, 1, 2, 3, 4, 5, 6, 7, 8}}
	if _, err := positiveWeights("auto", tr); err == nil {
		t.Error("auto with no image of digit 9: no error")
	}
	tr.digit[1] = 9
	pw, err := positiveWeights("auto", tr)
	if err != nil || pw[0] != 9 || pw[9] != 9 {
		t.Errorf("auto: %v, %v; want 9 for every class", pw, err)
	}
	if pw, err := positiveWeights("2.5", tr); err != nil || pw[4] != 2.5 {
		t.Errorf("2.5: %v, %v", pw, err)
	}
	for _, bad := range []string{"-1", "x", "NaN", "Inf"} {
		if _, err := positiveWeights(bad, tr); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestFocalRun checks the -focal run: its training objective falls at every
// epoch (the step is 1/L for the focal loss's own curvature bound), and on
// held-out images it is a real classifier, as good as the unweighted one to
// within a few points of mean recall.
func TestFocalRun(t *testing.T) {
	var out strings.Builder
	r, err := run([]string{"-epochs", "300", "-focal"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	if r.models != 3 || !strings.Contains(out.String(), "focal") {
		t.Fatalf("no focal model in the run:\n%s", out.String())
	}
	curve := r.curves[2]
	for e := 1; e < len(curve); e++ {
		if !(curve[e] <= curve[e-1]) {
			t.Fatalf("focal J rose at epoch %d: %v after %v", e, curve[e], curve[e-1])
		}
	}
	f1 := mean(r.scores[2].f1)
	if !(f1 > 0.75 && f1 > 2*r.baseline) || r.top1[2] < 0.9 {
		t.Errorf("focal: macro F1 %.3f (baseline %.3f), top-1 %.3f", f1, r.baseline, r.top1[2])
	}
	if rec := [2]float64{mean(r.scores[0].recall), mean(r.scores[2].recall)}; !(rec[1] > rec[0]-0.03) {
		t.Errorf("mean recall: no weight %.3f, focal %.3f", rec[0], rec[1])
	}
	for _, bad := range [][]string{{"-focal", "-gamma", "-1"}, {"-focal", "-alpha", "1"}, {"-gamma", "NaN"}} {
		if _, err := run(append([]string{"-epochs", "0"}, bad...), &out); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}
