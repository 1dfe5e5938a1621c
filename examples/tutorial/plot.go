package main

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/fastbce/bce"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// pictures draws the lesson's figures from a finished run.
type pictures struct {
	dir  string
	data *data
	sc   scaler
	r    *result
}

var (
	red    = color.RGBA{R: 200, G: 40, B: 40, A: 255}
	blue   = color.RGBA{R: 30, G: 90, B: 200, A: 255}
	gray   = color.RGBA{R: 120, G: 120, B: 120, A: 255}
	dashes = []vg.Length{vg.Points(4), vg.Points(3)}
)

// draw writes every picture and returns their paths.
func (p *pictures) draw() ([]string, error) {
	var files []string
	for _, f := range []struct {
		name string
		make func() (*plot.Plot, error)
	}{
		{"sigmoid.png", p.sigmoid},
		{"learning_curves.png", p.curves},
		{"decision_boundary.png", p.boundary},
		{"cost_contour.png", p.contour},
		{"cost_surface.png", p.surface},
	} {
		pl, err := f.make()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", f.name, err)
		}
		path := filepath.Join(p.dir, f.name)
		if err := pl.Save(16*vg.Centimeter, 11*vg.Centimeter, path); err != nil {
			return nil, fmt.Errorf("%s: %v", f.name, err)
		}
		files = append(files, path)
	}
	return files, nil
}

// sigmoid draws yhat = sigmoid(z), computed by bce.Sigmoid, with the worked
// example's two points on it.
func (p *pictures) sigmoid() (*plot.Plot, error) {
	pl := plot.New()
	pl.Title.Text = "yhat = sigmoid(z) = 1 / (1 + exp(-z))"
	pl.X.Label.Text = "z = w1 x1 + w2 x2 + b"
	pl.Y.Label.Text = "yhat"
	pl.Add(plotter.NewGrid())
	z := make([]float32, 401)
	for i := range z {
		z[i] = float32(-10 + 20*float64(i)/float64(len(z)-1))
	}
	s := make([]float32, len(z))
	bce.Sigmoid(s, z)
	curve := make(plotter.XYs, len(z))
	for i := range z {
		curve[i] = plotter.XY{X: float64(z[i]), Y: float64(s[i])}
	}
	line, err := plotter.NewLine(curve)
	if err != nil {
		return nil, err
	}
	line.Color = blue
	line.Width = vg.Points(1.5)
	half := plotter.NewFunction(func(float64) float64 { return 0.5 })
	half.Color, half.Dashes = gray, dashes
	var ex plotter.XYLabels
	for _, w := range p.r.worked {
		ex.XYs = append(ex.XYs, plotter.XY{X: w.z, Y: w.yhat})
		ex.Labels = append(ex.Labels, fmt.Sprintf("  y=%g, yhat=%.1f: loss %.3f", w.y, w.yhat, w.bce))
	}
	dots, err := plotter.NewScatter(ex.XYs)
	if err != nil {
		return nil, err
	}
	dots.Color, dots.Shape, dots.Radius = red, draw.CircleGlyph{}, vg.Points(3)
	labels, err := plotter.NewLabels(ex)
	if err != nil {
		return nil, err
	}
	pl.Add(half, line, dots, labels)
	pl.X.Min, pl.X.Max, pl.Y.Min, pl.Y.Max = -10, 10, 0, 1
	return pl, nil
}

// curves draws J against the epoch for the scaled and the raw features on a
// logarithmic epoch axis, with scikit-learn's optimum J* for reference.
func (p *pictures) curves() (*plot.Plot, error) {
	pl := plot.New()
	pl.Title.Text = "learning curves: gradient descent, step 1/L"
	pl.X.Label.Text = "epoch + 1"
	pl.X.Scale = plot.LogScale{}
	pl.X.Tick.Marker = plot.LogTicks{Prec: -1}
	pl.Y.Label.Text = "J(w, b)"
	// J runs from log 2 = 0.69 down to 0.26: gonum's default ticks label
	// only 0.3 and 0.6 there, too few to read a value off.
	pl.Y.Tick.Marker = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		var ticks []plot.Tick
		for v := math.Ceil(lo*20) / 20; v <= hi; v += 0.05 {
			ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 2, 64)})
		}
		return ticks
	})
	pl.Add(plotter.NewGrid())
	for _, c := range []struct {
		name string
		d    *descent
		col  color.Color
	}{
		{"z-score scaled features", p.r.scaled, blue},
		{"raw features", p.r.raw, red},
	} {
		pts := make(plotter.XYs, len(c.d.curve))
		for t, j := range c.d.curve {
			pts[t] = plotter.XY{X: float64(t + 1), Y: float64(j)}
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		line.Color, line.Width = c.col, vg.Points(1.5)
		pl.Add(line)
		pl.Legend.Add(fmt.Sprintf("%s (step %.3g)", c.name, c.d.lr), line)
	}
	star := plotter.NewFunction(func(float64) float64 { return p.r.sk.J })
	star.Color, star.Dashes = gray, dashes
	pl.Add(star)
	pl.Legend.Add(fmt.Sprintf("scikit-learn J* = %.4f", p.r.sk.J), star)
	pl.Legend.Top = true
	return pl, nil
}

// boundary draws the data in raw units, one glyph per class, and the line
// where the model's logit is 0 (yhat = 1/2): the scaled model's weights
// turned back into raw units.
func (p *pictures) boundary() (*plot.Plot, error) {
	pl := plot.New()
	pl.Title.Text = "decision boundary w1 x1 + w2 x2 + b = 0"
	pl.X.Label.Text = "x1 = " + p.data.names[0]
	pl.Y.Label.Text = "x2 = " + p.data.names[1]
	pl.Add(plotter.NewGrid())
	var cls [2]plotter.XYs
	x1lo, x1hi := math.Inf(1), math.Inf(-1)
	x2lo, x2hi := math.Inf(1), math.Inf(-1)
	for i := range p.data.N {
		row := p.data.Row(i)
		cls[int(p.data.Y[i])] = append(cls[int(p.data.Y[i])], plotter.XY{X: row[0], Y: row[1]})
		x1lo, x1hi = math.Min(x1lo, row[0]), math.Max(x1hi, row[0])
		x2lo, x2hi = math.Min(x2lo, row[1]), math.Max(x2hi, row[1])
	}
	for k, c := range []struct {
		name  string
		col   color.Color
		shape draw.GlyphDrawer
	}{
		{"malignant (y = 0)", red, draw.CrossGlyph{}},
		{"benign (y = 1)", blue, draw.CircleGlyph{}},
	} {
		s, err := plotter.NewScatter(cls[k])
		if err != nil {
			return nil, err
		}
		s.Color, s.Shape, s.Radius = c.col, c.shape, vg.Points(2)
		pl.Add(s)
		pl.Legend.Add(c.name, s)
	}
	w, b := p.sc.unscale([2]float64{float64(p.r.scaled.w[0]), float64(p.r.scaled.w[1])}, float64(p.r.scaled.b))
	line := plotter.NewFunction(func(x1 float64) float64 { return -(w[0]*x1 + b) / w[1] })
	line.Width = vg.Points(1.5)
	pl.Add(line)
	pl.Legend.Add(equation(w, b, 3), line)
	pl.Legend.Top = true
	pad1, pad2 := 0.03*(x1hi-x1lo), 0.03*(x2hi-x2lo)
	pl.X.Min, pl.X.Max = x1lo-pad1, x1hi+pad1
	// Room above the data for the legend.
	pl.Y.Min, pl.Y.Max = x2lo-pad2, x2hi+6*pad2
	return pl, nil
}

// equation writes w1 x1 + w2 x2 + b = 0 with the signs folded in.
func equation(w [2]float64, b float64, prec int) string {
	term := func(v float64, name string, first bool) string {
		sign := " + "
		if v < 0 {
			sign, v = " - ", -v
		}
		if first {
			sign = strings.TrimSpace(sign)
			if sign == "+" {
				sign = ""
			}
		}
		return sign + strconv.FormatFloat(v, 'f', prec, 64) + name
	}
	return term(w[0], " x1", true) + term(w[1], " x2", false) + term(b, "", false) + " = 0"
}

// levels returns contour levels lo (1+e), lo the grid's least J, for e
// doubling from 0.01 up to the grid's largest J: J rises quadratically near the optimum and then
// about linearly, so evenly spaced levels would crowd the rim and leave the
// bottom of the bowl empty.
func levels(lo, hi float64) []float64 {
	var lv []float64
	for e := 0.01; lo*(1+e) < hi; e *= 2 {
		lv = append(lv, lo*(1+e))
	}
	return lv
}

// logColor maps J in [lo, hi] to a colour on a logarithmic scale: J spans
// a factor of ten over the grid, and a linear scale would spend most of its
// colours on the steep rim.
type logColor struct{ cm palette.ColorMap }

func newLogColor(lo, hi float64) logColor {
	cm := moreland.Kindlmann()
	cm.SetMin(math.Log(lo))
	cm.SetMax(math.Log(hi))
	return logColor{cm}
}

func (l logColor) at(j float64) color.Color {
	v := math.Min(l.cm.Max(), math.Max(l.cm.Min(), math.Log(j)))
	c, err := l.cm.At(v)
	if err != nil { // v is clamped to the map's range, so this cannot happen
		panic(err)
	}
	return c
}

// contour draws the contour lines of J(w1, w2) at the optimal b, coloured
// by level, and the path gradient descent took on the scaled features (its
// b moves too, so the path is in this slice only at its end).
func (p *pictures) contour() (*plot.Plot, error) {
	g := p.r.grid
	lo, hi := g.minMax()
	lv := levels(lo, hi)
	pl := plot.New()
	pl.Title.Text = fmt.Sprintf("contours of J(w1, w2) at b = %.3f, z-score scaled features\n"+
		"levels Jmin (1 + e), Jmin = %.4f, e = 0.01, 0.02, 0.04, ..., %.3g", p.r.scaled.b, lo, lv[len(lv)-1]/lo-1)
	pl.X.Label.Text = "w1 (" + p.data.names[0] + ")"
	pl.Y.Label.Text = "w2 (" + p.data.names[1] + ")"
	cont := plotter.NewContour(g, lv, nil)
	lc := newLogColor(lo, hi)
	cont.LineStyles = nil
	for _, v := range lv {
		cont.LineStyles = append(cont.LineStyles, draw.LineStyle{Color: lc.at(v), Width: vg.Points(1.2)})
	}
	pl.Add(cont)

	path := make(plotter.XYs, len(p.r.scaled.path))
	for t, w := range p.r.scaled.path {
		path[t] = plotter.XY{X: float64(w[0]), Y: float64(w[1])}
	}
	line, err := plotter.NewLine(path)
	if err != nil {
		return nil, err
	}
	line.Color, line.Width, line.Dashes = red, vg.Points(1.2), dashes
	start, err := plotter.NewScatter(path[:1])
	if err != nil {
		return nil, err
	}
	start.Shape, start.Radius, start.Color = draw.CircleGlyph{}, vg.Points(3), red
	pl.Add(line, start)
	pl.Legend.Add("gradient descent from w = 0", line, start)
	opt, err := plotter.NewScatter(plotter.XYs{{X: p.r.sk.Coef[0], Y: p.r.sk.Coef[1]}})
	if err != nil {
		return nil, err
	}
	opt.Shape, opt.Radius, opt.Color = draw.CrossGlyph{}, vg.Points(5), color.Black
	pl.Add(opt)
	pl.Legend.Add("scikit-learn optimum", opt)
	pl.Legend.Top, pl.Legend.Left = true, true
	pl.X.Min, pl.X.Max = g.w1[0], g.w1[len(g.w1)-1]
	pl.Y.Min, pl.Y.Max = g.w2[0], g.w2[len(g.w2)-1]
	return pl, nil
}

// surface draws J(w1, w2) as a 3D surface in isometric projection. A point
// (u, v, h) of the unit cube, h being J rescaled to [0, 1], lands at
// (u - v) cos 30° across and h·height - (u + v) sin 30° up, so the corner
// u = v = 1 is nearest the viewer. The weights run from that corner
// backwards (u = 1 at the smallest w1, v = 1 at the smallest w2), which puts
// the high rim of this J at the back, where it does not hide the bowl. The
// grid's cells are filled polygons drawn from the far corner to the near one
// (the painter's algorithm): over a grid seen from above a cell can only
// hide cells behind it, so whatever is hidden has been painted over.
func (p *pictures) surface() (*plot.Plot, error) {
	g := p.r.grid
	lo, hi := g.minMax()
	nc, nr := g.Dims()
	stride := max(1, (max(nc, nr)-1)/24) // about 24 cells a side
	var cols, rows []int
	for c := 0; c < nc; c += stride {
		cols = append(cols, c)
	}
	for r := 0; r < nr; r += stride {
		rows = append(rows, r)
	}
	if cols[len(cols)-1] != nc-1 {
		cols = append(cols, nc-1)
	}
	if rows[len(rows)-1] != nr-1 {
		rows = append(rows, nr-1)
	}
	const height = 0.9
	cos30, sin30 := math.Sqrt(3)/2, 0.5
	proj := func(u, v, h float64) plotter.XY {
		return plotter.XY{X: (u - v) * cos30, Y: h*height - (u+v)*sin30}
	}
	at := func(c, r int) (u, v float64) {
		return 1 - float64(c)/float64(nc-1), 1 - float64(r)/float64(nr-1)
	}

	pl := plot.New()
	pl.Title.Text = fmt.Sprintf("J(w1, w2) at b = %.3f, z-score scaled features", p.r.scaled.b)
	pl.HideAxes()
	// The floor's two back edges go in first: the surface is in front of
	// them.
	floor, err := plotter.NewLine(plotter.XYs{proj(1, 0, 0), proj(0, 0, 0), proj(0, 1, 0)})
	if err != nil {
		return nil, err
	}
	floor.Color = gray
	pl.Add(floor)

	type cell struct {
		depth float64
		poly  *plotter.Polygon
	}
	lc := newLogColor(lo, hi)
	var cells []cell
	for i := 0; i+1 < len(cols); i++ {
		for k := 0; k+1 < len(rows); k++ {
			c0, c1, r0, r1 := cols[i], cols[i+1], rows[k], rows[k+1]
			var ring plotter.XYs
			var mean, depth float64
			for _, cr := range [4][2]int{{c0, r0}, {c1, r0}, {c1, r1}, {c0, r1}} {
				u, v := at(cr[0], cr[1])
				j := g.Z(cr[0], cr[1])
				ring = append(ring, proj(u, v, (j-lo)/(hi-lo)))
				mean += j / 4
				depth += u + v
			}
			poly, err := plotter.NewPolygon(ring)
			if err != nil {
				return nil, err
			}
			poly.Color = lc.at(mean)
			poly.LineStyle = draw.LineStyle{Color: color.Gray{Y: 60}, Width: vg.Points(0.3)}
			cells = append(cells, cell{depth: depth, poly: poly})
		}
	}
	sort.Slice(cells, func(a, b int) bool { return cells[a].depth < cells[b].depth })
	for _, c := range cells {
		pl.Add(c.poly)
	}

	// The J axis stands at the left corner, in front of the surface there;
	// the front edges of the floor carry the weights' ranges.
	jAxis, err := plotter.NewLine(plotter.XYs{proj(0, 1, 0), proj(0, 1, 1)})
	if err != nil {
		return nil, err
	}
	jAxis.Color = gray
	front, err := plotter.NewLine(plotter.XYs{proj(0, 1, 0), proj(1, 1, 0), proj(1, 0, 0)})
	if err != nil {
		return nil, err
	}
	front.Color, front.Dashes = gray, dashes
	w1lo, w1hi := g.w1[0], g.w1[len(g.w1)-1]
	w2lo, w2hi := g.w2[0], g.w2[len(g.w2)-1]
	l := plotter.XYLabels{
		XYs: plotter.XYs{
			proj(0, 1, 0), proj(1, 1, 0), proj(1, 0, 0),
			proj(0.5, 1.15, 0), proj(1.15, 0.5, 0),
			proj(0, 1, 1), proj(0, 1, 0.08),
		},
		Labels: []string{
			fmt.Sprintf("%.1f", w1hi), fmt.Sprintf("%.1f, %.1f", w1lo, w2lo), fmt.Sprintf("%.1f", w2hi),
			"w1 (" + p.data.names[0] + ")", "w2 (" + p.data.names[1] + ")",
			fmt.Sprintf("J = %.2f", hi), fmt.Sprintf("J = %.2f", lo),
		},
	}
	labels, err := plotter.NewLabels(l)
	if err != nil {
		return nil, err
	}
	pl.Add(jAxis, front, labels)
	pl.X.Min, pl.X.Max = -1.3*cos30, 1.3*cos30
	pl.Y.Min, pl.Y.Max = -1.25, height+0.05
	return pl, nil
}
