package main

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// plotCurve draws J against the epoch and saves it as <prefix>.png and
// <prefix>.svg (a .png or .svg the prefix already ends in is dropped). Both
// axes are logarithmic (the epoch axis counts from 1): J falls by an order
// of magnitude in the first hundred epochs and then creeps, and linear axes
// would show everything after the first few percent as a flat line.
func plotCurve(curve []float64, prefix string, scaled bool) ([]string, error) {
	switch strings.ToLower(filepath.Ext(prefix)) {
	case ".png", ".svg":
		prefix = strings.TrimSuffix(prefix, filepath.Ext(prefix))
	}
	p := plot.New()
	p.Title.Text = "logistic regression, breast cancer: learning curve"
	if !scaled {
		p.Title.Text += " (unscaled features)"
	}
	p.X.Label.Text = "epoch + 1"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Y.Label.Text = "J(w, b)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.TickerFunc(costTicks)
	p.Add(plotter.NewGrid())

	pts := make(plotter.XYs, len(curve))
	for t, j := range curve {
		pts[t] = plotter.XY{X: float64(t + 1), Y: j}
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return nil, fmt.Errorf("plot: %v", err)
	}
	p.Add(line)

	var files []string
	for _, ext := range []string{".png", ".svg"} {
		f := prefix + ext
		if err := p.Save(16*vg.Centimeter, 10*vg.Centimeter, f); err != nil {
			return nil, fmt.Errorf("plot: %v", err)
		}
		files = append(files, f)
	}
	return files, nil
}

// costTicks labels the cost axis at 1, 2, 3, 5 and 7 times the powers of
// ten. The curve spans about one decade (J from log 2 = 0.69 down to
// 0.066), where powers of ten alone would label only 0.1.
func costTicks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); math.Pow(10, e) <= hi; e++ {
		for _, m := range []float64{1, 2, 3, 5, 7} {
			if v := m * math.Pow(10, e); v >= lo && v <= hi {
				ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 2, 64)})
			}
		}
	}
	return ticks
}
