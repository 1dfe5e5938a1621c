//go:build !purego

package bce

import (
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"
)

// The ISA audit: every CPU feature that the "// Requires:" lines of
// bce_amd64.s (written by avo from the instructions each function uses) name
// for a path's functions must be checked by that path's dispatch predicate,
// or be listed in isaBaseline with the reason it needs no check. A path
// selected on a CPU that lacks one of its features would die of SIGILL.

// isaFlags maps avo's ISA names to the golang.org/x/sys/cpu field that
// reports the feature. x/sys/cpu reports the AVX family only when the OS
// saves the YMM/ZMM state too (XGETBV), so the field is the whole condition.
var isaFlags = map[string]*bool{
	"AVX":             &cpu.X86.HasAVX,
	"AVX2":            &cpu.X86.HasAVX2,
	"FMA3":            &cpu.X86.HasFMA,
	"AVX512F":         &cpu.X86.HasAVX512F,
	"AVX512DQ":        &cpu.X86.HasAVX512DQ,
	"AVX512BW":        &cpu.X86.HasAVX512BW,
	"AVX512VL":        &cpu.X86.HasAVX512VL,
	"AVX512CD":        &cpu.X86.HasAVX512CD,
	"AVX512IFMA":      &cpu.X86.HasAVX512IFMA,
	"AVX512VBMI":      &cpu.X86.HasAVX512VBMI,
	"AVX512VBMI2":     &cpu.X86.HasAVX512VBMI2,
	"AVX512VNNI":      &cpu.X86.HasAVX512VNNI,
	"AVX512VPOPCNTDQ": &cpu.X86.HasAVX512VPOPCNTDQ,
	"AVX512BITALG":    &cpu.X86.HasAVX512BITALG,
	"BMI":             &cpu.X86.HasBMI1,
	"BMI2":            &cpu.X86.HasBMI2,
	"ADX":             &cpu.X86.HasADX,
	"AES":             &cpu.X86.HasAES,
	"PCLMULQDQ":       &cpu.X86.HasPCLMULQDQ,
	"POPCNT":          &cpu.X86.HasPOPCNT,
	"SSE3":            &cpu.X86.HasSSE3,
	"SSSE3":           &cpu.X86.HasSSSE3,
	"SSE4.1":          &cpu.X86.HasSSE41,
	"SSE4.2":          &cpu.X86.HasSSE42,
}

// isaBaseline lists the features that need no run-time check, each with the
// reason. Every amd64 CPU implements x86-64-v1, which Go requires
// (GOAMD64=v1): CMOV, CX8, FPU, FXSR, MMX, SSE and SSE2.
var isaBaseline = map[string]string{
	"SSE":   "x86-64-v1, required by Go on amd64",
	"SSE2":  "x86-64-v1, required by Go on amd64",
	"CMOV":  "x86-64-v1, required by Go on amd64",
	"MMX":   "x86-64-v1, required by Go on amd64",
	"CPUID": "every amd64 CPU has CPUID (Go's runtime executes it at start-up)",
	// avo files PREFETCHT0/T1/T2/NTA (and PMINUB, PMOVMSKB, ...) under
	// AMD's "MMX extensions"; Intel added the same instructions with SSE,
	// so every x86-64-v1 CPU has them. (PREFETCHW, avo's "PREFETCHW", is not
	// baseline and is deliberately absent here.)
	"MMX+": "AMD's MMX extensions (PREFETCHT0 etc.), part of SSE: x86-64-v1",
}

// isaPathSuffix assigns each assembly function to its path by its name.
var isaPathSuffix = []struct {
	suffix string
	path   pathID
}{{"AVX512", pathAVX512}, {"AVX2", pathAVX2}}

var (
	isaRequires = regexp.MustCompile(`^// Requires: (.*)$`)
	isaText     = regexp.MustCompile(`^TEXT ·([A-Za-z0-9_]+)\(SB\)`)
)

// isaFeatures reads bce_amd64.s and returns, per path, the union of the
// features its functions require, and the functions it found.
func isaFeatures(t *testing.T) (map[pathID][]string, []string) {
	src, err := os.ReadFile("bce_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	need := map[pathID][]string{}
	var funcs, pending []string
	for i, line := range strings.Split(string(src), "\n") {
		if m := isaRequires.FindStringSubmatch(line); m != nil {
			pending = nil
			for _, f := range strings.Split(m[1], ",") {
				pending = append(pending, strings.TrimSpace(f))
			}
			continue
		}
		m := isaText.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		name := m[1]
		funcs = append(funcs, name)
		found := false
		for _, s := range isaPathSuffix {
			if strings.HasSuffix(name, s.suffix) {
				found = true
				for _, f := range pending {
					if !slices.Contains(need[s.path], f) {
						need[s.path] = append(need[s.path], f)
					}
				}
				// A path without any Requires line still has to be
				// known to this audit.
				if need[s.path] == nil {
					need[s.path] = []string{}
				}
				break
			}
		}
		if !found {
			t.Errorf("bce_amd64.s:%d: TEXT %s belongs to no path of isaPathSuffix: add it", i+1, name)
		}
		pending = nil
	}
	for _, fs := range need {
		sort.Strings(fs)
	}
	return need, funcs
}

// TestISARequirements turns each required feature off in x/sys/cpu, on a
// simulated CPU that has every other feature, and requires archPaths() to
// drop the path: behaviour, not a reading of the predicate's source, so it
// holds however the dispatch is written (by hand or generated) as long as
// archPaths reads cpu.X86 when it is called.
func TestISARequirements(t *testing.T) {
	need, funcs := isaFeatures(t)
	if len(funcs) == 0 || len(need) == 0 {
		t.Fatalf("no assembly functions found in bce_amd64.s")
	}
	paths := make([]pathID, 0, len(need))
	for p := range need {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		t.Logf("%s: %d functions; Requires: %s", p, countSuffix(funcs, p), strings.Join(need[p], ", "))
	}

	saved := cpu.X86
	t.Cleanup(func() { cpu.X86 = saved })
	setAll := func(v bool) {
		for _, f := range isaFlags {
			*f = v
		}
	}

	// Sanity: archPaths must follow cpu.X86 when it is called, or nothing
	// below would mean anything.
	setAll(false)
	if ps := archPaths(); len(ps) != 0 {
		t.Fatalf("with every feature off archPaths() = %v: it does not read cpu.X86 when called (or a path needs no feature)", ps)
	}

	setAll(true)
	all := archPaths()
	for _, p := range paths {
		if !slices.Contains(all, p) {
			t.Errorf("path %s is not selected on a CPU with every feature", p)
		}
	}

	for _, p := range paths {
		for _, f := range need[p] {
			if why, ok := isaBaseline[f]; ok {
				t.Logf("%s requires %s: no check needed (%s)", p, f, why)
				continue
			}
			flag, ok := isaFlags[f]
			if !ok {
				t.Errorf("%s requires %s, which this audit does not know: map it to its x/sys/cpu field in isaFlags, "+
					"or list it in isaBaseline with the reason it needs no check", p, f)
				continue
			}
			setAll(true)
			*flag = false
			if ps := archPaths(); slices.Contains(ps, p) {
				t.Errorf("path %s is still selected on a CPU without %s (archPaths() = %v): a SIGILL there", p, f, ps)
			}
		}
	}

	// Not a failure (an over-strict predicate costs speed, not safety), but
	// worth seeing: the features a predicate checks beyond its Requires.
	for _, p := range paths {
		var extra []string
		for name, flag := range isaFlags {
			if slices.Contains(need[p], name) {
				continue
			}
			setAll(true)
			*flag = false
			if !slices.Contains(archPaths(), p) {
				extra = append(extra, name)
			}
		}
		sort.Strings(extra)
		if len(extra) > 0 {
			t.Logf("%s's predicate also checks %s, which its functions do not require", p, strings.Join(extra, ", "))
		}
	}
}

func countSuffix(funcs []string, p pathID) int {
	n := 0
	for _, f := range funcs {
		for _, s := range isaPathSuffix {
			if strings.HasSuffix(f, s.suffix) {
				if s.path == p {
					n++
				}
				break
			}
		}
	}
	return n
}
