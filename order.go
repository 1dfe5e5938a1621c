package bce

import "math/bits"

// The summation order of every reduction (see "Summation order" in the
// package documentation). It depends on n alone, never on the path or on
// the number of goroutines: the input is cut into blocks of block
// elements; each block accumulates into its own zeroed lanes, element i
// into lane i mod 16, in index order (the kernels' contract); the blocks'
// lanes are added lane by lane in the binary tree that treeSplit defines;
// and the root's 16 lanes fold in fold16's tree. A goroutine that computes
// a whole subtree computes the same bits as one goroutine computing all of
// it, which is what lets a call fan out without changing its result.

// block is the reductions' unit: the lanes restart at zero every block
// elements. It is chunk, so one kernel call covers at most one block and a
// call of at most block elements (the short inputs) is one kernel call
// into one set of lanes, as it was before blocks were defined.
const block = chunk

// lanes is a reduction's float64 accumulator: 16 lanes of losses (or of
// weights) and, for the weighted sums, 16 lanes of weights after them. A
// reduction of 16 lanes leaves the upper ones at zero.
type lanes [32]float64

// add adds b to a lane by lane. Addition is commutative in IEEE 754, so
// only the tree's shape fixes the bits, not which operand comes first.
func (a *lanes) add(b *lanes) {
	for i := range a {
		a[i] += b[i]
	}
}

func (a *lanes) lo() *[16]float64 { return (*[16]float64)(a[:16]) }
func (a *lanes) hi() *[16]float64 { return (*[16]float64)(a[16:]) }

// treeSplit returns where the subtree of elements [lo, hi) splits, for
// hi-lo > block: its left child holds the first 2^k blocks, 2^k the largest
// power of two below the node's block count, and its right child the rest.
// So blocks combine in aligned pairs, quadruples and so on (the pairwise
// summation of N. J. Higham, "The accuracy of floating point summation",
// SIAM J. Sci. Comput. 14, 1993), and an element passes through at most
// ceil(log2(blocks)) of the tree's additions.
func treeSplit(lo, hi int) int {
	nb := (hi - lo + block - 1) / block
	return lo + block<<(bits.Len(uint(nb-1))-1)
}

// reduce accumulates op's lanes over elements [lo, hi) of an n-element
// call into acc, which must be zero: lo is a multiple of block, and
// [lo, hi) a node of the tree (the whole call, or a subtree of it).
func (c *Criterion) reduce(n, lo, hi int, op *wop, acc *lanes) {
	if hi-lo <= block {
		c.walkRange(n, lo, hi, op, acc)
		return
	}
	m := treeSplit(lo, hi)
	c.reduce(n, lo, m, op, acc)
	var r lanes
	c.reduce(n, m, hi, op, &r)
	acc.add(&r)
}
