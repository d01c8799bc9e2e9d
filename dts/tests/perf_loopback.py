# SPDX-License-Identifier: BSD-3-Clause
"""Performance: vhost <-> virtio-user loopback Mpps, every pair interleaved per point.

Not a functional suite (no test_ prefix): run by `dts/run --suite perf` or `perf-smoke`.
Each point (frame size x queue pairs x mergeable) runs every pair, --rounds times, in an
order rotated per round and per point so machine drift hits all pairs alike. A sample is
the vhost side's Rx-pps from `show port stats 0` (testpmd's own "since last show" rate),
read every --interval seconds after a warm-up; a round's value is the median of --samples
samples. A pair's Mpps is the median of its rounds; its ratio to the reference is the
median of the per-round ratios (each taken between launches a few seconds apart, so a
shared machine's slow swings cancel out of it). The core-to-core round trip measured
before and after the run (tools/c2c_rtt.c) tells a quiet machine from one whose vCPUs
the host moved apart. On such a machine the report's sample quantiles are the steadier
comparison: every sample of a pair, pooled over its rounds, at p10..p90; the low ones
are the spells in which the vCPUs were far apart (use many short samples, e.g.
--samples 16 --interval 0.25). With --record-stats both sides record their burst sizes
and busy cycles (`set record-burst-stats on`, `set record-core-cycles on`; from start to
stop, warm-up included) and each round's line shows the RX shares, packets per poll and
the share of the run each lcore spent moving packets: which side waits on the other.
"""
from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from framework import config as cfgmod
from framework.runner import run_case

REFERENCE = "dpdk-dpdk"
FULL = dict(sizes=[64, 128, 256, 512, 1024, 1518], queues=[1, 2], mrg=[1, 0], samples=5,
            interval=1.0, warmup=2.0, rounds=1)
SMOKE = dict(sizes=[64], queues=[1], mrg=[1], samples=3, interval=1.0, warmup=2.0, rounds=1)
BASELINE_DIR = cfgmod.DTS_DIR / "baseline"
C2C_SRC = cfgmod.DTS_DIR / "tools" / "c2c_rtt.c"


def core_to_core_rtt(out_dir: Path, gap_ms: int = 250) -> dict | None:
    """Round trip of a cache line between CPU 0 and CPU 1 (tools/c2c_rtt.c), 20 samples
    250 ms apart: {min, median, max, samples} in ns, or None without a C compiler. A
    median far above the min means the host moved the vCPUs apart during the run."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return None
    exe = out_dir / "c2c_rtt"
    try:
        if not exe.exists():
            subprocess.run([cc, "-O2", "-pthread", "-o", str(exe), str(C2C_SRC)], check=True,
                           capture_output=True, timeout=60)
        out = subprocess.run([str(exe), "20", str(gap_ms)], check=True, capture_output=True,
                             text=True, timeout=60).stdout.split()
    except (subprocess.SubprocessError, OSError):
        return None
    vals = [int(float(x)) for x in out[1:]]
    return {"min": vals[0], "median": vals[1], "max": vals[2], "samples": vals[3:]}


def _rtt_line(when: str, rtt: dict | None) -> str:
    if rtt is None:
        return f"core-to-core round trip {when}: not measured (no C compiler)"
    return (f"core-to-core round trip {when}: min {rtt['min']} ns, median {rtt['median']} ns, "
            f"max {rtt['max']} ns")


def _bursts(f) -> dict:
    """A side's burst shares from its `stop`: {"rx": {"total": N, "packets": P,
    "shares": [[pct, size]]}, "tx": ...}; size None is "other"."""
    p = f.ports.get(0)
    return {d: {"total": b.total, "packets": n, "shares": [list(x) for x in b.shares]}
            for d, b, n in (("rx", p and p.rx_bursts, p and p.rx_packets),
                            ("tx", p and p.tx_bursts, p and p.tx_packets)) if b}


def _busy(f, seconds: float) -> float | None:
    """Share of the run a side's lcore spent in bursts that moved packets."""
    if f.busy_cycles is None or not f.clock_mhz or seconds <= 0:
        return None
    return round(f.busy_cycles / (f.clock_mhz * 1e6 * seconds), 3)


def record_line(m: dict) -> str:
    """'vhost RX 0:98% 32:2% 0.61/poll busy 0.93 193 c/p | virtio ...' from a round's
    metrics: the receive shares, packets per receive poll (empty polls included), busy
    share, CPU cycles per packet."""
    out = []
    for side, b in m["bursts"].items():
        d = b.get("rx")
        if d is None:
            continue
        per_poll = d["packets"] / d["total"] if d["total"] else 0.0
        busy = m["busy"].get(side)
        cpp = m.get("cycles_per_packet", {}).get(side)
        out.append(f"{side} RX " + " ".join(f"{'other' if s is None else s}:{p}%"
                                            for p, s in d["shares"])
                   + f" {per_poll:.2f}/poll" + (f" busy {busy:.2f}" if busy is not None else "")
                   + (f" {cpp:.0f} c/p" if cpp is not None else ""))
    return " | ".join(out) + f" | dropped {m['tx_dropped']}"


def measure(ctx, size: int, queues: int, mrg: int, samples: int, interval: float,
            warmup: float, record: bool = False):
    nb_mbufs = max(ctx.config.total_num_mbufs, 16384 * queues)
    lb = ctx.loopback(queues=queues, mrg_rxbuf=mrg, nb_mbufs=nb_mbufs).start()
    lb.vhost.set_fwd("io")
    lb.virtio.set_fwd("io")
    if record:
        for side in (lb.vhost, lb.virtio):
            side.set_record_burst_stats(True)
            side.set_record_core_cycles(True)
    lb.virtio.set_txpkts(size)
    lb.vhost.start()
    vhost_t0 = time.monotonic()
    lb.virtio.start_tx_first(32)
    virtio_t0 = time.monotonic()
    time.sleep(warmup)
    lb.vhost.port_stats(0)          # opens the first "since last show" interval
    pps = []
    for _ in range(samples):
        time.sleep(interval)
        pps.append(lb.vhost.port_stats(0).rx_pps)
    vs = lb.virtio.stop()
    virtio_s = time.monotonic() - virtio_t0
    hs = lb.vhost.stop()
    vhost_s = time.monotonic() - vhost_t0
    lb.quit()
    mpps = statistics.median(pps) / 1e6
    ctx.metrics.update(mpps=round(mpps, 4), samples_mpps=[round(p / 1e6, 4) for p in pps])
    # Packets each side could not forward (tx ring full): what tx_first put in the loop
    # and did not survive.
    ctx.metrics["tx_dropped"] = {"vhost": hs.ports[0].tx_dropped, "virtio": vs.ports[0].tx_dropped}
    if record:
        ctx.metrics["bursts"] = {"vhost": _bursts(hs), "virtio": _bursts(vs)}
        ctx.metrics["busy"] = {"vhost": _busy(hs, vhost_s), "virtio": _busy(vs, virtio_s)}
        # testpmd's own "CPU cycles/packet": busy cycles over the packets it received.
        ctx.metrics["cycles_per_packet"] = {"vhost": hs.cycles_per_packet,
                                            "virtio": vs.cycles_per_packet}
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
    rounds = args.rounds or base["rounds"]
    timeout = 60 + warmup + samples * interval
    cases, table, ratios, spread = [], {}, {}, {}
    cfg.output_dir.mkdir(parents=True, exist_ok=True)
    rtt_before = core_to_core_rtt(cfg.output_dir)
    print("  " + _rtt_line("before", rtt_before), flush=True)
    n = 0
    for q in queues:
        for m in mrgs:
            for size in sizes:
                key = _key(size, q, m)
                per_round = []          # one {pair: Mpps} per round
                for rnd in range(rounds):
                    got = {}
                    rot = n % len(pairs)
                    n += 1
                    for pair in pairs[rot:] + pairs[:rot]:
                        def fn(ctx, _s=size, _q=q, _m=m):
                            measure(ctx, _s, _q, _m, samples, interval, warmup,
                                    args.record_stats)
                        fn.__name__ = key
                        r = run_case(cfg, name, fn, pair, {}, timeout)
                        r["point"] = {"size": size, "queues": q, "mrg_rxbuf": m}
                        r["round"] = rnd + 1
                        if r["status"] == "passed":
                            got[pair] = r["metrics"]["mpps"]
                        print(f"  {'PASS' if r['status'] == 'passed' else 'FAIL'} {name}/{key} "
                              f"[{pair}]" + (f" round {rnd + 1}" if rounds > 1 else "")
                              + f" {r.get('metrics', {}).get('mpps', '-')} Mpps"
                              + (f"  -- {r['message']}" if r["message"] else "")
                              + (f"  [{record_line(r['metrics'])}]"
                                 if "bursts" in r.get("metrics", {}) else ""), flush=True)
                        cases.append(r)
                    per_round.append(got)
                table[key], ratios[key], spread[key] = summarise(per_round, pairs)
    rtt_after = core_to_core_rtt(cfg.output_dir)
    bl_path = args.baseline or (BASELINE_DIR / f"{name}.json")
    verdict = compare_baseline(cases, table, ratios, bl_path, args.tolerance)
    if args.save_baseline:
        save_baseline(bl_path, table, ratios)
        verdict.append(f"baseline saved to {bl_path}")
    verdict += [_rtt_line("before", rtt_before), _rtt_line("after", rtt_after)]
    quant = pooled_quantiles(cases, pairs)
    md = markdown_table(table, ratios, spread, pairs) + "\n" + "\n".join(f"- {v}" for v in verdict) + "\n"
    md += "\nSample quantiles (Mpps; every sample of a pair, pooled over its rounds):\n\n"
    md += quantile_table(quant, pairs)
    png = plot(cfg.output_dir / f"{name}.png", table, pairs)
    md += f"\n![Mpps against frame size]({png.name})\n"
    (cfg.output_dir / f"{name}.md").write_text(md)
    (cfg.output_dir / f"{name}.json").write_text(
        json.dumps({"rounds": rounds, "mpps": table, "ratios": ratios, "ratio_range": spread,
                    "sample_quantiles": quant,
                    "c2c_rtt_ns": {"before": rtt_before, "after": rtt_after}},
                   indent=2) + "\n")
    print(md)
    return {"suite": name, "doc": __doc__.strip().split("\n")[0], "cases": cases,
            "markdown": md, "table": table, "ratios": ratios}


QUANTILES = (10, 25, 50, 75, 90)


def sample_quantiles(samples: list[float]) -> dict:
    """Nearest-rank percentiles QUANTILES of @samples (Mpps): {"p10": ..., ...}."""
    v = sorted(samples)
    # rank ceil(q * n / 100), 1-based
    return {f"p{q}": v[max(0, -(-q * len(v) // 100) - 1)] for q in QUANTILES} if v else {}


def pooled_quantiles(cases: list[dict], pairs: list[str]) -> dict:
    """{point: {pair: quantiles of every sample of its rounds}}. A round that ran to the
    end has samples even when the baseline verdict marked it failed; one that broke has
    none."""
    pooled: dict = {}
    for c in cases:
        samples = c.get("metrics", {}).get("samples_mpps")
        if samples and c["pair"] in pairs:
            pooled.setdefault(c["case"], {}).setdefault(c["pair"], []).extend(samples)
    return {key: {p: sample_quantiles(v) for p, v in row.items()} for key, row in pooled.items()}


def quantile_table(quant: dict, pairs: list[str]) -> str:
    """One row per point and pair: its sample quantiles, and p25 over the reference's."""
    lines = ["| point | pair | " + " | ".join(f"p{q}" for q in QUANTILES)
             + f" | p25 / {REFERENCE} p25 |"]
    lines.append("|" + "---|" * (len(QUANTILES) + 3))
    for key, row in quant.items():
        ref = row.get(REFERENCE, {}).get("p25")
        for p in pairs:
            if p not in row:
                continue
            qs = row[p]
            r = f"{qs['p25'] / ref:.2f}" if ref and p != REFERENCE else "-"
            lines.append(f"| {key} | {p} | " + " | ".join(f"{qs[f'p{q}']:.2f}" for q in QUANTILES)
                         + f" | {r} |")
    return "\n".join(lines) + "\n"


def summarise(per_round: list[dict], pairs: list[str]) -> tuple[dict, dict, dict]:
    """A point's Mpps per pair (median of its rounds), ratio to the reference per pair
    (median of the ratios of rounds in which both ran) and those ratios' [min, max]."""
    mpps, ratio, spread = {}, {}, {}
    for pair in pairs:
        vals = [g[pair] for g in per_round if pair in g]
        if vals:
            mpps[pair] = round(statistics.median(vals), 4)
        rs = [g[pair] / g[REFERENCE] for g in per_round
              if pair != REFERENCE and pair in g and g.get(REFERENCE)]
        if rs:
            ratio[pair] = round(statistics.median(rs), 4)
            spread[pair] = [round(min(rs), 4), round(max(rs), 4)]
    return mpps, ratio, spread


def compare_baseline(cases, table, ratios, path: Path, tol: float) -> list[str]:
    """Regression verdict per point and pair: each pair by its ratio to the reference
    measured in the same run (absolute Mpps if the reference was not run). The verdict is
    written on every round's case of that pair. The reference's own Mpps against the
    baseline's says how fast the machine is today: a note and a verdict line, never a
    regression (it is DPDK's binary on a shared machine, not this code)."""
    if not path.exists():
        return [f"no baseline at {path}: no regression verdict (save one with --save-baseline)"]
    saved = json.loads(path.read_text())
    bl, bl_ratios = saved["points"], saved.get("ratios", {})
    bad, machine = 0, []
    for key, row in table.items():
        for pair, now in row.items():
            if key not in bl or pair not in bl[key]:
                continue
            was = bl[key][pair]
            if pair == REFERENCE:
                what = f"{REFERENCE} {now:.3f} Mpps vs baseline {was:.3f} ({now / was - 1:+.0%})"
                machine.append(f"{key}: {what}")
                for c in cases:
                    if c["case"] == key and c["pair"] == pair:
                        c["notes"].append(f"machine speed, not a verdict: {what}")
                continue
            r_now = ratios[key].get(pair)
            r_was = bl_ratios.get(key, {}).get(pair)
            if r_was is None and pair != REFERENCE and bl[key].get(REFERENCE):
                r_was = was / bl[key][REFERENCE]
            if r_now is not None and r_was is not None:
                lost, what = 1 - r_now / r_was, f"ratio {r_now:.3f} vs baseline {r_was:.3f}"
            else:
                lost, what = 1 - now / was, f"{now:.3f} Mpps vs baseline {was:.3f}"
            mine = [c for c in cases if c["case"] == key and c["pair"] == pair
                    and c["status"] == "passed"]
            if lost > tol:
                bad += 1
                for c in mine:
                    c["status"] = "failed"
                    c["message"] = f"regression: {what} (-{lost:.1%} > {tol:.0%})"
            else:
                for c in mine:
                    c["notes"].append(f"within tolerance: {what}")
    out = [f"regression verdict against {path.name} (tolerance {tol:.0%}): "
           + ("**PASS**" if bad == 0 else f"**{bad} regressed**")]
    if machine:
        out.append("the reference against the baseline (how fast the machine is today, not "
                   "counted): " + "; ".join(machine))
    return out


def save_baseline(path: Path, table, ratios) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = json.loads(path.read_text()) if path.exists() else {}
    old, old_ratios = saved.get("points", {}), saved.get("ratios", {})
    for key, row in table.items():
        old.setdefault(key, {}).update(row)
        old_ratios.setdefault(key, {}).update(ratios[key])
    path.write_text(json.dumps({"saved": time.strftime("%Y-%m-%d %H:%M:%S"),
                                "host_note": "2-core shared machine; noisy",
                                "points": old, "ratios": old_ratios}, indent=2) + "\n")


def markdown_table(table, ratios, spread, pairs) -> str:
    """Mpps per pair, then each pair's ratio to the reference; with several rounds the
    ratio is followed by the range of its per-round values."""
    others = [p for p in pairs if p != REFERENCE]
    head = "| point | " + " | ".join(f"{p} Mpps" for p in pairs) + "".join(
        f" | {p} / {REFERENCE}" for p in others if REFERENCE in pairs) + " |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for key, row in table.items():
        cells = [f"{row[p]:.3f}" if p in row else "-" for p in pairs]
        if REFERENCE in pairs:
            for p in others:
                r, lo_hi = ratios[key].get(p), spread[key].get(p)
                cell = f"{r:.3f}" if r is not None else "-"
                if lo_hi and lo_hi[0] != lo_hi[1]:
                    cell += f" ({lo_hi[0]:.2f}-{lo_hi[1]:.2f})"
                cells.append(cell)
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
