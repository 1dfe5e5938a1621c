//go:build !purego

#include "textflag.h"

// func readNEON(p []float32) uint32
//
// One VLD1 of four Q registers (16 elements, 64 bytes) per iteration into four
// independent VEOR accumulators, then 4 at a time, then the last 0..3 one by
// one, so nothing past the end of p is touched.
TEXT ·readNEON(SB), NOSPLIT, $0-28
	MOVD p_base+0(FP), R0
	MOVD p_len+8(FP), R1
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	CMP  $16, R1
	BLT  read4

read16:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VEOR   V0.B16, V4.B16, V4.B16
	VEOR   V1.B16, V5.B16, V5.B16
	VEOR   V2.B16, V6.B16, V6.B16
	VEOR   V3.B16, V7.B16, V7.B16
	SUB    $16, R1, R1
	CMP    $16, R1
	BGE    read16

read4:
	CMP $4, R1
	BLT readfold

read4loop:
	VLD1.P 16(R0), [V0.S4]
	VEOR   V0.B16, V4.B16, V4.B16
	SUB    $4, R1, R1
	CMP    $4, R1
	BGE    read4loop

readfold:
	VEOR V5.B16, V4.B16, V4.B16
	VEOR V7.B16, V6.B16, V6.B16
	VEOR V6.B16, V4.B16, V4.B16
	VMOV V4.D[0], R2
	VMOV V4.D[1], R3
	EOR  R3, R2, R2
	LSR  $32, R2, R3
	EORW R3, R2, R2
	CBZ  R1, readdone

readtail:
	MOVWU.P 4(R0), R3
	EORW    R3, R2, R2
	SUB     $1, R1, R1
	CBNZ    R1, readtail

readdone:
	MOVW R2, ret+24(FP)
	RET

// func readWriteNEON(dst, src []float32)
//
// Copies 16 elements per iteration through four Q registers, then 4 at a
// time, then the last 0..3 one by one.
TEXT ·readWriteNEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R0
	MOVD src_base+24(FP), R1
	MOVD src_len+32(FP), R2
	CMP  $16, R2
	BLT  copy4

copy16:
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	SUB    $16, R2, R2
	CMP    $16, R2
	BGE    copy16

copy4:
	CMP $4, R2
	BLT copytail0

copy4loop:
	VLD1.P 16(R1), [V0.S4]
	VST1.P [V0.S4], 16(R0)
	SUB    $4, R2, R2
	CMP    $4, R2
	BGE    copy4loop

copytail0:
	CBZ R2, copydone

copytail:
	MOVWU.P 4(R1), R3
	MOVW.P  R3, 4(R0)
	SUB     $1, R2, R2
	CBNZ    R2, copytail

copydone:
	RET
