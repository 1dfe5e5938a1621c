package bce

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/fastbce/bce/internal/roofline"
)

// Benchmarks of every function on every path at N = 1 Ki, 64 Ki, 1 Mi and
// 16 Mi elements, side by side with the plain float64 loop a user would write
// and with the memory roofline (a streaming read, and read+write, of the
// same bytes in assembly). b.SetBytes counts the bytes each call reads and
// writes, so MB/s compares directly with the roofline.
//
//	go test -run '^$' -bench . -count 6 | benchstat -col /path -

var benchSizes = []int{1 << 10, 1 << 16, 1 << 20, 1 << 24}

type benchData struct {
	x, y, w, dst, dst2 []float32
}

var benchCache = map[string]*benchData{}

// benchInputs returns n logits ~ N(0, 3^2), hard labels, weights in [0, 2)
// and an output slice; kind "subnormal" gives logits around ±95 with the
// right label, whose losses and gradients are subnormal.
func benchInputs(n int, kind string) *benchData {
	key := fmt.Sprint(kind, n)
	if d, ok := benchCache[key]; ok {
		return d
	}
	r := rand.New(rand.NewSource(int64(n)))
	d := &benchData{make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)}
	for i := range d.x {
		switch kind {
		case "subnormal", "huge":
			v := 94 + 2*r.Float32()
			if kind == "huge" {
				v = 1000 + 1000*r.Float32()
			}
			if r.Intn(2) == 0 {
				d.x[i], d.y[i] = v, 1
			} else {
				d.x[i], d.y[i] = -v, 0
			}
		default:
			d.x[i] = float32(r.NormFloat64() * 3)
			d.y[i] = float32(r.Intn(2))
		}
		d.w[i] = 2 * r.Float32()
		d.dst[i], d.dst2[i] = 1, 1 // touch the pages
	}
	benchCache[key] = d
	return d
}

func sizeName(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%dMi", n>>20)
	}
	return fmt.Sprintf("%dKi", n>>10)
}

var sink float32

// withPath runs f with the named path selected and restores the previous one.
func withPath(b *testing.B, path string, f func()) {
	old := Path()
	if err := SetPath(path); err != nil {
		b.Fatal(err)
	}
	defer SetPath(old)
	f()
}

type benchFn struct {
	name  string
	bytes int // bytes read and written per element
	run   func(d *benchData)
}

var benchFns = []benchFn{
	{"Mean", 8, func(d *benchData) { sink += Mean(d.x, d.y) }},
	{"Loss", 12, func(d *benchData) { Loss(d.dst, d.x, d.y) }},
	{"Grad", 12, func(d *benchData) { Grad(d.dst, d.x, d.y) }},
	{"LossGrad", 12, func(d *benchData) { sink += LossGrad(d.dst, d.x, d.y) }},
	{"MeanThenGrad", 20, func(d *benchData) { sink += Mean(d.x, d.y); Grad(d.dst, d.x, d.y) }},
	{"LossAndGrad", 16, func(d *benchData) { LossAndGrad(d.dst, d.dst2, d.x, d.y) }},
	{"LossThenGrad", 24, func(d *benchData) { Loss(d.dst, d.x, d.y); Grad(d.dst2, d.x, d.y) }},
	{"Sigmoid", 8, func(d *benchData) { Sigmoid(d.dst, d.x) }},
	{"Softplus", 8, func(d *benchData) { Softplus(d.dst, d.x) }},
	{"LogSigmoid", 8, func(d *benchData) { LogSigmoid(d.dst, d.x) }},
	{"WeightedMean", 12, func(d *benchData) { sink += Criterion{Weight: d.w}.Reduce(d.x, d.y) }},
	{"WeightedLossGrad", 16, func(d *benchData) { sink += Criterion{Weight: d.w}.LossGrad(d.dst, d.x, d.y) }},
	{"WeightedLossAndGrad", 20, func(d *benchData) { Criterion{Weight: d.w}.LossAndGrad(d.dst, d.dst2, d.x, d.y) }},
}

func BenchmarkBCE(b *testing.B) {
	for _, f := range benchFns {
		for _, n := range benchSizes {
			for _, p := range Paths() {
				if p == "generic" && n > 1<<20 {
					continue
				}
				b.Run(fmt.Sprintf("fn=%s/n=%s/path=%s", f.name, sizeName(n), p), func(b *testing.B) {
					d := benchInputs(n, "")
					withPath(b, p, func() {
						b.SetBytes(int64(f.bytes * n))
						b.ResetTimer()
						for i := 0; i < b.N; i++ {
							f.run(d)
						}
					})
				})
			}
		}
	}
}

// plainMean is the loop a user would write with package math.
func plainMean(x, y []float32) float32 {
	var s float64
	for i := range x {
		xi, yi := float64(x[i]), float64(y[i])
		s += math.Max(xi, 0) - xi*yi + math.Log1p(math.Exp(-math.Abs(xi)))
	}
	return float32(s / float64(len(x)))
}

// BenchmarkPlain is the float64 math loop (Mean's work, 8 bytes/element).
func BenchmarkPlain(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("fn=Mean/n=%s/path=plain", sizeName(n)), func(b *testing.B) {
			d := benchInputs(n, "")
			b.SetBytes(int64(8 * n))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				sink += plainMean(d.x, d.y)
			}
		})
	}
}

// BenchmarkRoofline streams the bytes of Mean (read x and y: 8 bytes per
// element) and of LossGrad (read y, read x and write it: 12 bytes per
// element) with the assembly kernels of internal/roofline.
func BenchmarkRoofline(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("fn=Mean/n=%s/path=read", sizeName(n)), func(b *testing.B) {
			d := benchInputs(n, "")
			b.SetBytes(int64(8 * n))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				sink += roofline.Read(d.x) + roofline.Read(d.y)
			}
		})
		b.Run(fmt.Sprintf("fn=LossGrad/n=%s/path=readwrite", sizeName(n)), func(b *testing.B) {
			d := benchInputs(n, "")
			b.SetBytes(int64(12 * n))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				sink += roofline.Read(d.y)
				roofline.ReadWrite(d.dst, d.x)
			}
		})
	}
}

// BenchmarkSubnormal compares inputs whose losses and gradients are
// subnormal (x around ±95 with the right label), or zero after tiny
// intermediate results (|x| in [1000, 2000), the right label), with
// ordinary inputs. Tiny and subnormal intermediates cost microcode assists
// on Intel cores (the generic Loss at |x| ~ 1000 ran 17x slower than at
// |x| ~ 1 before its log pass skipped the polynomial of a tiny f).
func BenchmarkSubnormal(b *testing.B) {
	const n = 1 << 16
	for _, kind := range []string{"normal", "subnormal", "huge"} {
		for _, f := range []benchFn{benchByName("Mean"), benchByName("Grad"), benchByName("LossGrad"), benchByName("Sigmoid")} {
			for _, p := range Paths() {
				b.Run(fmt.Sprintf("fn=%s/in=%s/path=%s", f.name, kind, p), func(b *testing.B) {
					d := benchInputs(n, kind)
					withPath(b, p, func() {
						b.SetBytes(int64(f.bytes * n))
						b.ResetTimer()
						for i := 0; i < b.N; i++ {
							f.run(d)
						}
					})
				})
			}
		}
	}
}

// benchByName returns the entry of benchFns named name.
func benchByName(name string) benchFn {
	for _, f := range benchFns {
		if f.name == name {
			return f
		}
	}
	panic("no benchmark " + name)
}

// BenchmarkChunking compares Mean at 16 Mi, which calls the kernel once per
// 64 Ki chunk, with one kernel call over all 16 Mi elements.
func BenchmarkChunking(b *testing.B) {
	const n = 1 << 24
	for _, p := range Paths() {
		if p == "generic" {
			continue
		}
		d := benchInputs(n, "")
		b.Run(fmt.Sprintf("mode=chunked/path=%s", p), func(b *testing.B) {
			withPath(b, p, func() {
				b.SetBytes(8 * n)
				for i := 0; i < b.N; i++ {
					sink += Mean(d.x, d.y)
				}
			})
		})
		b.Run(fmt.Sprintf("mode=onecall/path=%s", p), func(b *testing.B) {
			withPath(b, p, func() {
				b.SetBytes(8 * n)
				for i := 0; i < b.N; i++ {
					var acc [16]float64
					sumKernel(cur, d.x, d.y, &acc)
					sink += float32(fold16(&acc) / n)
				}
			})
		})
	}
}

// BenchmarkFocal compares Focal.LossGrad (Gamma 2 runs FinishFocal's
// multiplications, Gamma 0.5 FinishFocalPow's log and exp; Alpha 0.25, with
// weights) with Criterion{Weight: w}.LossGrad at 64 Ki on every path. The
// issue's targets: at most 2.5x (Gamma 2) and 3.5x (Gamma 0.5) the
// Criterion's time.
//
//	go test -run '^$' -bench Focal -count 6 | benchstat -col /fn -
func BenchmarkFocal(b *testing.B) {
	const n = 1 << 16
	fns := []benchFn{
		{"WeightedLossGrad", 16, func(d *benchData) { sink += Criterion{Weight: d.w}.LossGrad(d.dst, d.x, d.y) }},
		{"FocalLossGrad2", 16, func(d *benchData) { sink += Focal{Gamma: 2, Alpha: 0.25, Weight: d.w}.LossGrad(d.dst, d.x, d.y) }},
		{"FocalLossGrad0.5", 16, func(d *benchData) {
			sink += Focal{Gamma: 0.5, Alpha: 0.25, Weight: d.w}.LossGrad(d.dst, d.x, d.y)
		}},
	}
	for _, p := range Paths() {
		for _, f := range fns {
			b.Run(fmt.Sprintf("fn=%s/n=%s/path=%s", f.name, sizeName(n), p), func(b *testing.B) {
				d := benchInputs(n, "")
				withPath(b, p, func() {
					b.SetBytes(int64(f.bytes * n))
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						f.run(d)
					}
				})
			})
		}
	}
}
