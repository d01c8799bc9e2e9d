# SPDX-License-Identifier: BSD-3-Clause
"""results.json -> report.md."""
from __future__ import annotations


def _cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")[:300]


def markdown(results: dict) -> str:
    out = ["# DTS report", "",
           f"- started {results['started']}, finished {results.get('finished', '')}",
           f"- pairs: {', '.join(results['pairs'])} (vhost side-virtio side)",
           f"- memory: {results['memory']}",
           "- apps: " + ", ".join(f"`{k}` = `{v}`" for k, v in results["apps"].items()),
           f"- **{results.get('passed', 0)} passed, {results.get('failed', 0)} failed**, "
           f"{results.get('not_applicable', 0)} not applicable", ""]
    for s in results["suites"]:
        cases = s["cases"]
        p = sum(c["status"] == "passed" for c in cases)
        f = sum(c["status"] == "failed" for c in cases)
        out += [f"## {s['suite']}: {p} passed, {f} failed", ""]
        if s.get("doc"):
            out += [s["doc"], ""]
        out += ["| case | pair | status | time (s) | message |", "|---|---|---|---|---|"]
        for c in cases:
            st = {"passed": "pass", "failed": "**FAIL**", "n/a": "n/a"}[c["status"]]
            msg = c["message"] or "; ".join(c.get("notes", []))
            out.append(f"| {_cell(c['case'])} | {c['pair']} | {st} | {c['duration']} "
                       f"| {_cell(msg)} |")
        out.append("")
        if s.get("markdown"):
            out += [s["markdown"], ""]
    return "\n".join(out) + "\n"
