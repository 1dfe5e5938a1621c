#!/usr/bin/env bash
# The cross-build matrix beyond linux, run from the repository root by
# .ci/cross.sh (and by the cross-vet job of .github/workflows/ci.yml):
# go vet and go test -c, with and without -tags purego, without cgo, for
#   - every module (root, bench, examples) on darwin and windows (amd64),
#     and bench and examples on linux/386, whose 32-bit int catches
#     constants that overflow it (bench once had one);
#   - the library alone on freebsd, openbsd and netbsd (amd64), darwin/arm64
#     (the NEON path on macOS), plan9, illumos and android, where the
#     examples' and the benchmark's dependencies do not build or matter, or
#     cost a cold compile of gonum and plot (about a minute per target) for
#     no code of ours that differs there.
# With -all (for a job that runs the matrix alone: the workflow's cross-vet)
# it also covers the library on every linux GOARCH (cross.sh's own matrix
# step), the arm64 of the BSDs and windows, plan9/386 and plan9/arm, and
# bench and examples on the BSDs, linux/arm and darwin/arm64.
# Every target is tried; the failures are listed at the end (exit status 1).
# Prints each target's duration, and the total.
set -euo pipefail
cd "$(dirname "$0")/.."

export GOWORK=off CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:-}"
t0=$SECONDS
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=()

# check GOOS GOARCH MODULE...: vet and test -c, with and without purego.
check() {
	local goos=$1 goarch=$2 m tags s=$SECONDS
	shift 2
	for m in "$@"; do
		for tags in "" purego; do
			echo "$goos/$goarch $m${tags:+ -tags $tags}"
			if ! (cd "$m" && GOOS=$goos GOARCH=$goarch go vet -tags "$tags" ./... &&
				GOOS=$goos GOARCH=$goarch go test -tags "$tags" -c -o "$tmp/$goos-$goarch/" ./...); then
				failed+=("$goos/$goarch $m${tags:+ -tags $tags}")
			fi
		done
	done
	echo "--- $goos/$goarch: $((SECONDS - s)) s"
}

if [ "${1:-}" = -all ]; then
	for arch in 386 arm amd64 arm64 loong64 mips64le ppc64le riscv64 s390x; do
		check linux "$arch" .
	done
	check wasip1 wasm .
fi
# CI's cut (about 10 targets; each costs a cold compile of the standard
# library and, for bench and examples, of gonum and plot): one GOARCH per
# extra GOOS, the NEON path on macOS, and 32-bit linux for bench and
# examples. -all (the workflow's cross-vet job) adds the rest.
check linux 386 bench examples
for goos in darwin windows; do
	check "$goos" amd64 . bench examples
done
for goos in freebsd openbsd netbsd; do
	check "$goos" amd64 .
done
check darwin arm64 .
check plan9 amd64 .
check illumos amd64 .
check android arm64 .
if [ "${1:-}" = -all ]; then
	for goos in freebsd openbsd netbsd; do
		check "$goos" amd64 bench examples
	done
	check linux arm bench examples
	check darwin arm64 bench examples
	for goos in freebsd openbsd netbsd windows; do
		check "$goos" arm64 .
	done
	check plan9 386 .
	check plan9 arm .
fi
if ((${#failed[@]})); then
	echo "=== matrix.sh: ${#failed[@]} targets failed in $((SECONDS - t0)) s:"
	printf '    %s\n' "${failed[@]}"
	exit 1
fi
echo "=== matrix.sh: all targets passed in $((SECONDS - t0)) s"
