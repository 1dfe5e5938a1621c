//go:build !purego

package roofline

import "golang.org/x/sys/cpu"

// useAVX2 selects the AVX2 kernels; without AVX2 the pure-Go ones run.
var useAVX2 = cpu.X86.HasAVX2

func read(p []float32) uint32 {
	if useAVX2 {
		return readAVX2(p)
	}
	return readGeneric(p)
}

func readWrite(dst, src []float32) {
	if useAVX2 {
		readWriteAVX2(dst, src)
		return
	}
	readWriteGeneric(dst, src)
}

// readAVX2 returns the XOR of the bit patterns of p's elements.
//
//go:noescape
func readAVX2(p []float32) uint32

// readWriteAVX2 copies src to dst; len(dst) must equal len(src).
//
//go:noescape
func readWriteAVX2(dst, src []float32)
