package main

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

// The NEON ISA audit: every instruction of the NEON kernels, as linked into
// a GOARCH=arm64 binary, must be baseline ARMv8.0-A: the base A64 set, FP and
// Advanced SIMD, which every ARMv8-A CPU that Go runs on implements (the
// dispatch checks only cpu.ARM64.HasASIMD). Nothing from the optional or
// later extensions: FP16 arithmetic (ARMv8.2), dot product, RDM, LSE atomics,
// CRC32, the crypto instructions, SVE.

// armv8Base lists the mnemonics (as arm64asm spells them) that are in
// ARMv8.0-A's base A64, FP or Advanced SIMD instruction set. It is a list of
// what the kernels may use, not of the whole architecture: a new mnemonic in
// bce_arm64.s fails here until someone checks it in the Arm ARM and adds it.
var armv8Base = map[string]bool{}

func init() {
	for _, op := range strings.Fields(`
		ADD ADDS SUB SUBS ADR ADRP AND ANDS ORR ORN EOR BIC MOV MOVZ MOVN MOVK
		LSL LSR ASR CMP CMN TST B BL BR BLR RET CBZ CBNZ TBZ TBNZ CSEL CSET
		CSINC MADD MSUB MUL UDIV SDIV UBFM SBFM UBFX SBFX NOP
		LDR LDRB LDRH LDRSW LDUR STR STRB STRH STUR LDP STP
		FADD FSUB FMUL FDIV FMLA FMLS FMADD FMSUB FNMADD FNMSUB FABS FNEG
		FSQRT FMIN FMAX FMINNM FMAXNM FADDP FCMEQ FCMGE FCMGT FCMLE FCMLT
		FCMP FCSEL FMOV FCVT FCVTL FCVTL2 FCVTN FCVTN2 FCVTZS FCVTZU FCVTNS
		FCVTMS SCVTF UCVTF FRINTN FRINTM FRINTP FRINTZ FRINTA FRINTX FRECPE
		FRECPS FRSQRTE FRSQRTS
		DUP INS UMOV MOVI MVNI MUL NOT BIT BIF BSL CMTST CMEQ CMGE CMGT CMHI
		CMHS SHL USHR SSHR USHL SSHL SHRN XTN SXTL UXTL ZIP1 ZIP2 UZP1 UZP2
		TRN1 TRN2 EXT TBL LD1 ST1 LD1R ADDV ADDP`) {
		armv8Base[op] = true
	}
}

// fp16Forms are the F-mnemonics that may take half-precision operands in
// ARMv8.0: the conversions to and from single precision. Any other
// floating-point instruction on an H register or a 4H/8H arrangement is
// FP16 arithmetic, an ARMv8.2 extension.
var fp16Forms = map[string]bool{"FCVT": true, "FCVTL": true, "FCVTL2": true, "FCVTN": true, "FCVTN2": true}

var halfOperand = regexp.MustCompile(`\bh[0-9]+\b|\.[48]h\b`)

// baselineInst returns an error unless the little-endian word w decodes to a
// baseline ARMv8.0 instruction.
func baselineInst(w uint32) (string, error) {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], w)
	inst, err := arm64asm.Decode(b[:])
	if err != nil {
		// arm64asm decodes the ARMv8.0 A64 set; what it cannot decode (SVE,
		// most later extensions) is not baseline either.
		return "", fmt.Errorf("%08x does not decode as ARMv8.0 A64: %v", w, err)
	}
	g := arm64asm.GNUSyntax(inst)
	op := inst.Op.String()
	if !armv8Base[op] {
		return g, fmt.Errorf("%08x %s: %s is not in the ARMv8.0 base/FP/ASIMD list of this audit", w, g, op)
	}
	if strings.HasPrefix(op, "F") && !fp16Forms[op] && halfOperand.MatchString(g) {
		return g, fmt.Errorf("%08x %s: half-precision arithmetic is FP16, ARMv8.2", w, g)
	}
	return g, nil
}

// TestBaselineInst checks the classifier on instructions it must accept and
// on one of each extension it must reject (encodings checked with GNU
// objdump -m aarch64).
func TestBaselineInst(t *testing.T) {
	for _, c := range []struct {
		w    uint32
		ok   bool
		what string
	}{
		{0x4e22d420, true, "fadd v0.4s, v1.4s, v2.4s"},
		{0x0e217820, true, "fcvtl v0.4s, v1.4h (a v8.0 conversion)"},
		{0x1e220020, true, "scvtf s0, w1"},
		{0x4e421420, false, "fadd v0.8h, v1.8h, v2.8h (FP16)"},
		{0x1ee20020, false, "scvtf h0, w1 (FP16)"},
		{0x4e829420, false, "sdot v0.4s, v1.16b, v2.16b (dot product)"},
		{0x4e284820, false, "aese v0.16b, v1.16b (crypto)"},
		{0xb8200041, false, "ldadd w0, w1, [x2] (LSE)"},
		{0x1ac24020, false, "crc32b w0, w1, w2 (CRC32)"},
		{0x2598e3e0, false, "ptrue p0.s (SVE)"},
	} {
		g, err := baselineInst(c.w)
		if (err == nil) != c.ok {
			t.Errorf("%08x (%s): decoded %q, error %v; want accepted = %v", c.w, c.what, g, err, c.ok)
		}
	}
}

// TestNEONBaseline decodes every instruction of every *NEON function in a
// GOARCH=arm64 test binary of the root package: the one BCE_ARM64_BINARY
// names (cross.sh builds it), else one built here.
func TestNEONBaseline(t *testing.T) {
	bin := os.Getenv("BCE_ARM64_BINARY")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "bce.arm64.test")
		cmd := exec.Command("go", "test", "-c", "-o", bin, ".")
		cmd.Dir = "../.."
		cmd.Env = append(os.Environ(), "GOARCH=arm64", "GOOS=linux", "GOWORK=off", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("GOARCH=arm64 go test -c: %v\n%s", err, out)
		}
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	text := f.Section(".text")
	data, err := text.Data()
	if err != nil {
		t.Fatal(err)
	}
	funcs, insts := 0, 0
	ops := map[string]int{}
	for _, s := range syms {
		name := strings.TrimSuffix(s.Name, ".abi0") // assembly functions are ABI0
		if !strings.HasPrefix(name, "github.com/fastbce/bce.") || !strings.HasSuffix(name, "NEON") ||
			elf.ST_TYPE(s.Info) != elf.STT_FUNC {
			continue
		}
		funcs++
		code := data[s.Value-text.Addr : s.Value-text.Addr+s.Size]
		// The linker pads a function to its alignment with zero words,
		// which are no instructions: drop them from the end only.
		for len(code) >= 4 && binary.LittleEndian.Uint32(code[len(code)-4:]) == 0 {
			code = code[:len(code)-4]
		}
		for i := 0; i+4 <= len(code); i += 4 {
			w := binary.LittleEndian.Uint32(code[i:])
			g, err := baselineInst(w)
			if err != nil {
				t.Errorf("%s+%#x: %v", name, i, err)
				continue
			}
			ops[strings.Fields(g)[0]]++
			insts++
		}
	}
	if funcs < 10 {
		t.Fatalf("found %d NEON functions in %s, want the 10 kernels at least", funcs, bin)
	}
	var list []string
	for op, n := range ops {
		list = append(list, fmt.Sprintf("%s %d", op, n))
	}
	sort.Strings(list)
	t.Logf("%d NEON functions, %d instructions, all ARMv8.0: %s", funcs, insts, strings.Join(list, ", "))
}
