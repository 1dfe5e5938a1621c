package main

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"

	"github.com/fastbce/bce/examples/internal/dataset"
)

// Two columns of the breast cancer data, embedded so that the command and
// its tests run from any directory. Two features are what a lesson can draw:
// the data and the decision boundary in the plane, and J over the plane of
// the two weights.
//
//go:embed testdata/radius_texture.csv
var radiusTexture []byte

// The scikit-learn fit of the same data, written by testdata/sklearn_fit.py.
//
//go:embed testdata/sklearn.json
var sklearnJSON []byte

// data is the two-feature training set: X holds m rows of (x1, x2) and Y the
// labels, 1 for benign.
type data struct {
	*dataset.Set
	names [2]string // the features' names, from the file's first line
	label string    // what a label of 1 means
}

// loadData reads the embedded CSV file: a line of column names, then rows of
// two features and a 0/1 label.
func loadData() (*data, error) {
	cr := csv.NewReader(bytes.NewReader(radiusTexture))
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("radius_texture.csv: header: %v", err)
	}
	if len(head) != 3 {
		return nil, fmt.Errorf("radius_texture.csv: header %q, want two feature names and the label's", head)
	}
	s, err := dataset.ReadCSV(cr)
	if err != nil {
		return nil, fmt.Errorf("radius_texture.csv: %v", err)
	}
	if s.D != 2 {
		return nil, fmt.Errorf("radius_texture.csv: %d features, want 2", s.D)
	}
	for i, y := range s.Y {
		if y != 0 && y != 1 {
			return nil, fmt.Errorf("radius_texture.csv: row %d: label %v, want 0 or 1", i+2, y)
		}
	}
	return &data{Set: s, names: [2]string{head[0], head[1]}, label: head[2]}, nil
}

// scaler is the z-score of each feature, x' = (x - mean)/std. J's Hessian
// is AᵀSA/m with A = [X 1] (train.go), so its shape follows that of AᵀA/m.
// On the raw features, whose means (14 and 19) are large against their
// spreads, the column of ones and the features are nearly parallel and
// AᵀA/m has eigenvalues 594, 9.8 and 0.035 (condition number 1.7e4); a
// step safe along the first crawls along the last. Centred and scaled they
// are 1.32, 1 and 0.68 (1 ± 0.32, the features' correlation).
type scaler struct {
	mean, std [2]float64
}

// fitScaler measures the mean and the population standard deviation (divided
// by m, not m-1: scikit-learn's StandardScaler does the same, and the
// comparison with it needs the same scaled features).
func fitScaler(s *dataset.Set) scaler {
	var sc scaler
	for j := range 2 {
		var sum float64
		for i := range s.N {
			sum += s.X[2*i+j]
		}
		mean := sum / float64(s.N)
		var ss float64
		for i := range s.N {
			d := s.X[2*i+j] - mean
			ss += d * d
		}
		sc.mean[j], sc.std[j] = mean, math.Sqrt(ss/float64(s.N))
	}
	return sc
}

// apply returns a scaled copy of the m×2 features x.
func (sc scaler) apply(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		j := i % 2
		out[i] = (v - sc.mean[j]) / sc.std[j]
	}
	return out
}

// unscale turns the weights of a model on scaled features into the same
// model on raw ones: w'·(x - mean)/std + b' = (w'/std)·x + (b' - Σ w'·mean/std).
func (sc scaler) unscale(w [2]float64, b float64) ([2]float64, float64) {
	var raw [2]float64
	for j := range 2 {
		raw[j] = w[j] / sc.std[j]
		b -= raw[j] * sc.mean[j]
	}
	return raw, b
}

// sklearnFit is testdata/sklearn.json.
type sklearnFit struct {
	Features  []string  `json:"features"`
	Rows      int       `json:"rows"`
	Scaling   string    `json:"scaling"`
	Mean      []float64 `json:"mean"`
	Std       []float64 `json:"std"`
	Coef      []float64 `json:"coef"`
	Intercept float64   `json:"intercept"`
	J         float64   `json:"J"`
	Version   string    `json:"sklearn_version"`
}

func loadSklearn() (*sklearnFit, error) {
	var f sklearnFit
	if err := json.Unmarshal(sklearnJSON, &f); err != nil {
		return nil, fmt.Errorf("sklearn.json: %v", err)
	}
	if len(f.Coef) != 2 || len(f.Mean) != 2 || len(f.Std) != 2 || len(f.Features) != 2 {
		return nil, fmt.Errorf("sklearn.json: want two features, coefficients, means and stds")
	}
	return &f, nil
}
