//go:build linux || darwin || freebsd || netbsd || openbsd

package bce

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// pageRegion is a readable and writable page between two PROT_NONE pages:
// touching one element before or after it faults, so a kernel that reads or
// writes past either end of a slice placed against a boundary crashes the
// test. (golang.org/x/sys/unix has Mprotect on every GOOS of the build tag;
// package syscall lacks it on the BSDs.)
type pageRegion struct {
	mem []byte
	rw  []float32
}

func newPageRegion(t *testing.T) *pageRegion {
	t.Helper()
	ps := unix.Getpagesize()
	mem, err := unix.Mmap(-1, 0, 3*ps, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	require.NoError(t, err, "mmap")
	t.Cleanup(func() { _ = unix.Munmap(mem) })
	require.NoError(t, unix.Mprotect(mem[:ps], unix.PROT_NONE), "mprotect")
	require.NoError(t, unix.Mprotect(mem[2*ps:], unix.PROT_NONE), "mprotect")
	rw := unsafe.Slice((*float32)(unsafe.Pointer(&mem[ps])), ps/4)
	return &pageRegion{mem: mem, rw: rw}
}

// place copies v into the region, ending exactly at the boundary to the
// PROT_NONE page after (atEnd) or starting right after the one before.
func (r *pageRegion) place(v []float32, atEnd bool) []float32 {
	n := len(v)
	s := r.rw[:n:n]
	if atEnd {
		s = r.rw[len(r.rw)-n:]
	}
	copy(s, v)
	return s
}

// TestHarnessPages runs every kernel of the table on every path for every
// length 0..80 with every input and the output against a page boundary,
// all at the end of their pages or all at the start, and checks the
// results as TestHarnessTails does.
func TestHarnessPages(t *testing.T) {
	const maxN = 80
	base := randomKernelInputs(newRand(31), maxN)
	base.oms, base.hs, base.scale = 0.9, 0.05, 0.375
	init := initLanes()
	var regions [5]*pageRegion
	for i := range regions {
		regions[i] = newPageRegion(t)
	}
	forEachPath(t, func(t *testing.T) {
		p := cur
		exp := expectedOutputs(p, base)
		rep := reporter{t: t}
		for n := 0; n <= maxN; n++ {
			in := base.prefix(n)
			for _, atEnd := range []bool{true, false} {
				g := *in
				g.x = regions[0].place(in.x, atEnd)
				g.y = regions[1].place(in.y, atEnd)
				g.w = regions[2].place(in.w, atEnd)
				g.pw = regions[3].place(in.pw, atEnd)
				for _, k := range allRows() {
					c := call{p: p, k: k, in: in, off: -1, what: "at a page boundary"}
					var dst []float32
					if k.perElement() {
						dst = regions[4].place(make([]float32, n), atEnd)
					}
					var lanes []float64
					if k.lanes > 0 {
						lanes = append([]float64(nil), init[:k.lanes]...)
					}
					k.run(p, dst, &g, lanes)
					if dst != nil {
						rep.checkOutputs(c, dst, exp[k.name][:n])
					}
					if lanes != nil {
						rep.checkLanes(c, lanes, k.wantLanes(init, in, exp))
					}
				}
			}
		}
		rep.done()
	})
}
