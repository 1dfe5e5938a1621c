#!/bin/sh
# Shows that bce_amd64.s and bce_arm64.s of the work tree hold the same
# instructions as at a git revision (default: main), function by function,
# whatever their comments and data symbol names (_asm/asmdiff): the proof
# that a change meant to touch only the generators' comments, names or
# structure changed no instruction, and so no performance figure.
#   .ci/asm-identical.sh [rev]
set -eu
cd "$(dirname "$0")/.."
rev=${1:-main}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in bce_amd64.s bce_arm64.s; do
	git show "$rev:$f" >"$tmp/$f"
	echo "=== $f: $rev against the work tree"
	(cd _asm && GOWORK=off go run ./asmdiff "$tmp/$f" "../$f")
done
