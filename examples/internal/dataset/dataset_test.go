package dataset

import (
	"encoding/csv"
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	s, err := ReadCSV(csv.NewReader(strings.NewReader("1,2,0\r\n3.5,-4e1,1\n")))
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 2 || s.D != 2 || s.Row(1)[1] != -40 || s.Y[1] != 1 {
		t.Errorf("got %+v", s)
	}
	for _, bad := range []string{"", "1,2,0\n3,1\n", "1,x,0\n", "5\n"} {
		if _, err := ReadCSV(csv.NewReader(strings.NewReader(bad))); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
