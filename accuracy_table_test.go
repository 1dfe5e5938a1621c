package bce

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The published accuracy table. The accuracy tests measure the largest
// error of every function on every path; testdata/accuracy.tsv holds those
// maxima as the tests last measured them, and README's accuracy table is
// generated from that file (TestAccuracyTable). With BCE_UPDATE_ACCURACY=1
// the tests rewrite their rows of the file and TestAccuracyTable rewrites
// README's table:
//
//	BCE_EXHAUSTIVE=1 BCE_UPDATE_ACCURACY=1 go test -run 'TestAccuracy(Exhaustive|SoftLabels|Weighted|Table)$' -v .
//
// Without it, a test that measured a row's whole input set fails when its
// maximum differs from the file's, and TestAccuracyTable fails when README
// differs from the file: neither the file nor README can drift from the
// kernels.
const accuracyFile = "testdata/accuracy.tsv"

// accRow is one measured maximum: the largest error in ULP of function fn
// on path over the named inputs, at logit x.
type accRow struct {
	fn, path string
	ulp      float64
	x        float32
}

// accFns are the table's rows in order, with the inputs each is measured
// over and its documented bound.
var accFns = []struct{ fn, inputs, bound string }{
	{"Loss(y=0)", "all 2^32 logits", "1"},
	{"Loss(y=1)", "all 2^32 logits", "1"},
	{"Grad(y=0)", "all 2^32 logits", "1"},
	{"Grad(y=1)", "all 2^32 logits", "1"},
	{"Sigmoid", "all 2^32 logits", "1"},
	{"Softplus", "all 2^32 logits", "1"},
	{"LogSigmoid", "all 2^32 logits", "1"},
	{"Loss, y in [0,1]", "2^20 sampled logits x 9 targets", "2"},
	{"Grad, y in [0,1]", "2^20 sampled logits x 9 targets", "1.5 of max(sigmoid(x), y)"},
	{"weighted loss", "2^17 random inputs x 9 configurations", "3"},
	{"weighted and scaled gradient", "2^17 random inputs x 9 configurations", "3"},
}

// accPaths are the table's columns: the paths measured on amd64. neon is
// bit-identical to them (the harness and the golden digests check it under
// qemu), where an exhaustive sweep would take days.
var accPaths = []string{"avx512", "avx2", "generic"}

func updatingAccuracy() bool { return os.Getenv("BCE_UPDATE_ACCURACY") == "1" }

// formatULP is how a maximum is written, in the file and in README.
func formatULP(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

func readAccuracy() (map[[2]string]accRow, error) {
	raw, err := os.ReadFile(accuracyFile)
	if err != nil {
		return nil, err
	}
	rows := map[[2]string]accRow{}
	for i, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if i == 0 || line == "" {
			continue // the header
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("%s:%d: %d fields, want 4", accuracyFile, i+1, len(f))
		}
		ulp, err1 := strconv.ParseFloat(f[2], 64)
		x, err2 := strconv.ParseFloat(f[3], 32)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s:%d: bad numbers %q, %q", accuracyFile, i+1, f[2], f[3])
		}
		rows[[2]string{f[0], f[1]}] = accRow{f[0], f[1], ulp, float32(x)}
	}
	return rows, nil
}

func writeAccuracy(rows map[[2]string]accRow) error {
	var b strings.Builder
	b.WriteString("function\tpath\tmax_ulp\tat_x\n")
	for _, f := range accFns {
		for _, p := range append(slices.Clone(accPaths), "neon") {
			if r, ok := rows[[2]string{f.fn, p}]; ok {
				fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", r.fn, r.path, formatULP(r.ulp), strconv.FormatFloat(float64(r.x), 'g', -1, 32))
			}
		}
	}
	return os.WriteFile(accuracyFile, []byte(b.String()), 0o644)
}

// recordAccuracy writes rows into the file under BCE_UPDATE_ACCURACY=1, and
// otherwise requires each to equal the file's (same maximum to 3 decimals,
// same logit). A caller passes only rows it measured over the row's whole
// input set.
func recordAccuracy(t *testing.T, rows []accRow) {
	t.Helper()
	file, err := readAccuracy()
	if err != nil && !(updatingAccuracy() && os.IsNotExist(err)) {
		t.Fatal(err)
	}
	if file == nil {
		file = map[[2]string]accRow{}
	}
	for _, r := range rows {
		key := [2]string{r.fn, r.path}
		if updatingAccuracy() {
			file[key] = r
			continue
		}
		old, ok := file[key]
		if !ok {
			t.Errorf("%s %s: measured %s ULP at x=%v, which %s lacks (BCE_UPDATE_ACCURACY=1 records it)", r.path, r.fn, formatULP(r.ulp), r.x, accuracyFile)
		} else if formatULP(old.ulp) != formatULP(r.ulp) || old.x != r.x {
			t.Errorf("%s %s: measured %s ULP at x=%v, %s says %s at x=%v: rerun with BCE_UPDATE_ACCURACY=1 (see accuracy_table_test.go) and commit the file and README", r.path, r.fn, formatULP(r.ulp), r.x, accuracyFile, formatULP(old.ulp), old.x)
		}
	}
	if updatingAccuracy() {
		if err := writeAccuracy(file); err != nil {
			t.Fatal(err)
		}
	}
}

// The README block that TestAccuracyTable generates.
const (
	accBegin = "<!-- accuracy table: generated from testdata/accuracy.tsv by TestAccuracyTable (accuracy_table_test.go); do not edit -->"
	accEnd   = "<!-- end of the accuracy table -->"
)

// accuracyTable renders the file's rows as README's Markdown table.
func accuracyTable(rows map[[2]string]accRow) string {
	var b strings.Builder
	b.WriteString("| function | inputs | bound (ULP) |")
	for _, p := range accPaths {
		b.WriteString(" " + p + " |")
	}
	b.WriteString("\n|---|---|---|" + strings.Repeat("---|", len(accPaths)) + "\n")
	for _, f := range accFns {
		fmt.Fprintf(&b, "| %s | %s | %s |", f.fn, f.inputs, f.bound)
		for _, p := range accPaths {
			r, ok := rows[[2]string{f.fn, p}]
			if !ok {
				b.WriteString(" - |")
				continue
			}
			fmt.Fprintf(&b, " %s (x = %s) |", formatULP(r.ulp), strconv.FormatFloat(float64(r.x), 'g', 4, 32))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestAccuracyTable checks that README's accuracy table is the one
// generated from testdata/accuracy.tsv, and rewrites it under
// BCE_UPDATE_ACCURACY=1.
func TestAccuracyTable(t *testing.T) {
	rows, err := readAccuracy()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range accFns {
		for _, p := range accPaths {
			if _, ok := rows[[2]string{f.fn, p}]; !ok {
				t.Errorf("%s has no row for %s on %s", accuracyFile, f.fn, p)
			}
		}
	}
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	i, j := strings.Index(readme, accBegin), strings.Index(readme, accEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the generated accuracy table's markers %q ... %q", accBegin, accEnd)
	}
	want := accBegin + "\n" + accuracyTable(rows) + accEnd
	if got := readme[i : j+len(accEnd)]; got != want {
		if updatingAccuracy() {
			if err := os.WriteFile("README.md", []byte(readme[:i]+want+readme[j+len(accEnd):]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README.md's accuracy table is not the one generated from %s; BCE_UPDATE_ACCURACY=1 go test -run TestAccuracyTable . rewrites it. Want:\n%s", accuracyFile, want)
	}
}

// TestAccuracyTableRoundTrip: a row survives the file's format.
func TestAccuracyTableRoundTrip(t *testing.T) {
	r := accRow{"Sigmoid", "avx2", 0.9614, -86.25}
	got := accuracyTable(map[[2]string]accRow{{r.fn, r.path}: r})
	if !strings.Contains(got, "| Sigmoid | all 2^32 logits | 1 | - | 0.961 (x = -86.25) | - |") {
		t.Errorf("rendered:\n%s", got)
	}
	if x := float32(math.Float32frombits(0x42ac8000)); strconv.FormatFloat(float64(x), 'g', -1, 32) != "86.25" {
		t.Errorf("logits are written as %s", strconv.FormatFloat(float64(x), 'g', -1, 32))
	}
}
