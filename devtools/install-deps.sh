#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Install what vu needs from Debian 12, and nothing else. Idempotent: quiet
# and fast when everything is already present.
set -euo pipefail

PKGS=(
	build-essential meson ninja-build pkg-config
	libdpdk-dev dpdk-dev libnuma-dev          # DPDK 22.11 and numactl; dpdk-dev ships dpdk-testpmd
	clang llvm libclang-rt-14-dev             # second compiler, sanitizers, libFuzzer
	python3 python3-pytest python3-pexpect python3-yaml python3-matplotlib  # DTS
	qemu-system-x86 linux-image-amd64 busybox-static cpio  # a real VMM and guest (tests/qemu)
	doxygen python3-sphinx                    # doc/ (API reference, guides)
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "install-deps: run as root, or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
