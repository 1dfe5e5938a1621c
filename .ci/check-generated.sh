#!/bin/sh
# Regenerates every generated file of package bce (the assembly of every
# GOARCH and the bce_dispatch_*.go files, from the tables of _asm/spec)
# with go generate, whatever the host, and fails when a committed generated
# file differs from what the generators write or when they write a file that
# is not committed. Only the generated files (those with Go's "Code
# generated ... DO NOT EDIT." line) are compared: the install step's
# go mod download may add checksums to go.work.sum, which is no concern of
# the generators.
set -eu
cd "$(dirname "$0")/.."
GOWORK=off go generate ./...
generated=$(git ls-files -z | xargs -0 grep -l '^// Code generated .* DO NOT EDIT\.$')
# shellcheck disable=SC2086 # one file name per word
git diff --exit-code -- $generated
untracked=$(git ls-files --others --exclude-standard)
if [ -n "$untracked" ]; then
	echo "generated files not committed:"
	echo "$untracked"
	exit 1
fi
