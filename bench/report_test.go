package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

func TestReportJSONRoundTrip(t *testing.T) {
	for _, name := range []string{"sample-a", "sample-b"} {
		r, err := readReport(filepath.Join("testdata", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Results) == 0 || len(r.Scaling) == 0 {
			t.Fatalf("%s: no results", name)
		}
		path := filepath.Join(t.TempDir(), "r.json")
		if err := r.writeJSON(path); err != nil {
			t.Fatal(err)
		}
		back, err := readReport(path)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(r, back) {
			t.Errorf("%s: the report changed in a JSON round trip", name)
		}
		// derive must reproduce the derived fields stored in the file.
		again := *back
		again.Results = append([]Result(nil), back.Results...)
		again.Scaling = append([]ScalingResult(nil), back.Scaling...)
		again.derive()
		if !reflect.DeepEqual(&again, back) {
			t.Errorf("%s: derive does not reproduce the stored derived fields", name)
		}
	}
}

func TestReadReportRejectsOtherSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(path, []byte(`{"schema": "bce-bench/0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readReport(path); err == nil || !strings.Contains(err.Error(), "schema") {
		t.Fatalf("readReport of another schema: err = %v", err)
	}
}

// TestSchemaDocumented checks that README.md documents every JSON field the
// report writes, so the schema and its documentation cannot drift apart.
func TestSchemaDocumented(t *testing.T) {
	doc, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	r, err := readReport(filepath.Join("testdata", "sample-a.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	collectKeys(t, b, keys)
	for k := range keys {
		if !regexp.MustCompile("`" + regexp.QuoteMeta(k) + "`").Match(doc) {
			t.Errorf("README.md does not document the JSON field %q", k)
		}
	}
	if !strings.Contains(string(doc), schemaVersion) {
		t.Errorf("README.md does not name the schema %q", schemaVersion)
	}
}

func collectKeys(t *testing.T, b []byte, keys map[string]bool) {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				keys[k] = true
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
}

func TestMarkdownAndText(t *testing.T) {
	r, err := readReport(filepath.Join("testdata", "sample-a.json"))
	if err != nil {
		t.Fatal(err)
	}
	var md, txt strings.Builder
	r.writeMarkdown(&md)
	r.writeText(&txt)
	for _, want := range []string{"## Summary", "### Loss (12 B/element)", "### WeightedMean", "## Multi-core scaling", "| 1Ki |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	for _, want := range []string{"Summary:", "Loss (12 B/element)", "Multi-core scaling", "roofline GB/s"} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

func TestSig3(t *testing.T) {
	for v, want := range map[float64]string{0.1: "0.100", 0.04491: "0.0449", 12.34: "12.3", 123.4: "123", 1.5: "1.50"} {
		if got := sig3(v); got != want {
			t.Errorf("sig3(%v) = %q, want %q", v, got, want)
		}
	}
}

// TestMedianCI checks the order statistics of the median's interval against
// the binomial coverage worked by hand: n = 10 gives x(2)..x(9) (97.9%;
// x(3)..x(8) would be 89.1%), n = 6 the extremes (96.9%), n = 5 none
// (93.75%), n = 20 x(6)..x(15) (95.9%; x(7)..x(14) would be 88.5%).
func TestMedianCI(t *testing.T) {
	seq := func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = float64(i + 1)
		}
		return s
	}
	for _, c := range []struct {
		n      int
		lo, hi float64
		ok     bool
	}{{3, 0, 0, false}, {5, 0, 0, false}, {6, 1, 6, true}, {7, 1, 7, true}, {10, 2, 9, true}, {20, 6, 15, true}} {
		lo, hi, ok := medianCI(seq(c.n))
		if lo != c.lo || hi != c.hi || ok != c.ok {
			t.Errorf("n=%d: medianCI = %v, %v, %v; want %v, %v, %v", c.n, lo, hi, ok, c.lo, c.hi, c.ok)
		}
	}
}

// TestReadReportV1 reads a report of the previous schema: its scaling was
// split by hand, and it has no intervals or state to print.
func TestReadReportV1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.json")
	old := `{"schema": "bce-bench/1", "scaling": [{"function": "Loss", "path": "avx2", "threads": 2}]}`
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := readReport(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Scaling[0].Split != splitChunks {
		t.Errorf("a version 1 scaling reads as split %q, want %q", r.Scaling[0].Split, splitChunks)
	}
	for _, l := range r.headerLines() {
		if strings.HasPrefix(l, "State:") {
			t.Errorf("a version 1 report prints a state it never recorded: %q", l)
		}
	}
}

func TestParseLoad(t *testing.T) {
	if l := parseLoad("0.52 1.07 2.50 3/412 12345"); len(l) != 3 || l[0] != 0.52 || l[2] != 2.5 {
		t.Errorf("parseLoad of /proc/loadavg's form = %v", l)
	}
	if l := parseLoad("1.5 x 2"); l != nil {
		t.Errorf("parseLoad of a bad line = %v, want nil", l)
	}
	s := State{LoadBefore: []float64{0.5, 0.4, 0.3}, LoadAfter: []float64{3.5, 1, 1}}
	if s.finishBusy(2); !s.Busy || !strings.Contains(s.line(), "BUSY") {
		t.Errorf("a load of 3.5 on 2 cores is not called busy: %q", s.line())
	}
	s = State{LoadBefore: []float64{0.5, 0.4, 0.3}, LoadAfter: []float64{1.9, 1, 1}}
	if s.finishBusy(2); s.Busy {
		t.Errorf("a load of 1.9 on 2 cores is called busy")
	}
}

// TestBenchfmt writes a report in Go's benchmark format and reads it back
// with golang.org/x/perf/benchfmt, the reader benchstat uses: one result
// per repetition, the best path twice (as itself and as path=best), and
// the config lines.
func TestBenchfmt(t *testing.T) {
	r := &Report{
		Schema:   schemaVersion,
		Machine:  Machine{Brand: "Some CPU", GOOS: "linux", GOARCH: "amd64", GOMAXPROCS: 2},
		Settings: Settings{Paths: []string{"avx512", "avx2"}},
		Results: []Result{
			{Function: "Mean", Path: "avx512", N: 1 << 16, Elements: 1 << 16, BytesPerElement: 8, Iters: 50, NsReps: []float64{0.5, 0.6}},
			{Function: "Mean", Path: "avx2", N: 1 << 16, Elements: 1 << 16, BytesPerElement: 8, Iters: 40, NsReps: []float64{0.8}},
		},
		Scaling: []ScalingResult{
			{Function: "Mean", Path: "avx512", N: 1 << 24, Elements: 1 << 24, BytesPerElement: 8, Threads: 2, Iters: 3, NsReps: []float64{0.25}},
		},
	}
	var b strings.Builder
	r.writeBenchfmt(&b)
	rd := benchfmt.NewReader(strings.NewReader(b.String()), "x.txt")
	got := map[string][]float64{}
	var cpu string
	for rd.Scan() {
		switch rec := rd.Result().(type) {
		case *benchfmt.Result:
			cpu = string(rec.GetConfig("cpu"))
			// benchfmt tidies ns/elem into sec/elem and ns/op into sec/op.
			sec, ok := rec.Value("sec/elem")
			if !ok {
				t.Fatalf("%s: no ns/elem", rec.Name)
			}
			ns := math.Round(sec*1e9*1e6) / 1e6
			got[string(rec.Name)] = append(got[string(rec.Name)], ns)
			elements := float64(int(1) << 16)
			if strings.Contains(string(rec.Name), "k=") {
				elements = 1 << 24
			}
			if op, _ := rec.Value("sec/op"); math.Abs(op*1e9-ns*elements) > 1e-6*ns*elements {
				t.Errorf("%s: %g sec/op for %g ns/elem over %g elements", rec.Name, op, ns, elements)
			}
		case *benchfmt.SyntaxError:
			t.Fatalf("syntax error: %v", rec)
		}
	}
	want := map[string][]float64{
		"Mean/n=64Ki/path=avx512":     {0.5, 0.6},
		"Mean/n=64Ki/path=best":       {0.5, 0.6},
		"Mean/n=64Ki/path=avx2":       {0.8},
		"Mean/n=16Mi/path=avx512/k=2": {0.25},
		"Mean/n=16Mi/path=best/k=2":   {0.25},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back %v, want %v", got, want)
	}
	if cpu != "Some CPU" {
		t.Errorf("cpu config %q", cpu)
	}
}
