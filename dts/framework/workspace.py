# SPDX-License-Identifier: BSD-3-Clause
"""Per-case resources (temp dir, EAL file prefixes, processes) and their teardown.

Everything a case creates is registered here and removed by cleanup(), which the
runner calls in a finally block: after a pass, a failure or a timeout alike.
"""
from __future__ import annotations

import glob
import itertools
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

_seq = itertools.count()


class Workspace:
    def __init__(self, config, logdir: Path):
        self.config = config
        self.logdir = logdir
        self.logdir.mkdir(parents=True, exist_ok=True)
        config.socket_dir.mkdir(parents=True, exist_ok=True)
        self.tmpdir = Path(tempfile.mkdtemp(prefix="dts-", dir=config.socket_dir))
        self.prefixes: list[str] = []
        self.sessions: list = []

    def new_prefix(self, name: str) -> str:
        prefix = f"dts{os.getpid()}_{next(_seq)}{name[:1]}"
        self.prefixes.append(prefix)
        return prefix

    def path(self, name: str) -> Path:
        return self.tmpdir / name

    def leftovers(self) -> list[str]:
        """Files, dirs and live processes of this workspace still present."""
        left = []
        for p in self.prefixes:
            left += glob.glob(str(self.config.hugepage_dir / f"{p}map_*"))
            if (self.config.runtime_dir / p).exists():
                left.append(str(self.config.runtime_dir / p))
        left += [f"pid {s.pid}" for s in self.sessions if s.pid and _pid_alive(s.pid)]
        if self.tmpdir.exists():
            left.append(str(self.tmpdir))
        return left

    def cleanup(self) -> list[str]:
        """Kill every process, remove every file; returns what could not be removed."""
        for s in self.sessions:
            try:
                s.kill(signal.SIGKILL)
            except Exception:  # noqa: BLE001 - teardown must go on
                pass
        for p in self.prefixes:
            for f in glob.glob(str(self.config.hugepage_dir / f"{p}map_*")):
                try:
                    os.unlink(f)
                except OSError:
                    pass
            shutil.rmtree(self.config.runtime_dir / p, ignore_errors=True)
        shutil.rmtree(self.tmpdir, ignore_errors=True)
        return self.leftovers()


def _pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(pred, timeout: float, interval: float = 0.1, what: str = "condition"):
    """Poll @pred until it returns a true value; TimeoutError after @timeout seconds."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > end:
            raise TimeoutError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)
