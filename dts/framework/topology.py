# SPDX-License-Identifier: BSD-3-Clause
"""Two-process vhost <-> virtio-user loopback.

The vhost side (`--vdev net_vhost0`) always starts first. In the default mode it is the
socket server and the virtio side connects once the socket exists; with server=True the
virtio side is the server (`server=1`) and the vhost side a reconnecting client
(`client=1`). Each process pins its forwarding lcore to its own core.
"""
from __future__ import annotations

import time

from .testpmd_session import TestpmdSession
from .workspace import wait_for


class Loopback:
    def __init__(self, ws, vhost_app: str, virtio_app: str, queues: int = 1,
                 mrg_rxbuf: int | None = None, in_order: int | None = None,
                 server: bool = False, queue_size: int | None = None,
                 rxd: int | None = None, txd: int | None = None,
                 nb_mbufs: int | None = None, vhost_args=(), virtio_args=()):
        self.ws = ws
        self.cfg = ws.config
        self.vhost_app = vhost_app
        self.virtio_app = virtio_app
        self.queues = queues
        self.mrg_rxbuf = mrg_rxbuf
        self.in_order = in_order
        self.server = server
        self.queue_size = queue_size
        self.rxd = rxd or self.cfg.rxd
        self.txd = txd or self.cfg.txd
        self.nb_mbufs = nb_mbufs or self.cfg.total_num_mbufs
        self.vhost_args = list(vhost_args)
        self.virtio_args = list(virtio_args)
        self.sock = ws.path("vhost-net.sock")
        self.vhost: TestpmdSession | None = None
        self.virtio: TestpmdSession | None = None
        self.generation = {"vhost": 0, "virtio": 0}

    # --------------------------------------------------------------- vdev strings
    def vhost_vdev(self) -> str:
        s = f"net_vhost0,iface={self.sock},queues={self.queues}"
        return s + (",client=1" if self.server else "")

    def virtio_vdev(self) -> str:
        s = f"net_virtio_user0,path={self.sock},queues={self.queues}"
        if self.server:
            s += ",server=1"
        for k in ("mrg_rxbuf", "in_order", "queue_size"):
            v = getattr(self, k)
            if v is not None:
                s += f",{k}={v}"
        return s

    def _app_args(self, extra) -> list[str]:
        q = self.queues
        return ["--nb-cores=1", f"--rxq={q}", f"--txq={q}", f"--rxd={self.rxd}",
                f"--txd={self.txd}", f"--total-num-mbufs={self.nb_mbufs}", *extra]

    # --------------------------------------------------------------- lifecycle
    def launch_vhost(self) -> TestpmdSession:
        n = self.generation["vhost"]
        self.generation["vhost"] += 1
        self.vhost = TestpmdSession(self.ws, self.vhost_app, f"vhost{n}", self.cfg.vhost_lcores,
                                    self.cfg.vhost_main, [self.vhost_vdev()],
                                    self._app_args(self.vhost_args), shared_mem=True)
        self.vhost.launch()
        if not self.server:
            wait_for(self.sock.exists, self.cfg.timeout("socket_wait"), what=f"socket {self.sock}")
        return self.vhost

    def launch_virtio(self) -> TestpmdSession:
        n = self.generation["virtio"]
        self.generation["virtio"] += 1
        self.virtio = TestpmdSession(self.ws, self.virtio_app, f"virtio{n}",
                                     self.cfg.virtio_lcores, self.cfg.virtio_main,
                                     [self.virtio_vdev()], self._app_args(self.virtio_args),
                                     shared_mem=True)
        self.virtio.launch()
        return self.virtio

    def start(self) -> "Loopback":
        self.launch_vhost()
        self.launch_virtio()
        self.wait_link()
        return self

    def wait_link(self, timeout: float | None = None) -> None:
        """Both ports report link up."""
        t = timeout or self.cfg.timeout("socket_wait")
        wait_for(lambda: self.vhost.port_info(0).link_up, t, 0.3, "vhost side link up")
        wait_for(lambda: self.virtio.port_info(0).link_up, t, 0.3, "virtio side link up")

    def quit(self) -> None:
        for s in (self.virtio, self.vhost):
            if s is not None and s.alive():
                s.quit()

    # --------------------------------------------------------------- traffic
    def traffic(self, seconds: float = 2.0, burst_count: int = 32, txpkts=None,
                vhost_fwd: str = "io"):
        """Vhost side forwards (@vhost_fwd), virtio side `start tx_first`, run, stop both.

        Returns (vhost ForwardStats, virtio ForwardStats). The virtio side stops first
        and the vhost side keeps forwarding a moment, so everything the virtio side sent
        has been received by the vhost side when it stops.
        """
        self.vhost.set_fwd(vhost_fwd)
        self.virtio.set_fwd("io")
        if txpkts:
            self.virtio.set_txpkts(*txpkts)
        self.vhost.start()
        self.virtio.start_tx_first(burst_count)
        time.sleep(seconds)
        vs = self.virtio.stop()
        self.vhost.wait_rx_settled()
        hs = self.vhost.stop()
        return hs, vs
