package bce

// The generated files of this package: the assembly of every GOARCH and the
// Go dispatch files (bce_dispatch_*.go), all from the kernel and path tables
// of _asm/spec and the constants of bce_generic.go. The directives sit in
// this file, which has no build constraint, so that go generate rewrites
// every one of them on any host; .ci/check-generated.sh fails on a stale one.

//go:generate sh -c "cd _asm && GOWORK=off go run ./amd64 -src ../bce_generic.go -out ../bce_amd64.s"
//go:generate sh -c "cd _asm && GOWORK=off go run ./arm64 -src ../bce_generic.go -out ../bce_arm64.s"
//go:generate sh -c "cd _asm && GOWORK=off go run ./dispatch -out .."
