#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Fault test: kill -9 either side of a vhost-user pair under traffic, many times.

usage: kill_cycles.py VU_TESTPMD [CYCLES=100]

Two vu-testpmd processes joined by one socket, io forwarding. One side (the
survivor) stays up; the other (the victim) is started, fed traffic, and
killed with SIGKILL, CYCLES times:

  virtio_killed   survivor net_vhost0 (server), victim net_virtio_user0
  vhost_killed    survivor net_virtio_user0 (client, reconnects), victim net_vhost0

Each cycle checks that traffic flows through the survivor (its RX-packets
grow). The survivor is given no command after its first start: in
vhost_killed each new backend waits for its link (the survivor reconnected)
and injects the packets the dead one took with it. After the last cycle the survivor's open fds and mappings must equal
their count after the second cycle (the first recovery creates a thread), and its RSS must be within 4 MiB of it;
the survivor must still answer and quit cleanly. Lcores: each process has an
idle main lcore and one forwarding lcore, on opposite cores, so two spinners
run on two cores. Memory is --no-huge (memfd). Prints TAP.
"""
import os
import re
import shutil
import signal
import sys
import time
from pathlib import Path

import pexpect

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "dts"))
from framework.prompt import PROMPT, PROMPT_WINDOW  # noqa: E402

BIN = os.path.abspath(sys.argv[1])
CYCLES = max(int(sys.argv[2]) if len(sys.argv) > 2 else 100, 2)
TAG = "vukc%d" % os.getpid()
SOCK = "/tmp/%s.sock" % TAG
RSS_SLACK_KB = 4096


def app(prefix, vdev, main_lcore):
    args = ["-l", "0,1", "--main-lcore", str(main_lcore), "-n", "1", "--no-pci", "--no-huge",
            "-m", "256", "--file-prefix", prefix, "--vdev", vdev, "--", "-i",
            "--forward-mode=io", "--nb-cores=1", "--total-num-mbufs=8192"]
    p = pexpect.spawn(BIN, args, encoding="utf-8", timeout=60, codec_errors="replace")
    p.expect(PROMPT, searchwindowsize=PROMPT_WINDOW)
    return p


def cmd(p, line, timeout=30):
    p.sendline(line)
    try:
        p.expect(PROMPT, timeout=timeout, searchwindowsize=PROMPT_WINDOW)
    except pexpect.TIMEOUT:
        tail = (p.before or "")[-1500:].replace("\n", "\n#   ")
        raise pexpect.TIMEOUT("no prompt %ds after %r; output tail:\n#   %s"
                              % (timeout, line, tail)) from None
    return p.before


def rx_packets(p, port=0):
    out = cmd(p, "show port stats %d" % port)
    m = re.search(r"RX-packets:\s+(\d+)", out)
    return int(m.group(1)) if m else -1


def usage(pid):
    fds = len(os.listdir("/proc/%d/fd" % pid))
    with open("/proc/%d/maps" % pid) as f:
        maps = sum(1 for _ in f)
    with open("/proc/%d/status" % pid) as f:
        rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
    return fds, maps, rss


def settled_usage(pid, timeout=10.0):
    """usage() once the survivor has finished tearing a dead peer down: two
    readings 0.2 s apart agree on fds and mappings (at most @timeout s), so
    a slow teardown on a loaded machine is not taken for a leak."""
    prev = usage(pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.2)
        cur = usage(pid)
        if cur[:2] == prev[:2]:
            return cur
        prev = cur
    return prev


def kill(p, prefix):
    p.kill(signal.SIGKILL)
    p.close(force=True)
    shutil.rmtree("/run/dpdk/" + prefix, ignore_errors=True)


def link_up(p, port=0, seconds=10):
    end = time.time() + seconds
    while time.time() < end:
        if "Link status: up" in cmd(p, "show port info %d" % port):
            return True
        time.sleep(0.1)
    return False


def wait_traffic(survivor, before, seconds=10):
    end = time.time() + seconds
    while time.time() < end:
        now = rx_packets(survivor)
        if now > before:
            return now
        time.sleep(0.1)
    return -1


def virtio_killed():
    """The vhost side survives virtio-user processes dying under traffic."""
    survivor = app(TAG + "s", "net_vhost0,iface=%s" % SOCK, 0)
    cmd(survivor, "start")
    base = None
    try:
        for i in range(CYCLES):
            before = rx_packets(survivor)
            victim = app(TAG + "v", "net_virtio_user0,path=%s" % SOCK, 1)
            cmd(victim, "start tx_first 4")
            if wait_traffic(survivor, before) < 0:
                kill(victim, TAG + "v")
                return "cycle %d: no traffic reached the survivor" % i
            kill(victim, TAG + "v")
            if i == 1:	# after the first death and recovery: lazily made threads exist
                base = settled_usage(survivor.pid)
        end = settled_usage(survivor.pid)	# after the survivor handled the last death
        print("# survivor after cycle 2: fds %d maps %d rss %d kB; after %d: fds %d maps %d "
              "rss %d kB" % (base + (CYCLES,) + end))
        if end[0] != base[0] or end[1] != base[1] or end[2] > base[2] + RSS_SLACK_KB:
            return "survivor leaked: %s -> %s" % (base, end)
        cmd(survivor, "stop")
        survivor.sendline("quit")
        survivor.expect(pexpect.EOF, timeout=30)
        survivor.close()
        return None if survivor.exitstatus == 0 else "survivor exit %s" % survivor.exitstatus
    finally:
        if survivor.isalive():
            kill(survivor, TAG + "s")
        shutil.rmtree("/run/dpdk/" + TAG + "s", ignore_errors=True)
        if os.path.exists(SOCK):
            os.unlink(SOCK)


def vhost_killed():
    """The virtio-user side (a reconnecting client) survives backends dying."""
    victim = app(TAG + "v", "net_vhost0,iface=%s" % SOCK, 1)
    cmd(victim, "start")
    survivor = app(TAG + "s", "net_virtio_user0,path=%s" % SOCK, 0)
    cmd(survivor, "start tx_first 4")
    base = None
    try:
        for i in range(CYCLES):
            before = rx_packets(survivor)
            if i > 0:
                # The survivor is left alone: it goes on forwarding, and the
                # new backend, once the survivor has reconnected, injects
                # the packets the dead one took with it.
                victim = app(TAG + "v", "net_vhost0,iface=%s" % SOCK, 1)
                if not link_up(victim):
                    return "cycle %d: the survivor did not reconnect to the new backend" % i
                cmd(victim, "start tx_first 4")
            if wait_traffic(survivor, before) < 0:
                return "cycle %d: traffic did not resume after the backend restarted" % i
            kill(victim, TAG + "v")
            if os.path.exists(SOCK):
                os.unlink(SOCK)		# a killed server leaves its socket file
            if i == 1:	# after the first death and recovery: lazily made threads exist
                base = settled_usage(survivor.pid)
        end = settled_usage(survivor.pid)
        print("# survivor after cycle 2: fds %d maps %d rss %d kB; after %d: fds %d maps %d "
              "rss %d kB" % (base + (CYCLES,) + end))
        if end[0] != base[0] or end[1] != base[1] or end[2] > base[2] + RSS_SLACK_KB:
            return "survivor leaked: %s -> %s" % (base, end)
        cmd(survivor, "stop")
        survivor.sendline("quit")
        survivor.expect(pexpect.EOF, timeout=30)
        survivor.close()
        return None if survivor.exitstatus == 0 else "survivor exit %s" % survivor.exitstatus
    finally:
        for p, prefix in ((victim, TAG + "v"), (survivor, TAG + "s")):
            if p.isalive():
                kill(p, prefix)
            shutil.rmtree("/run/dpdk/" + prefix, ignore_errors=True)
        if os.path.exists(SOCK):
            os.unlink(SOCK)


def main():
    cases = [("virtio_killed", virtio_killed), ("vhost_killed", vhost_killed)]
    if os.environ.get("VU_KC_ONLY"):
        cases = [c for c in cases if c[0] == os.environ["VU_KC_ONLY"]]
    print("1..%d" % len(cases))
    bad = 0
    for n, (name, fn) in enumerate(cases, 1):
        t = time.time()
        try:
            err = fn()
        except pexpect.ExceptionPexpect as e:
            lines = str(e).splitlines()
            err = "pexpect: %s" % lines[0]
            for line in lines[1:]:
                print(line)
        print("# %s: %d cycles in %.1f s" % (name, CYCLES, time.time() - t))
        if err:
            bad += 1
            print("not ok %d - %s # %s" % (n, name, err))
        else:
            print("ok %d - %s" % (n, name))
        sys.stdout.flush()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
