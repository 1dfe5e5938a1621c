module github.com/fastbce/bce/bench

go 1.24.0

require (
	github.com/fastbce/bce v0.0.0
	github.com/klauspost/cpuid/v2 v2.4.2
)

require golang.org/x/sys v0.41.0 // indirect

replace github.com/fastbce/bce => ../
