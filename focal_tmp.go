package bce

// Temporary stand-ins for the generic focal kernels, so that the package
// builds while the focal work is split between branches; the Go-side branch
// replaces this file with the real kernels in bce_generic.go.

func focalLossGeneric(dst, x, y, w []float32, oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma float32) {
	panic("focal generic: not written yet")
}
func focalSumGeneric(x, y, w []float32, oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma float32, acc *[32]float64) {
	panic("focal generic: not written yet")
}
func focalGradGeneric(dst, x, y, w []float32, oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma, scale float32) {
	panic("focal generic: not written yet")
}
func focalLossGradGeneric(g, x, y, w []float32, oms, hs, al1, al0, ga1, ga0, gb1, gb0, gamma, scale float32, acc *[16]float64) {
	panic("focal generic: not written yet")
}
func focalPowLossGeneric(dst, x, y, w []float32, oms, hs, al1, al0, gamma float32) {
	panic("focal generic: not written yet")
}
func focalPowSumGeneric(x, y, w []float32, oms, hs, al1, al0, gamma float32, acc *[32]float64) {
	panic("focal generic: not written yet")
}
func focalPowGradGeneric(dst, x, y, w []float32, oms, hs, al1, al0, gamma, scale float32) {
	panic("focal generic: not written yet")
}
func focalPowLossGradGeneric(g, x, y, w []float32, oms, hs, al1, al0, gamma, scale float32, acc *[16]float64) {
	panic("focal generic: not written yet")
}
