// Package dataset reads the small numeric CSV files the examples train on.
package dataset

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// Set is a table of n rows of d features, stored row-major in X, with one
// label per row in Y.
type Set struct {
	X    []float64
	Y    []float64
	N, D int
}

// Row returns the features of row i.
func (s *Set) Row(i int) []float64 { return s.X[i*s.D : (i+1)*s.D] }

// ReadCSV reads rows of numbers from r, each with the same number of fields:
// the features, then the label in the last field. Reading whole records with
// encoding/csv, rather than splitting lines by hand, keeps a stray CRLF or a
// trailing blank line from turning into a bogus row.
func ReadCSV(r *csv.Reader) (*Set, error) {
	r.FieldsPerRecord = 0 // every record as long as the first one read here
	r.ReuseRecord = true
	s := &Set{}
	for line := 1; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if s.D == 0 {
			if len(rec) < 2 {
				return nil, fmt.Errorf("row %d: %d fields, want features and a label", line, len(rec))
			}
			s.D = len(rec) - 1
		}
		for j, f := range rec {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return nil, fmt.Errorf("row %d, field %d: %v", line, j+1, err)
			}
			if j < s.D {
				s.X = append(s.X, v)
			} else {
				s.Y = append(s.Y, v)
			}
		}
		s.N++
	}
	if s.N == 0 {
		return nil, fmt.Errorf("no rows")
	}
	return s, nil
}

// Float32 returns a float32 copy of xs, for the kernels of package bce.
func Float32(xs []float64) []float32 {
	out := make([]float32, len(xs))
	for i, x := range xs {
		out[i] = float32(x)
	}
	return out
}
