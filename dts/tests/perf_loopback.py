# SPDX-License-Identifier: BSD-3-Clause
"""Performance: vhost <-> virtio-user loopback Mpps, every pair interleaved per point.

Not a functional suite (no test_ prefix): run by `dts/run --suite perf` or `perf-smoke`.
Each point (frame size x queue pairs x mergeable) runs every pair, in an order rotated
per point so machine drift hits all pairs alike. A sample is the vhost side's Rx-pps from
`show port stats 0` (testpmd's own "since last show" rate), read every --interval seconds
after a warm-up; the point's value is the median of --samples samples.
"""
from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from framework import config as cfgmod
from framework.runner import run_case

REFERENCE = "dpdk-dpdk"
FULL = dict(sizes=[64, 128, 256, 512, 1024, 1518], queues=[1, 2], mrg=[1, 0], samples=5,
            interval=1.0, warmup=2.0)
SMOKE = dict(sizes=[64], queues=[1], mrg=[1], samples=3, interval=1.0, warmup=2.0)
BASELINE_DIR = cfgmod.DTS_DIR / "baseline"


def measure(ctx, size: int, queues: int, mrg: int, samples: int, interval: float,
            warmup: float):
    nb_mbufs = max(ctx.config.total_num_mbufs, 16384 * queues)
    lb = ctx.loopback(queues=queues, mrg_rxbuf=mrg, nb_mbufs=nb_mbufs).start()
    lb.vhost.set_fwd("io")
    lb.virtio.set_fwd("io")
    lb.virtio.set_txpkts(size)
    lb.vhost.start()
    lb.virtio.start_tx_first(32)
    time.sleep(warmup)
    lb.vhost.port_stats(0)          # opens the first "since last show" interval
    pps = []
    for _ in range(samples):
        time.sleep(interval)
        pps.append(lb.vhost.port_stats(0).rx_pps)
    lb.virtio.stop()
    lb.vhost.stop()
    lb.quit()
    mpps = statistics.median(pps) / 1e6
    ctx.metrics.update(mpps=round(mpps, 4), samples_mpps=[round(p / 1e6, 4) for p in pps])
    ctx.check(mpps > 0, f"no throughput (samples {pps})")


def _key(size, q, m) -> str:
    return f"{size}B-q{q}-mrg{m}"


def _ints(s: str | None, default):
    return [int(x) for x in s.split(",")] if s else default


def run_suite(cfg, name: str, pairs: list[str], args) -> dict:
    base = dict(SMOKE if name == "perf-smoke" else FULL)
    sizes, queues, mrgs = (_ints(args.sizes, base["sizes"]), _ints(args.queues, base["queues"]),
                           _ints(args.mrg, base["mrg"]))
    samples = args.samples or base["samples"]
    interval = args.interval or base["interval"]
    warmup = args.warmup if args.warmup is not None else base["warmup"]
    timeout = 60 + warmup + samples * interval
    cases, table = [], {}
    n = 0
    for q in queues:
        for m in mrgs:
            for size in sizes:
                key = _key(size, q, m)
                table[key] = {}
                order = pairs[n % len(pairs):] + pairs[:n % len(pairs)]
                n += 1
                for pair in order:
                    def fn(ctx, _s=size, _q=q, _m=m):
                        measure(ctx, _s, _q, _m, samples, interval, warmup)
                    fn.__name__ = key
                    r = run_case(cfg, name, fn, pair, {}, timeout)
                    r["point"] = {"size": size, "queues": q, "mrg_rxbuf": m}
                    if r["status"] == "passed":
                        table[key][pair] = r["metrics"]["mpps"]
                    print(f"  {'PASS' if r['status'] == 'passed' else 'FAIL'} {name}/{key} "
                          f"[{pair}] {r.get('metrics', {}).get('mpps', '-')} Mpps"
                          + (f"  -- {r['message']}" if r["message"] else ""), flush=True)
                    cases.append(r)
    bl_path = args.baseline or (BASELINE_DIR / f"{name}.json")
    verdict = compare_baseline(cases, table, bl_path, args.tolerance)
    if args.save_baseline:
        save_baseline(bl_path, table)
        verdict.append(f"baseline saved to {bl_path}")
    md = markdown_table(table, pairs) + "\n" + "\n".join(f"- {v}" for v in verdict) + "\n"
    png = plot(cfg.output_dir / f"{name}.png", table, pairs)
    md += f"\n![Mpps against frame size]({png.name})\n"
    (cfg.output_dir / f"{name}.md").write_text(md)
    (cfg.output_dir / f"{name}.json").write_text(json.dumps(table, indent=2) + "\n")
    print(md)
    return {"suite": name, "doc": __doc__.strip().split("\n")[0], "cases": cases,
            "markdown": md, "table": table}


def _ratio(table, key, pair):
    ref = table[key].get(REFERENCE)
    v = table[key].get(pair)
    return v / ref if (v is not None and ref) else None


def compare_baseline(cases, table, path: Path, tol: float) -> list[str]:
    """Regression verdict: the reference pair by absolute Mpps, other pairs by their ratio
    to the reference measured in the same run (absolute if the reference was not run)."""
    if not path.exists():
        return [f"no baseline at {path}: no regression verdict (save one with --save-baseline)"]
    bl = json.loads(path.read_text())["points"]
    out, bad = [], 0
    for c in cases:
        key, pair = c["case"], c["pair"]
        if c["status"] != "passed" or key not in bl or pair not in bl[key]:
            continue
        now, was = table[key][pair], bl[key][pair]
        r_now = _ratio(table, key, pair) if pair != REFERENCE else None
        r_was = (was / bl[key][REFERENCE]) if (pair != REFERENCE and bl[key].get(REFERENCE)) \
            else None
        if r_now is not None and r_was is not None:
            lost, what = 1 - r_now / r_was, f"ratio {r_now:.3f} vs baseline {r_was:.3f}"
        else:
            lost, what = 1 - now / was, f"{now:.3f} Mpps vs baseline {was:.3f}"
        if lost > tol:
            c["status"] = "failed"
            c["message"] = f"regression: {what} (-{lost:.1%} > {tol:.0%})"
            bad += 1
        else:
            c["notes"].append(f"within tolerance: {what}")
    out.append(f"regression verdict against {path.name} (tolerance {tol:.0%}): "
               + ("**PASS**" if bad == 0 else f"**{bad} regressed**"))
    return out


def save_baseline(path: Path, table) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(path.read_text())["points"] if path.exists() else {}
    for key, row in table.items():
        old.setdefault(key, {}).update(row)
    path.write_text(json.dumps({"saved": time.strftime("%Y-%m-%d %H:%M:%S"),
                                "host_note": "2-core shared machine; noisy",
                                "points": old}, indent=2) + "\n")


def markdown_table(table, pairs) -> str:
    others = [p for p in pairs if p != REFERENCE]
    head = "| point | " + " | ".join(f"{p} Mpps" for p in pairs) + "".join(
        f" | {p} / {REFERENCE}" for p in others if REFERENCE in pairs) + " |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for key, row in table.items():
        cells = [f"{row[p]:.3f}" if p in row else "-" for p in pairs]
        if REFERENCE in pairs:
            for p in others:
                r = _ratio(table, key, p)
                cells.append(f"{r:.3f}" if r is not None else "-")
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot(path: Path, table, pairs) -> Path:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    combos = sorted({k.split("-", 1)[1] for k in table})
    fig, axes = plt.subplots(1, len(combos), figsize=(5 * len(combos), 4), squeeze=False)
    for ax, combo in zip(axes[0], combos):
        for pair in pairs:
            pts = sorted((int(k.split("B")[0]), row[pair]) for k, row in table.items()
                         if k.endswith(combo) and pair in row)
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=pair)
        ax.set_title(combo)
        ax.set_xlabel("frame size (B)")
        ax.set_ylabel("Mpps (vhost side Rx)")
        ax.grid(True, alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
