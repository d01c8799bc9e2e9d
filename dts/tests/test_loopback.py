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
