package main

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"github.com/fastbce/bce/examples/internal/dataset"
)

// The data set is embedded so that `go run ./examples/logreg` and the tests
// find it whatever the working directory is; -data reads another file of the
// same format instead.
//
//go:embed testdata/breast_cancer.csv
var breastCancer []byte

// labelled is a binary classification data set with the names of its two
// classes (class 0 first).
type labelled struct {
	*dataset.Set
	classes [2]string
}

// loadData reads the file at path, or the embedded data set when path is "".
// The first line gives the number of rows and features and the two class
// names; they are checked against what follows so that a truncated file does
// not train quietly on part of the data.
func loadData(path string) (*labelled, error) {
	var r io.Reader = bytes.NewReader(breastCancer)
	name := "embedded breast_cancer.csv"
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r, name = f, path
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %v", name, err)
	}
	if len(head) != 4 {
		return nil, fmt.Errorf("%s: header has %d fields, want rows,features,class0,class1", name, len(head))
	}
	rows, err1 := strconv.Atoi(head[0])
	feats, err2 := strconv.Atoi(head[1])
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("%s: header %q: want the counts of rows and features first", name, head)
	}
	s, err := dataset.ReadCSV(cr)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if s.N != rows || s.D != feats {
		return nil, fmt.Errorf("%s: %d rows of %d features, header says %d of %d", name, s.N, s.D, rows, feats)
	}
	for i, y := range s.Y {
		if y != 0 && y != 1 {
			return nil, fmt.Errorf("%s: row %d: class %v, want 0 or 1", name, i+1, y)
		}
	}
	return &labelled{Set: s, classes: [2]string{head[2], head[3]}}, nil
}

// zscore scales every feature (column) of s in place to mean 0 and standard
// deviation 1. Without it the features span 1e-3 to 4e3, the loss surface is
// a long narrow valley (the Hessian's condition number grows by about the
// square of that range), and a step small enough not to diverge along the
// large features barely moves the small ones. A constant column is centred
// but not divided.
func zscore(s *dataset.Set) {
	for j := range s.D {
		var mean float64
		for i := range s.N {
			mean += s.X[i*s.D+j]
		}
		mean /= float64(s.N)
		var ss float64
		for i := range s.N {
			d := s.X[i*s.D+j] - mean
			ss += d * d
		}
		sd := math.Sqrt(ss / float64(s.N))
		if sd == 0 {
			sd = 1
		}
		for i := range s.N {
			s.X[i*s.D+j] = (s.X[i*s.D+j] - mean) / sd
		}
	}
}
