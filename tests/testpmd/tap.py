#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run pytest -v on test_testpmd.py and report each case as TAP for meson.

usage: tap.py VU_TESTPMD_BINARY
pytest's own output is passed through as TAP comments; each
"file::case PASSED|FAILED|ERROR|SKIPPED" line becomes one ok/not ok line.
"""
import os
import re
import subprocess
import sys

LINE = re.compile(r"^(\S+::\S+(?:\[.*?\])?) (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, VU_TESTPMD=os.path.abspath(sys.argv[1]))
    r = subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider",
                        "-rfE", os.path.join(here, "test_testpmd.py")],
                       env=env, capture_output=True, text=True, cwd=here)
    results = []
    for line in r.stdout.splitlines():
        print("# " + line)
        m = LINE.match(line)
        if m:
            results.append((m.group(1), m.group(2)))
    for line in r.stderr.splitlines():
        print("# " + line)
    print("1..%d" % max(len(results), 1))
    if not results:
        print("not ok 1 - pytest ran no case (exit %d)" % r.returncode)
        return 1
    for i, (name, verdict) in enumerate(results, 1):
        name = name.split("::", 1)[1]
        if verdict in ("PASSED", "XFAIL"):
            print("ok %d - %s" % (i, name))
        elif verdict == "SKIPPED":
            print("ok %d - %s # SKIP" % (i, name))
        else:
            print("not ok %d - %s" % (i, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
