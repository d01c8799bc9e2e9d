# SPDX-License-Identifier: BSD-3-Clause
# Thin wrapper over meson, for the README's two commands.
#   make run   install deps, set up hugepages, build, run the main job
#   make test  install deps, build normal + ASan/UBSan (clang), run every test

.PHONY: run test build clean

build:
	@devtools/install-deps.sh
	@[ -d build ] || meson setup build >/dev/null
	@ninja -C build

run:
	@devtools/run-main.sh

test:
	@devtools/run-tests.sh

clean:
	rm -rf build build-asan build-doc
