package bce

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// How a Criterion or Focal call with Goroutines > 1 spreads over
// goroutines. The call is cut into tasks: for a per-element kind, spans of
// about equal length (multiples of 16 elements, so that every span but the
// last starts on a 64-byte line); for a reduction, whole subtrees of the
// summation tree (order.go), each of at most a few blocks. The caller and
// up to Goroutines-1 parked workers claim the tasks in turn from a shared
// counter, so a goroutine slowed by a busy CPU takes fewer of them. A
// reduction's tasks write their lanes to their own slots, which the caller
// adds in the tree's order once every task is done: the bits are those of
// one goroutine, whichever goroutine ran which task.

// fanMin is the smallest call, in elements, that fans out. It is where
// Goroutines 2 became about 1.25x faster than 1 on a 2-vCPU Xeon VM
// (BenchmarkFanOut, 2026-12-03: Mean and LossGrad 1.26x and 1.29x at
// 384 Ki, 1.35x and 1.40x at 512 Ki; Grad, which does less per element,
// 1.12x at 512 Ki and 1.31x at 768 Ki; at 256 Ki two goroutines were 6%
// slower for Grad and at most 10% faster for the reductions). The cost is
// the worker's start: handed a task while parked on an idle vCPU it began
// a median 85 us after the call did (a worker that is still awake costs
// 0.55 us; BenchmarkFanOutCost). Tests lower it so that small calls fan out too.
var fanMin = 1 << 19

// tasksPerGoroutine is how many tasks a call is cut into per goroutine: more
// balance the load when a goroutine is slowed, at a few hundred ns each.
const tasksPerGoroutine = 4

// minSpan is the shortest span of a per-element task, in elements. A
// benchmark lowers it to time a fan-out of almost no work.
var minSpan = 1 << 13

// testHookTask, when set (by tests), runs before every task: helper says
// whether a worker (not the caller) runs it.
var testHookTask func(helper bool, task int)

// exec runs op over the n elements of c's call, a per-element kind when acc
// is nil and otherwise a reduction into acc (zero on entry) in the fixed
// order, on up to c.Goroutines goroutines.
func (c *Criterion) exec(n int, op *wop, acc *lanes) {
	if g := c.width(n, acc != nil); g > 1 {
		fanOut(c, n, op, acc, g)
		return
	}
	if acc == nil {
		c.walkRange(n, 0, n, op, nil)
		return
	}
	c.reduce(n, 0, n, op, acc)
}

// width returns how many goroutines an n-element call uses: Goroutines,
// capped at GOMAXPROCS, or 1 for a call below fanMin or, for a reduction,
// of one block (a block is never split).
func (c *Criterion) width(n int, reduction bool) int {
	g := c.Goroutines
	if g <= 1 || n < fanMin || reduction && n <= block {
		return 1
	}
	return min(g, runtime.GOMAXPROCS(0))
}

// span is a task's elements [lo, hi).
type span struct{ lo, hi int }

// fan is one call spread over goroutines: the copies of the call's
// Criterion and op that the workers read, its tasks and their state.
type fan struct {
	c      Criterion
	op     wop
	n      int
	reduce bool
	limit  int     // a reduction's task is a tree node of at most limit elements
	tasks  []span  // in index order
	slots  []lanes // a reduction's lanes, one per task
	next   atomic.Int64
	wg     sync.WaitGroup
	mu     sync.Mutex
	panic  any // the first panic of a task; never nil after a panic (Go 1.21 turns panic(nil) into a *runtime.PanicNilError)
}

// fans holds the idle fans: a call takes one and returns it, so a call
// allocates nothing once as many fans exist as calls run at once.
var fans struct {
	sync.Mutex
	free []*fan
}

func getFan() *fan {
	fans.Lock()
	defer fans.Unlock()
	if k := len(fans.free); k > 0 {
		f := fans.free[k-1]
		fans.free = fans.free[:k-1]
		return f
	}
	return new(fan)
}

func putFan(f *fan) {
	// Drop the call's slices, so that an idle fan keeps no caller's data
	// alive.
	f.c, f.op, f.panic = Criterion{}, wop{}, nil
	fans.Lock()
	fans.free = append(fans.free, f)
	fans.Unlock()
}

// The worker pool: at most GOMAXPROCS workers, started when a call first
// needs them and parked on work between calls.
var (
	work    = make(chan *fan)
	workers atomic.Int64
)

func worker(f *fan) {
	for {
		f.run(true)
		f.wg.Done()
		f = <-work
	}
}

// fanOut runs the call on the caller's goroutine and up to g-1 workers,
// then, for a reduction, adds the tasks' lanes into acc in the tree's
// order. A panic in any task reaches the caller once every goroutine has
// left the call, so no worker writes to the caller's slices after it
// returns or panics.
func fanOut(c *Criterion, n int, op *wop, acc *lanes, g int) {
	f := getFan()
	f.c, f.op, f.n, f.reduce = *c, *op, n, acc != nil
	f.plan(g)
	f.next.Store(0)
	for range min(g, len(f.tasks)) - 1 {
		f.wg.Add(1)
		select {
		case work <- f:
			continue
		default:
		}
		if workers.Add(1) <= int64(runtime.GOMAXPROCS(0)) {
			go worker(f)
			continue
		}
		workers.Add(-1)
		f.wg.Done()
		break
	}
	f.run(false)
	f.wg.Wait()
	if p := f.panic; p != nil {
		putFan(f)
		panic(p)
	}
	if f.reduce {
		i := 0
		f.combine(0, n, &i, acc)
	}
	putFan(f)
}

// plan cuts the call into tasks for g goroutines.
func (f *fan) plan(g int) {
	f.tasks = f.tasks[:0]
	want := g * tasksPerGoroutine
	if !f.reduce {
		size := max(minSpan, (f.n+want-1)/want+15) &^ 15
		for lo := 0; lo < f.n; lo += size {
			f.tasks = append(f.tasks, span{lo, min(f.n, lo+size)})
		}
		return
	}
	blocks := (f.n + block - 1) / block
	f.limit = max(1, blocks/want) * block
	f.split(0, f.n)
	if cap(f.slots) < len(f.tasks) {
		f.slots = make([]lanes, len(f.tasks))
	}
	f.slots = f.slots[:len(f.tasks)]
}

// split appends the tasks of the tree node [lo, hi): the node itself when
// it holds at most limit elements, else its children's.
func (f *fan) split(lo, hi int) {
	if hi-lo <= f.limit {
		f.tasks = append(f.tasks, span{lo, hi})
		return
	}
	m := treeSplit(lo, hi)
	f.split(lo, m)
	f.split(m, hi)
}

// combine adds the slots of the node [lo, hi) into acc (zero on entry) in
// the tree's order; *i is the next task's index.
func (f *fan) combine(lo, hi int, i *int, acc *lanes) {
	if hi-lo <= f.limit {
		*acc = f.slots[*i]
		*i++
		return
	}
	m := treeSplit(lo, hi)
	f.combine(lo, m, i, acc)
	var r lanes
	f.combine(m, hi, i, &r)
	acc.add(&r)
}

// run claims and runs tasks until none is left or one panics.
func (f *fan) run(helper bool) {
	defer func() {
		if p := recover(); p != nil {
			f.mu.Lock()
			if f.panic == nil {
				f.panic = p
			}
			f.mu.Unlock()
		}
	}()
	for {
		i := int(f.next.Add(1) - 1)
		if i >= len(f.tasks) {
			return
		}
		if h := testHookTask; h != nil {
			h(helper, i)
		}
		t := f.tasks[i]
		if !f.reduce {
			f.c.walkRange(f.n, t.lo, t.hi, &f.op, nil)
			continue
		}
		f.slots[i] = lanes{}
		f.c.reduce(f.n, t.lo, t.hi, &f.op, &f.slots[i])
	}
}
