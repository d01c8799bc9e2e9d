# SPDX-License-Identifier: BSD-3-Clause
"""Helpers shared by suites (not a suite: no test_ prefix)."""
from api import testpmd_parsers as tp


def check_loop_counts(ctx, hs: tp.ForwardStats, vs: tp.ForwardStats, what: str = "") -> None:
    """Packets counted at both ends of a loopback run: the vhost side received all the
    virtio side sent, forwarded them, and the virtio side received them back."""
    h, v = hs.ports[0], vs.ports[0]
    ctx.check(v.tx_packets > 0, f"{what}virtio side sent nothing ({v})")
    ctx.check(h.rx_packets == v.tx_packets,
              f"{what}vhost RX-packets {h.rx_packets} != virtio TX-packets {v.tx_packets}")
    ctx.check(h.tx_packets > 0, f"{what}vhost side forwarded nothing ({h})")
    ctx.check(0 < v.rx_packets <= h.tx_packets,
              f"{what}virtio RX-packets {v.rx_packets} not in (0, vhost TX {h.tx_packets}]")
    ctx.note(f"{what}virtio tx {v.tx_packets} -> vhost rx {h.rx_packets}, "
             f"vhost tx {h.tx_packets} -> virtio rx {v.rx_packets}")


def queue_packets(xstats: dict, direction: str, q: int) -> int:
    """Per-queue packet counter: generic `rx_qN_packets`, else the driver's
    `rx_qN_good_packets`."""
    for name in (f"{direction}_q{q}_packets", f"{direction}_q{q}_good_packets"):
        if name in xstats:
            return xstats[name]
    raise KeyError(f"no {direction}_q{q}_packets / {direction}_q{q}_good_packets xstat")
