package bce

import (
	"fmt"
	"os"
	"strings"
)

// pathID names a kernel implementation. The generated dispatch files
// (bce_dispatch_*.go, from _asm/spec) switch on the current one.
type pathID uint8

const (
	pathGeneric pathID = iota
	pathAVX2
	pathAVX512
	pathNEON
)

var pathNames = [...]string{
	pathGeneric: "generic",
	pathAVX2:    "avx2",
	pathAVX512:  "avx512",
	pathNEON:    "neon",
}

func (p pathID) String() string { return pathNames[p] }

// available lists the paths this CPU can run, best first; generic is always
// last. cur is the one in use.
var (
	available = append(archPaths(), pathGeneric)
	cur       = choosePath(os.Getenv("BCE_PATH"))
)

// choosePath returns the path named by BCE_PATH when this CPU can run it, and
// the best available one otherwise: an unknown name or a path the CPU lacks
// never panics and never runs an instruction the CPU does not have.
func choosePath(env string) pathID {
	if p, ok := lookupPath(strings.TrimSpace(strings.ToLower(env))); ok {
		return p
	}
	return available[0]
}

func lookupPath(name string) (pathID, bool) {
	for _, p := range available {
		if p.String() == name {
			return p, true
		}
	}
	return 0, false
}

// Path returns the name of the path in use: "avx512", "avx2", "neon" or
// "generic".
//
// The best path the CPU supports is chosen at start-up from
// golang.org/x/sys/cpu. The environment variable BCE_PATH=avx512|avx2|neon|generic
// forces a path for benchmarks and debugging; an unknown value, or a path the
// CPU cannot run, falls back to the best available one. GODEBUG=cpu.avx512f=off
// (or cpu.avx2=off, cpu.fma=off) hides a CPU feature from x/sys/cpu and so
// from this choice. The purego build tag compiles only the generic path.
func Path() string { return cur.String() }

// Paths returns the names of the paths this CPU can run, best first.
func Paths() []string {
	names := make([]string, len(available))
	for i, p := range available {
		names[i] = p.String()
	}
	return names
}

// SetPath switches every function to the named path. It returns an error,
// and changes nothing, when the name is unknown or the CPU cannot run it.
// SetPath is meant for benchmarks and tests: it must not be called while
// other goroutines are running kernels.
func SetPath(name string) error {
	p, ok := lookupPath(name)
	if !ok {
		return fmt.Errorf("bce: path %q is not available on this CPU (available: %s)", name, strings.Join(Paths(), ", "))
	}
	cur = p
	return nil
}
