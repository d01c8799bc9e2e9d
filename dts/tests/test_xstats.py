# SPDX-License-Identifier: BSD-3-Clause
"""xstats correctness: counters equal at both ends, for a known and a free-running count."""
from framework.suite import params

from .common import queue_packets

BURST = 32


@params(bursts=[4, 16])
def test_known_count(ctx, bursts):
    """`start tx_first N` on a virtio side in rxonly sends exactly N x 32 packets; the
    vhost side (rxonly) must count exactly that many, in stats and xstats. The ring holds
    every packet (tx_first does not retry), so none depends on the vhost lcore draining
    while they are sent."""
    lb = ctx.loopback(queue_size=1024).start()
    n, size = bursts * BURST, 64
    lb.vhost.set_fwd("rxonly")
    lb.virtio.set_fwd("rxonly")
    lb.virtio.set_txpkts(size)
    lb.vhost.clear_port_stats()
    lb.virtio.clear_port_stats()
    lb.vhost.start()
    lb.virtio.start_tx_first(bursts)
    from framework.workspace import wait_for
    wait_for(lambda: lb.vhost.port_stats(0).rx_packets >= n, 10, 0.2, f"{n} packets at vhost")
    vs = lb.virtio.stop()
    hs = lb.vhost.stop()
    ctx.check(vs.ports[0].tx_packets == n, f"virtio TX-packets {vs.ports[0].tx_packets} != {n}")
    ctx.check(hs.ports[0].rx_packets == n, f"vhost RX-packets {hs.ports[0].rx_packets} != {n}")
    h, hx = lb.vhost.port_stats(0), lb.vhost.xstats(0)
    u, ux = lb.virtio.port_stats(0), lb.virtio.xstats(0)
    for what, got, want in (("vhost stats rx_packets", h.rx_packets, n),
                            ("vhost stats rx_bytes", h.rx_bytes, n * size),
                            ("vhost xstats rx_good_packets", hx["rx_good_packets"], n),
                            ("vhost xstats rx_good_bytes", hx["rx_good_bytes"], n * size),
                            ("vhost xstats rx_q0", queue_packets(hx, "rx", 0), n),
                            ("virtio stats tx_packets", u.tx_packets, n),
                            ("virtio stats tx_bytes", u.tx_bytes, n * size),
                            ("virtio xstats tx_good_packets", ux["tx_good_packets"], n),
                            ("virtio xstats tx_good_bytes", ux["tx_good_bytes"], n * size),
                            ("virtio xstats tx_q0", queue_packets(ux, "tx", 0), n),
                            # per-queue names as DPDK 22.11's drivers give them
                            ("vhost xstats rx_q0_good_packets", hx.get("rx_q0_good_packets"), n),
                            ("vhost xstats rx_q0_good_bytes", hx.get("rx_q0_good_bytes"), n * size),
                            ("vhost xstats rx_q0_size_64_packets",
                             hx.get("rx_q0_size_64_packets"), n),
                            ("virtio xstats tx_q0_good_packets", ux.get("tx_q0_good_packets"), n),
                            ("virtio xstats tx_q0_good_bytes", ux.get("tx_q0_good_bytes"), n * size),
                            ("vhost tx_packets", h.tx_packets, 0),
                            ("virtio rx_packets", u.rx_packets, 0)):
        ctx.check(got == want, f"{what} = {got}, expected {want}")
    lb.quit()


@params(direction=["virtio-to-vhost", "vhost-to-virtio"], queues=[1, 2])
def test_free_running(ctx, direction, queues):
    """txonly on one side, rxonly on the other for a while; after both stop, the sender's
    tx counters equal the receiver's rx counters (stats, xstats, per-queue xstats)."""
    lb = ctx.loopback(queues=queues).start()
    tx, rx = (lb.virtio, lb.vhost) if direction == "virtio-to-vhost" else (lb.vhost, lb.virtio)
    tx.set_fwd("txonly")
    rx.set_fwd("rxonly")
    tx.set_txpkts(64)
    for s in (tx, rx):
        s.clear_port_stats()
    rx.start()
    tx.start()
    import time
    time.sleep(1.5)
    tx.stop()
    rx.wait_rx_settled()
    rx.stop()
    ts, rs = tx.port_stats(0), rx.port_stats(0)
    tx_x, rx_x = tx.xstats(0), rx.xstats(0)
    ctx.check(ts.tx_packets > 0, "nothing sent")
    ctx.check(ts.tx_packets == rs.rx_packets,
              f"sender TX-packets {ts.tx_packets} != receiver RX-packets {rs.rx_packets}")
    ctx.check(ts.tx_bytes == rs.rx_bytes,
              f"sender TX-bytes {ts.tx_bytes} != receiver RX-bytes {rs.rx_bytes}")
    ctx.check(tx_x["tx_good_packets"] == rx_x["rx_good_packets"] == ts.tx_packets,
              f"xstats tx_good_packets {tx_x['tx_good_packets']} / rx_good_packets "
              f"{rx_x['rx_good_packets']} / stats {ts.tx_packets} differ")
    for q in range(queues):
        a, b = queue_packets(tx_x, "tx", q), queue_packets(rx_x, "rx", q)
        ctx.check(a == b and a > 0, f"queue {q}: sender tx {a} != receiver rx {b}")
    ctx.note(f"{direction}: {ts.tx_packets} packets")
    lb.quit()
