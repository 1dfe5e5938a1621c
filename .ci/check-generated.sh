#!/bin/sh
# Regenerates bce_amd64.s from the avo generator in _asm/amd64 and fails when
# the committed file differs from what the generator produces.
set -eu
cd "$(dirname "$0")/.."
(cd _asm && GOWORK=off go run ./amd64 -out ../bce_amd64.s)
git diff --exit-code -- bce_amd64.s
