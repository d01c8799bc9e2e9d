#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Count test cases across meson test logs and extra step results.

Each C test prints TAP; meson keeps each test's stdout in meson-logs/testlog.json.
A case is one "ok"/"not ok" line (TAP "# SKIP" lines are not counted as
passed). A test executable that failed without reporting a failing case
(a crash, a timeout) counts as one failed case. Extra steps of
run-tests.sh (fuzz runs, the install check, DTS) append "PASS name" or
"FAIL name" lines to a results file.

Prints skipped cases (what the machine lacked), failing case names, then
the closing line "N passed, N failed".
"""
import json
import re
import sys

TAP = re.compile(r"^(not )?ok \d+( - (.*))?$")


def count_testlog(path, passed, failed, skipped):
    with open(path) as f:
        for line in f:
            t = json.loads(line)
            bad_cases = 0
            for out in (t.get("stdout") or "").splitlines():
                m = TAP.match(out.strip().split(" # ")[0])
                if not m:
                    continue
                if "# SKIP" in out:
                    if "# SKIP not selected" not in out:
                        skipped.append("%s:%s" % (t["name"], m.group(3) or "?"))
                    continue
                name = "%s:%s" % (t["name"], m.group(3) or "?")
                if m.group(1):
                    bad_cases += 1
                    failed.append(name)
                else:
                    passed.append(name)
            if t["result"] not in ("OK", "EXPECTEDFAIL", "SKIP") and bad_cases == 0:
                failed.append("%s (%s)" % (t["name"], t["result"]))


def count_steps(path, passed, failed):
    with open(path) as f:
        for line in f:
            verdict, _, name = line.strip().partition(" ")
            (passed if verdict == "PASS" else failed).append(name)


def main(argv):
    passed, failed, skipped = [], [], []
    for path in argv[1:]:
        try:
            if path.endswith(".json"):
                count_testlog(path, passed, failed, skipped)
            else:
                count_steps(path, passed, failed)
        except FileNotFoundError:
            failed.append("missing results: " + path)
    for name in skipped:
        print("SKIPPED (neither passed nor failed): " + name)
    for name in failed:
        print("FAILED: " + name)
    print("%d passed, %d failed" % (len(passed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
