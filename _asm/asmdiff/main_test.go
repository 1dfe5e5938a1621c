package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func write(t *testing.T, name, text string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func data(sym string, base int, vals ...string) string {
	var b strings.Builder
	for i, v := range vals {
		for j := 0; j < 16; j++ {
			b.WriteString("DATA " + sym + "+" + strconv.Itoa(base+64*i+4*j) + "(SB)/4, $" + v + "\n")
		}
	}
	return b.String()
}

// A table of constants and one symbol per constant compare equal when they
// hold the same bits, and a changed constant or instruction is caught.
func TestCompare(t *testing.T) {
	old := data("bceconst<>", 0, "0x7fffffff", "0x3fb8aa3b") + "GLOBL bceconst<>(SB), RODATA|NOPTR, $128\n" +
		"TEXT ·f(SB), NOSPLIT, $0-8\n\t// a comment\n\tVANDPS  bceconst<>+0(SB), Y0, Y0\n\tVMULPS bceconst<>+64(SB), Y0, Y0\n\tRET\n"
	same := data("absmask<>", 0, "0x7fffffff") + data("log2e<>", 0, "0x3fb8aa3b") +
		"TEXT ·f(SB), NOSPLIT, $0-8\n\tVANDPS absmask<>+0(SB), Y0, Y0 // other comment\n\n\tVMULPS   log2e<>+0(SB), Y0, Y0\n\tRET\n"
	wrongConst := data("absmask<>", 0, "0x7fffffff") + data("log2e<>", 0, "0x3f317200") +
		"TEXT ·f(SB), NOSPLIT, $0-8\n\tVANDPS absmask<>+0(SB), Y0, Y0\n\tVMULPS log2e<>+0(SB), Y0, Y0\n\tRET\n"
	wrongInst := data("absmask<>", 0, "0x7fffffff") + data("log2e<>", 0, "0x3fb8aa3b") +
		"TEXT ·f(SB), NOSPLIT, $0-8\n\tVANDPS absmask<>+0(SB), Y0, Y0\n\tVMULPS log2e<>+0(SB), Y1, Y0\n\tRET\n"
	a, err := parse(write(t, "old.s", old))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, text string
		want       bool
	}{{"same", same, true}, {"constant", wrongConst, false}, {"instruction", wrongInst, false}} {
		b, err := parse(write(t, c.name+".s", c.text))
		if err != nil {
			t.Fatal(err)
		}
		if got := compare(a, b); got != c.want {
			t.Errorf("%s: compare = %v, want %v", c.name, got, c.want)
		}
	}
}
