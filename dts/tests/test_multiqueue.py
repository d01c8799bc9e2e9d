# SPDX-License-Identifier: BSD-3-Clause
"""Multi-queue: 1, 2 and 8 queue pairs, traffic on every queue (per-queue xstats)."""
from framework.suite import params

from .common import check_loop_counts, queue_packets


@params(queues=[1, 2, 8])
def test_queues(ctx, queues):
    lb = ctx.loopback(queues=queues, rxd=512, txd=512).start()
    for s in (lb.vhost, lb.virtio):
        info = s.port_info(0)
        ctx.check(info.rx_queues == queues and info.tx_queues == queues,
                  f"{s.name}: {info.rx_queues}/{info.tx_queues} queues, expected {queues}")
        fc = s.fwd_config()
        ctx.check(fc.streams == queues, f"{s.name}: {fc.streams} streams, expected {queues}")
    hs, vs = lb.traffic(2.0)
    check_loop_counts(ctx, hs, vs)
    hx, ux = lb.vhost.xstats(0), lb.virtio.xstats(0)
    for q in range(queues):
        for side, x, d in (("vhost", hx, "rx"), ("vhost", hx, "tx"),
                           ("virtio", ux, "rx"), ("virtio", ux, "tx")):
            n = queue_packets(x, d, q)
            ctx.check(n > 0, f"{side} {d} queue {q}: no packets")
    ctx.note("per-queue vhost rx: " + " ".join(str(queue_packets(hx, "rx", q))
                                                 for q in range(queues)))
    lb.quit()
