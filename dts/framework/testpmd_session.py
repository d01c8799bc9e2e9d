# SPDX-License-Identifier: BSD-3-Clause
"""An interactive testpmd-compatible app (dpdk-testpmd or vu-testpmd) over pexpect."""
from __future__ import annotations

import os
import re
import signal
import time

import pexpect

from api import testpmd_parsers as tp
from framework.prompt import PROMPT, PROMPT_WINDOW

_ERRORS = re.compile(r"^(Bad arguments|Invalid|Unknown|command not found|Error|Fail)",
                     re.MULTILINE | re.IGNORECASE)


class AppError(Exception):
    """The app could not be started, exited, or did not answer."""


class CommandError(AppError):
    """The app answered a command with an error."""


class TestpmdSession:
    """One testpmd-compatible process. @kind is the app name in dts.yaml ('vu', 'dpdk')."""

    def __init__(self, ws, kind: str, name: str, lcores: str, main_lcore: int,
                 vdevs: list[str], app_args: list[str], shared_mem: bool = False,
                 mem_mb: int | None = None):
        self.ws = ws
        self.config = ws.config
        self.kind = kind
        self.app = self.config.app(kind)
        self.name = name
        self.lcores = lcores
        self.main_lcore = main_lcore
        self.vdevs = list(vdevs)
        self.app_args = list(app_args)
        self.shared_mem = shared_mem
        self.mem_mb = mem_mb or self.config.mem_mb
        self.prefix = ws.new_prefix(name)
        self.logpath = ws.logdir / f"{name}.log"
        self.proc: pexpect.spawn | None = None
        self.exitstatus: int | None = None
        ws.sessions.append(self)

    # ---------------------------------------------------------------- process
    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def eal_args(self) -> list[str]:
        cfg = self.config
        args = ["-l", self.lcores, "--main-lcore", str(self.main_lcore), "-n", "1",
                "--no-pci", f"--file-prefix={self.prefix}", "-m", str(self.mem_mb)]
        if cfg.memory() == "no-huge":
            args.append("--no-huge")
        else:
            args.append(f"--huge-dir={cfg.hugepage_dir}")
        if self.shared_mem:
            args.append("--single-file-segments")
        for v in self.vdevs:
            args += ["--vdev", v]
        return args + cfg.eal_extra

    def command_line(self) -> list[str]:
        return [str(self.app), *self.eal_args(), "--", "-i", *self.app_args]

    def launch(self) -> "TestpmdSession":
        if not self.app.exists():
            raise AppError(f"{self.kind} app {self.app} does not exist"
                           + (" (vu-testpmd not built yet?)" if self.kind == "vu" else ""))
        cmd = self.command_line()
        log = open(self.logpath, "a", encoding="utf-8", errors="replace")
        log.write(f"\n### {time.strftime('%H:%M:%S')} launch: {' '.join(cmd)}\n")
        log.flush()
        self.proc = pexpect.spawn(cmd[0], cmd[1:], encoding="utf-8", codec_errors="replace",
                                  timeout=self.config.timeout("command"), dimensions=(50, 250))
        self.proc.logfile_read = log
        self.exitstatus = None
        i = self.proc.expect([PROMPT, pexpect.EOF, pexpect.TIMEOUT],
                             timeout=self.config.timeout("launch"),
                             searchwindowsize=PROMPT_WINDOW)
        if i != 0:
            tail = self.proc.before[-1500:] if isinstance(self.proc.before, str) else ""
            self.kill()
            raise AppError(f"{self.name} ({self.kind}) did not reach the prompt "
                           f"({'exited' if i == 1 else 'timeout'}); output tail:\n{tail}")
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.isalive()

    def kill(self, sig: int = signal.SIGKILL, timeout: float = 5.0) -> None:
        """Send @sig (default SIGKILL: the crash tests) and reap the process."""
        if self.proc is None:
            return
        if self.proc.isalive():
            try:
                os.kill(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            end = time.monotonic() + timeout
            while self.proc.isalive() and time.monotonic() < end:
                time.sleep(0.05)
            if self.proc.isalive():
                os.kill(self.proc.pid, signal.SIGKILL)
        self._close()

    def _close(self) -> None:
        try:
            self.proc.close(force=True)
        except Exception:  # noqa: BLE001
            pass
        self.exitstatus = self.proc.exitstatus if self.proc.exitstatus is not None \
            else self.proc.signalstatus
        if self.proc.logfile_read:
            self.proc.logfile_read.close()
            self.proc.logfile_read = None

    def fd_count(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def drain(self) -> None:
        """Consume asynchronous output (events, log lines) so the next command starts clean."""
        try:
            while True:
                self.proc.read_nonblocking(65536, timeout=0)
        except (pexpect.TIMEOUT, pexpect.EOF):
            pass

    def log_text(self) -> str:
        """Everything the process printed so far (including asynchronous log lines)."""
        self.drain()
        if self.proc.logfile_read:
            self.proc.logfile_read.flush()
        return self.logpath.read_text(errors="replace")

    # ---------------------------------------------------------------- commands
    def send_command(self, cmd: str, timeout: float | None = None, check: bool = True) -> str:
        """Send one line, wait for the prompt, return the output without the echo."""
        if not self.alive():
            raise AppError(f"{self.name} ({self.kind}) is not running; cannot send {cmd!r}")
        self.drain()
        self.proc.sendline(cmd)
        i = self.proc.expect([PROMPT, pexpect.EOF, pexpect.TIMEOUT],
                             timeout=timeout or self.config.timeout("command"),
                             searchwindowsize=PROMPT_WINDOW)
        out = self.proc.before.replace("\r", "")
        if i == 1:
            raise AppError(f"{self.name} exited during {cmd!r}; output tail:\n{out[-1500:]}")
        if i == 2:
            raise AppError(f"{self.name}: no prompt within timeout after {cmd!r}")
        lines = out.split("\n")
        if lines and lines[0].strip() == cmd.strip():
            lines = lines[1:]
        out = "\n".join(lines)
        if check and _ERRORS.search(out):
            raise CommandError(f"{self.name}: {cmd!r} failed:\n{out.strip()}")
        return out

    def start(self) -> str:
        return self.send_command("start")

    def start_tx_first(self, n: int | None = None) -> str:
        return self.send_command("start tx_first" + (f" {n}" if n else ""))

    def stop(self) -> tp.ForwardStats:
        return tp.parse_forward_stats(self.send_command("stop"))

    def port_stats(self, port: int = 0) -> tp.PortStats:
        return tp.parse_port_stats(self.send_command(f"show port stats {port}"), port)

    def port_stats_all(self) -> dict[int, tp.PortStats]:
        return tp.parse_all_port_stats(self.send_command("show port stats all"))

    def wait_rx_settled(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Wait until no port's RX-packets moves over two intervals of @quiet seconds
        (at most @timeout): what a peer sent before it stopped has arrived, however
        loaded the machine. Returns at the timeout too; the caller's count check then
        says what is off."""
        end = time.monotonic() + timeout
        seen = []
        while time.monotonic() < end:
            seen = (seen + [sum(s.rx_packets for s in self.port_stats_all().values())])[-3:]
            if len(seen) == 3 and seen[0] == seen[2]:
                return
            time.sleep(quiet)

    def clear_port_stats(self, port: int | str = "all") -> str:
        return self.send_command(f"clear port stats {port}")

    def xstats(self, port: int = 0) -> dict[str, int]:
        return tp.parse_xstats(self.send_command(f"show port xstats {port}"))

    def port_info(self, port: int = 0) -> tp.PortInfo:
        return tp.parse_port_info(self.send_command(f"show port info {port}"))

    def fwd_config(self) -> tp.FwdConfig:
        return tp.parse_fwd_config(self.send_command("show config fwd"))

    def set_fwd(self, mode: str) -> str:
        return self.send_command(f"set fwd {mode}")

    def set_txpkts(self, *sizes: int) -> str:
        return self.send_command("set txpkts " + ",".join(str(s) for s in sizes))

    def set_payload_check(self, on: bool = True) -> str:
        """vu-testpmd only: generated packets carry a pattern, received ones are checked."""
        return self.send_command("set payload-check " + ("on" if on else "off"))

    def set_record_burst_stats(self, on: bool = True) -> str:
        """From the next start, `stop` shows the burst sizes (RX-/TX-bursts lines)."""
        return self.send_command("set record-burst-stats " + ("on" if on else "off"))

    def set_record_core_cycles(self, on: bool = True) -> str:
        """From the next start, `stop` shows the busy CPU cycles per packet."""
        return self.send_command("set record-core-cycles " + ("on" if on else "off"))

    def set_burst(self, n: int) -> str:
        return self.send_command(f"set burst {n}")

    def set_nbcore(self, n: int) -> str:
        return self.send_command(f"set nbcore {n}")

    def port_stop(self, port: int | str = "all") -> str:
        return self.send_command(f"port stop {port}", timeout=self.config.timeout("launch"))

    def port_start(self, port: int | str = "all") -> str:
        return self.send_command(f"port start {port}", timeout=self.config.timeout("launch"))

    def port_config_queues(self, rxq: int, txq: int) -> None:
        self.send_command(f"port config all rxq {rxq}")
        self.send_command(f"port config all txq {txq}")

    def show_vhost(self, port: int = 0) -> str:
        """vu-testpmd only."""
        return self.send_command(f"show vhost {port}")

    def virtio_user(self, port: int, action: str, arg: str | None = None) -> str:
        """vu-testpmd only: `virtio-user N sleep|wake|snapshot FILE|restore FILE`."""
        return self.send_command(f"virtio-user {port} {action}" + (f" {arg}" if arg else ""),
                                 timeout=self.config.timeout("launch"))

    def negotiated_features(self, port: int = 0) -> int | None:
        """Negotiated virtio features as the vhost side reports them: vu-testpmd's
        `show vhost N`, or DPDK vhost's 'negotiated Virtio features' log line."""
        text = self.show_vhost(port) if self.kind == "vu" else self.log_text()
        return tp.parse_negotiated_features(text)

    def quit(self) -> int | None:
        """`quit`; waits for exit and returns the exit status (kills after the quit timeout)."""
        if not self.alive():
            return self.exitstatus
        self.drain()
        self.proc.sendline("quit")
        i = self.proc.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=self.config.timeout("quit"))
        if i == 1:
            self.kill()
            raise AppError(f"{self.name} did not exit within {self.config.timeout('quit')}s "
                           "of 'quit' (killed)")
        end = time.monotonic() + 5
        while self.proc.isalive() and time.monotonic() < end:
            time.sleep(0.05)
        self._close()
        return self.exitstatus
