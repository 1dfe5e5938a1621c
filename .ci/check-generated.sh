#!/bin/sh
# Regenerates every generated file of package bce (the assembly of every
# GOARCH and the bce_dispatch_*.go files, from the tables of _asm/spec)
# with go generate, whatever the host, and fails when a committed file
# differs from what the generators write or when they write a file that is
# not committed.
set -eu
cd "$(dirname "$0")/.."
GOWORK=off go generate ./...
git diff --exit-code
untracked=$(git ls-files --others --exclude-standard)
if [ -n "$untracked" ]; then
	echo "generated files not committed:"
	echo "$untracked"
	exit 1
fi
