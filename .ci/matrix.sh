#!/usr/bin/env bash
# The cross-build matrix beyond linux, run from the repository root by
# .ci/cross.sh (and by the cross-vet job of .github/workflows/ci.yml):
# go vet and go test -c, with and without -tags purego, without cgo, for
#   - every module (root, bench, examples) on freebsd, openbsd, netbsd, darwin
#     and windows on amd64, on darwin/arm64 (macOS), and on linux/386 and
#     linux/arm, whose 32-bit int catches constants that overflow it (bench
#     once had one);
#   - the library alone on the arm64 of freebsd, openbsd, netbsd and windows:
#     bench's and examples' dependencies (gonum, plot) cost a minute or more
#     to compile per target and have no arm64-specific code of ours;
#   - the library alone on plan9 (386, amd64, arm), illumos (amd64) and
#     android (arm64), where the examples' and the benchmark's dependencies
#     do not build or matter.
# With -all it also covers the library on every linux GOARCH (what cross.sh's
# own matrix step does), for a job that runs the matrix alone.
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
check linux 386 bench examples
check linux arm bench examples
for goos in freebsd openbsd netbsd darwin windows; do
	check "$goos" amd64 . bench examples
done
check darwin arm64 . bench examples
for goos in freebsd openbsd netbsd windows; do
	check "$goos" arm64 .
done
check plan9 386 .
check plan9 amd64 .
check plan9 arm .
check illumos amd64 .
check android arm64 .
if ((${#failed[@]})); then
	echo "=== matrix.sh: ${#failed[@]} targets failed in $((SECONDS - t0)) s:"
	printf '    %s\n' "${failed[@]}"
	exit 1
fi
echo "=== matrix.sh: all targets passed in $((SECONDS - t0)) s"
