# SPDX-License-Identifier: BSD-3-Clause
"""Port restart: repeated `port stop all` / `port start all` on the vhost side; traffic resumes."""
from framework.suite import params

from .common import check_loop_counts

CYCLES = 3


@params(queues=[1, 2])
def test_stop_start(ctx, queues):
    lb = ctx.loopback(queues=queues).start()
    hs, vs = lb.traffic(1.0)
    check_loop_counts(ctx, hs, vs, "before restart: ")
    for i in range(CYCLES):
        lb.vhost.port_stop("all")
        lb.vhost.port_start("all")
        lb.wait_link()
        hs, vs = lb.traffic(1.0)
        check_loop_counts(ctx, hs, vs, f"after restart {i + 1}: ")
    lb.quit()
