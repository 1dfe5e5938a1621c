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
	args := []string{"compare", "-out", dir, "-name", "chart", "-md", md,
		filepath.Join("testdata", "sample-a.json"), filepath.Join("testdata", "sample-b.json")}
	if err := run(args, &out, &errOut); err != nil {
		t.Fatalf("compare: %v\n%s", err, errOut.String())
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
