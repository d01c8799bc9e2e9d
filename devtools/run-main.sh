#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The README's run command (make run): dependencies, hugepages, build, and the
# main job. Until vu-testpmd's loopback exists, the main job is vu-selftest.
set -eu
cd "$(dirname "$0")/.."
devtools/install-deps.sh
devtools/hugepages.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
exec build/apps/vu-selftest/vu-selftest "${VU_RUN_SECONDS:-3}"
