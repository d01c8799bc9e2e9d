# SPDX-License-Identifier: BSD-3-Clause
"""vu-testpmd behaviour over net_ring test ports, driven with pexpect.

Run: VU_TESTPMD=build/apps/vu-testpmd/vu-testpmd python3 -m pytest -v tests/testpmd
Every run uses 2 lcores (main 0, one forwarding lcore 1) and no hugepages,
forwards for well under a second at a time, and is bounded by timeouts.
"""
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "dts"))
from framework.prompt import PROMPT, PROMPT_WINDOW  # noqa: E402

BIN = os.environ.get("VU_TESTPMD", "build/apps/vu-testpmd/vu-testpmd")
PREFIX = "vut%d" % os.getpid()
TIMEOUT = 60  # ASan start-up is slow on a shared 2-core machine
RINGS = ["--vdev", "net_ring0", "--vdev", "net_ring1"]


def eal_args(vdevs=RINGS):
    return ["--no-pci", "--no-huge", "-m", "512", "--file-prefix", PREFIX,
            "--main-lcore", "0", "-l", "0,1"] + list(vdevs)


def assert_no_leftovers():
    assert not os.path.exists("/run/dpdk/" + PREFIX), os.listdir("/run/dpdk/" + PREFIX)
    if os.path.isdir("/dev/hugepages"):
        assert not [f for f in os.listdir("/dev/hugepages") if f.startswith(PREFIX)]


class Pmd:
    def __init__(self, app_args=(), vdevs=RINGS):
        args = eal_args(vdevs) + ["--", "-i"] + list(app_args)
        self.p = pexpect.spawn(BIN, args, encoding="utf-8", timeout=TIMEOUT,
                               codec_errors="replace")
        self.p.expect(PROMPT, searchwindowsize=PROMPT_WINDOW)
        self.banner = self.p.before

    def cmd(self, line, timeout=TIMEOUT):
        self.p.sendline(line)
        self.p.expect(PROMPT, timeout=timeout, searchwindowsize=PROMPT_WINDOW)
        out = self.p.before.replace("\r", "")
        # Drop the echoed command line.
        return out.split("\n", 1)[1] if "\n" in out else ""

    def quit(self):
        self.p.sendline("quit")
        self.p.expect(pexpect.EOF)
        self.p.close()
        return self.p.exitstatus

    def kill(self):
        if self.p.isalive():
            self.p.terminate(force=True)


@pytest.fixture
def pmd(request):
    marker = request.node.get_closest_marker("pmd")
    kw = marker.kwargs if marker else {}
    p = Pmd(**kw)
    yield p
    quit_ok = False
    try:
        if p.p.isalive():
            assert p.quit() == 0
        quit_ok = True
    finally:
        p.kill()
        if not quit_ok:
            # This case failed already: its debris must not fail the next ones.
            shutil.rmtree("/run/dpdk/" + PREFIX, ignore_errors=True)
    assert_no_leftovers()


def fwd_totals(out):
    """(rx, tx) of the accumulated forward statistics block."""
    block = out.split("Accumulated forward statistics for all ports")[1]
    rx = int(re.search(r"RX-packets: (\d+)", block).group(1))
    tx = int(re.search(r"TX-packets: (\d+)", block).group(1))
    return rx, tx


def port_stats(out):
    return {k: int(v) for k, v in re.findall(r"([RT]X-[a-z]+): +(\d+)", out)}


def forward(pmd, start="start", seconds=0.3):
    out = pmd.cmd(start)
    time.sleep(seconds)
    return out, pmd.cmd("stop")


def test_startup_lines(pmd):
    assert "Configuring Port 0 (socket 0)" in pmd.banner
    assert "Port 1: 02:00:00:00:00:01" in pmd.banner
    assert "Interactive-mode selected" in pmd.banner


def test_txonly_stats_move(pmd):
    pmd.cmd("set fwd txonly")
    before = port_stats(pmd.cmd("show port stats 0"))
    assert before["TX-packets"] == 0
    start, stop = forward(pmd)
    assert "txonly packet forwarding packets/burst=32" in start
    assert "packet len=64 - nb packet segments=1" in start
    assert "Telling cores to stop..." in stop and "Done." in stop
    assert "---------------------- Forward statistics for port 0  ----------------------" in stop
    assert "+++++++++++++++ Accumulated forward statistics for all ports+++++++++++++++" in stop
    rx, tx = fwd_totals(stop)
    assert tx > 0 and rx == 0
    out = pmd.cmd("show port stats 0")
    assert "######################## NIC statistics for port 0  ########################" in out
    assert "Throughput (since last show)" in out and "Rx-pps:" in out and "Tx-bps:" in out
    assert port_stats(out)["TX-packets"] > 0


def test_clear_port_stats(pmd):
    pmd.cmd("set fwd txonly")
    forward(pmd)
    out = pmd.cmd("clear port stats all")
    assert "NIC statistics for port 0 cleared" in out
    assert "NIC statistics for port 1 cleared" in out
    st = port_stats(pmd.cmd("show port stats all"))
    assert st["TX-packets"] == 0 and st["RX-packets"] == 0 and st["TX-bytes"] == 0
    forward(pmd)
    assert "NIC statistics for port 1 cleared" in pmd.cmd("clear port stats 1")
    assert port_stats(pmd.cmd("show port stats 1"))["TX-packets"] == 0
    # The rings are still full from the first run: this one's packets were dropped.
    assert port_stats(pmd.cmd("show port stats 0"))["TX-errors"] > 0


@pytest.mark.parametrize("flush", [True, False])
def test_flush_rx_at_start(flush):
    """start drops what waits in the RX queues (testpmd's default); --no-flush-rx keeps it."""
    p = Pmd(app_args=[] if flush else ["--no-flush-rx"])
    try:
        p.cmd("set fwd txonly")
        forward(p)              # fills the rings: nothing receives in txonly
        p.cmd("set fwd rxonly")
        _, stop = forward(p, seconds=0.2)
        rx, _ = fwd_totals(stop)
        assert rx == 0 if flush else rx >= 1024, stop
        assert p.quit() == 0
    finally:
        p.kill()
    assert_no_leftovers()


@pytest.mark.parametrize("mode", ["io", "mac", "macswap", "rxonly", "txonly", "flowgen"])
def test_set_fwd_and_run(pmd, mode):
    assert "Set %s packet forwarding mode" % mode in pmd.cmd("set fwd " + mode)
    out = pmd.cmd("show config fwd")
    assert out.startswith("%s packet forwarding - ports=2 - cores=1 - streams=2" % mode)
    assert "Logical Core 1 (socket 0) forwards packets on 2 streams:" in out
    assert "RX P=0/Q=0 (socket 0) -> TX P=1/Q=0 (socket 0)" in out
    assert "RX P=1/Q=0 (socket 0) -> TX P=0/Q=0 (socket 0)" in out
    start = "start" if mode in ("txonly", "flowgen") else "start tx_first"
    _, stop = forward(pmd, start)
    rx, tx = fwd_totals(stop)
    if mode in ("txonly", "flowgen"):
        assert tx > 0
    elif mode == "rxonly":
        assert rx > 0       # the tx_first burst came back on each ring
    else:
        assert rx > 0 and tx > 0


def test_set_fwd_bad(pmd):
    assert "Bad arguments" in pmd.cmd("set fwd nosuchmode")


def test_start_tx_first_n(pmd):
    pmd.cmd("set fwd rxonly")
    _, stop = forward(pmd, "start tx_first 4")
    rx, _ = fwd_totals(stop)
    assert rx == 4 * 32 * 2     # 4 bursts of 32 on each of the 2 streams


def test_start_twice_stop_twice(pmd):
    pmd.cmd("set fwd rxonly")
    pmd.cmd("start")
    assert "Packet forwarding already started" in pmd.cmd("start")
    pmd.cmd("stop")
    assert "Packet forwarding not started" in pmd.cmd("stop")


def test_set_burst(pmd):
    assert "Number of packets per burst set to 64" in pmd.cmd("set burst 64")
    pmd.cmd("set fwd rxonly")
    start, stop = forward(pmd, "start tx_first")
    assert "rxonly packet forwarding packets/burst=64" in start
    assert fwd_totals(stop)[0] == 2 * 64
    assert "must be >= 1" in pmd.cmd("set burst 0")
    assert "must be >= 1" in pmd.cmd("set burst 513")


def test_set_txpkts(pmd):
    assert pmd.cmd("set txpkts 64,128").strip() == ""
    pmd.cmd("set fwd txonly")
    start, stop = forward(pmd)
    assert "packet len=192 - nb packet segments=2" in start
    assert fwd_totals(stop)[1] > 0
    st = port_stats(pmd.cmd("show port stats 0"))
    assert st["TX-bytes"] == st["TX-packets"] * 192
    assert "invalid txpkts" in pmd.cmd("set txpkts 10")
    assert "invalid txpkts" in pmd.cmd("set txpkts 64,abc")
    assert "invalid txpkts" in pmd.cmd("set txpkts -64")
    # The forwarding cores read the sizes for every packet they build.
    pmd.cmd("start")
    assert "Please stop forwarding first" in pmd.cmd("set txpkts 64")
    assert "from the next start" in pmd.cmd("set burst 16")
    pmd.cmd("stop")
    assert pmd.cmd("set txpkts 64").strip() == ""


def payload_counts(stop):
    """[(checked, bad)] of each port block, then of the accumulated block."""
    return [(int(c), int(b)) for c, b in
            re.findall(r"Payload-checked: +(\d+) +Payload-bad: +(\d+)", stop)]


@pytest.mark.parametrize("txpkts", ["64", "64,128", "42", "45"])
def test_payload_check(pmd, txpkts):
    """Generated packets carry the pattern and every received one passes the check,
    one segment or chained, with no payload, or one too short for the tag."""
    assert "Payload check on" in pmd.cmd("set payload-check on")
    pmd.cmd("set txpkts " + txpkts)
    _, stop = forward(pmd, "start tx_first 4")
    counts = payload_counts(stop)
    assert len(counts) == 3, stop       # port 0, port 1, accumulated
    rx, _ = fwd_totals(stop)
    assert rx > 0 and counts[2] == (rx, 0), stop
    assert "payload check:" not in stop
    assert "Payload check off" in pmd.cmd("set payload-check off")
    _, stop = forward(pmd, "start tx_first")
    assert payload_counts(stop) == [], stop


@pytest.mark.pmd(app_args=["--no-flush-rx"])
def test_payload_check_catches_foreign_packets(pmd):
    """Packets generated with the check off have no pattern: each one is counted bad,
    and the first of each stream is reported with the reason."""
    pmd.cmd("set fwd txonly")
    forward(pmd)                        # fills the rings, no pattern
    pmd.cmd("set payload-check on")
    pmd.cmd("set fwd rxonly")
    # The lcore's line can land inside a prompt, which cmd() drops: read the raw output.
    raw = io.StringIO()
    pmd.p.logfile_read = raw
    _, stop = forward(pmd, seconds=0.2)
    rx, _ = fwd_totals(stop)
    assert rx >= 1024 and payload_counts(stop)[2] == (rx, rx), stop
    log = raw.getvalue().replace("\r", "")
    assert re.search(r"payload check: port [01] queue 0: packet 0 of this run: "
                     r"payload byte \d+ of 22 differs", log), log


BURSTS = re.compile(r"^  ([RT]X)-bursts : (\d+) \[(.*)\]$", re.MULTILINE)


def burst_lines(stop):
    """[(dir, total, [(percent, size or None)])] of the RX-/TX-bursts lines."""
    found = []
    for d, total, shares in BURSTS.findall(stop):
        parts = [re.fullmatch(r"(\d+)% of (?:(\d+) pkts|other)", x) for x in shares.split(" + ")]
        assert all(parts), shares
        found.append((d, int(total),
                      [(int(m.group(1)), int(m.group(2)) if m.group(2) else None) for m in parts]))
    return found


def test_record_burst_stats(pmd):
    """set record-burst-stats on: each port block shows its stream's RX and TX burst
    sizes as testpmd does, empty polls first; shares add up to 100 %; off: none."""
    assert pmd.cmd("set record-burst-stats on") == ""
    pmd.cmd("set burst 16")
    _, stop = forward(pmd, "start tx_first 2")
    lines = burst_lines(stop)
    assert [d for d, _, _ in lines] == ["RX", "TX", "RX", "TX"], stop
    rx, tx = fwd_totals(stop)
    for d, total, shares in lines:
        assert shares[0][1] == 0 and sum(p for p, _ in shares) == 100, stop
        assert {s for _, s in shares} <= {0, 16}, stop     # io forwards whole bursts
        assert total >= (rx if d == "RX" else tx) / 2 / 16, stop
    blocks = stop.split("Forward statistics for port")
    assert "bursts" not in stop.split("Accumulated")[1] and len(blocks) == 3, stop
    pmd.cmd("set record-burst-stats off")
    _, stop = forward(pmd, "start tx_first")
    assert burst_lines(stop) == [], stop


CYCLES = re.compile(r"^  CPU cycles/packet=([\d.]+) \(total cycles=(\d+) / total (\w+) "
                    r"packets=(\d+)\) at (\d+) MHz Clock$", re.MULTILINE)


def test_record_core_cycles(pmd):
    """set record-core-cycles on: stop ends with testpmd's cycles-per-packet line over the
    packets received (sent, for txonly); off: no line."""
    pmd.cmd("set record-core-cycles on")
    _, stop = forward(pmd, "start tx_first")
    m = CYCLES.search(stop)
    assert m, stop
    rx, tx = fwd_totals(stop)
    cpp, cycles, eng, pkts, mhz = m.groups()
    assert eng == "io" and int(pkts) == rx > 0 and int(cycles) > 0 and int(mhz) > 0, stop
    assert abs(float(cpp) - int(cycles) / rx) < 0.01, stop
    pmd.cmd("set fwd txonly")
    _, stop = forward(pmd)
    m = CYCLES.search(stop)
    assert m and m.group(3) == "txonly" and int(m.group(4)) == fwd_totals(stop)[1] > 0, stop
    pmd.cmd("set record-core-cycles off")
    _, stop = forward(pmd)
    assert CYCLES.search(stop) is None and "cycles" not in stop, stop


@pytest.mark.pmd(app_args=["--record-burst-stats", "--rxq=2", "--txq=2"],
                 vdevs=["--vdev", "net_ring0,queues=2", "--vdev", "net_ring1,queues=2"])
def test_record_burst_stats_per_stream(pmd):
    """--record-burst-stats; with more streams than ports each stream shows its own."""
    _, stop = forward(pmd, "start tx_first")
    assert stop.count("Forward Stats for RX Port") == 4, stop
    assert [d for d, _, _ in burst_lines(stop)] == ["RX", "TX"] * 4, stop
    for block in stop.split("Forward statistics for port")[1:]:
        assert "bursts" not in block, stop


def test_mbuf_size_jumbo():
    """--mbuf-size: 9000-byte one-segment packets; --txpkts may come before it."""
    rc, out = run(["--txpkts=9000", "--mbuf-size=9216", "-a", "--forward-mode=txonly",
                   "--payload-check", "--run-time=1", "--total-num-mbufs=4096"])
    assert rc == 0, out
    assert "size=9216" in out and "packet len=9000 - nb packet segments=1" in out, out
    assert "Payload-checked:" in out
    assert_no_leftovers()


def test_set_nbcore(pmd):
    assert "Number of forwarding cores set to 1" in pmd.cmd("set nbcore 1")
    assert "invalid" in pmd.cmd("set nbcore 2")      # one worker lcore
    assert "cores=1" in pmd.cmd("show config fwd")


def test_port_stop_start(pmd):
    out = pmd.cmd("port stop all")
    assert "Stopping ports..." in out and "Done" in out
    assert "Not all ports were started" in pmd.cmd("start")
    pmd.cmd("port start 0")
    assert "Not all ports were started" in pmd.cmd("start")
    out = pmd.cmd("port start all")
    assert "Port 1: 02:00:00:00:00:01" in out
    pmd.cmd("set fwd txonly")
    _, stop = forward(pmd)
    assert fwd_totals(stop)[1] > 0
    assert "Invalid port 9" in pmd.cmd("port stop 9")


def test_port_stop_while_forwarding(pmd):
    pmd.cmd("set fwd rxonly")
    pmd.cmd("start")
    assert "Please stop forwarding first" in pmd.cmd("port stop all")
    pmd.cmd("stop")


@pytest.mark.pmd(vdevs=["--vdev", "net_ring0,queues=2", "--vdev", "net_ring1,queues=2"])
def test_port_config_rxq(pmd):
    assert "Please stop all ports first" in pmd.cmd("port config all rxq 2")
    pmd.cmd("port stop all")
    pmd.cmd("port config all rxq 2")
    pmd.cmd("port config all txq 2")
    out = pmd.cmd("port start all")
    assert "Configuring Port 0" in out and "Fail" not in out
    out = pmd.cmd("show config fwd")
    assert "streams=4" in out
    assert "RX P=0/Q=1 (socket 0) -> TX P=1/Q=1 (socket 0)" in out
    info = pmd.cmd("show port info 0")
    assert "Current number of RX queues: 2" in info
    assert "Max possible RX queues: 2" in info
    assert "Devargs: queues=2" in info
    pmd.cmd("set fwd rxonly")
    _, stop = forward(pmd, "start tx_first")
    assert "Forward Stats for RX Port= 0/Queue= 1 -> TX Port= 1/Queue= 1" in stop
    assert fwd_totals(stop)[0] == 4 * 32
    xs = pmd.cmd("show port xstats 1")
    assert re.search(r"rx_q1_packets: 32", xs)


def test_port_config_more_queues_than_port(pmd):
    pmd.cmd("port stop all")
    pmd.cmd("port config all rxq 2")
    out = pmd.cmd("port start all")
    assert "Fail to configure port 0" in out
    assert "Not all ports were started" in pmd.cmd("start")


def test_show_port_info(pmd):
    out = pmd.cmd("show port info 1")
    for line in ["********************* Infos for port 1  *********************",
                 "MAC address: 02:00:00:00:00:01", "Device name: net_ring1",
                 "Driver name: net_ring", "Link status: up", "Link speed: 10 Gbps",
                 "Link duplex: full-duplex", "MTU: 1500", "Promiscuous mode: enabled",
                 "Current number of RX queues: 1",
                 "Current number of TX queues: 1", "Max possible TX queues: 1"]:
        assert line in out
    assert "Infos for port 0" in pmd.cmd("show port info all")


def test_show_port_xstats(pmd):
    pmd.cmd("set fwd rxonly")
    forward(pmd, "start tx_first")
    out = pmd.cmd("show port xstats 0")
    assert "###### NIC extended statistics for port 0" in out
    xs = dict(re.findall(r"^(\w+): (\d+)$", out, re.M))
    # ethdev's port-wide counters first, then the driver's per-queue ones.
    assert set(xs) == {"rx_good_packets", "tx_good_packets", "rx_good_bytes", "tx_good_bytes",
                       "rx_missed_errors", "rx_errors", "tx_errors",
                       "rx_mbuf_allocation_errors",
                       "rx_q0_packets", "rx_q0_bytes", "tx_q0_packets", "tx_q0_bytes",
                       "tx_q0_drops"}
    assert xs["tx_q0_packets"] == "32" and xs["rx_q0_packets"] == "32"
    assert xs["rx_good_packets"] == "32" and xs["tx_good_packets"] == "32"
    assert xs["rx_q0_bytes"] == str(32 * 64)
    assert "for port 1" in pmd.cmd("show port xstats all")


def test_invalid_port(pmd):
    out = pmd.cmd("show port stats 5")
    assert "Invalid port 5" in out and "The valid ports array is [ 0 1 ]" in out
    assert "Bad arguments" in pmd.cmd("show port stats x")
    assert "Bad arguments" in pmd.cmd("show port info -18446744073709551615")


def test_help(pmd):
    out = pmd.cmd("help")
    for s in ["control", "display", "config", "ports", "vhost"]:
        assert "help %s" % s in out
    out = pmd.cmd("help all")
    for c in ["start:", "start tx_first", "stop:", "quit:", "show port stats|xstats|info",
              "clear port stats", "show config fwd", "set fwd", "set txpkts",
              "set burst|nbcore", "set payload-check on|off",
              "set record-burst-stats|record-core-cycles on|off",
              "port start|stop",
              "port config all rxq|txq"]:
        assert c in out, c
    out = pmd.cmd("help vhost")
    for c in ["show vhost <port_id>", "virtio-user <port_id> sleep|wake",
              "virtio-user <port_id> snapshot|restore"]:
        assert c in out, c
    assert "Bad arguments" in pmd.cmd("help nosuchsection")


def test_completion(pmd):
    pmd.p.send("set fwd mac\t\t")
    pmd.p.expect("macswap")
    pmd.p.sendcontrol("u")
    pmd.p.sendline("")
    pmd.p.expect(PROMPT, searchwindowsize=PROMPT_WINDOW)


def test_quit_exit_status():
    p = Pmd()
    assert p.quit() == 0
    assert "Bye..." in p.p.before
    assert_no_leftovers()


def test_quit_while_forwarding():
    p = Pmd(app_args=["-a", "--forward-mode=rxonly"])
    time.sleep(0.2)
    assert p.quit() == 0
    assert "Accumulated forward statistics" in p.p.before
    assert_no_leftovers()


def test_run_time_interactive():
    p = Pmd(app_args=["-a", "--forward-mode=rxonly", "--run-time", "1"])
    p.p.expect("Accumulated forward statistics for all ports")
    p.p.expect(pexpect.EOF)
    p.p.close()
    assert p.p.exitstatus == 0
    assert_no_leftovers()


def test_run_time_during_command():
    """--run-time's alarm during a long command: the command stops and the prompt
    ends after it (the signal used to be lost, and tx_first ran for hours)."""
    p = Pmd(app_args=["--run-time", "2"])
    p.p.sendline("start tx_first 4000000000")
    p.p.expect("Signal received")
    p.p.expect(pexpect.EOF)
    p.p.close()
    assert p.p.exitstatus == 0
    assert_no_leftovers()


def test_sigint_interactive():
    p = Pmd()
    p.p.kill(signal.SIGINT)
    p.p.expect(pexpect.EOF)
    p.p.close()
    assert p.p.exitstatus == 0
    assert_no_leftovers()


def run(app_args, vdevs=RINGS, timeout=TIMEOUT):
    r = subprocess.run([BIN] + eal_args(vdevs) + ["--"] + app_args, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout + r.stderr


@pytest.mark.parametrize("args,vdevs,name", [
    (["--foo"], RINGS, "--foo"),
    (["--rxq=0"], RINGS, "--rxq"),
    (["--burst=abc"], RINGS, "--burst"),
    (["--forward-mode=bogus"], RINGS, "bogus"),
    (["--txpkts=10"], RINGS, "txpkts"),
    (["--txpkts=9000"], RINGS, "txpkts"),
    (["--mbuf-size=100"], RINGS, "--mbuf-size"),
    (["--nb-cores=2"], RINGS, "--nb-cores"),
    (["--rxd"], RINGS, "--rxd"),
    ([], ["--vdev", "net_ring0,colour=blue"], "colour"),
    ([], ["--vdev", "net_ring0,queues=zero"], "queues"),
    ([], ["--vdev", "net_bogus0"], "net_bogus0"),
    ([], ["--vdev", "net_vhost0,iface=/tmp/vu-t-a.sock,iface=/tmp/vu-t-b.sock"],
     "more than once"),
    (["--txpkts=64,-5"], RINGS, "txpkts"),
    ([], ["--vdev", "net_virtio_user0,path=/tmp/vu-t-a.sock,mac=00:00:00:00:00:00"], "mac="),
    ([], ["--vdev", "net_virtio_user0,path=/tmp/vu-t-a.sock,mac=01:00:5e:00:00:01"], "mac="),
])
def test_command_line_errors(args, vdevs, name):
    rc, out = run(args, vdevs)
    assert rc == 1, out
    assert name in out
    assert_no_leftovers()


def test_default_loopback():
    # No --vdev: a net_vhost and a net_virtio_user port joined by a private
    # socket, seeded with tx_first bursts, forwarding for --run-time seconds.
    socks = lambda: {f for f in os.listdir("/tmp") if f.startswith("vu-testpmd-")}
    before = socks()
    rc, out = run(["--run-time=2"], vdevs=[])
    assert rc == 0, out
    m = re.search(r"Throughput: ([0-9.]+) Mpps received over all ports", out)
    assert m and float(m.group(1)) > 0, out
    assert "net_vhost0" in out and "net_virtio_user0" in out
    assert socks() <= before, "the loopback socket was left behind"
    assert_no_leftovers()


def test_help_option():
    rc, out = run(["--help"])
    assert rc == 0
    for opt in ["-i, --interactive", "-a, --auto-start", "--nb-cores", "--rxq", "--txq",
                "--rxd", "--txd", "--burst", "--forward-mode", "--stats-period",
                "--total-num-mbufs", "--txpkts", "--run-time", "--no-flush-rx", "--mbuf-size",
                "--payload-check", "--record-burst-stats", "--record-core-cycles", "--help"]:
        assert opt in out, opt
    assert_no_leftovers()


def test_run_time_exits():
    t0 = time.time()
    rc, out = run(["-a", "--forward-mode=txonly", "--run-time", "2", "--total-num-mbufs=4096"])
    assert rc == 0, out
    assert time.time() - t0 >= 2
    assert "Accumulated forward statistics for all ports" in out
    assert fwd_totals(out)[1] > 0
    assert "Bye..." in out
    assert_no_leftovers()


def test_run_time_stats_period():
    rc, out = run(["--forward-mode=rxonly", "--run-time", "2", "--stats-period", "1",
                   "--burst=16", "--rxq=1", "--txq=1", "--rxd=256", "--txd=256",
                   "--nb-cores=1", "--txpkts=100"])
    assert rc == 0, out
    assert out.count("NIC statistics for port 0") >= 1
    assert_no_leftovers()


def test_sigint_non_interactive():
    p = pexpect.spawn(BIN, eal_args() + ["--", "--forward-mode=io"], encoding="utf-8",
                      timeout=TIMEOUT)
    p.expect("Press enter to exit")
    time.sleep(0.3)
    p.kill(signal.SIGINT)
    p.expect("Accumulated forward statistics for all ports")
    p.expect("Bye...")
    p.expect(pexpect.EOF)
    p.close()
    assert p.exitstatus == 0
    assert_no_leftovers()


def test_enter_exits_non_interactive():
    p = pexpect.spawn(BIN, eal_args() + ["--", "--forward-mode=rxonly"], encoding="utf-8",
                      timeout=TIMEOUT)
    p.expect("Press enter to exit")
    p.sendline("")
    p.expect(pexpect.EOF)
    p.close()
    assert p.exitstatus == 0
    assert_no_leftovers()


def telemetry(sock, cmd):
    sock.send(cmd.encode())
    return json.loads(sock.recv(16384).decode())


def test_telemetry(pmd):
    pmd.cmd("set fwd txonly")
    forward(pmd)
    path = "/run/dpdk/%s/dpdk_telemetry.v2" % PREFIX
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(10)
    s.connect(path)
    try:
        hello = json.loads(s.recv(16384).decode())
        assert "version" in hello
        assert telemetry(s, "/vu/ports") == {"/vu/ports": [0, 1]}
        st = telemetry(s, "/vu/port/stats,0")["/vu/port/stats"]
        assert set(st) == {"ipackets", "opackets", "ibytes", "obytes", "imissed", "ierrors",
                           "oerrors", "rx_nombuf"}
        assert st["opackets"] > 0
        assert telemetry(s, "/vu/port/stats,7")["/vu/port/stats"] is None
        cmds = telemetry(s, "/")["/"]
        assert "/vu/ports" in cmds and "/vu/port/stats" in cmds
    finally:
        s.close()


def test_no_ethdev_linked():
    out = subprocess.run(["ldd", BIN], capture_output=True, text=True).stdout
    for lib in ["librte_ethdev", "librte_vhost", "virtio"]:
        assert lib not in out


# ---- vu's vhost-user commands, on the default loopback pair ----

@pytest.mark.pmd(vdevs=[])
def test_show_vhost(pmd):
    for port, kind in ((0, "vhost-user port 0 (net_vhost0)"),
                       (1, "virtio-user port 1 (net_virtio_user0)")):
        out = pmd.cmd("show vhost %d" % port)
        assert kind in out, out
        feats = int(re.search(r"negotiated Virtio features: (0x[0-9a-f]+)", out).group(1), 16)
        assert feats & (1 << 32), out      # VERSION_1
        assert re.search(r"negotiated protocol features: 0x[0-9a-f]+", out), out
        assert re.search(r"vring 0 \(\w+ 0\): .*size 256", out), out
        assert " ok" in out and "broken" not in out
    assert "memory regions: " in pmd.cmd("show vhost 1")
    assert "invalid" in pmd.cmd("show vhost 9").lower()


@pytest.mark.pmd(vdevs=[])
def test_virtio_user_sleep_snapshot_restore_wake(pmd, tmp_path):
    state = str(tmp_path / "dev.state")
    pmd.cmd("start tx_first 4")
    time.sleep(0.3)
    assert "virtio-user 1 sleep: done" in pmd.cmd("virtio-user 1 sleep")
    assert "virtio-user 1 snapshot: done" in pmd.cmd("virtio-user 1 snapshot " + state)
    assert os.path.getsize(state) > 0
    assert "virtio-user 1 restore: done" in pmd.cmd("virtio-user 1 restore " + state)
    assert "virtio-user 1 wake: done" in pmd.cmd("virtio-user 1 wake")
    rx0 = port_stats(pmd.cmd("show port stats 0"))["RX-packets"]
    deadline = time.time() + 10        # traffic resumes (bounded: a loaded machine is slow)
    while port_stats(pmd.cmd("show port stats 0"))["RX-packets"] == rx0:
        assert time.time() < deadline, "no traffic after wake"
        time.sleep(0.1)
    pmd.cmd("stop")
    # The vhost port has no frontend operations; a bad file is an error.
    assert "not supported" in pmd.cmd("virtio-user 0 sleep").lower()
    assert "No such file" in pmd.cmd("virtio-user 1 restore /nonexistent/state")
