#!/usr/bin/env bash
# Cross-architecture CI for package bce, run from the repository root:
#   1. GOARCH=arm64 go vet (asmdecl checks bce_arm64.s against its stubs);
#   2. the whole root-module suite (-short) on arm64 under
#      qemu-aarch64-static with BCE_REQUIRE_PATHS=neon, so the NEON path
#      must be selected and tested;
#   3. the generic path's suite under qemu on s390x (big-endian) and riscv64
#      (a subset, see test_riscv64), beside step 2: each qemu suite keeps
#      one core busy;
#   4. go vet + go test -c, with and without -tags purego, for every
#      supported GOARCH (wasm as GOOS=wasip1);
#   4b. (.ci/matrix.sh) go vet + go test -c, with and without purego, on
#      freebsd, openbsd, netbsd, darwin and windows for every module, on
#      plan9, illumos and android for the library, and bench and examples
#      on linux/386 and linux/arm;
#   5. the WORD lines of bce_arm64.s: decoded by arm64asm (_asm decode and
#      encoder tests), found in a GOARCH=arm64 binary at their source lines
#      (go tool objdump) and decoded there by GNU objdump. (The regeneration
#      of bce_arm64.s is .ci/check-generated.sh's, with every other
#      generated file.)
# Each step prints its duration. Installs qemu-user-static and
# binutils-aarch64-linux-gnu with apt-get when missing.
set -euo pipefail

export GOWORK=off # the root module only; _asm is its own module
export GOFLAGS="${GOFLAGS:-}"
t0=$SECONDS

step() {
	local name=$1
	shift
	local s=$SECONDS
	echo "=== $name"
	"$@"
	echo "--- $name: $((SECONDS - s)) s"
}

install() {
	local need=()
	command -v qemu-aarch64-static >/dev/null || need+=(qemu-user-static)
	command -v qemu-s390x-static >/dev/null || need+=(qemu-user-static)
	command -v qemu-riscv64-static >/dev/null || need+=(qemu-user-static)
	command -v aarch64-linux-gnu-objdump >/dev/null || need+=(binutils-aarch64-linux-gnu)
	if ((${#need[@]})); then
		local sudo=
		[ "$(id -u)" = 0 ] || sudo=sudo
		$sudo apt-get update -qq
		# shellcheck disable=SC2046
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
	fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

vet_arm64() { GOARCH=arm64 go vet ./...; }

# modelOnly are the tests that measure the model itself against the
# reference. Under qemu they are skipped: the golden digests, which run
# there, prove that the model gives the same bits as on amd64, so it has
# the accuracy that these tests measure natively.
modelOnly='TestFocalModelRef|TestModelAccuracy'

test_arm64() {
	# -short: the sampled accuracy sets (the model's emulated FMAs) run on a
	# subset here, and in full natively; every kernel, length, offset,
	# page boundary and the digests still run on neon, and the random
	# agreement keeps its full 2^19 elements (the stand-in for fuzzing).
	BCE_AGREE_N=524288 BCE_REQUIRE_PATHS=neon GOARCH=arm64 go test -short -count=1 -timeout 30m -exec qemu-aarch64-static -skip "^($modelOnly)\$" ./...
}

test_s390x() {
	# -short: the largest sampled and reduction inputs run natively; here
	# the generic path's code generation and byte order (big-endian) are
	# what is new.
	BCE_REQUIRE_PATHS=generic GOARCH=s390x go test -short -count=1 -timeout 30m -exec qemu-s390x-static -skip "^($modelOnly)\$" ./...
}

test_riscv64() {
	# The third generic-only GOARCH, a little-endian one that fuses
	# multiply-adds as s390x and arm64 do: every kernel at every length and
	# offset, the sampled accuracy, the edges and the digests; the
	# largest generic sweeps (the focal accuracy configurations, the class
	# counts, the model-agreement cases) already ran on s390x and arm64.
	BCE_REQUIRE_PATHS=generic GOARCH=riscv64 go test -short -count=1 -timeout 30m -exec qemu-riscv64-static \
		-skip "^($modelOnly|TestFocalAccuracy|TestClassWeight|TestHarnessModel)\$" ./...
}

# shellcheck source=.ci/together.sh
. "$(dirname "$0")/together.sh"

arm64_words() {
	step "test arm64 under qemu (BCE_REQUIRE_PATHS=neon)" test_arm64
	step "WORD encodings: arm64asm, go tool objdump + GNU objdump" words
}

generic_suites() {
	step "test generic on s390x under qemu" test_s390x
	step "test generic on riscv64 under qemu" test_riscv64
}

matrix() {
	local arch goos tags
	for arch in 386 arm amd64 arm64 loong64 mips64le ppc64le riscv64 s390x wasm; do
		goos=linux
		[ "$arch" = wasm ] && goos=wasip1
		for tags in "" purego; do
			echo "$goos/$arch${tags:+ -tags $tags}"
			# (go test -c compiles the package as go build would, with
			# its tests, and links.)
			GOOS=$goos GOARCH=$arch go vet -tags "$tags" ./...
			GOOS=$goos GOARCH=$arch go test -tags "$tags" -c -o "$tmp/matrix/" ./...
		done
	done
}

words() {
	GOARCH=arm64 go test -c -o "$tmp/bce.arm64.test" .
	(cd _asm && BCE_ARM64_BINARY="$tmp/bce.arm64.test" go test -count=1 ./arm64/...)
}

step "install qemu-user-static, binutils-aarch64-linux-gnu" install
step "vet arm64" vet_arm64
together "arm64 under qemu, then the WORD encodings" arm64_words "s390x and riscv64 under qemu" generic_suites
step "vet and test -c for every GOARCH, with and without purego" matrix
step "vet and test -c on the other GOOSes, and bench and examples on 32-bit linux (.ci/matrix.sh)" .ci/matrix.sh
echo "=== cross.sh: all steps passed in $((SECONDS - t0)) s"
