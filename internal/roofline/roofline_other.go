//go:build purego || !(amd64 || arm64)

package roofline

func read(p []float32) uint32 { return readGeneric(p) }

func readWrite(dst, src []float32) { readWriteGeneric(dst, src) }
