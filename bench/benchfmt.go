package main

import (
	"fmt"
	"io"
)

// writeBenchfmt writes every repetition in Go's benchmark format
// (golang.org/x/perf/benchfmt), so that `benchstat a.txt b.txt` compares
// two machines with its own statistics. Each result is one line per
// repetition, named
//
//	BenchmarkMean/n=64Ki/path=avx512
//
// with the call's time as ns/op, the bytes moved as MB/s and the time per
// element as ns/elem. The names carry no -GOMAXPROCS suffix, so that
// machines with different core counts still pair up; rows named path=best
// repeat the best path (the first of the report's paths), so that CPUs with
// different ISAs (avx512 here, neon there) compare too. The scaling adds
// /k=K to the name. The config lines at the top (goos, goarch, cpu, ...)
// describe the machine, and benchstat shows where two files differ.
func (r *Report) writeBenchfmt(w io.Writer) {
	m := &r.Machine
	fmt.Fprintf(w, "goos: %s\ngoarch: %s\npkg: %s/bench\ncpu: %s\n", m.GOOS, m.GOARCH, libraryPath, m.Brand)
	fmt.Fprintf(w, "gomaxprocs: %d\ngo: %s\nbce: %s %s\n", m.GOMAXPROCS, m.GoVersion, m.Library, m.Revision)
	best := ""
	if len(r.Settings.Paths) > 0 {
		best = r.Settings.Paths[0]
	}
	line := func(name string, elements, bytes, iters int, ns float64) {
		fmt.Fprintf(w, "%s\t%d\t%.6g ns/op\t%.6g MB/s\t%.6g ns/elem\n",
			name, max(iters, 1), ns*float64(elements), float64(bytes)*1e3/ns, ns)
	}
	for _, x := range r.Results {
		for _, path := range benchPaths(x.Path, best) {
			name := fmt.Sprintf("Benchmark%s/n=%s/path=%s", x.Function, formatSize(x.N), path)
			for _, ns := range x.NsReps {
				line(name, x.Elements, x.BytesPerElement, x.Iters, ns)
			}
		}
	}
	for _, x := range r.Scaling {
		for _, path := range benchPaths(x.Path, best) {
			name := fmt.Sprintf("Benchmark%s/n=%s/path=%s/k=%d", x.Function, formatSize(x.N), path, x.Threads)
			for _, ns := range x.NsReps {
				line(name, x.Elements, x.BytesPerElement, x.Iters, ns)
			}
		}
	}
}

// benchPaths is the path itself and, for the best path, "best" too.
func benchPaths(path, best string) []string {
	if path == best {
		return []string{path, "best"}
	}
	return []string{path}
}
