# SPDX-License-Identifier: BSD-3-Clause
"""Unit tests of the perf suite's arithmetic: per-round ratios, baseline verdicts."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests import perf_loopback as pl  # noqa: E402

PAIRS = ["dpdk-dpdk", "vu-dpdk"]


def test_ratio_is_median_of_round_ratios():
    # the machine halves its speed in round 2: the paired ratio stays 1.5,
    # the ratio of the medians would not
    rounds = [{"dpdk-dpdk": 10.0, "vu-dpdk": 15.0},
              {"dpdk-dpdk": 5.0, "vu-dpdk": 7.5},
              {"dpdk-dpdk": 4.0, "vu-dpdk": 6.0}]
    mpps, ratio, spread = pl.summarise(rounds, PAIRS)
    assert mpps == {"dpdk-dpdk": 5.0, "vu-dpdk": 7.5}
    assert ratio == {"vu-dpdk": 1.5} and spread == {"vu-dpdk": [1.5, 1.5]}
    rounds[2]["vu-dpdk"] = 2.0
    mpps, ratio, spread = pl.summarise(rounds, PAIRS)
    assert ratio == {"vu-dpdk": 1.5} and spread == {"vu-dpdk": [0.5, 1.5]}
    md = pl.markdown_table({"64B-q1-mrg1": mpps}, {"64B-q1-mrg1": ratio},
                           {"64B-q1-mrg1": spread}, PAIRS)
    assert "| 64B-q1-mrg1 | 5.000 | 7.500 | 1.500 (0.50-1.50) |" in md


def test_round_without_reference_gives_no_ratio():
    mpps, ratio, spread = pl.summarise([{"vu-dpdk": 3.0}], PAIRS)
    assert mpps == {"vu-dpdk": 3.0} and ratio == {} and spread == {}


def _case(key, pair):
    return {"case": key, "pair": pair, "status": "passed", "message": "", "notes": []}


def test_baseline_verdict_uses_ratios(tmp_path):
    bl = tmp_path / "perf.json"
    pl.save_baseline(bl, {"64B-q1-mrg1": {"dpdk-dpdk": 10.0, "vu-dpdk": 12.0}},
                     {"64B-q1-mrg1": {"vu-dpdk": 1.2}})
    assert json.loads(bl.read_text())["ratios"] == {"64B-q1-mrg1": {"vu-dpdk": 1.2}}
    # half the machine, same ratio: no regression for vu-dpdk; dpdk-dpdk's own Mpps is
    # the machine's speed, reported, never a regression
    cases = [_case("64B-q1-mrg1", "dpdk-dpdk"), _case("64B-q1-mrg1", "vu-dpdk"),
             _case("64B-q1-mrg1", "vu-dpdk")]
    out = pl.compare_baseline(cases, {"64B-q1-mrg1": {"dpdk-dpdk": 5.0, "vu-dpdk": 6.0}},
                              {"64B-q1-mrg1": {"vu-dpdk": 1.2}}, bl, 0.1)
    assert "PASS" in out[0]
    assert "dpdk-dpdk 5.000 Mpps vs baseline 10.000 (-50%)" in out[1]
    assert [c["status"] for c in cases] == ["passed", "passed", "passed"]
    assert "machine speed, not a verdict" in cases[0]["notes"][0]
    # a ratio 20 % lower fails every round's case of that pair
    cases = [_case("64B-q1-mrg1", "vu-dpdk"), _case("64B-q1-mrg1", "vu-dpdk")]
    pl.compare_baseline(cases, {"64B-q1-mrg1": {"dpdk-dpdk": 10.0, "vu-dpdk": 9.6}},
                        {"64B-q1-mrg1": {"vu-dpdk": 0.96}}, bl, 0.1)
    assert [c["status"] for c in cases] == ["failed", "failed"]
    assert "ratio 0.960 vs baseline 1.200" in cases[0]["message"]


def test_old_baseline_without_ratios(tmp_path):
    bl = tmp_path / "perf.json"
    bl.write_text(json.dumps({"points": {"64B-q1-mrg1": {"dpdk-dpdk": 10.0, "vu-dpdk": 8.0}}}))
    cases = [_case("64B-q1-mrg1", "vu-dpdk")]
    out = pl.compare_baseline(cases, {"64B-q1-mrg1": {"vu-dpdk": 4.0}},
                              {"64B-q1-mrg1": {"vu-dpdk": 1.0}}, bl, 0.1)
    assert "PASS" in out[0] and "ratio 1.000 vs baseline 0.800" in cases[0]["notes"][0]


def test_core_to_core_rtt(tmp_path):
    rtt = pl.core_to_core_rtt(tmp_path, gap_ms=1)
    assert rtt is not None, "cc missing or tools/c2c_rtt.c failed"
    assert 0 < rtt["min"] <= rtt["median"] <= rtt["max"] < 10**6
    assert len(rtt["samples"]) == 20
    assert "min %d ns" % rtt["min"] in pl._rtt_line("before", rtt)


def test_sample_quantiles_nearest_rank():
    q = pl.sample_quantiles([float(x) for x in range(10, 0, -1)])   # 1..10, unsorted
    assert q == {"p10": 1.0, "p25": 3.0, "p50": 5.0, "p75": 8.0, "p90": 9.0}
    assert pl.sample_quantiles([]) == {}
    assert pl.sample_quantiles([4.0])["p10"] == 4.0 and pl.sample_quantiles([4.0])["p90"] == 4.0


def test_quantiles_pool_rounds_and_skip_broken_ones():
    key = "64B-q1-mrg1"
    cases = [dict(_case(key, "dpdk-dpdk"), metrics={"samples_mpps": [4.0, 8.0]}),
             dict(_case(key, "dpdk-dpdk"), metrics={"samples_mpps": [6.0, 10.0]}),
             dict(_case(key, "vu-dpdk"), metrics={"samples_mpps": [5.0, 9.0, 11.0, 7.0]}),
             dict(_case(key, "vu-dpdk"), status="failed", message="timed out after 62s")]
    cases[1]["status"] = "failed"       # a regression verdict: its samples still count
    quant = pl.pooled_quantiles(cases, PAIRS)
    assert quant[key]["dpdk-dpdk"]["p25"] == 4.0 and quant[key]["vu-dpdk"]["p25"] == 5.0
    md = pl.quantile_table(quant, PAIRS)
    assert "| 64B-q1-mrg1 | vu-dpdk | 5.00 | 5.00 | 7.00 | 9.00 | 11.00 | 1.25 |" in md
    assert "| 64B-q1-mrg1 | dpdk-dpdk | 4.00 | 4.00 | 6.00 | 8.00 | 10.00 | - |" in md
