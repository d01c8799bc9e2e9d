# SPDX-License-Identifier: BSD-3-Clause
"""The vhost side as a two-port switch between two separate virtio-user processes.

The vhost-side app runs two vhost ports (`net_vhost0`, `net_vhost1`) in io mode, so
port 0 and port 1 forward to each other. Each "guest" is its own virtio-user process
on one of the two sockets. Only two lcores may spin on these 2-core machines, so the
guests take turns: the vhost side's forwarding lcore spins on core 1 throughout, and
at most one guest forwards (on core 0) at a time. The guests run with --no-flush-rx:
what waits in a guest's receive ring when it starts is what the switch delivered.

  guest A  --tx_first-->  vhost port 0 -> port 1  -->  guest B (idle: its rx ring fills)
  guest B  --io echo--->  vhost port 1 -> port 0  -->  guest A (idle)
  guest A  --start----->  receives B's echo
"""
import time

from framework.testpmd_session import TestpmdSession
from framework.workspace import wait_for

RUN = 1.0  # seconds each side forwards


def _mem_mb(cfg) -> int:
    """Three processes share the hugepages DTS asks for two (2 x mb_per_process)."""
    return 2 * cfg.mem_mb // 3


def _guest(ctx, name: str, sock) -> TestpmdSession:
    cfg = ctx.config
    vdev = f"net_virtio_user0,path={sock},queues=1"
    s = TestpmdSession(ctx.ws, ctx.virtio_app, name, cfg.virtio_lcores, cfg.virtio_main,
                       [vdev], ["--nb-cores=1", f"--rxd={cfg.rxd}", f"--txd={cfg.txd}",
                                f"--total-num-mbufs={cfg.total_num_mbufs}",
                                "--no-flush-rx"],  # what waits in the ring is the test
                       shared_mem=True, mem_mb=_mem_mb(cfg))
    return s.launch()


def _forward(guest: TestpmdSession, tx_first: bool = False):
    guest.set_fwd("io")
    if tx_first:
        guest.start_tx_first(32)
    else:
        guest.start()
    time.sleep(RUN)
    return guest.stop().ports[0]


def test_two_guests(ctx):
    cfg = ctx.config
    socks = [ctx.ws.path(f"guest{i}.sock") for i in range(2)]
    vdevs = [f"net_vhost{i},iface={s},queues=1" for i, s in enumerate(socks)]
    switch = TestpmdSession(ctx.ws, ctx.vhost_app, "switch", cfg.vhost_lcores, cfg.vhost_main,
                            vdevs, ["--nb-cores=1", f"--rxd={cfg.rxd}", f"--txd={cfg.txd}",
                                    f"--total-num-mbufs={cfg.total_num_mbufs}"],
                            shared_mem=True, mem_mb=_mem_mb(cfg)).launch()
    for s in socks:
        wait_for(s.exists, cfg.timeout("socket_wait"), what=f"socket {s}")
    a = _guest(ctx, "guestA", socks[0])
    b = _guest(ctx, "guestB", socks[1])
    t = cfg.timeout("socket_wait")
    for port in (0, 1):
        wait_for(lambda: switch.port_info(port).link_up, t, 0.3, f"switch port {port} link up")
    for g in (a, b):
        wait_for(lambda: g.port_info(0).link_up, t, 0.3, f"{g.name} link up")

    switch.set_fwd("io")
    switch.start()
    a1 = _forward(a, tx_first=True)
    b1 = _forward(b)
    a2 = _forward(a)
    switch.wait_rx_settled()
    hs = switch.stop()
    p0, p1 = hs.ports[0], hs.ports[1]
    ctx.note(f"A tx {a1.tx_packets} -> switch 0->1 tx {p1.tx_packets} (dropped "
             f"{p1.tx_dropped}) -> B rx {b1.rx_packets}; B tx {b1.tx_packets} -> switch "
             f"1->0 tx {p0.tx_packets} -> A rx {a2.rx_packets}")

    ctx.check(a1.tx_packets > 0, f"guest A sent nothing ({a1})")
    ctx.check(p0.rx_packets == a1.tx_packets + a2.tx_packets,
              f"switch port 0 RX {p0.rx_packets} != guest A TX "
              f"{a1.tx_packets} + {a2.tx_packets}")
    ctx.check(p1.tx_packets > 0, "switch forwarded nothing from port 0 to port 1")
    ctx.check(0 < b1.rx_packets <= p1.tx_packets,
              f"guest B RX {b1.rx_packets} not in (0, switch port 1 TX {p1.tx_packets}]")
    ctx.check(b1.tx_packets > 0 and p1.rx_packets == b1.tx_packets,
              f"switch port 1 RX {p1.rx_packets} != guest B TX {b1.tx_packets}")
    ctx.check(0 < a2.rx_packets <= p0.tx_packets,
              f"guest A RX {a2.rx_packets} not in (0, switch port 0 TX {p0.tx_packets}]")

    stats = switch.port_stats_all()
    ctx.check(stats[0].rx_packets == p0.rx_packets and stats[1].tx_packets == p1.tx_packets,
              f"show port stats all disagrees with the forward stats: {stats}")
    for s in (a, b, switch):
        st = s.quit()
        ctx.check(st == 0, f"{s.name} exit status {st}")
