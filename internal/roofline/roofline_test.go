package roofline

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// xorLoop is the obvious Go loop Read must agree with.
func xorLoop(p []float32) uint32 {
	var a uint32
	for _, v := range p {
		a ^= math.Float32bits(v)
	}
	return a
}

// guard fills the elements around a window with a pattern that changes any
// XOR it leaks into, and whose overwriting is visible.
const guardBits = 0x7fc0dead

func TestReadEveryLength(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	const pad = 64
	for n := 0; n <= 300; n++ {
		for off := 0; off < 8; off++ {
			buf := make([]float32, pad+n+pad)
			for i := range buf {
				buf[i] = math.Float32frombits(guardBits + uint32(i))
			}
			p := buf[pad+off : pad+off+n : pad+off+n]
			if off+n > len(buf)-pad {
				p = buf[pad : pad+n : pad+n]
			}
			for i := range p {
				p[i] = math.Float32frombits(rng.Uint32())
			}
			want := xorLoop(p)
			if got := math.Float32bits(Read(p)); got != want {
				t.Fatalf("n=%d off=%d: Read = %#08x, want %#08x", n, off, got, want)
			}
			if got := readGeneric(p); got != want {
				t.Fatalf("n=%d off=%d: readGeneric = %#08x, want %#08x", n, off, got, want)
			}
		}
	}
}

func TestReadWriteEveryLength(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	const pad = 64
	for n := 0; n <= 300; n++ {
		for off := 0; off < 8; off++ {
			src := make([]float32, n)
			for i := range src {
				src[i] = math.Float32frombits(rng.Uint32())
			}
			buf := make([]float32, pad+8+n+pad)
			for i := range buf {
				buf[i] = math.Float32frombits(guardBits + uint32(i))
			}
			dst := buf[pad+off : pad+off+n : pad+off+n]
			ReadWrite(dst, src)
			for i := range buf {
				inside := i >= pad+off && i < pad+off+n
				got := math.Float32bits(buf[i])
				switch {
				case inside && got != math.Float32bits(src[i-pad-off]):
					t.Fatalf("n=%d off=%d: dst[%d] = %#08x, want %#08x", n, off, i-pad-off, got, math.Float32bits(src[i-pad-off]))
				case !inside && got != guardBits+uint32(i):
					t.Fatalf("n=%d off=%d: wrote outside dst at buffer index %d", n, off, i)
				}
			}
		}
	}
}

func TestReadWriteLengthsDiffer(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("ReadWrite with different lengths did not panic")
		}
	}()
	ReadWrite(make([]float32, 3), make([]float32, 4))
}

func BenchmarkRead(b *testing.B) {
	for _, n := range []int{1 << 10, 1 << 14, 1 << 18, 1 << 22, 1 << 24} {
		p := make([]float32, n)
		for i := range p {
			p[i] = float32(i)
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(4 * n))
			var sink float32
			for i := 0; i < b.N; i++ {
				sink += Read(p)
			}
			_ = sink
		})
	}
}

func BenchmarkReadWrite(b *testing.B) {
	for _, n := range []int{1 << 10, 1 << 14, 1 << 18, 1 << 22, 1 << 24} {
		src := make([]float32, n)
		dst := make([]float32, n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(8 * n))
			for i := 0; i < b.N; i++ {
				ReadWrite(dst, src)
			}
		})
	}
}
