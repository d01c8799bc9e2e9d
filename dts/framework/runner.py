# SPDX-License-Identifier: BSD-3-Clause
"""`dts/run`: discover suites, run cases per app pair with timeouts and teardown,
write dts/output/results.json and report.md, exit 0 iff everything passed."""
from __future__ import annotations

import argparse
import importlib
import json
import re
import signal
import time
import traceback
from pathlib import Path

from . import config as cfgmod
from . import report
from .suite import CaseContext, expand
from .workspace import Workspace

TESTS_DIR = cfgmod.DTS_DIR / "tests"
PERF_SUITES = {"perf": "perf_loopback", "perf-smoke": "perf_loopback"}


class CaseTimeout(Exception):
    pass


def functional_suites() -> list[str]:
    return sorted(p.stem[len("test_"):] for p in TESTS_DIR.glob("test_*.py"))


def _alarm(signum, frame):
    raise CaseTimeout("case timed out")


def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", s)


def case_id(fn, params: dict) -> str:
    """The name reports and --case use: test_x[key=value,...]."""
    pname = ",".join(f"{k}={v}" for k, v in params.items())
    return fn.__name__ + (f"[{pname}]" if pname else "")


def run_case(cfg, suite: str, fn, pair: str, params: dict, timeout: float) -> dict:
    cid = case_id(fn, params)
    res = {"suite": suite, "case": cid, "pair": pair, "params": params,
           "status": "failed", "message": "", "duration": 0.0, "notes": []}
    vh, vi = cfg.split_pair(pair)
    applies = getattr(fn, "dts_applies", None)
    if applies and not applies[0](vh, vi):
        res.update(status="n/a", message=applies[1])
        return res
    missing = [f"{side} app '{a}': {cfg.app(a)} does not exist" for side, a in
               (("vhost", vh), ("virtio", vi)) if not cfg.app(a).exists()]
    if missing:
        res["message"] = "; ".join(missing) + " (build it or run with --pairs)"
        return res
    logdir = cfg.output_dir / "logs" / suite / _slug(f"{cid}-{pair}")
    ws = Workspace(cfg, logdir)
    res["logdir"] = str(logdir.relative_to(cfg.output_dir))
    ctx = CaseContext(cfg, ws, pair, params)
    t0 = time.monotonic()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(int(timeout))
    try:
        fn(ctx, **params)
        res["status"] = "passed"
    except CaseTimeout:
        res["message"] = f"timed out after {timeout:g}s"
    except Exception as e:  # noqa: BLE001 - a case failure of any kind is reported
        res["message"] = f"{type(e).__name__}: {e}"
        (logdir / "traceback.txt").write_text(traceback.format_exc())
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        left = ws.cleanup()
        res["duration"] = round(time.monotonic() - t0, 2)
        res["notes"] = ctx.notes
        if ctx.metrics:
            res["metrics"] = ctx.metrics
    if left:
        res["status"] = "failed"
        res["message"] += f" | left behind: {', '.join(left[:5])}"
    return res


def run_suite(cfg, name: str, pairs: list[str], only: str | None) -> dict:
    mod = importlib.import_module(f"tests.test_{name}")
    timeout = getattr(mod, "CASE_TIMEOUT", cfg.timeout("case"))
    cases = []
    for attr in dir(mod):
        fn = getattr(mod, attr)
        if not (attr.startswith("test_") and callable(fn)):
            continue
        for params in expand(fn):
            if only and only not in case_id(fn, params):
                continue
            for pair in pairs:
                r = run_case(cfg, name, fn, pair, params, timeout)
                tag = {"passed": "PASS", "failed": "FAIL", "n/a": "N/A "}[r["status"]]
                print(f"  {tag} {name}/{r['case']} [{pair}] {r['duration']:.1f}s"
                      + (f"  -- {r['message']}" if r["message"] else ""), flush=True)
                cases.append(r)
    return {"suite": name, "doc": (mod.__doc__ or "").strip().split("\n")[0], "cases": cases}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="dts/run", description=__doc__)
    ap.add_argument("--suite", nargs="+", default=["functional"],
                    help="functional | perf | perf-smoke | a suite name (see --list)")
    ap.add_argument("--list", action="store_true", help="list suites and cases, then exit")
    ap.add_argument("--conf", type=Path, default=cfgmod.DEFAULT_CONF)
    ap.add_argument("--pairs", help="comma-separated app pairs, e.g. dpdk-dpdk,vu-vu")
    ap.add_argument("--app-vhost", help="override the binary of the 'vu' app on the vhost side")
    ap.add_argument("--app-virtio", help="override the binary of the 'vu' app on the virtio side")
    ap.add_argument("--app", action="append", default=[], metavar="NAME=PATH",
                    help="set/override an app binary (e.g. dpdk=/opt/dpdk/bin/dpdk-testpmd)")
    ap.add_argument("--case", help="run only cases whose name, as reports print it "
                    "(test_x[key=value,...]), contains this")
    ap.add_argument("--memory", choices=["auto", "huge", "no-huge"])
    ap.add_argument("--output", type=Path)
    # perf options (used by perf / perf-smoke)
    ap.add_argument("--sizes", help="perf: frame sizes, e.g. 64,1518")
    ap.add_argument("--queues", help="perf: queue pairs, e.g. 1,2")
    ap.add_argument("--mrg", help="perf: mergeable settings, e.g. 0,1")
    ap.add_argument("--samples", type=int, help="perf: samples per point")
    ap.add_argument("--interval", type=float, help="perf: seconds between samples")
    ap.add_argument("--warmup", type=float, help="perf: warm-up seconds")
    ap.add_argument("--rounds", type=int,
                    help="perf: launches per pair and point, interleaved; the ratio to "
                         "dpdk-dpdk is the median of the per-round ratios")
    ap.add_argument("--record-stats", action="store_true",
                    help="perf: both sides record burst sizes and busy cycles (set "
                         "record-burst-stats on, set record-core-cycles on); each round's "
                         "line and results show them")
    ap.add_argument("--save-baseline", action="store_true")
    ap.add_argument("--baseline", type=Path, help="perf: baseline file to compare against")
    ap.add_argument("--tolerance", type=float, default=0.1)
    args = ap.parse_args(argv)
    for opt in ("samples", "rounds"):
        if getattr(args, opt) is not None and getattr(args, opt) < 1:
            ap.error(f"--{opt} must be at least 1")

    cfg = cfgmod.load(args.conf)
    if args.output:
        cfg.output_dir = args.output.resolve()
    if args.memory:
        cfg.memory_mode = args.memory
    for spec in args.app:
        k, _, v = spec.partition("=")
        cfg.apps[k] = cfgmod._path(v)
    # --app-vhost/--app-virtio: the vu binary per side, as apps 'vu-vhost'/'vu-virtio'
    pairs = args.pairs.split(",") if args.pairs else cfg.pairs
    if args.app_vhost or args.app_virtio:
        cfg.apps["vuh"] = cfgmod._path(args.app_vhost) if args.app_vhost else cfg.apps["vu"]
        cfg.apps["vuv"] = cfgmod._path(args.app_virtio) if args.app_virtio else cfg.apps["vu"]
        pairs = [f"{'vuh' if a == 'vu' else a}-{'vuv' if b == 'vu' else b}"
                 for a, b in map(cfg.split_pair, pairs)]
    for p in pairs:
        for a in cfg.split_pair(p):
            cfg.app(a)

    if args.list:
        for s in functional_suites():
            mod = importlib.import_module(f"tests.test_{s}")
            print(f"{s}: {(mod.__doc__ or '').strip().splitlines()[0]}")
            for attr in sorted(a for a in dir(mod) if a.startswith("test_")):
                for p in expand(getattr(mod, attr)):
                    print(f"    {attr}" + (f" {p}" if p else ""))
        print("perf: the loopback performance matrix (perf_loopback.py)")
        print("perf-smoke: one perf point (64 B, 1 queue, mergeable on)")
        return 0

    names: list[str] = []
    for s in args.suite:
        if s == "functional":
            names += functional_suites()
        elif s in PERF_SUITES or s in functional_suites():
            names.append(s)
        else:
            ap.error(f"unknown suite {s!r}; see --list")

    cfg.output_dir.mkdir(parents=True, exist_ok=True)
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "pairs": pairs,
               "apps": {k: str(v) for k, v in cfg.apps.items()},
               "memory": cfg.memory(), "suites": []}
    print(f"DTS: pairs {', '.join(pairs)}; memory {cfg.memory()}; output {cfg.output_dir}")
    for name in names:
        print(f"suite {name}", flush=True)
        if name in PERF_SUITES:
            mod = importlib.import_module(f"tests.{PERF_SUITES[name]}")
            results["suites"].append(mod.run_suite(cfg, name, pairs, args))
        else:
            results["suites"].append(run_suite(cfg, name, pairs, args.case))
    passed = sum(c["status"] == "passed" for s in results["suites"] for c in s["cases"])
    failed = sum(c["status"] == "failed" for s in results["suites"] for c in s["cases"])
    na = sum(c["status"] == "n/a" for s in results["suites"] for c in s["cases"])
    results.update(passed=passed, failed=failed, not_applicable=na,
                   finished=time.strftime("%Y-%m-%d %H:%M:%S"))
    (cfg.output_dir / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (cfg.output_dir / "report.md").write_text(report.markdown(results))
    print(f"results: {cfg.output_dir / 'results.json'}, report: {cfg.output_dir / 'report.md'}")
    if na:
        print(f"{na} not applicable to the selected pairs (listed in the report)")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1
