//go:build !purego

package roofline

// NEON is part of every arm64 CPU: no dispatch is needed.

func read(p []float32) uint32 { return readNEON(p) }

func readWrite(dst, src []float32) { readWriteNEON(dst, src) }

// readNEON returns the XOR of the bit patterns of p's elements.
//
//go:noescape
func readNEON(p []float32) uint32

// readWriteNEON copies src to dst; len(dst) must equal len(src).
//
//go:noescape
func readWriteNEON(dst, src []float32)
