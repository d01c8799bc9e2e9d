# SPDX-License-Identifier: BSD-3-Clause
"""Interop with every payload byte checked: 64, 1518 and 9000 B (chained) frames, mergeable
buffers on and off, 1 and 2 queue pairs.

The generated packets start on a vu side (`set payload-check on`: they carry a pattern),
cross to the peer, which forwards them back (io), and so on for the whole run: every packet
goes both ways many times. Each vu side checks every packet it receives (headers, lengths
and payload against the pattern), so in a mixed pair vu checks what crossed DPDK's ports
in both directions, and in vu-vu both ends check. 9000 B frames are 5-segment mbuf chains
on the sending side; without mergeable buffers a 9000 B frame must fit one receive buffer,
so the virtio side then runs with 9216-byte mbufs (--mbuf-size, as DPDK's testpmd). With
two queue pairs both ends must have received on both queues."""
import time

from framework.suite import applies, params

from .common import queue_packets

SEGMENTS = {64: [64], 1518: [1518], 9000: [2048, 2048, 2048, 2048, 808]}


def _check_origin(ctx, origin, fwd, os_, fs_) -> None:
    o, f = os_.ports[0], fs_.ports[0]
    ctx.check(o.tx_packets > 0, f"{origin.name} sent nothing ({o})")
    ctx.check(f.rx_packets == o.tx_packets,
              f"{fwd.name} RX-packets {f.rx_packets} != {origin.name} TX-packets {o.tx_packets}")
    ctx.check(0 < o.rx_packets <= f.tx_packets,
              f"{origin.name} RX-packets {o.rx_packets} not in (0, {fwd.name} TX "
              f"{f.tx_packets}]")


@applies(lambda vhost, virtio: "vu" in (vhost, virtio), "the payload check is vu-testpmd's")
@params(size=[64, 1518, 9000], mrg_rxbuf=[0, 1], queues=[1, 2])
def test_payload(ctx, size, mrg_rxbuf, queues):
    big = size > 2048 and not mrg_rxbuf
    lb = ctx.loopback(queues=queues, mrg_rxbuf=mrg_rxbuf,
                      nb_mbufs=16384 if big else None,
                      virtio_args=["--mbuf-size=9216"] if big else []).start()
    origin, fwd = (lb.virtio, lb.vhost) if lb.virtio.kind == "vu" else (lb.vhost, lb.virtio)
    checkers = [s for s in (lb.vhost, lb.virtio) if s.kind == "vu"]
    for s in checkers:
        s.set_payload_check(True)
    for s in (lb.vhost, lb.virtio):
        s.set_fwd("io")
        s.clear_port_stats()
    origin.set_txpkts(*SEGMENTS[size])
    fwd.start()
    origin.start_tx_first(32)
    time.sleep(1.5)
    stats = {origin.name: origin.stop()}
    fwd.wait_rx_settled()
    stats[fwd.name] = fwd.stop()
    _check_origin(ctx, origin, fwd, stats[origin.name], stats[fwd.name])
    for s in (lb.vhost, lb.virtio):
        ps = s.port_stats(0)
        ctx.check(ps.rx_packets > 0 and ps.rx_bytes == ps.rx_packets * size,
                  f"{s.name}: RX-bytes {ps.rx_bytes} != {ps.rx_packets} packets x {size} B")
    for s in (lb.vhost, lb.virtio):
        x = s.xstats(0)
        for q in range(queues):
            ctx.check(queue_packets(x, "rx", q) > 0, f"{s.name}: nothing received on queue {q}")
    for s in checkers:
        p = stats[s.name].ports[0]
        ctx.check(p.payload_checked is not None, f"{s.name}: no payload-check counters")
        ctx.check(p.payload_checked == p.rx_packets > 0,
                  f"{s.name}: {p.payload_checked} payloads checked of {p.rx_packets} received")
        ctx.check(p.payload_bad == 0,
                  f"{s.name}: {p.payload_bad} bad payloads of {p.payload_checked}")
    ctx.note(f"origin {origin.name} ({origin.kind}); checked "
             + ", ".join(f"{s.name} {stats[s.name].ports[0].payload_checked}" for s in checkers))
    lb.quit()
