//go:build linux

package roofline

import (
	"math"
	"syscall"
	"testing"
	"unsafe"
)

// TestNoReadPastEnd places each slice so that it ends exactly at a page that
// is mapped without access: a read (or write) past the end faults.
func TestNoReadPastEnd(t *testing.T) {
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 3*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("mmap:", err)
	}
	defer syscall.Munmap(mem)
	if err := syscall.Mprotect(mem[2*page:], syscall.PROT_NONE); err != nil {
		t.Skip("mprotect:", err)
	}
	all := unsafe.Slice((*float32)(unsafe.Pointer(&mem[0])), 2*page/4)
	for i := range all {
		all[i] = float32(i)
	}
	src := make([]float32, 300)
	for n := 0; n <= 300; n++ {
		p := all[len(all)-n:]
		if got, want := math.Float32bits(Read(p)), xorLoop(p); got != want {
			t.Fatalf("n=%d: Read = %#08x, want %#08x", n, got, want)
		}
		ReadWrite(p, src[:n])
		ReadWrite(src[:n], p)
	}
}
