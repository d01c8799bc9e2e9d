# SPDX-License-Identifier: BSD-3-Clause
"""Sleep/wake and snapshot/restore under traffic (vu-testpmd's `virtio-user N ...` commands)."""
import time

from framework.suite import applies
from framework.workspace import wait_for


def _vu(app: str) -> bool:
    return app.startswith("vu")


def _rx_growth(lb, seconds: float = 0.7) -> int:
    a = lb.vhost.port_stats(0).rx_packets
    time.sleep(seconds)
    return lb.vhost.port_stats(0).rx_packets - a


def _start_traffic(lb):
    lb.vhost.start()
    lb.virtio.start_tx_first(32)
    time.sleep(0.5)


def _check_paused_then_resumed(ctx, lb, what: str):
    time.sleep(0.3)
    ctx.check(_rx_growth(lb) == 0, f"{what}: vhost side still receives while asleep")
    lb.virtio.virtio_user(0, "wake")
    wait_for(lambda: _rx_growth(lb, 0.3) > 0, 10, 0.1, f"traffic after wake ({what})")


@applies(lambda vh, vi: _vu(vi), "needs vu-testpmd on the virtio side (virtio-user N sleep|wake)")
def test_sleep_wake(ctx):
    lb = ctx.loopback().start()
    _start_traffic(lb)
    ctx.check(_rx_growth(lb) > 0, "no traffic before sleep")
    for i in range(3):
        lb.virtio.virtio_user(0, "sleep")
        _check_paused_then_resumed(ctx, lb, f"cycle {i + 1}")
    lb.virtio.stop()
    lb.vhost.stop()
    lb.quit()


@applies(lambda vh, vi: _vu(vh) and _vu(vi),
         "needs vu-testpmd on both sides (device-state save/load in the backend)")
def test_snapshot_restore(ctx):
    lb = ctx.loopback().start()
    _start_traffic(lb)
    ctx.check(_rx_growth(lb) > 0, "no traffic before snapshot")
    snap = ctx.ws.path("snapshot.bin")
    lb.virtio.virtio_user(0, "sleep")
    lb.virtio.virtio_user(0, "snapshot", str(snap))
    ctx.check(snap.exists() and snap.stat().st_size > 0, f"snapshot {snap} missing or empty")
    ctx.note(f"snapshot {snap.stat().st_size} bytes")
    lb.virtio.virtio_user(0, "restore", str(snap))
    _check_paused_then_resumed(ctx, lb, "after restore")
    lb.virtio.stop()
    lb.vhost.stop()
    lb.quit()
