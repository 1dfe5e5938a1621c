package main

import (
	"fmt"
	"path/filepath"
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
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
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
