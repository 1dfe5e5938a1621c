package main

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const asmFile = "../../bce_arm64.s"

var wordLine = regexp.MustCompile(`^\s*WORD\s+\$0x([0-9a-f]{8})\s*//\s*(.*?)\s*$`)

// TestDecodeWords decodes every WORD of bce_arm64.s with arm64asm and
// requires its GNU syntax to equal the comment exactly.
func TestDecodeWords(t *testing.T) {
	src, err := os.ReadFile(asmFile)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i, line := range strings.Split(string(src), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "WORD") {
			continue
		}
		m := wordLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("line %d: malformed WORD line %q", i+1, line)
			continue
		}
		w, err := strconv.ParseUint(m[1], 16, 32)
		if err != nil {
			t.Fatal(err)
		}
		if got := gnu(t, uint32(w)); got != m[2] {
			t.Errorf("line %d: %s decodes as %q, comment says %q", i+1, m[1], got, m[2])
		}
		n++
	}
	if n == 0 {
		t.Fatal("no WORD lines found")
	}
	t.Logf("%d WORD lines checked", n)
}

// TestGenerated requires bce_arm64.s to be exactly the generator's output.
func TestGenerated(t *testing.T) {
	src, err := os.ReadFile(asmFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(src, generate("../../bce_generic.go")) {
		t.Fatal("bce_arm64.s differs from the generator's output: run go generate in the repository root")
	}
}
