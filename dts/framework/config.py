# SPDX-License-Identifier: BSD-3-Clause
"""dts/conf/dts.yaml -> Config; memory mode detection."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DTS_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = DTS_DIR.parent
DEFAULT_CONF = DTS_DIR / "conf" / "dts.yaml"


@dataclass
class Config:
    apps: dict[str, Path]
    pairs: list[str]
    vhost_lcores: str = "0-1"
    vhost_main: int = 0
    virtio_lcores: str = "0-1"
    virtio_main: int = 1
    memory_mode: str = "auto"
    mem_mb: int = 512
    hugepage_dir: Path = Path("/dev/hugepages")
    runtime_dir: Path = Path("/run/dpdk")
    socket_dir: Path = Path("/tmp")
    eal_extra: list[str] = field(default_factory=list)
    rxd: int = 1024
    txd: int = 1024
    total_num_mbufs: int = 32768
    timeouts: dict[str, float] = field(default_factory=dict)
    output_dir: Path = DTS_DIR / "output"
    _resolved_memory: str | None = None

    def timeout(self, what: str) -> float:
        return float(self.timeouts.get(what, 20))

    def app(self, name: str) -> Path:
        if name not in self.apps:
            raise KeyError(f"unknown app {name!r} (known: {', '.join(self.apps)})")
        return self.apps[name]

    @staticmethod
    def split_pair(pair: str) -> tuple[str, str]:
        vhost, sep, virtio = pair.partition("-")
        if not sep:
            raise ValueError(f"pair {pair!r} is not '<vhost app>-<virtio app>'")
        return vhost, virtio

    def memory(self) -> str:
        """'huge' or 'no-huge', decided once per run."""
        if self._resolved_memory is None:
            mode = self.memory_mode
            if mode == "auto":
                mode = "huge" if hugepages_available(self.hugepage_dir, 2 * self.mem_mb + 64) \
                    else "no-huge"
            self._resolved_memory = mode
        return self._resolved_memory


def hugepages_available(mount: Path, need_mb: int) -> bool:
    """True if a hugetlbfs is mounted at @mount and @need_mb of 2 MiB pages are free."""
    try:
        mounts = Path("/proc/mounts").read_text().split("\n")
    except OSError:
        return False
    if not any(len(f) > 2 and f[1] == str(mount) and f[2] == "hugetlbfs"
               for f in (line.split() for line in mounts)):
        return False
    free = size_kb = 0
    for line in Path("/proc/meminfo").read_text().split("\n"):
        if line.startswith("HugePages_Free:"):
            free = int(line.split()[1])
        elif line.startswith("Hugepagesize:"):
            size_kb = int(line.split()[1])
    return size_kb == 2048 and free * 2 >= need_mb


def _path(p: str) -> Path:
    q = Path(os.path.expanduser(p))
    return q if q.is_absolute() else REPO_ROOT / q


def load(path: Path = DEFAULT_CONF) -> Config:
    raw = yaml.safe_load(Path(path).read_text()) or {}
    lc = raw.get("lcores", {})
    mem = raw.get("memory", {})
    tp = raw.get("testpmd", {})
    return Config(
        apps={k: _path(v) for k, v in raw.get("apps", {}).items()},
        pairs=list(raw.get("pairs", ["dpdk-dpdk"])),
        vhost_lcores=str(lc.get("vhost", {}).get("list", "0-1")),
        vhost_main=int(lc.get("vhost", {}).get("main", 0)),
        virtio_lcores=str(lc.get("virtio", {}).get("list", "0-1")),
        virtio_main=int(lc.get("virtio", {}).get("main", 1)),
        memory_mode=mem.get("mode", "auto"),
        mem_mb=int(mem.get("mb_per_process", 512)),
        hugepage_dir=Path(mem.get("hugepage_dir", "/dev/hugepages")),
        runtime_dir=Path(mem.get("runtime_dir", "/run/dpdk")),
        socket_dir=Path(raw.get("socket_dir", "/tmp")),
        eal_extra=[str(a) for a in raw.get("eal_extra", [])],
        rxd=int(tp.get("rxd", 1024)),
        txd=int(tp.get("txd", 1024)),
        total_num_mbufs=int(tp.get("total_num_mbufs", 32768)),
        timeouts={k: float(v) for k, v in raw.get("timeouts", {}).items()},
    )
