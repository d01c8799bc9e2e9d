#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The README's run command (make run): dependencies, hugepages, build, and the
# main job: vu-testpmd's default loopback, a net_vhost port and a
# net_virtio_user port in one process joined by a private socket, forwarding
# for VU_RUN_SECONDS (5) and printing the throughput.
#
# Lcores: main lcore 0 (control), one forwarding lcore on 1: one spinner per
# core on a 2-core machine. Memory: hugepages when hugetlbfs has them, else
# memfd-backed --no-huge memory (slower, same code paths).
set -eu
cd "$(dirname "$0")/.."
devtools/install-deps.sh
devtools/hugepages.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null

MEM=(-m 512 --single-file-segments)
free=$(awk '/HugePages_Free/{print $2}' /proc/meminfo)
if ! grep -q hugetlbfs /proc/mounts || [ "${free:-0}" -lt 300 ]; then
	echo "run: not enough free hugepages, using --no-huge (memfd) memory"
	MEM=(-m 512 --no-huge)
fi
PREFIX=vu-run-$$
trap 'rm -rf /run/dpdk/$PREFIX /dev/hugepages/${PREFIX}map_* 2>/dev/null' EXIT
build/apps/vu-testpmd/vu-testpmd -l 0,1 --main-lcore 0 -n 1 --no-pci \
	--file-prefix=$PREFIX "${MEM[@]}" -- --run-time="${VU_RUN_SECONDS:-5}" </dev/null
