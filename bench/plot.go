package main

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// variantColors keeps each path the same colour in every chart.
var variantColors = map[string]color.Color{
	pathPlain:    color.RGBA{R: 128, G: 128, B: 128, A: 255},
	"generic":    color.RGBA{R: 31, G: 119, B: 180, A: 255},
	"avx2":       color.RGBA{R: 255, G: 127, B: 14, A: 255},
	"avx512":     color.RGBA{R: 214, G: 39, B: 40, A: 255},
	"neon":       color.RGBA{R: 44, G: 160, B: 44, A: 255},
	pathRoofline: color.RGBA{A: 255},
}

func variantColor(v string, i int) color.Color {
	if c, ok := variantColors[v]; ok {
		return c
	}
	return plotutil.Color(i + 3)
}

const (
	panelWidth  = 11 * vg.Centimeter
	panelHeight = 8 * vg.Centimeter
	chartCols   = 3
)

// writeCharts draws one panel per function (throughput in Gelem/s against N,
// both on log scales, one line per report and variant) and a legend panel,
// and writes the figure to base.svg and base.png.
func writeCharts(reps []labelled, base string) ([]string, error) {
	var fns []string
	for _, r := range reps {
		for _, f := range r.functionNames() {
			if !slices.Contains(fns, f) {
				fns = append(fns, f)
			}
		}
	}
	if len(fns) == 0 {
		return nil, fmt.Errorf("compare: the reports hold no results")
	}
	// One legend column per report, drawn in a strip under the panels.
	legends := make([]plot.Legend, len(reps))
	maxEntries := 0
	for i := range legends {
		legends[i] = plot.NewLegend()
		legends[i].Top, legends[i].Left = true, true
		legends[i].TextStyle.Font.Size = vg.Points(9)
		legends[i].Padding = vg.Points(2)
		// The column's first line names the report; its entries name only
		// the variants (colour), drawn with the report's dash and marker.
		legends[i].Add(reps[i].label + ":")
		maxEntries = max(maxEntries, 1+len(reps[i].variants()))
	}

	panels := make([]*plot.Plot, 0, len(fns))
	for fi, fn := range fns {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s (%d B/element)", fn, bytesOf(reps, fn))
		p.X.Label.Text = "N (elements)"
		p.Y.Label.Text = "Gelem/s"
		p.X.Scale = plot.LogScale{}
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.TickerFunc(logTicks)
		p.Add(plotter.NewGrid())
		var ticks []plot.Tick
		for ri, r := range reps {
			for vi, v := range r.variants() {
				var pts plotter.XYs
				for _, n := range r.sizes() {
					if x := r.find(fn, v, n); x != nil && x.ElementsPerSec > 0 {
						pts = append(pts, plotter.XY{X: float64(n), Y: x.ElementsPerSec / 1e9})
						ticks = addTick(ticks, n)
					}
				}
				if len(pts) == 0 {
					continue
				}
				line, points, err := plotter.NewLinePoints(pts)
				if err != nil {
					return nil, err
				}
				c := variantColor(v, vi)
				line.Color, points.Color = c, c
				line.Width = vg.Points(1.2)
				line.Dashes = plotutil.Dashes(ri)
				points.Shape = plotutil.Shape(ri)
				points.Radius = vg.Points(2)
				if v == pathRoofline {
					line.Width = vg.Points(0.8)
				}
				p.Add(line, points)
				if fi == 0 {
					legends[ri].Add(v, line, points)
				}
			}
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
		panels = append(panels, p)
	}
	rows := (len(panels) + chartCols - 1) / chartCols
	cols := min(chartCols, len(panels))
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, p := range panels {
		grid[i/cols][i%cols] = p
	}
	strip := vg.Length(maxEntries)*vg.Points(11) + 6*vg.Millimeter
	w, h := vg.Length(cols)*panelWidth, vg.Length(rows)*panelHeight+strip
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter, PadY: vg.Millimeter,
		PadTop: 2 * vg.Millimeter, PadBottom: 2 * vg.Millimeter, PadLeft: 2 * vg.Millimeter, PadRight: 2 * vg.Millimeter}

	draws := func(c draw.Canvas) {
		top := draw.Crop(c, 0, 0, strip, 0)
		bottom := draw.Crop(c, 0, 0, 0, strip-h)
		legendTiles := draw.Tiles{Rows: 1, Cols: max(len(legends), cols), PadLeft: 15 * vg.Millimeter, PadTop: 2 * vg.Millimeter}
		for i := range legends {
			legends[i].Draw(legendTiles.At(bottom, i, 0))
		}
		canvases := plot.Align(grid, tiles, top)
		for i := range grid {
			for j, p := range grid[i] {
				if p != nil {
					p.Draw(canvases[i][j])
				}
			}
		}
	}

	svg := vgsvg.New(w, h)
	draws(draw.New(svg))
	png := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(110))
	dc := draw.New(png)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	draws(dc)

	files := []string{base + ".svg", base + ".png"}
	if err := writeTo(files[0], svg.WriteTo); err != nil {
		return nil, err
	}
	if err := writeTo(files[1], vgimg.PngCanvas{Canvas: png}.WriteTo); err != nil {
		return nil, err
	}
	return files, nil
}

func writeTo(path string, write func(io.Writer) (int64, error)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// minTickLabels is the fewest labelled ticks an axis gets, so that a value
// can be read off between two of them.
const minTickLabels = 3

// logTicks marks a log axis at 1, 2 and 5 times the powers of ten in
// [lo, hi], with unlabelled minor ticks at the other integer multiples.
// A range too narrow for three such labels (a panel whose lines all sit
// within one decade) gets every integer multiple labelled, then steps of a
// tenth of the power of ten, then of a fiftieth, until it has at least
// minTickLabels.
func logTicks(lo, hi float64) []plot.Tick {
	if !(lo > 0 && hi > lo) {
		return nil
	}
	labelled := func(m float64) bool { return m == 1 || m == 2 || m == 5 }
	step := 1.0 // multiples of step times the power of ten
	for tries := 0; ; tries++ {
		var ticks []plot.Tick
		labels := 0
		for e := math.Floor(math.Log10(lo)); math.Pow(10, e) <= hi; e++ {
			p := math.Pow(10, e)
			for k := int(math.Round(1 / step)); float64(k)*step < 10; k++ {
				m := math.Round(float64(k)*step*100) / 100
				v := m * p
				if v < lo || v > hi {
					continue
				}
				t := plot.Tick{Value: v}
				if labelled(m) {
					t.Label = strconv.FormatFloat(v, 'g', 3, 64)
					labels++
				}
				ticks = append(ticks, t)
			}
		}
		if labels >= minTickLabels || tries == 3 {
			return ticks
		}
		switch tries {
		case 0:
			labelled = func(m float64) bool { return m == math.Trunc(m) }
		case 1:
			step = 0.1
			labelled = func(m float64) bool { return true }
		case 2:
			step = 0.01
			labelled = func(m float64) bool { return math.Mod(math.Round(m*100), 2) == 0 }
		}
	}
}

func addTick(ticks []plot.Tick, n int) []plot.Tick {
	for _, t := range ticks {
		if t.Value == float64(n) {
			return ticks
		}
	}
	return append(ticks, plot.Tick{Value: float64(n), Label: formatSize(n)})
}

func bytesOf(reps []labelled, fn string) int {
	for _, r := range reps {
		if b := r.bytesPerElement(fn); b > 0 {
			return b
		}
	}
	return 0
}
