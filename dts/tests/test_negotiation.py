# SPDX-License-Identifier: BSD-3-Clause
"""vhost-user negotiation: mrg_rxbuf and in_order on and off reach the negotiated features."""
from api import testpmd_parsers as tp
from framework.suite import params

from .common import check_loop_counts


def _bit(f: int, b: int) -> int:
    return (f >> b) & 1


@params(mrg_rxbuf=[0, 1], in_order=[0, 1])
def test_features(ctx, mrg_rxbuf, in_order):
    lb = ctx.loopback(mrg_rxbuf=mrg_rxbuf, in_order=in_order).start()
    ui = lb.virtio.port_info(0)
    ctx.check(ui.devarg("mrg_rxbuf") == str(mrg_rxbuf) and ui.devarg("in_order") == str(in_order),
              f"virtio side devargs {ui.devargs!r}")
    f = lb.vhost.negotiated_features(0)
    ctx.check(f is not None, "vhost side reports no negotiated features")
    ctx.note(f"negotiated features 0x{f:x}")
    ctx.check(_bit(f, tp.VIRTIO_F_VERSION_1), f"VERSION_1 not negotiated (0x{f:x})")
    ctx.check(_bit(f, tp.VIRTIO_NET_F_MRG_RXBUF) == mrg_rxbuf,
              f"MRG_RXBUF is {_bit(f, tp.VIRTIO_NET_F_MRG_RXBUF)}, asked {mrg_rxbuf} (0x{f:x})")
    ctx.check(_bit(f, tp.VIRTIO_F_IN_ORDER) == in_order,
              f"IN_ORDER is {_bit(f, tp.VIRTIO_F_IN_ORDER)}, asked {in_order} (0x{f:x})")
    ctx.check(not _bit(f, tp.VIRTIO_NET_F_MQ), f"MQ negotiated with one queue pair (0x{f:x})")
    hs, vs = lb.traffic(1.0)
    check_loop_counts(ctx, hs, vs)
    lb.quit()


def test_multiqueue_feature(ctx):
    lb = ctx.loopback(queues=2).start()
    f = lb.vhost.negotiated_features(0)
    ctx.check(f is not None and _bit(f, tp.VIRTIO_NET_F_MQ), f"MQ not negotiated ({f})")
    hi, ui = lb.vhost.port_info(0), lb.virtio.port_info(0)
    ctx.check(hi.rx_queues == 2 and ui.rx_queues == 2, "port info does not show 2 queues")
    lb.quit()
