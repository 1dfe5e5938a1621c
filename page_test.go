//go:build linux || darwin || freebsd

package bce

import (
	"syscall"
	"testing"
	"unsafe"
)

// pageRegion is a readable and writable page between two PROT_NONE pages:
// touching one element before or after it faults, so a kernel that reads or
// writes past either end of a slice placed against a boundary crashes the
// test.
type pageRegion struct {
	mem []byte
	rw  []float32
}

func newPageRegion(t *testing.T) *pageRegion {
	t.Helper()
	ps := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 3*ps, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	if err := syscall.Mprotect(mem[:ps], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	if err := syscall.Mprotect(mem[2*ps:], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	rw := unsafe.Slice((*float32)(unsafe.Pointer(&mem[ps])), ps/4)
	return &pageRegion{mem: mem, rw: rw}
}

// atEnd returns n elements ending exactly at the boundary to the PROT_NONE
// page after; atStart returns n elements starting right after the PROT_NONE
// page before.
func (r *pageRegion) atEnd(n int) []float32   { return r.rw[len(r.rw)-n:] }
func (r *pageRegion) atStart(n int) []float32 { return r.rw[:n:n] }

func TestPageBoundaries(t *testing.T) {
	const maxN = 80
	bx, by := randomInputs(maxN, 31)
	bw := randomWeights(maxN, 32)
	var regions [4]*pageRegion
	for i := range regions {
		regions[i] = newPageRegion(t)
	}
	defer func() {
		for _, r := range regions {
			_ = syscall.Munmap(r.mem)
		}
	}()
	ops := guardOps()
	forEachPath(t, func(t *testing.T) {
		for n := 0; n <= maxN; n++ {
			for _, end := range []bool{true, false} {
				place := func(r *pageRegion, src []float32) []float32 {
					s := r.atStart(n)
					if end {
						s = r.atEnd(n)
					}
					copy(s, src[:n])
					return s
				}
				x := place(regions[0], bx)
				y := place(regions[1], by)
				w := place(regions[2], bw)
				dst := place(regions[3], bx)
				for _, op := range ops {
					if op.needC5 && n%5 != 0 {
						continue
					}
					op.run(dst, x, y, w)
				}
			}
		}
	})
}
