// Package roofline holds the memory roofline of the benchmarks: kernels that
// only move the bytes a loss kernel moves, as fast as the machine allows, and
// do nothing else with them.
//
// Read streams through a slice and folds every element into its result, so
// no compiler can drop the loads; ReadWrite is a streaming copy. On amd64 they
// use AVX2 (when the CPU has it) and on arm64 NEON, in hand-written assembly
// with several independent accumulators; the purego build tag, and every
// other GOARCH, selects the pure-Go versions. Neither reads or writes past the
// ends of its slices.
package roofline

import "math"

// Read reads every element of p once, in order, and returns the bitwise XOR
// of their bit patterns as a float32. The result does not depend on the
// order of the reads, so every implementation returns the same bits.
func Read(p []float32) float32 {
	return math.Float32frombits(read(p))
}

// ReadWrite copies src to dst (like copy, but with the streaming loads and
// stores of the assembly kernels). It panics when the lengths differ.
func ReadWrite(dst, src []float32) {
	if len(dst) != len(src) {
		panic("roofline.ReadWrite: len(dst) != len(src)")
	}
	readWrite(dst, src)
}

// readGeneric is the pure-Go Read: four independent accumulators, then a
// tail.
func readGeneric(p []float32) uint32 {
	var a0, a1, a2, a3 uint32
	for len(p) >= 4 {
		a0 ^= math.Float32bits(p[0])
		a1 ^= math.Float32bits(p[1])
		a2 ^= math.Float32bits(p[2])
		a3 ^= math.Float32bits(p[3])
		p = p[4:]
	}
	for _, v := range p {
		a0 ^= math.Float32bits(v)
	}
	return a0 ^ a1 ^ a2 ^ a3
}

// readWriteGeneric is the pure-Go ReadWrite.
func readWriteGeneric(dst, src []float32) {
	copy(dst, src)
}
