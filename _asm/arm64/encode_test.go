package main

import (
	"encoding/binary"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

// gnu decodes w with arm64asm and returns its GNU syntax.
func gnu(t *testing.T, w uint32) string {
	t.Helper()
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], w)
	inst, err := arm64asm.Decode(b[:])
	if err != nil {
		t.Fatalf("%#08x: %v", w, err)
	}
	return arm64asm.GNUSyntax(inst)
}

// TestEncoder checks every instruction of the encoder, for every register in
// every operand position and every arrangement and index, against
// arm64asm's decoding.
func TestEncoder(t *testing.T) {
	var all []Inst
	regs := func(f func(a, b, c V)) {
		for r := V(0); r < 32; r++ {
			f(r, (r+7)%32, (r+19)%32)
			f((r+3)%32, r, (r+11)%32)
			f((r+5)%32, (r+13)%32, r)
		}
	}
	for _, arr := range []Arr{S2, S4, D2} {
		for _, f := range []func(Arr, V, V, V) Inst{FADD, FSUB, FMUL, FDIV, FMIN, FMAX, FMINNM, FCMGE, FCMEQ, FCMGT} {
			regs(func(a, b, c V) { all = append(all, f(arr, a, b, c)) })
		}
		for _, f := range []func(Arr, V, V) Inst{FABS, FNEG, FCMEQz, FCMGEz, SCVTF} {
			regs(func(a, b, _ V) { all = append(all, f(arr, a, b)) })
		}
	}
	regs(func(a, b, c V) { all = append(all, BIC(a, b, c), ORN(a, b, c), FCVTL(a, b), FCVTL2(a, b)) })
	for sh := 1; sh <= 32; sh++ {
		regs(func(a, b, _ V) { all = append(all, SSHR(a, b, sh)) })
	}
	for _, arr := range []Arr{S2, S4} {
		for _, f := range []func(Arr, V, V, V, int) Inst{FMLAe, FMLSe, FMULe} {
			for i := 0; i < 4; i++ {
				regs(func(a, b, c V) { all = append(all, f(arr, a, b, c, i)) })
			}
		}
	}
	for _, in := range all {
		if got := gnu(t, in.Word); got != in.GNU {
			t.Errorf("%#08x: encoder says %q, arm64asm decodes %q", in.Word, in.GNU, got)
		}
	}
	t.Logf("%d instructions checked", len(all))
}

func TestEncoderPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"reg32":    func() { FADD(S4, 32, 0, 0) },
		"regneg":   func() { FMUL(S4, 0, -1, 0) },
		"index4":   func() { FMLAe(S4, 0, 1, 2, 4) },
		"double-e": func() { FMLAe(D2, 0, 1, 2, 0) },
		"arr":      func() { FADD(B16, 0, 1, 2) },
		"sshr0":    func() { SSHR(0, 1, 0) },
		"sshr33":   func() { SSHR(0, 1, 33) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
