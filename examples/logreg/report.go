package main

import (
	"fmt"
	"io"
)

// printCurve prints J every k epochs and at the last one; k = 0 picks about
// twenty lines.
func printCurve(out io.Writer, curve []float64, k int) {
	last := len(curve) - 1
	if k == 0 {
		k = max(1, last/20)
	}
	fmt.Fprintf(out, "%8s  %s\n", "epoch", "J")
	for t, j := range curve {
		if t%k == 0 || t == last {
			fmt.Fprintf(out, "%8d  %.8g\n", t, j)
		}
	}
}

// printConfusion prints the confusion matrix, true classes down the rows and
// predicted classes across the columns.
func printConfusion(out io.Writer, m [2][2]int, classes [2]string) {
	w := max(len(classes[0]), len(classes[1]), len("predicted"), 6)
	fmt.Fprintln(out, "confusion matrix (rows: true class, columns: predicted class):")
	fmt.Fprintf(out, "%-*s  %*s  %*s\n", w, "", w, classes[0], w, classes[1])
	for i := range 2 {
		fmt.Fprintf(out, "%-*s  %*d  %*d\n", w, classes[i], w, m[i][0], w, m[i][1])
	}
}
