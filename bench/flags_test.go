package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// runFlags runs the benchmark with args and without -q, so that stderr shows
// whether measuring started ("bench: preparing ..." is its first line).
func runFlags(t *testing.T, args ...string) (stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(args, &out, &errOut)
	return errOut.String(), err
}

// TestFlagErrorsBeforeMeasuring requires every bad flag to be an error
// naming the problem, returned before any measurement starts: a run of
// minutes must not end in a rejected file name, and a flag must never panic
// or be blamed on the time budget.
func TestFlagErrorsBeforeMeasuring(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	maxInt := strconv.Itoa(int(^uint(0) >> 1))
	for _, c := range []struct {
		args []string
		want string // a word the error must contain
	}{
		// A reversed range once gave no sizes and an index out of range.
		{[]string{"-sizes", "16Mi..1Ki"}, "reversed"},
		// 7 elements are no whole group of WeightedMean's 10 classes: this
		// was reported as "the time budget ran out".
		{[]string{"-sizes", "7", "-funcs", "WeightedMean"}, "WeightedMean"},
		{[]string{"-sizes", "1Ki,7"}, "WeightedMean"},
		{[]string{"-scaling-n", "9", "-sizes", "1Ki"}, "WeightedMean"},
		// A name is a file name, never a path: "../../etc/x" once ran the
		// whole benchmark and then wrote outside -out.
		{[]string{"-name", "../../etc/x", "-out", dir}, "name"},
		{[]string{"-name", "a/b", "-out", dir}, "name"},
		{[]string{"-name", "..", "-out", dir}, "name"},
		// An -out that cannot be a directory fails before measuring.
		{[]string{"-out", file}, "out"},
		{[]string{"-out", filepath.Join(file, "sub")}, "out"},
		// Sizes beyond int (or beyond what the inputs can allocate) are
		// errors, not wrapped-around numbers.
		{[]string{"-sizes", maxInt + "Ki"}, "size"},
		{[]string{"-sizes", maxInt}, "size"},
		{[]string{"-threads", "-1"}, "threads"},
		{[]string{"-reps", "-1"}, "reps"},
		{[]string{"-budget", "-1s"}, "budget"},
	} {
		args := append([]string{"-quick"}, c.args...)
		stderr, err := runFlags(t, args...)
		if err == nil {
			t.Errorf("bench %s: no error", strings.Join(args, " "))
			continue
		}
		if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(c.want)) {
			t.Errorf("bench %s: error %q does not mention %q", strings.Join(args, " "), err, c.want)
		}
		if strings.Contains(stderr, "preparing") {
			t.Errorf("bench %s: measuring started before the error %q", strings.Join(args, " "), err)
		}
	}
	// Nothing may have been written next to or above -out.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the failed runs left %v in %s", names, dir)
	}
}

// TestSizeRanges checks the ranges that are valid, including one whose
// upper end is not on the ×4 grid and a single-size range.
func TestSizeRanges(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []int
	}{
		{"1Ki..16Ki", []int{1 << 10, 4 << 10, 16 << 10}},
		{"1Ki..20Ki", []int{1 << 10, 4 << 10, 16 << 10}},
		{"4Ki..4Ki", []int{4 << 10}},
		{"16Ki,1Ki..4Ki", []int{1 << 10, 4 << 10, 16 << 10}},
	} {
		got, err := parseSizes(c.in)
		if err != nil || !slicesEqual(got, c.want) {
			t.Errorf("parseSizes(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	// A range up to the largest int must end, not wrap around to 0 and
	// loop forever.
	maxInt := int(^uint(0) >> 1)
	got, err := parseSizes("1.." + strconv.Itoa(maxInt))
	if err != nil || len(got) == 0 || got[len(got)-1] > maxInt/4*4 {
		t.Errorf("parseSizes(1..maxInt) = %v, %v", got, err)
	}
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestCompareName requires compare's -name to be a file name too.
func TestCompareName(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run([]string{"compare", "-out", t.TempDir(), "-name", "../x", "testdata/sample-a.json"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "name") {
		t.Errorf("compare -name ../x: error %v, want one about the name", err)
	}
}
