package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestObjdump cross-checks bce_arm64.s in a GOARCH=arm64 binary named by
// BCE_ARM64_BINARY (e.g. `GOARCH=arm64 go test -c`): every WORD line must
// appear at its source line (go tool objdump's file:line) with its value,
// and GNU objdump (aarch64-linux-gnu-objdump, an independent decoder) must
// print the comment's instruction there. The one spelling that differs is
// the zero of the compare-with-zero forms: GNU "#0.0", arm64asm "#0".
func TestObjdump(t *testing.T) {
	bin := os.Getenv("BCE_ARM64_BINARY")
	if bin == "" {
		t.Skip("BCE_ARM64_BINARY not set")
	}
	src, err := os.ReadFile(asmFile)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int][2]string{} // line -> hex, comment
	for i, line := range strings.Split(string(src), "\n") {
		if m := wordLine.FindStringSubmatch(line); m != nil {
			want[i+1] = [2]string{m[1], m[2]}
		}
	}

	goOut, err := exec.Command("go", "tool", "objdump", "-s", `^github\.com/fastbce/bce\.[A-Za-z0-9]+NEON`, bin).Output()
	if err != nil {
		t.Fatalf("go tool objdump: %v", err)
	}
	goLine := regexp.MustCompile(`^\s*bce_arm64\.s:(\d+)\s+0x([0-9a-f]+)\s+([0-9a-f]{8})\s`)
	type loc struct {
		addr uint64
		hex  string
	}
	at := map[int]loc{}
	lo, hi := ^uint64(0), uint64(0)
	for _, l := range strings.Split(string(goOut), "\n") {
		m := goLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		a, _ := strconv.ParseUint(m[2], 16, 64)
		lo, hi = min(lo, a), max(hi, a)
		if _, ok := want[n]; ok {
			at[n] = loc{a, m[3]}
		}
	}
	if len(at) == 0 {
		t.Fatal("go tool objdump shows no line of bce_arm64.s")
	}

	gnuOut, err := exec.Command("aarch64-linux-gnu-objdump", "-d", "--no-show-raw-insn",
		fmt.Sprintf("--start-address=0x%x", lo), fmt.Sprintf("--stop-address=0x%x", hi+4), bin).Output()
	if err != nil {
		t.Fatalf("aarch64-linux-gnu-objdump: %v", err)
	}
	gnuLine := regexp.MustCompile(`^\s*([0-9a-f]+):\s+(\S.*?)\s*$`)
	text := map[uint64]string{}
	sc := bufio.NewScanner(bytes.NewReader(gnuOut))
	for sc.Scan() {
		m := gnuLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		a, _ := strconv.ParseUint(m[1], 16, 64)
		s := m[2]
		if i := strings.Index(s, "//"); i >= 0 {
			s = strings.TrimSpace(s[:i])
		}
		s = strings.Join(strings.Fields(strings.ReplaceAll(s, "\t", " ")), " ")
		text[a] = strings.ReplaceAll(s, "#0.0", "#0")
	}

	for n, w := range want {
		l, ok := at[n]
		switch {
		case !ok:
			t.Errorf("bce_arm64.s:%d: WORD not found in the binary", n)
		case l.hex != w[0]:
			t.Errorf("bce_arm64.s:%d: binary holds %s, WORD says %s", n, l.hex, w[0])
		case text[l.addr] != w[1]:
			t.Errorf("bce_arm64.s:%d (0x%x): GNU objdump prints %q, comment says %q", n, l.addr, text[l.addr], w[1])
		}
	}
	t.Logf("%d WORD lines found in the binary and decoded by GNU objdump", len(want))
}
