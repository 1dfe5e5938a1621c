//go:build !purego

#include "textflag.h"

// func readAVX2(p []float32) uint32
//
// Eight independent YMM accumulators take 64 elements (256 bytes) per
// iteration, one accumulator then takes 8 at a time, and the last 0..7
// elements are read one by one, so nothing past the end of p is touched.
TEXT ·readAVX2(SB), NOSPLIT, $0-28
	MOVQ p_base+0(FP), SI
	MOVQ p_len+8(FP), CX
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	CMPQ CX, $64
	JB   read8

read64:
	VPXOR (SI), Y0, Y0
	VPXOR 32(SI), Y1, Y1
	VPXOR 64(SI), Y2, Y2
	VPXOR 96(SI), Y3, Y3
	VPXOR 128(SI), Y4, Y4
	VPXOR 160(SI), Y5, Y5
	VPXOR 192(SI), Y6, Y6
	VPXOR 224(SI), Y7, Y7
	ADDQ  $256, SI
	SUBQ  $64, CX
	CMPQ  CX, $64
	JAE   read64

read8:
	CMPQ CX, $8
	JB   readfold

read8loop:
	VPXOR (SI), Y0, Y0
	ADDQ  $32, SI
	SUBQ  $8, CX
	CMPQ  CX, $8
	JAE   read8loop

readfold:
	VPXOR        Y1, Y0, Y0
	VPXOR        Y3, Y2, Y2
	VPXOR        Y5, Y4, Y4
	VPXOR        Y7, Y6, Y6
	VPXOR        Y2, Y0, Y0
	VPXOR        Y6, Y4, Y4
	VPXOR        Y4, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPXOR        X1, X0, X0
	VPSHUFD      $0x4e, X0, X1
	VPXOR        X1, X0, X0
	VPSHUFD      $0xb1, X0, X1
	VPXOR        X1, X0, X0
	VMOVD        X0, AX
	VZEROUPPER
	TESTQ        CX, CX
	JZ           readdone

readtail:
	XORL (SI), AX
	ADDQ $4, SI
	DECQ CX
	JNZ  readtail

readdone:
	MOVL AX, ret+24(FP)
	RET

// func readWriteAVX2(dst, src []float32)
//
// Copies 32 elements (128 bytes) per iteration through four YMM registers,
// then 8 at a time, then the last 0..7 one by one.
TEXT ·readWriteAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	CMPQ CX, $32
	JB   copy8

copy32:
	VMOVDQU (SI), Y0
	VMOVDQU 32(SI), Y1
	VMOVDQU 64(SI), Y2
	VMOVDQU 96(SI), Y3
	VMOVDQU Y0, (DI)
	VMOVDQU Y1, 32(DI)
	VMOVDQU Y2, 64(DI)
	VMOVDQU Y3, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	CMPQ    CX, $32
	JAE     copy32

copy8:
	CMPQ CX, $8
	JB   copyvdone

copy8loop:
	VMOVDQU (SI), Y0
	VMOVDQU Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	CMPQ    CX, $8
	JAE     copy8loop

copyvdone:
	VZEROUPPER
	TESTQ CX, CX
	JZ    copydone

copytail:
	MOVL (SI), AX
	MOVL AX, (DI)
	ADDQ $4, SI
	ADDQ $4, DI
	DECQ CX
	JNZ  copytail

copydone:
	RET
