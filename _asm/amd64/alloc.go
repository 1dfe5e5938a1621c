package main

import (
	"fmt"
	"strings"

	"github.com/mmcloughlin/avo/ir"
	"github.com/mmcloughlin/avo/pass"
	"github.com/mmcloughlin/avo/reg"
)

// compile is avo's pass.Compile with its register allocator replaced by
// allocOrdered.
var compile = pass.Concat(
	pass.Verify,
	pass.FunctionPass(pass.PruneJumpToFollowingLabel),
	pass.FunctionPass(pass.PruneDanglingLabels),
	pass.FunctionPass(pass.LabelTarget),
	pass.FunctionPass(pass.CFG),
	pass.InstructionPass(pass.ZeroExtend32BitOutputs),
	pass.FunctionPass(pass.Liveness),
	pass.FunctionPass(allocOrdered),
	pass.FunctionPass(pass.BindRegisters),
	pass.FunctionPass(pass.VerifyAllocation),
	pass.FunctionPass(pass.EnsureBasePointerCalleeSaved),
	pass.Func(pass.IncludeTextFlagHeader),
	pass.FunctionPass(pass.PruneSelfMoves),
	pass.FunctionPass(pass.RequiredISAExtensions),
)

// allocOrdered colours the interference graph (built as avo builds it: each
// output interferes with what is live after it) greedily in the order in
// which the virtual registers first appear, giving each the lowest-numbered
// free physical register. The kernels are straight-line code around one
// loop, where the live ranges are (nearly) intervals, and colouring
// intervals in the order of their starts needs no more registers than are
// live at once; avo's own allocator, which colours the most constrained
// register first, runs out of registers well before that on the wide
// interleaves.
func allocOrdered(fn *ir.Function) error {
	var order []reg.ID
	seen := map[reg.ID]bool{}
	for _, i := range fn.Instructions() {
		for _, r := range i.Registers() {
			if id := r.ID(); id.IsVirtual() && !seen[id] {
				seen[id] = true
				order = append(order, id)
			}
		}
	}
	adj := map[reg.ID][]reg.ID{}
	for _, i := range fn.Instructions() {
		for _, d := range i.OutputRegisters() {
			out := i.LiveOut.OfKind(d.Kind())
			out.DiscardRegister(d)
			for id, mask := range out {
				if d.Mask()&mask != 0 {
					adj[d.ID()] = append(adj[d.ID()], id)
					adj[id] = append(adj[id], d.ID())
				}
			}
		}
	}
	alloc := reg.NewEmptyAllocation()
	for _, v := range order {
		used := map[reg.ID]bool{}
		for _, n := range adj[v] {
			if n.IsPhysical() {
				used[n] = true
			} else if p, ok := alloc[n]; ok {
				used[p] = true
			}
		}
		var cands, last []reg.ID
		for _, r := range reg.FamilyOfKind(v.Kind()).Registers() {
			switch {
			case r.Info()&reg.Restricted != 0:
			case v.Kind() == reg.KindVector && r.PhysicalIndex() >= 16 && strings.HasSuffix(fn.Name, "AVX2"):
				// VEX encodes only X0-X15/Y0-Y15.
			case r.Info()&reg.BasePointer != 0:
				last = append(last, r.ID())
			default:
				cands = append(cands, r.ID())
			}
		}
		ok := false
		for _, p := range append(cands, last...) {
			if !used[p] {
				alloc[v] = p
				ok = true
				break
			}
		}
		if !ok {
			maxLive := 0
			for _, i := range fn.Instructions() {
				maxLive = max(maxLive, len(i.LiveOut.OfKind(v.Kind())))
			}
			return fmt.Errorf("%s: failed to allocate registers (kind %d: at most %d live)", fn.Name, v.Kind(), maxLive)
		}
	}
	fn.Allocation = alloc
	return nil
}
