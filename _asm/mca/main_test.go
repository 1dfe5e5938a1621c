package main

import (
	"os"
	"testing"
)

const srcSample = "TEXT ·lossAVX2(SB), NOSPLIT, $0-72\n" +
	"\tMOVQ n+8(FP), AX\n" +
	"\tXORQ SI, SI\n" +
	"loop:\n" +
	"\t// a comment\n" +
	"\tVMOVUPS (DX)(SI*4), Y0\n" +
	"\tADDQ    $+64, SI\n" +
	"\tCMPQ    SI, DI\n" +
	"\tJB      loop\n" +
	"tail:\n" +
	"\tCMPQ SI, AX\n" +
	"\tJAE  done\n" +
	"\tJMP  tail\n" +
	"done:\n" +
	"\tRET\n" +
	"TEXT ·sumNEON(SB), NOSPLIT, $320-56\n" +
	"\tLSR $4, R6, R6\n" +
	"\tCBZ R6, sum0_tail\n" +
	"sum0_loop:\n" +
	"\tWORD $0x4ea0f802 // fabs v2.4s, v0.4s\n" +
	"\tSUB $1, R6, R6\n" +
	"\tCBNZ R6, sum0_loop\n" +
	"sum0_tail:\n" +
	"\tRET\n"

func TestParseSource(t *testing.T) {
	loops, order, err := parseSource([]byte(srcSample))
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != 2 || order[0] != "lossAVX2" || order[1] != "sumNEON" {
		t.Fatalf("order %q", order)
	}
	want := map[string][]srcLoop{
		"lossAVX2": {{label: "loop", branch: "jb", insns: 4, elems: 64}, {label: "tail", branch: "jmp", insns: 3}},
		"sumNEON":  {{label: "sum0_loop", branch: "cbnz", insns: 3, elems: 16}},
	}
	for f, w := range want {
		got := loops[f]
		if len(got) != len(w) {
			t.Fatalf("%s: %+v, want %+v", f, got, w)
		}
		for i := range w {
			if got[i] != w[i] {
				t.Errorf("%s[%d]: %+v, want %+v", f, i, got[i], w[i])
			}
		}
	}
}

func TestBackBranches(t *testing.T) {
	dis := []disLine{
		{0x100, "xor rsi, rsi"},
		{0x103, "vmovups ymm0, ymmword ptr [rdx + 4*rsi]"},
		{0x108, "add rsi, 0x40"},
		{0x10c, "jb 0x103 <github.com/fastbce/bce.lossAVX2.abi0+0x3>"},
		{0x10e, "jae 0x200 <github.com/fastbce/bce.lossAVX2.abi0+0x100>"},
		{0x110, "cbnz x6, 0x100 <github.com/fastbce/bce.sumNEON.abi0>"},
	}
	got := backBranches(dis)
	want := []backBranch{{start: 1, end: 3, mnemonic: "jb"}, {start: 0, end: 5, mnemonic: "cbnz", prefix: "x6, "}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("%+v, want %+v", got, want)
	}
}

func TestCompare(t *testing.T) {
	old := []row{
		{path: "avx2", kernel: "sum", label: "loop", cpu: "znver3", cycles: 1.0},
		{path: "avx2", kernel: "loss", label: "loop", cpu: "znver3", cycles: 1.0},
	}
	devnull, err := os.Create(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	for _, c := range []struct {
		sum, loss float64
		fail      bool
	}{
		{1.0, 1.0, false},
		{1.0199, 1.0, false}, // within 2%
		{1.0201, 1.0, true},  // worse
		{0.5, 1.0, false},    // better: a note only
	} {
		rows := []row{
			{path: "avx2", kernel: "sum", label: "loop", cpu: "znver3", cycles: c.sum},
			{path: "avx2", kernel: "loss", label: "loop", cpu: "znver3", cycles: c.loss},
		}
		if err := compare(devnull, old, rows); (err != nil) != c.fail {
			t.Errorf("sum %v: err %v, want failure %v", c.sum, err, c.fail)
		}
	}
	// A loop missing from the table, or from the assembly, fails.
	if compare(devnull, old[:1], old) == nil || compare(devnull, old, old[:1]) == nil {
		t.Error("a stale table passed")
	}
}
