package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
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
