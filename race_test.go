//go:build race

package bce

// raceEnabled shrinks the largest test inputs under the race detector, which
// slows the kernels' Go wrappers and the generic path tenfold; the full sizes
// run in the suite without -race.
const raceEnabled = true
