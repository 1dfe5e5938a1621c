package main

import "math"

// scores holds the per-class precision and recall of one model on one split.
// Precision is NaN for a class the model never predicts (0/0).
type scores struct {
	precision, recall, f1 [classes]float64
}

func score(pred []bool, s *split) scores {
	var tp, fp, fn [classes]int
	for i, p := range pred {
		c := i % classes
		switch y := s.y[i] == 1; {
		case p && y:
			tp[c]++
		case p:
			fp[c]++
		case y:
			fn[c]++
		}
	}
	var sc scores
	for c := range classes {
		sc.precision[c] = ratio(tp[c], tp[c]+fp[c])
		sc.recall[c] = ratio(tp[c], tp[c]+fn[c])
		sc.f1[c] = ratio(2*tp[c], 2*tp[c]+fp[c]+fn[c])
	}
	return sc
}

func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

// mean is the unweighted mean over the classes (macro average), counting an
// undefined (NaN) entry as 0: a class never predicted earns no precision.
func mean(v [classes]float64) float64 {
	var s float64
	for _, x := range v {
		if !math.IsNaN(x) {
			s += x
		}
	}
	return s / classes
}

// baselineF1 is the macro F1 of the best trivial classifier that ignores
// the image: calling every image positive for every class (recall 1,
// precision the class's share of the split). Calling every image negative
// scores 0.
func baselineF1(s *split) float64 {
	var f [classes]float64
	pos := s.positives()
	for c, p := range pos {
		prec := float64(p) / float64(s.n)
		f[c] = 2 * prec / (prec + 1)
	}
	return mean(f)
}
