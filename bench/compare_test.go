package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCompareRenders(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	md := filepath.Join(dir, "table.md")
	// The samples' scalings differ in N: -force is needed.
	args := []string{"compare", "-force", "-out", dir, "-name", "chart", "-md", md,
		filepath.Join("testdata", "sample-a.json"), filepath.Join("testdata", "sample-b.json")}
	if err := run(args, &out, &errOut); err != nil {
		t.Fatalf("compare: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{"-force: sample-a's scaling is at N=256Ki and sample-b's at N=1Mi", "sample-a: bce devel at "} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
	for _, want := range []string{"# bce benchmark comparison", "sample-a generic", "sample-b generic", "## Sigmoid", "## Multi-core scaling"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the comparison lacks %q", want)
		}
	}
	if b, err := os.ReadFile(md); err != nil || len(b) == 0 {
		t.Errorf("-md file: %v, %d bytes", err, len(b))
	}
	svg, err := os.ReadFile(filepath.Join(dir, "chart.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("WeightedMean")) {
		t.Errorf("chart.svg (%d bytes) is not an SVG of the panels", len(svg))
	}
	f, err := os.Open(filepath.Join(dir, "chart.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 500 || b.Dy() < 300 {
		t.Errorf("chart.png is %v", b)
	}
}

func TestCompareErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run([]string{"compare"}, &out, &errOut); err == nil {
		t.Error("compare without reports succeeded")
	}
	if err := run([]string{"compare", "testdata/missing.json"}, &out, &errOut); err == nil {
		t.Error("compare of a missing file succeeded")
	}
}

func TestAssignLabels(t *testing.T) {
	reps := []labelled{
		{Report: &Report{Machine: Machine{Name: "a", Revision: "r1"}}},
		{Report: &Report{Machine: Machine{Name: "a", Revision: "r2"}}},
		{Report: &Report{Machine: Machine{Name: "b"}}},
	}
	assignLabels(reps)
	got := []string{reps[0].label, reps[1].label, reps[2].label}
	want := []string{"a@r1#1", "a@r2#2", "b"}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("labels = %q, want %q", got, want)
			break
		}
	}
}

// TestCompareRefusesOtherSettings: reports made with different settings are
// not compared without -force, and nothing is written.
func TestCompareRefusesOtherSettings(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	err := run([]string{"compare", "-out", dir, filepath.Join("testdata", "sample-a.json"), filepath.Join("testdata", "sample-b.json")}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "scaling is at N=256Ki") || !strings.Contains(err.Error(), "-force") {
		t.Errorf("compare of reports with other scaling N: err = %v", err)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("a refused compare wrote %d files", len(files))
	}
	a, err := readReport(filepath.Join("testdata", "sample-a.json"))
	if err != nil {
		t.Fatal(err)
	}
	full := *a
	full.Settings.Quick = false
	if err := sameSettings([]labelled{{"quick", a}, {"full", &full}}); err == nil || !strings.Contains(err.Error(), "-quick") {
		t.Errorf("a -quick report against a full one: %v", err)
	}
	if err := sameSettings([]labelled{{"a", a}, {"a2", a}}); err != nil {
		t.Errorf("a report against itself: %v", err)
	}
}

// TestCompareDefaultOut: without -out the charts go to a new temporary
// directory, which the output names, and not into the working directory.
func TestCompareDefaultOut(t *testing.T) {
	var out, errOut bytes.Buffer
	sample, err := filepath.Abs(filepath.Join("testdata", "sample-a.json"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	if err := run([]string{"compare", sample}, &out, &errOut); err != nil {
		t.Fatalf("compare: %v\n%s", err, errOut.String())
	}
	if files, _ := os.ReadDir("."); len(files) != 0 {
		t.Errorf("compare wrote %d files into the working directory", len(files))
	}
	i := strings.LastIndex(out.String(), "wrote ")
	if i < 0 {
		t.Fatalf("the output names no chart:\n%s", out.String())
	}
	svg := strings.Fields(out.String()[i+len("wrote "):])[0]
	if !strings.HasPrefix(svg, os.TempDir()) {
		t.Errorf("chart %q is not under %s", svg, os.TempDir())
	}
	if _, err := os.Stat(svg); err != nil {
		t.Error(err)
	}
	os.RemoveAll(filepath.Dir(svg))
}

// TestLogTicks: every y range gets at least minTickLabels labels, wide ones
// only at 1, 2 and 5 times the powers of ten.
func TestLogTicks(t *testing.T) {
	for _, c := range []struct{ lo, hi float64 }{{0.05, 20}, {0.3, 3}, {1.1, 1.9}, {1.21, 1.29}, {0.0123, 0.0131}, {40, 95}} {
		var labels []string
		for _, tk := range logTicks(c.lo, c.hi) {
			if tk.Value < c.lo || tk.Value > c.hi {
				t.Errorf("[%g, %g]: tick %g outside", c.lo, c.hi, tk.Value)
			}
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if len(labels) < minTickLabels {
			t.Errorf("[%g, %g]: labels %q, want at least %d", c.lo, c.hi, labels, minTickLabels)
		}
		if c.hi/c.lo >= 10 && len(labels) > 9 {
			t.Errorf("[%g, %g]: %d labels on a wide range: %q", c.lo, c.hi, len(labels), labels)
		}
		t.Logf("[%g, %g]: %q", c.lo, c.hi, labels)
	}
}
