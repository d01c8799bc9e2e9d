# SPDX-License-Identifier: BSD-3-Clause
"""Unit tests of dts/api/testpmd_parsers.py over real dpdk-testpmd 22.11 output (fixtures/)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from api import testpmd_parsers as tp  # noqa: E402

FIX = Path(__file__).parent / "fixtures"


def fx(name: str) -> str:
    return (FIX / f"{name}.txt").read_text()


def test_port_stats_vhost():
    s = tp.parse_port_stats(fx("stats_vhost"), 0)
    assert s.port == 0
    assert s.rx_packets == 36800320 and s.rx_missed == 0 and s.rx_bytes == 2355220480
    assert s.rx_errors == 0 and s.rx_nombuf == 0
    assert s.tx_packets == 36798784 and s.tx_errors == 0 and s.tx_bytes == 2355122176
    assert (s.rx_pps, s.rx_bps, s.tx_pps, s.tx_bps) == (0, 0, 0, 0)


def test_port_stats_with_rate_and_crlf():
    s = tp.parse_port_stats(fx("stats_rate").replace("\n", "\r\n"))
    assert s.rx_pps == 13490178 and s.tx_pps == 13490178
    assert s.rx_bps == 6906971496 and s.rx_packets == 71927808


def test_all_port_stats_two_ports():
    text = fx("stats_vhost") + fx("stats_vhost").replace("port 0 ", "port 1 ")
    stats = tp.parse_all_port_stats(text)
    assert sorted(stats) == [0, 1]
    with pytest.raises(tp.ParseError):
        tp.parse_port_stats(text, 3)


def test_port_stats_missing():
    with pytest.raises(tp.ParseError):
        tp.parse_port_stats("Invalid port 7\n")


def test_xstats_vhost():
    x = tp.parse_xstats(fx("xstats_vhost"))
    assert x["rx_good_packets"] > 0
    assert x["rx_q0_size_64_packets"] == x["rx_q0_good_packets"]
    assert "rx_q1_packets" in x and x["rx_q1_packets"] > 0


def test_xstats_virtio():
    x = tp.parse_xstats(fx("xstats_virtio"))
    assert x["tx_good_packets"] > 0 and "rx_q1_good_packets" in x


def test_xstats_ignores_async_lines():
    text = fx("xstats_virtio") + "\nPort 0: link state change event\nfoo: bar\n"
    assert "Port 0" not in tp.parse_xstats(text)


def test_port_info_vhost():
    i = tp.parse_port_info(fx("port_info_vhost"))
    assert i.port == 0 and i.device_name == "net_vhost0" and i.driver_name == "net_vhost"
    assert i.link_up and i.mtu == 1500 and i.promiscuous
    assert (i.rx_queues, i.tx_queues, i.max_rx_queues) == (2, 2, 2)
    assert i.devarg("queues") == "2" and i.devarg("iface") == "/tmp/cap/vh.sock"
    assert i.mac == "56:48:4F:53:54:00"


def test_port_info_virtio():
    i = tp.parse_port_info(fx("port_info_virtio"))
    assert i.device_name == "net_virtio_user0" and i.devarg("path") == "/tmp/cap/vh.sock"
    assert i.fields["Max possible number of RXDs per queue"] == "32768"


def test_forward_stats_multi_stream():
    f = tp.parse_forward_stats(fx("stop_virtio"))
    assert len(f.streams) == 2
    assert f.streams[1].rx_queue == 1 and f.streams[1].tx_queue == 1
    assert f.ports[0].rx_packets == 40234976 and f.ports[0].tx_dropped == 0
    assert f.total.tx_total == 40237024
    v = tp.parse_forward_stats(fx("stop_vhost"))
    assert v.ports[0].tx_dropped == 1536 and sum(s.tx_dropped for s in v.streams) == 1536


def test_forward_stats_payload_check():
    assert tp.parse_forward_stats(fx("stop_virtio")).ports[0].payload_checked is None
    f = tp.parse_forward_stats(fx("stop_payload"))
    assert (f.ports[0].payload_checked, f.ports[0].payload_bad) == (3133024, 0)
    assert f.ports[0].rx_packets == 3133024
    assert (f.total.payload_checked, f.total.payload_bad) == (3133024, 0)


def test_forward_stats_burst_spread():
    assert tp.parse_forward_stats(fx("stop_virtio")).ports[0].rx_bursts is None
    f = tp.parse_forward_stats(fx("stop_bursts_vhost"))
    rx, tx = f.ports[0].rx_bursts, f.ports[0].tx_bursts
    assert rx.total == 235661258 and rx.shares == [(99, 0), (1, 32)]
    assert tx.total == 419005 and tx.share(32) == 100 and tx.share(0) == 0
    assert f.total.rx_bursts is None
    s = tp.parse_forward_stats(fx("stop_bursts_streams"))
    assert len(s.streams) == 4 and all(x.rx_bursts.share(32) == 100 for x in s.streams)
    assert s.streams[3].tx_bursts.total == s.streams[3].rx_bursts.total + 1
    assert s.ports[0].rx_bursts is None
    other = "  RX-bursts : 1000 [60% of 0 pkts + 30% of 32 pkts + 8% of 31 pkts + 2% of other]"
    b = tp._burst_spreads(other)["RX"]
    assert b.shares == [(60, 0), (30, 32), (8, 31), (2, None)]
    assert tp._burst_spreads("  TX-bursts : 0 []")["TX"].shares == []
    with pytest.raises(tp.ParseError):
        tp._burst_spreads("  RX-bursts : 5 [100% of many]")


def test_forward_stats_core_cycles():
    assert tp.parse_forward_stats(fx("stop_virtio")).cycles_per_packet is None
    f = tp.parse_forward_stats(fx("stop_core_cycles"))
    assert (f.cycles_per_packet, f.busy_cycles, f.clock_mhz) == (5.23, 484301, 2600)
    assert f.total.rx_packets == 92608


def test_forward_stats_absent():
    with pytest.raises(tp.ParseError):
        tp.parse_forward_stats("Packet forwarding not started\n")


def test_fwd_config():
    c = tp.parse_fwd_config(fx("config_fwd"))
    assert (c.mode, c.ports, c.cores, c.streams) == ("io", 1, 1, 2)


def test_negotiated_features():
    text = "VHOST_CONFIG: (/tmp/x) negotiated Virtio features: 0x950448000\n"
    f = tp.parse_negotiated_features(text)
    assert f >> tp.VIRTIO_NET_F_MRG_RXBUF & 1 and f >> tp.VIRTIO_F_IN_ORDER & 1
    assert tp.parse_negotiated_features("nothing") is None
