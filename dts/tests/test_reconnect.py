# SPDX-License-Identifier: BSD-3-Clause
"""Reconnect: kill -9 and relaunch either side, repeatedly, in client and server mode."""
import signal

from framework.suite import applies, params
from framework.workspace import wait_for

from .common import check_loop_counts

CYCLES = 3
FD_SLACK = 2


def _relaunch(ctx, lb, victim: str):
    if lb.sock.exists() and ((victim == "vhost") != lb.server):
        # the dead side owned the listening socket: remove it like a supervisor would
        lb.sock.unlink()
    return lb.launch_vhost() if victim == "vhost" else lb.launch_virtio()


@params(mode=["client", "server"], victim=["virtio", "vhost"])
def test_kill_relaunch(ctx, mode, victim):
    """mode client: vhost side is the socket server; mode server: virtio side is
    (`server=1`, vhost `client=1`). The survivor must keep running, reconnect, and not
    leak fds."""
    lb = ctx.loopback(server=(mode == "server")).start()
    survivor_name = "virtio" if victim == "vhost" else "vhost"
    hs, vs = lb.traffic(1.0)
    check_loop_counts(ctx, hs, vs, "initial: ")
    fds = []
    for i in range(CYCLES):
        survivor = getattr(lb, survivor_name)
        getattr(lb, victim).kill(signal.SIGKILL)
        ctx.check(survivor.alive(), f"cycle {i + 1}: survivor {survivor.name} died with its peer")
        wait_for(lambda: not survivor.port_info(0).link_up, ctx.config.timeout("socket_wait"),
                 0.3, f"survivor {survivor.name} link down")
        _relaunch(ctx, lb, victim)
        dpdk_client = mode == "client" and victim == "vhost" and lb.virtio_app == "dpdk"
        try:
            lb.wait_link(timeout=4 if dpdk_client else None)
        except TimeoutError:
            if not dpdk_client:
                raise
            # DPDK's virtio-user reconnects only in server mode: relaunch it as well
            ctx.note(f"cycle {i + 1}: dpdk virtio-user (client) did not reconnect; relaunched")
            lb.virtio.kill()
            lb.launch_virtio()
            lb.wait_link()
            survivor = None
        hs, vs = lb.traffic(1.0)
        check_loop_counts(ctx, hs, vs, f"cycle {i + 1}: ")
        if survivor is not None:
            fds.append(survivor.fd_count())
    if len(fds) >= 2:
        ctx.note(f"survivor fd counts per cycle: {fds}")
        ctx.check(fds[-1] <= fds[0] + FD_SLACK, f"survivor fd count grows: {fds}")
    lb.quit()


@applies(lambda vh, vi: vi != "dpdk", "DPDK's virtio-user in client mode does not reconnect")
def test_virtio_port_cycled_while_vhost_gone(ctx):
    """The virtio side stops its port while the vhost side is dead (the port frees its
    rings), reconnects to the relaunched vhost side while stopped, then starts again:
    the new backend must not be handed the freed rings, and the port must start and
    carry traffic (before the fix the frontend replayed the old rings and refused the
    new activation as busy)."""
    lb = ctx.loopback().start()
    hs, vs = lb.traffic(1.0)
    check_loop_counts(ctx, hs, vs, "initial: ")
    lb.vhost.kill(signal.SIGKILL)
    wait_for(lambda: not lb.virtio.port_info(0).link_up, ctx.config.timeout("socket_wait"),
             0.3, "virtio side link down")
    lb.virtio.port_stop("all")
    _relaunch(ctx, lb, "vhost")
    wait_for(lambda: "backend connected" in lb.virtio.show_vhost(0),
             ctx.config.timeout("socket_wait"), 0.3, "virtio side reconnected while stopped")
    lb.virtio.port_start("all")
    lb.wait_link()
    hs, vs = lb.traffic(1.0)
    check_loop_counts(ctx, hs, vs, "after the restart: ")
    lb.quit()
