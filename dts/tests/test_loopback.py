# SPDX-License-Identifier: BSD-3-Clause
"""Loopback across the data paths: mergeable/in-order on and off, chained and large frames."""
from framework.suite import params

from .common import check_loop_counts


def _bytes_per_packet(ctx, lb, length: int) -> None:
    hs = lb.vhost.port_stats(0)
    ctx.check(hs.rx_packets > 0 and hs.rx_bytes == hs.rx_packets * length,
              f"vhost RX-bytes {hs.rx_bytes} != {hs.rx_packets} packets x {length} B")
    us = lb.virtio.port_stats(0)
    ctx.check(us.rx_packets > 0 and us.rx_bytes == us.rx_packets * length,
              f"virtio RX-bytes {us.rx_bytes} != {us.rx_packets} packets x {length} B")


@params(mrg_rxbuf=[0, 1], in_order=[0, 1], fwd=["io", "mac"])
def test_paths(ctx, mrg_rxbuf, in_order, fwd):
    lb = ctx.loopback(mrg_rxbuf=mrg_rxbuf, in_order=in_order).start()
    lb.vhost.clear_port_stats()
    lb.virtio.clear_port_stats()
    hs, vs = lb.traffic(1.5, txpkts=[64], vhost_fwd=fwd)
    check_loop_counts(ctx, hs, vs)
    _bytes_per_packet(ctx, lb, 64)
    lb.quit()


@params(mrg_rxbuf=[0, 1], txpkts=["64,64", "1024,494"])
def test_chained(ctx, mrg_rxbuf, txpkts):
    segs = [int(x) for x in txpkts.split(",")]
    lb = ctx.loopback(mrg_rxbuf=mrg_rxbuf).start()
    lb.vhost.clear_port_stats()
    lb.virtio.clear_port_stats()
    hs, vs = lb.traffic(1.5, txpkts=segs)
    check_loop_counts(ctx, hs, vs)
    _bytes_per_packet(ctx, lb, sum(segs))
    lb.quit()


@params(mrg_rxbuf=[0, 1], size=[1518])
def test_large_frames(ctx, mrg_rxbuf, size):
    lb = ctx.loopback(mrg_rxbuf=mrg_rxbuf).start()
    lb.vhost.clear_port_stats()
    lb.virtio.clear_port_stats()
    hs, vs = lb.traffic(1.5, txpkts=[size])
    check_loop_counts(ctx, hs, vs)
    _bytes_per_packet(ctx, lb, size)
    lb.quit()


def _check_spread(ctx, who: str, b, most: int) -> None:
    ctx.check(b is not None, f"{who}: no bursts line")
    ctx.check(b.total > 0 and sum(p for p, _ in b.shares) == 100,
              f"{who}: {b.total} bursts, shares {b.shares} do not add up to 100 %")
    ctx.check(all(s is None or s <= most for _, s in b.shares),
              f"{who}: a burst above {most} packets in {b.shares}")


def test_record_stats(ctx):
    """`set record-burst-stats on` and `set record-core-cycles on`, as testpmd: `stop`
    shows each port's RX/TX burst sizes (empty polls as 0 pkts), no more bursts than polls
    could have carried, and the busy cycles per packet; off again, neither."""
    lb = ctx.loopback().start()
    for s in (lb.vhost, lb.virtio):
        s.set_record_burst_stats(True)
        s.set_record_core_cycles(True)
    hs, vs = lb.traffic(1.5, txpkts=[64])
    check_loop_counts(ctx, hs, vs)
    for who, f in (("vhost", hs), ("virtio", vs)):
        p = f.ports[0]
        _check_spread(ctx, f"{who} RX", p.rx_bursts, 32)
        _check_spread(ctx, f"{who} TX", p.tx_bursts, 32)
        ctx.check(p.rx_bursts.total >= p.rx_packets / 32,
                  f"{who}: {p.rx_bursts.total} RX bursts for {p.rx_packets} packets")
        ctx.check(p.tx_bursts.total >= p.tx_packets / 32,
                  f"{who}: {p.tx_bursts.total} TX bursts for {p.tx_packets} packets")
        ctx.check(f.busy_cycles and f.cycles_per_packet > 0 and f.clock_mhz,
                  f"{who}: no CPU cycles/packet line")
        ctx.check(abs(f.cycles_per_packet - f.busy_cycles / p.rx_packets) < 0.01,
                  f"{who}: {f.cycles_per_packet} cycles/packet != {f.busy_cycles} / "
                  f"{p.rx_packets}")
    ctx.note(f"vhost RX {hs.ports[0].rx_bursts.shares} {hs.cycles_per_packet} cycles/packet, "
             f"virtio RX {vs.ports[0].rx_bursts.shares} {vs.cycles_per_packet} cycles/packet")
    for s in (lb.vhost, lb.virtio):
        s.set_record_burst_stats(False)
        s.set_record_core_cycles(False)
    hs, vs = lb.traffic(0.5, txpkts=[64])
    ctx.check(hs.ports[0].rx_bursts is None and vs.ports[0].rx_bursts is None,
              "bursts still shown after set record-burst-stats off")
    ctx.check(hs.cycles_per_packet is None and vs.cycles_per_packet is None,
              "cycles still shown after set record-core-cycles off")
    lb.quit()
