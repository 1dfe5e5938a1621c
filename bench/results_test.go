package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestResultsREADME ties README.md's account of each committed report in
// results/ to the report itself: the README must give its measurement time
// and revision, so that a replaced report cannot keep an old description
// (the README once said "measured under load" of a report measured on a
// quiet moment).
func TestResultsREADME(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(readme)), " ")
	files, err := filepath.Glob("results/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no reports in results/: %v", err)
	}
	for _, f := range files {
		r, err := readReport(f)
		if err != nil {
			t.Fatal(err)
		}
		when := r.Created.UTC().Format("2006-01-02 15:04 UTC")
		rev := strings.TrimSuffix(r.Machine.Revision, "-dirty")
		if len(rev) > 7 {
			rev = rev[:7]
		}
		for _, want := range []string{filepath.Base(f), when, "revision " + rev} {
			if !strings.Contains(text, want) {
				t.Errorf("README.md does not say %q about %s (measured %s at %s)", want, f, when, r.Machine.Revision)
			}
		}
		if r.Skipped != 0 && !strings.Contains(text, "skipped") {
			t.Errorf("%s skipped %d measurements; README.md does not say so", f, r.Skipped)
		}
	}
}
