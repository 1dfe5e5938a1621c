# shellcheck shell=bash
# Sourced by .ci/run and .ci/cross.sh, each of which defines step NAME FUNC.
#
# together NAME1 FUNC1 NAME2 FUNC2 runs two steps at once, each with its
# output in a file, printed when both are done, and fails if either does.
# For steps that check correctness only (nothing in them is timed) and keep
# about one core busy each, such as a test binary under qemu-user or the
# race detector's single test process: two of them fill the machine's two
# cores.
together() {
	local dir rc1=0 rc2=0 p1 p2
	dir=$(mktemp -d)
	step "$1" "$2" >"$dir/1.log" 2>&1 &
	p1=$!
	step "$3" "$4" >"$dir/2.log" 2>&1 &
	p2=$!
	wait "$p1" || rc1=$?
	wait "$p2" || rc2=$?
	cat "$dir/1.log" "$dir/2.log"
	rm -rf "$dir"
	if ((rc1 || rc2)); then
		echo "=== together: \"$1\" exit $rc1, \"$3\" exit $rc2"
		return 1
	fi
}
