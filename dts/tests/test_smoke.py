# SPDX-License-Identifier: BSD-3-Clause
"""Smoke: launch both sides, show port info, quit cleanly, nothing left behind."""


def test_launch_info_quit(ctx):
    lb = ctx.loopback().start()
    hi = lb.vhost.port_info(0)
    ui = lb.virtio.port_info(0)
    ctx.check(hi.device_name == "net_vhost0", f"vhost side device name {hi.device_name!r}")
    ctx.check(ui.device_name == "net_virtio_user0", f"virtio side device name {ui.device_name!r}")
    ctx.check(hi.link_up and ui.link_up, "link not up on both sides")
    ctx.check(hi.rx_queues == 1 and ui.tx_queues == 1, "queue counts are not 1")
    ctx.check(lb.vhost.fwd_config().mode == "io", "default forwarding mode is not io")
    for s in (lb.virtio, lb.vhost):
        st = s.quit()
        ctx.check(st == 0, f"{s.name} exit status {st}")
    left = ctx.ws.leftovers()
    left = [x for x in left if x != str(ctx.ws.tmpdir)]
    # the vhost side owns the socket file and removes it at exit
    ctx.check(not lb.sock.exists(), f"socket {lb.sock} left after quit")
    ctx.note(f"runtime files after quit (removed by teardown): {len(left)}")
