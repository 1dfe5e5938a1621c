package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fastbce/bce"
)

// TestQuickRun runs "go run ./bench -quick" in process, so that CI catches a
// program that no longer runs.
func TestQuickRun(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	start := time.Now()
	// The budget is raised so that a slow machine (an emulator, -race)
	// still measures everything: this test checks that the program works.
	if err := run([]string{"-quick", "-q", "-budget", "10m", "-out", dir, "-name", "quick"}, &out, &errOut); err != nil {
		t.Fatalf("bench -quick: %v\n%s", err, errOut.String())
	}
	t.Logf("bench -quick took %v", time.Since(start))
	r, err := readReport(filepath.Join(dir, "quick.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Skipped != 0 {
		t.Errorf("%d measurements skipped", r.Skipped)
	}
	variants := len(bce.Paths()) + 2
	if want := len(functions) * len(r.Settings.Sizes) * variants; len(r.Results) != want {
		t.Errorf("%d results, want %d", len(r.Results), want)
	}
	for _, x := range r.Results {
		if !(x.NsPerElement > 0) || x.Elements <= 0 || x.Elements > x.N {
			t.Errorf("bad result %+v", x)
		}
		if x.Path != pathPlain && !(x.SpeedupVsPlain > 0) {
			t.Errorf("%s %s N=%d: no speedup", x.Function, x.Path, x.N)
		}
	}
	if want := len(functions) * 2 * r.Settings.MaxThreads; len(r.Scaling) != want {
		t.Errorf("%d scaling results, want %d", len(r.Scaling), want)
	}
	for _, x := range r.Scaling {
		// The library's paths fan out with Criterion.Goroutines; the
		// roofline, and Sigmoid, which has no such form, are split by hand.
		want := splitGoroutines
		if x.Path == pathRoofline || x.Function == "Sigmoid" {
			want = splitChunks
		}
		if x.Split != want {
			t.Errorf("%s %s k=%d: split %q, want %q", x.Function, x.Path, x.Threads, x.Split, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "quick.md")); err != nil {
		t.Error(err)
	}
	if bce.Path() != bce.Paths()[0] {
		t.Errorf("the run left path %q selected", bce.Path())
	}
	t.Logf("paths %v", r.Machine.Paths)
	for _, want := range []string{"CPU:", "Summary:", "Multi-core scaling"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-funcs", "Nope"},
		{"-paths", "sse9"},
		{"-sizes", "0"},
		{"-sizes", "12Q"},
		{"extra"},
	} {
		var out, errOut bytes.Buffer
		if err := run(append(args, "-q"), &out, &errOut); err == nil {
			t.Errorf("run %q succeeded", args)
		}
	}
}

func TestSizes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{{"4096", 4096}, {"4Ki", 4096}, {"4k", 4096}, {"16Mi", 16 << 20}, {"16M", 16 << 20}, {"1Gi", 1 << 30}} {
		if got, err := parseSize(c.in); err != nil || got != c.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	got, err := parseSizes("1Ki..64Mi")
	if err != nil || len(got) != 9 || got[0] != 1024 || got[8] != 64<<20 {
		t.Errorf("parseSizes(1Ki..64Mi) = %v, %v", got, err)
	}
	// Every value fits in a 32-bit int: GOARCH=386 and arm vet this file.
	for _, n := range []int{1, 1000, 1024, 3 << 10, 1 << 20, 1<<30 + 1<<10, 1 << 30} {
		if back, err := parseSize(formatSize(n)); err != nil || back != n {
			t.Errorf("parseSize(formatSize(%d) = %q) = %d, %v", n, formatSize(n), back, err)
		}
	}
}

func TestShortName(t *testing.T) {
	for _, c := range []struct {
		m    Machine
		want string
	}{
		{Machine{Brand: "AMD Ryzen 9 7950X 16-Core Processor", GOARCH: "amd64"}, "amd-ryzen-9-7950x"},
		{Machine{Brand: "Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz", GOARCH: "amd64"}, "intel-core-i7-8650u"},
		{Machine{Brand: "AMD EPYC", Family: 26, Model: 2, GOARCH: "amd64"}, "amd-epyc-f26m2"},
		{Machine{Brand: "Apple M2 Pro", GOARCH: "arm64"}, "apple-m2-pro-arm64"},
	} {
		if got := shortName(&c.m); got != c.want {
			t.Errorf("shortName(%q) = %q, want %q", c.m.Brand, got, c.want)
		}
	}
}

func TestDetectMachine(t *testing.T) {
	m := detectMachine("")
	if m.Name == "" || m.GOARCH == "" || m.GoVersion == "" || m.Library == "" || len(m.Paths) == 0 {
		t.Errorf("detectMachine = %+v", m)
	}
}
