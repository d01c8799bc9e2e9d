# SPDX-License-Identifier: BSD-3-Clause
"""Typed parsers of testpmd-format output, in one place.

Both dpdk-testpmd and vu-testpmd print the same spellings (conventions.md,
habit 13), so every suite reads output only through these functions. Each
parser tolerates asynchronous lines (link/queue events, driver log lines)
interleaved with the block it reads, and '\r\n' line ends.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "ParseError", "PortStats", "PortInfo", "FwdStreamStats", "FwdPortStats", "ForwardStats",
    "parse_port_stats", "parse_all_port_stats", "parse_xstats", "parse_port_info",
    "parse_forward_stats", "parse_fwd_config", "parse_negotiated_features",
]


class ParseError(ValueError):
    """The text does not hold the block a parser was asked for."""


def _clean(text: str) -> str:
    return text.replace("\r", "")


def _int(m: re.Match | None, what: str) -> int:
    if m is None:
        raise ParseError(f"missing field {what!r}")
    return int(m.group(1))


# ---------------------------------------------------------------- show port stats
@dataclass
class PortStats:
    """`show port stats N`: the NIC statistics block of one port."""
    port: int
    rx_packets: int
    rx_missed: int
    rx_bytes: int
    rx_errors: int
    rx_nombuf: int
    tx_packets: int
    tx_errors: int
    tx_bytes: int
    rx_pps: int
    rx_bps: int
    tx_pps: int
    tx_bps: int


_STATS_HDR = re.compile(r"#+ NIC statistics for port (\d+)\s+#+")
_STATS_FIELDS = {
    "rx_packets": r"RX-packets:\s*(\d+)",
    "rx_missed": r"RX-missed:\s*(\d+)",
    "rx_bytes": r"RX-bytes:\s*(\d+)",
    "rx_errors": r"RX-errors:\s*(\d+)",
    "rx_nombuf": r"RX-nombuf:\s*(\d+)",
    "tx_packets": r"TX-packets:\s*(\d+)",
    "tx_errors": r"TX-errors:\s*(\d+)",
    "tx_bytes": r"TX-bytes:\s*(\d+)",
    "rx_pps": r"Rx-pps:\s*(\d+)",
    "rx_bps": r"Rx-bps:\s*(\d+)",
    "tx_pps": r"Tx-pps:\s*(\d+)",
    "tx_bps": r"Tx-bps:\s*(\d+)",
}


def _stats_blocks(text: str) -> list[tuple[int, str]]:
    text = _clean(text)
    heads = list(_STATS_HDR.finditer(text))
    blocks = []
    for i, h in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        blocks.append((int(h.group(1)), text[h.end():end]))
    return blocks


def _stats_from_block(port: int, body: str) -> PortStats:
    vals = {k: _int(re.search(p, body), k) for k, p in _STATS_FIELDS.items()}
    return PortStats(port=port, **vals)


def parse_all_port_stats(text: str) -> dict[int, PortStats]:
    """`show port stats all` -> {port: PortStats}."""
    blocks = _stats_blocks(text)
    if not blocks:
        raise ParseError("no 'NIC statistics for port' block")
    return {port: _stats_from_block(port, body) for port, body in blocks}


def parse_port_stats(text: str, port: int | None = None) -> PortStats:
    """`show port stats N` -> PortStats (the block for @port, or the only/first one)."""
    stats = parse_all_port_stats(text)
    if port is None:
        return next(iter(stats.values()))
    if port not in stats:
        raise ParseError(f"no statistics block for port {port}")
    return stats[port]


# --------------------------------------------------------------- show port xstats
_XSTATS_HDR = re.compile(r"#+ NIC extended statistics for port (\d+)")
_XSTAT_LINE = re.compile(r"^([A-Za-z][\w\-\[\]\.]*):\s+(\d+)\s*$")


def parse_xstats(text: str) -> dict[str, int]:
    """`show port xstats N` -> {name: value}; lines that are not `name: integer` are ignored."""
    text = _clean(text)
    h = _XSTATS_HDR.search(text)
    if h is None:
        raise ParseError("no 'NIC extended statistics for port' header")
    out: dict[str, int] = {}
    for line in text[h.end():].split("\n"):
        m = _XSTAT_LINE.match(line.strip())
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


# ----------------------------------------------------------------- show port info
@dataclass
class PortInfo:
    """`show port info N`: the fields the suites use, plus every `key: value` line raw."""
    port: int
    mac: str
    device_name: str
    driver_name: str
    devargs: str
    link_status: str
    link_speed: str
    mtu: int
    promiscuous: bool
    rx_queues: int
    tx_queues: int
    max_rx_queues: int
    max_tx_queues: int
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def link_up(self) -> bool:
        return self.link_status.lower() == "up"

    def devarg(self, key: str) -> str | None:
        """Value of one devarg (`queues`, `mrg_rxbuf`, ...) or None."""
        for kv in self.devargs.split(","):
            k, _, v = kv.partition("=")
            if k.strip() == key:
                return v.strip()
        return None


_INFO_HDR = re.compile(r"\*+ Infos for port (\d+)\s+\*+")


def parse_port_info(text: str) -> PortInfo:
    """`show port info N` -> PortInfo."""
    text = _clean(text)
    h = _INFO_HDR.search(text)
    if h is None:
        raise ParseError("no 'Infos for port' header")
    fields: dict[str, str] = {}
    for line in text[h.end():].split("\n"):
        key, sep, val = line.partition(":")
        if sep and key.strip() and not key.startswith(" "):
            fields.setdefault(key.strip(), val.strip())

    def need(k: str) -> str:
        if k not in fields:
            raise ParseError(f"port info lacks {k!r}")
        return fields[k]

    return PortInfo(
        port=int(h.group(1)),
        mac=need("MAC address"),
        device_name=need("Device name"),
        driver_name=fields.get("Driver name", ""),
        devargs=fields.get("Devargs", ""),
        link_status=need("Link status"),
        link_speed=fields.get("Link speed", ""),
        mtu=int(fields.get("MTU", "0") or 0),
        promiscuous=fields.get("Promiscuous mode", "") == "enabled",
        rx_queues=int(need("Current number of RX queues")),
        tx_queues=int(need("Current number of TX queues")),
        max_rx_queues=int(fields.get("Max possible RX queues", "0")),
        max_tx_queues=int(fields.get("Max possible TX queues", "0")),
        fields=fields,
    )


# ----------------------------------------------------------- stop: forward stats
@dataclass
class BurstSpread:
    """A `RX-bursts : N [a% of 0 pkts + b% of 32 pkts + c% of other]` line
    (`set record-burst-stats on`): bursts counted, and (percent, burst size) shares,
    size None for "other". Empty polls count as bursts of 0 packets."""
    total: int
    shares: list[tuple[int, int | None]]

    def share(self, size: int) -> int:
        """Percent of bursts with @size packets, 0 when not among the shown ones."""
        return sum(p for p, s in self.shares if s == size)


_BURSTS = re.compile(r"^\s*(RX|TX)-bursts : (\d+) \[(.*)\]\s*$", re.MULTILINE)
_SHARE = re.compile(r"^(\d+)% of (?:(\d+) pkts|other)$")


def _burst_spreads(body: str) -> dict[str, BurstSpread]:
    """The RX-/TX-bursts lines in @body, by direction."""
    found = {}
    for m in _BURSTS.finditer(body):
        shares = []
        for part in filter(None, (x.strip() for x in m.group(3).split(" + "))):
            sm = _SHARE.match(part)
            if sm is None:
                raise ParseError(f"burst share {part!r} not understood")
            shares.append((int(sm.group(1)), int(sm.group(2)) if sm.group(2) else None))
        found[m.group(1)] = BurstSpread(int(m.group(2)), shares)
    return found


@dataclass
class FwdStreamStats:
    rx_port: int
    rx_queue: int
    tx_port: int
    tx_queue: int
    rx_packets: int
    tx_packets: int
    tx_dropped: int
    rx_bursts: BurstSpread | None = None  # `set record-burst-stats on`
    tx_bursts: BurstSpread | None = None


@dataclass
class FwdPortStats:
    port: int
    rx_packets: int
    rx_dropped: int
    rx_total: int
    tx_packets: int
    tx_dropped: int
    tx_total: int
    payload_checked: int | None = None  # vu-testpmd with `set payload-check on`
    payload_bad: int | None = None
    rx_bursts: BurstSpread | None = None  # `set record-burst-stats on`, one stream per port
    tx_bursts: BurstSpread | None = None


@dataclass
class ForwardStats:
    """What `stop` prints: per stream (when more than one), per port, accumulated, and
    with `set record-core-cycles on` the busy cycles per packet."""
    streams: list[FwdStreamStats]
    ports: dict[int, FwdPortStats]
    total: FwdPortStats | None
    cycles_per_packet: float | None = None
    busy_cycles: int | None = None
    clock_mhz: int | None = None


_CYCLES = re.compile(r"CPU cycles/packet=([\d.]+) \(total cycles=(\d+) / total \w+ "
                     r"packets=(\d+)\) at (\d+) MHz Clock")


_STREAM_HDR = re.compile(
    r"Forward Stats for RX Port=\s*(\d+)/Queue=\s*(\d+) -> TX Port=\s*(\d+)/Queue=\s*(\d+)")
_FWDPORT_HDR = re.compile(r"-+ Forward statistics for port (\d+)\s+-+")
_ACC_HDR = re.compile(r"\++ Accumulated forward statistics for all ports\s*\++")


def _fwd_port(port: int, body: str) -> FwdPortStats:
    rx = re.search(r"RX-packets:\s*(\d+)\s+RX-dropped:\s*(\d+)\s+RX-total:\s*(\d+)", body)
    tx = re.search(r"TX-packets:\s*(\d+)\s+TX-dropped:\s*(\d+)\s+TX-total:\s*(\d+)", body)
    if rx is None or tx is None:
        raise ParseError(f"forward statistics for port {port} incomplete")
    st = FwdPortStats(port, *(int(x) for x in rx.groups()), *(int(x) for x in tx.groups()))
    pc = re.search(r"Payload-checked:\s*(\d+)\s+Payload-bad:\s*(\d+)", body)
    if pc is not None:
        st.payload_checked, st.payload_bad = (int(x) for x in pc.groups())
    bursts = _burst_spreads(body)
    st.rx_bursts, st.tx_bursts = bursts.get("RX"), bursts.get("TX")
    return st


def parse_forward_stats(text: str) -> ForwardStats:
    """The output of `stop` -> ForwardStats."""
    text = _clean(text)
    marks = sorted([(m.start(), m.end(), "s", m) for m in _STREAM_HDR.finditer(text)]
                   + [(m.start(), m.end(), "p", m) for m in _FWDPORT_HDR.finditer(text)]
                   + [(m.start(), m.end(), "a", m) for m in _ACC_HDR.finditer(text)],
                   key=lambda t: t[0])
    if not any(k in ("p", "a") for _, _, k, _ in marks):
        raise ParseError("no forward statistics in output")
    streams, ports, total = [], {}, None
    for i, (_, end, kind, m) in enumerate(marks):
        body = text[end:marks[i + 1][0] if i + 1 < len(marks) else len(text)]
        if kind == "s":
            vals = re.search(r"RX-packets:\s*(\d+)\s+TX-packets:\s*(\d+)\s+TX-dropped:\s*(\d+)",
                             body)
            if vals is None:
                raise ParseError("stream statistics incomplete")
            bursts = _burst_spreads(body)
            streams.append(FwdStreamStats(*(int(x) for x in m.groups()),
                                          *(int(x) for x in vals.groups()),
                                          bursts.get("RX"), bursts.get("TX")))
        elif kind == "p":
            ports[int(m.group(1))] = _fwd_port(int(m.group(1)), body)
        else:
            total = _fwd_port(-1, body)
    fs = ForwardStats(streams=streams, ports=ports, total=total)
    cm = _CYCLES.search(text)
    if cm is not None:
        fs.cycles_per_packet, fs.busy_cycles, fs.clock_mhz = (
            float(cm.group(1)), int(cm.group(2)), int(cm.group(4)))
    return fs


# --------------------------------------------------------------- show config fwd
@dataclass
class FwdConfig:
    mode: str
    ports: int
    cores: int
    streams: int


def parse_fwd_config(text: str) -> FwdConfig:
    """`show config fwd` -> mode and counts."""
    m = re.search(r"(\w+) packet forwarding(?: packets)? - ports=(\d+) - cores=(\d+)"
                  r" - streams=(\d+)", _clean(text))
    if m is None:
        raise ParseError("no 'packet forwarding - ports=' line")
    return FwdConfig(m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)))


# -------------------------------------------------------- negotiated features
_FEAT = re.compile(r"negotiated (?:virtio )?features:\s*(0x[0-9a-fA-F]+)", re.IGNORECASE)


def parse_negotiated_features(text: str) -> int | None:
    """Last `negotiated Virtio features: 0x...` (DPDK vhost log line, and the line
    vu-testpmd's `show vhost N` prints) in @text, or None."""
    found = _FEAT.findall(_clean(text))
    return int(found[-1], 16) if found else None


VIRTIO_NET_F_MRG_RXBUF = 15
VIRTIO_F_VERSION_1 = 32
VIRTIO_F_IN_ORDER = 35
VIRTIO_NET_F_MQ = 22
