//go:build purego || !(amd64 || arm64)

package bce

// Without assembly every path is the generic one.

func archPaths() []pathID { return nil }

func lossKernel(_ pathID, dst, x, y []float32)             { lossGeneric(dst, x, y) }
func sumKernel(_ pathID, x, y []float32, acc *[16]float64) { sumGeneric(x, y, acc) }
func gradKernel(_ pathID, dst, x, y []float32)             { gradGeneric(dst, x, y) }
func sigmoidKernel(_ pathID, dst, x []float32)             { sigmoidGeneric(dst, x) }
func sum16Kernel(_ pathID, x []float32, acc *[16]float64)  { sum16Generic(x, acc) }
func lossGradKernel(_ pathID, g, x, y []float32, scale float32, acc *[16]float64) {
	lossGradGeneric(g, x, y, scale, acc)
}
func wlossKernel(_ pathID, dst, x, y, w, pw []float32, oms, hs float32) {
	wlossGeneric(dst, x, y, w, pw, oms, hs)
}
func wsumKernel(_ pathID, x, y, w, pw []float32, oms, hs float32, acc *[32]float64) {
	wsumGeneric(x, y, w, pw, oms, hs, acc)
}
func wgradKernel(_ pathID, dst, x, y, w, pw []float32, oms, hs, scale float32) {
	wgradGeneric(dst, x, y, w, pw, oms, hs, scale)
}
func wlossGradKernel(_ pathID, g, x, y, w, pw []float32, oms, hs, scale float32, acc *[16]float64) {
	wlossGradGeneric(g, x, y, w, pw, oms, hs, scale, acc)
}
