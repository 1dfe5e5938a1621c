package bce

import (
	"errors"
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
// last. cur is the one in use; envErr says why BCE_PATH was not honoured
// (nil if it was, or was unset).
var (
	available   = append(archPaths(), pathGeneric)
	cur, envErr = envPath(os.Getenv("BCE_PATH"))
)

// envPath returns the path that BCE_PATH selects and nil when it can be
// honoured; otherwise the best available path and an error saying what
// BCE_PATH asked for and why it was not used. An unknown name or a path the
// CPU lacks never panics and never runs an instruction the CPU does not have.
func envPath(env string) (pathID, error) {
	p, err := resolvePath(env)
	if err != nil {
		return available[0], fmt.Errorf("bce: BCE_PATH=%q not used: %w; using %s", env, err, available[0])
	}
	return p, nil
}

// choosePath is envPath without the error.
func choosePath(env string) pathID {
	p, _ := envPath(env)
	return p
}

// errUnknownPath and errUnavailablePath are the two reasons a name cannot be
// used; resolvePath wraps them with the lists a reader needs to fix the
// name.
var (
	errUnknownPath     = errors.New("unknown path name")
	errUnavailablePath = errors.New("path not available on this CPU")
)

// resolvePath returns the path that name selects, by the one rule that
// SetPath and BCE_PATH share: surrounding spaces are ignored and case is
// folded; an empty name selects the best available path. A name that no
// build knows, and a known path that this CPU cannot run, give different
// errors, listing the known paths and the available ones respectively.
// It does not allocate unless it fails (strings.EqualFold does not).
func resolvePath(name string) (pathID, error) {
	n := strings.TrimSpace(name)
	if n == "" {
		return available[0], nil
	}
	for _, p := range available {
		if strings.EqualFold(n, p.String()) {
			return p, nil
		}
	}
	for _, known := range pathNames {
		if strings.EqualFold(n, known) {
			return 0, fmt.Errorf("%q: %w (available: %s)", name, errUnavailablePath, strings.Join(Paths(), ", "))
		}
	}
	return 0, fmt.Errorf("%q: %w (known paths: %s)", name, errUnknownPath, strings.Join(pathNames[:], ", "))
}

// lookupPath returns the available path whose name is exactly name.
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
// golang.org/x/sys/cpu. The environment variable
// BCE_PATH=avx512|avx2|neon|generic forces a path for benchmarks and
// debugging; the name is matched ignoring case and surrounding spaces, and an
// empty value is the same as none. An unknown name, or a path the CPU cannot
// run, falls back to the best available path, and PathError then says so.
// GODEBUG=cpu.avx512f=off (or cpu.avx2=off, cpu.fma=off) hides a CPU feature
// from x/sys/cpu and so from this choice. The purego build tag compiles only
// the generic path.
func Path() string { return cur.String() }

// PathError reports whether BCE_PATH was honoured at start-up. It is nil
// when BCE_PATH is unset or empty, or named a path this CPU can run;
// otherwise the error says what BCE_PATH asked for, why it was not used (an
// unknown path name, listing the known ones, or a known path this CPU cannot
// run, listing the available ones) and which path runs instead. SetPath does
// not change it. It allocates nothing.
func PathError() error { return envErr }

// Paths returns the names of the paths this CPU can run, best first. Each
// call returns a new slice, which the caller may keep and modify: it is the
// one function of the package that allocates when it succeeds.
func Paths() []string {
	names := make([]string, len(available))
	for i, p := range available {
		names[i] = p.String()
	}
	return names
}

// SetPath switches every function to the named path, matching the name as
// BCE_PATH is matched: ignoring case and surrounding spaces, with "" meaning
// the best available path (the choice without BCE_PATH). It returns an
// error, and changes nothing, when the name is unknown (the error lists the
// known names) or names a path this CPU cannot run (the error lists the
// available ones); it allocates only that error. SetPath is meant for
// benchmarks and tests: it must not be called while other goroutines are
// running kernels.
func SetPath(name string) error {
	p, err := resolvePath(name)
	if err != nil {
		return fmt.Errorf("bce: SetPath: %w", err)
	}
	cur = p
	return nil
}
