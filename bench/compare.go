package main

import (
	"errors"
	"io"
)

func runCompare(args []string, stdout, stderr io.Writer) error {
	return errors.New("compare: not implemented yet")
}
