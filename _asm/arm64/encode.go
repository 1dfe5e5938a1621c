package main

// A tiny encoder for the Advanced SIMD (NEON) instructions that Go's arm64
// assembler does not know. Every function builds one 32-bit instruction
// word from the bit fields named as in the Arm Architecture Reference
// Manual for A-profile (section C4.1.95 "Advanced SIMD data-processing" and
// the instruction pages in C7.2), and the GNU assembler text of the same
// instruction, which becomes the comment of the WORD line in bce_arm64.s.
// Out-of-range operands panic: a wrong register number or arrangement must
// stop the generator, never produce a different instruction.
//
// decode_test.go checks every word against golang.org/x/arch/arm64/arm64asm.

import "fmt"

// Inst is one encoded instruction: its word and its GNU syntax.
type Inst struct {
	Word uint32
	GNU  string
}

// V is an Advanced SIMD register number, 0..31.
type V int

func (v V) check() uint32 {
	if v < 0 || v > 31 {
		panic(fmt.Sprintf("neon: register V%d out of range 0..31", int(v)))
	}
	return uint32(v)
}

// Arr is a vector arrangement.
type Arr int

const (
	S2  Arr = iota // 2S: two singles in the low 64 bits
	S4             // 4S
	D2             // 2D
	B16            // 16B, for bitwise operations
)

func (a Arr) String() string {
	switch a {
	case S2:
		return "2s"
	case S4:
		return "4s"
	case D2:
		return "2d"
	case B16:
		return "16b"
	}
	panic(fmt.Sprintf("neon: bad arrangement %d", int(a)))
}

// fpQsz returns the Q and sz fields of a floating-point arrangement.
func fpQsz(a Arr) (Q, sz uint32) {
	switch a {
	case S2:
		return 0, 0
	case S4:
		return 1, 0
	case D2:
		return 1, 1
	}
	panic(fmt.Sprintf("neon: arrangement %v is not a floating-point one", a))
}

func bit(name string, v, width uint32) uint32 {
	if v >= 1<<width {
		panic(fmt.Sprintf("neon: field %s = %d does not fit in %d bits", name, v, width))
	}
	return v
}

func reg(v V, a Arr) string { return fmt.Sprintf("v%d.%v", int(v), a) }

// threeSame encodes "Advanced SIMD three same" (C4.1.95.27):
//
//	31 | 30 | 29 | 28..24 | 23..22 | 21 | 20..16 | 15..11 | 10 | 9..5 | 4..0
//	 0 |  Q |  U |  01110 |  size  |  1 |   Rm   | opcode |  1 |  Rn  |  Rd
func threeSame(Q, U, size, opcode uint32, rd, rn, rm V) uint32 {
	return 0<<31 | bit("Q", Q, 1)<<30 | bit("U", U, 1)<<29 | 0b01110<<24 |
		bit("size", size, 2)<<22 | 1<<21 | rm.check()<<16 |
		bit("opcode", opcode, 5)<<11 | 1<<10 | rn.check()<<5 | rd.check()
}

// fp3 is the floating-point group of three same: size = a:sz (a = size<1>).
func fp3(mn string, U, a, opcode uint32, arr Arr, rd, rn, rm V) Inst {
	Q, sz := fpQsz(arr)
	w := threeSame(Q, U, bit("a", a, 1)<<1|sz, opcode, rd, rn, rm)
	return Inst{w, fmt.Sprintf("%s %s, %s, %s", mn, reg(rd, arr), reg(rn, arr), reg(rm, arr))}
}

// FADD Vd.T, Vn.T, Vm.T (vector): U=0, a=0, opcode=11010.
func FADD(arr Arr, rd, rn, rm V) Inst { return fp3("fadd", 0, 0, 0b11010, arr, rd, rn, rm) }

// FSUB (vector): U=0, a=1, opcode=11010.
func FSUB(arr Arr, rd, rn, rm V) Inst { return fp3("fsub", 0, 1, 0b11010, arr, rd, rn, rm) }

// FMUL (vector): U=1, a=0, opcode=11011.
func FMUL(arr Arr, rd, rn, rm V) Inst { return fp3("fmul", 1, 0, 0b11011, arr, rd, rn, rm) }

// FDIV (vector): U=1, a=0, opcode=11111.
func FDIV(arr Arr, rd, rn, rm V) Inst { return fp3("fdiv", 1, 0, 0b11111, arr, rd, rn, rm) }

// FMIN (vector): U=0, a=1, opcode=11110.
func FMIN(arr Arr, rd, rn, rm V) Inst { return fp3("fmin", 0, 1, 0b11110, arr, rd, rn, rm) }

// FMAX (vector): U=0, a=0, opcode=11110.
func FMAX(arr Arr, rd, rn, rm V) Inst { return fp3("fmax", 0, 0, 0b11110, arr, rd, rn, rm) }

// FMINNM (vector): U=0, a=1, opcode=11000: the IEEE 754-2008 minNum, the
// number where one operand is a quiet NaN (a NaN where both are).
func FMINNM(arr Arr, rd, rn, rm V) Inst { return fp3("fminnm", 0, 1, 0b11000, arr, rd, rn, rm) }

// FCMGE (register): U=1, a=0, opcode=11100.
func FCMGE(arr Arr, rd, rn, rm V) Inst { return fp3("fcmge", 1, 0, 0b11100, arr, rd, rn, rm) }

// FCMEQ (register): U=0, a=0, opcode=11100.
func FCMEQ(arr Arr, rd, rn, rm V) Inst { return fp3("fcmeq", 0, 0, 0b11100, arr, rd, rn, rm) }

// FCMGT (register): U=1, a=1, opcode=11100.
func FCMGT(arr Arr, rd, rn, rm V) Inst { return fp3("fcmgt", 1, 1, 0b11100, arr, rd, rn, rm) }

// BIC Vd.16B, Vn.16B, Vm.16B (vector, register): three same with U=0,
// size=01, opcode=00011; Vd = Vn AND NOT Vm.
func BIC(rd, rn, rm V) Inst {
	w := threeSame(1, 0, 0b01, 0b00011, rd, rn, rm)
	return Inst{w, fmt.Sprintf("bic %s, %s, %s", reg(rd, B16), reg(rn, B16), reg(rm, B16))}
}

// twoRegMisc encodes "Advanced SIMD two-register miscellaneous" (C4.1.95.22):
//
//	31 | 30 | 29 | 28..24 | 23..22 | 21..17 | 16..12 | 11..10 | 9..5 | 4..0
//	 0 |  Q |  U |  01110 |  size  |  10000 | opcode |   10   |  Rn  |  Rd
func twoRegMisc(Q, U, size, opcode uint32, rd, rn V) uint32 {
	return 0<<31 | bit("Q", Q, 1)<<30 | bit("U", U, 1)<<29 | 0b01110<<24 |
		bit("size", size, 2)<<22 | 0b10000<<17 | bit("opcode", opcode, 5)<<12 |
		0b10<<10 | rn.check()<<5 | rd.check()
}

func fp2(mn string, U, a, opcode uint32, arr Arr, rd, rn V, suffix string) Inst {
	Q, sz := fpQsz(arr)
	w := twoRegMisc(Q, U, bit("a", a, 1)<<1|sz, opcode, rd, rn)
	return Inst{w, fmt.Sprintf("%s %s, %s%s", mn, reg(rd, arr), reg(rn, arr), suffix)}
}

// FABS (vector): U=0, a=1, opcode=01111.
func FABS(arr Arr, rd, rn V) Inst { return fp2("fabs", 0, 1, 0b01111, arr, rd, rn, "") }

// FNEG (vector): U=1, a=1, opcode=01111.
func FNEG(arr Arr, rd, rn V) Inst { return fp2("fneg", 1, 1, 0b01111, arr, rd, rn, "") }

// FCMEQ (zero): U=0, a=1, opcode=01101: Vd = (Vn == 0.0) ? ones : zeros.
// arm64asm prints the immediate as "#0" (GNU objdump: "#0.0").
func FCMEQz(arr Arr, rd, rn V) Inst { return fp2("fcmeq", 0, 1, 0b01101, arr, rd, rn, ", #0") }

// FCVTL Vd.2D, Vn.2S (Q=0) and FCVTL2 Vd.2D, Vn.4S (Q=1): U=0, size=0:sz
// with sz=1 for a double result, opcode=10111.
func fcvtl(Q uint32, rd, rn V) Inst {
	w := twoRegMisc(Q, 0, 0b01, 0b10111, rd, rn)
	if Q == 0 {
		return Inst{w, fmt.Sprintf("fcvtl %s, %s", reg(rd, D2), reg(rn, S2))}
	}
	return Inst{w, fmt.Sprintf("fcvtl2 %s, %s", reg(rd, D2), reg(rn, S4))}
}

// FCVTL widens the low two singles of Vn to doubles.
func FCVTL(rd, rn V) Inst { return fcvtl(0, rd, rn) }

// FCVTL2 widens the high two singles of Vn to doubles.
func FCVTL2(rd, rn V) Inst { return fcvtl(1, rd, rn) }

// byElement encodes "Advanced SIMD vector x indexed element" (C4.1.95.30)
// for single-precision operands (size = 1:sz, sz = 0; the index is H:L and
// the element register is M:Rm, any of V0..V31):
//
//	31 | 30 | 29 | 28..24 | 23..22 | 21 | 20 | 19..16 | 15..12 | 11 | 10 | 9..5 | 4..0
//	 0 |  Q |  U |  01111 |  size  |  L |  M |   Rm   | opcode |  H |  0 |  Rn  |  Rd
func byElement(mn string, U, opcode uint32, arr Arr, rd, rn, rm V, index int) Inst {
	Q, sz := fpQsz(arr)
	if sz != 0 {
		panic("neon: by-element forms are encoded for single precision only")
	}
	if index < 0 || index > 3 {
		panic(fmt.Sprintf("neon: element index %d out of range 0..3", index))
	}
	m := rm.check()
	H, L, M := uint32(index)>>1, uint32(index)&1, m>>4
	w := 0<<31 | bit("Q", Q, 1)<<30 | bit("U", U, 1)<<29 | 0b01111<<24 |
		(0b10|sz)<<22 | L<<21 | M<<20 | (m&15)<<16 | bit("opcode", opcode, 4)<<12 |
		H<<11 | 0<<10 | rn.check()<<5 | rd.check()
	return Inst{w, fmt.Sprintf("%s %s, %s, v%d.s[%d]", mn, reg(rd, arr), reg(rn, arr), int(rm), index)}
}

// FMLAe: FMLA Vd.T, Vn.T, Vm.S[i] (by element): U=0, opcode=0001.
func FMLAe(arr Arr, rd, rn, rm V, i int) Inst {
	return byElement("fmla", 0, 0b0001, arr, rd, rn, rm, i)
}

// FMLSe: FMLS (by element): U=0, opcode=0101.
func FMLSe(arr Arr, rd, rn, rm V, i int) Inst {
	return byElement("fmls", 0, 0b0101, arr, rd, rn, rm, i)
}

// FMULe: FMUL (by element): U=0, opcode=1001.
func FMULe(arr Arr, rd, rn, rm V, i int) Inst {
	return byElement("fmul", 0, 0b1001, arr, rd, rn, rm, i)
}

// FCMGEz: FCMGE (zero): U=1, a=1, opcode=01100: Vd = (Vn >= 0.0) ? ones :
// zeros (false for NaN; true for -0).
func FCMGEz(arr Arr, rd, rn V) Inst { return fp2("fcmge", 1, 1, 0b01100, arr, rd, rn, ", #0") }

// SCVTF (vector, integer): U=0, a=0, opcode=11101: each signed integer
// lane to the floating-point value, rounded by FPCR (to nearest even).
func SCVTF(arr Arr, rd, rn V) Inst { return fp2("scvtf", 0, 0, 0b11101, arr, rd, rn, "") }

// ORN Vd.16B, Vn.16B, Vm.16B (vector): three same with U=0, size=11,
// opcode=00011; Vd = Vn OR NOT Vm.
func ORN(rd, rn, rm V) Inst {
	w := threeSame(1, 0, 0b11, 0b00011, rd, rn, rm)
	return Inst{w, fmt.Sprintf("orn %s, %s, %s", reg(rd, B16), reg(rn, B16), reg(rm, B16))}
}

// SSHR Vd.4S, Vn.4S, #shift encodes "Advanced SIMD shift by immediate"
// (C4.1.95.26) with U=0, opcode=00000 (an arithmetic right shift of each
// signed 32-bit lane); for 32-bit lanes immh = 01xx and immh:immb =
// 64 - shift, shift in 1..32:
//
//	31 | 30 | 29 | 28..23 | 22..19 | 18..16 | 15..11 | 10 | 9..5 | 4..0
//	 0 |  Q |  U | 011110 |  immh  |  immb  | opcode |  1 |  Rn  |  Rd
func SSHR(rd, rn V, shift int) Inst {
	if shift < 1 || shift > 32 {
		panic(fmt.Sprintf("neon: sshr shift %d out of range 1..32", shift))
	}
	ib := uint32(64 - shift)
	w := 0<<31 | 1<<30 | 0<<29 | 0b011110<<23 | bit("immh:immb", ib, 7)<<16 |
		0b00000<<11 | 1<<10 | rn.check()<<5 | rd.check()
	return Inst{w, fmt.Sprintf("sshr %s, %s, #%d", reg(rd, S4), reg(rn, S4), shift)}
}
