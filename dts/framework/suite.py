# SPDX-License-Identifier: BSD-3-Clause
"""What a suite file uses: the case context, parametrisation and applicability.

A suite is dts/tests/test_<name>.py; each `test_*` function is a case, called once per
app pair (and per parameter combination) with a CaseContext.
"""
from __future__ import annotations

import itertools

from .topology import Loopback


def params(**values):
    """@params(mrg_rxbuf=[0, 1], in_order=[0, 1]): run the case for every combination."""
    def deco(fn):
        fn.dts_params = values
        return fn
    return deco


def applies(pred, reason: str):
    """@applies(lambda vhost, virtio: virtio == 'vu', 'needs vu-testpmd commands').
    Pairs for which @pred is false are reported as 'n/a' with @reason (never silently)."""
    def deco(fn):
        fn.dts_applies = (pred, reason)
        return fn
    return deco


def expand(fn) -> list[dict]:
    values = getattr(fn, "dts_params", {})
    keys = list(values)
    return [dict(zip(keys, combo)) for combo in itertools.product(*values.values())] or [{}]


class CaseFailure(AssertionError):
    pass


class CaseContext:
    def __init__(self, config, ws, pair: str, params: dict):
        self.config = config
        self.ws = ws
        self.pair = pair
        self.vhost_app, self.virtio_app = config.split_pair(pair)
        self.params = params
        self.notes: list[str] = []
        self.metrics: dict = {}

    def loopback(self, **kw) -> Loopback:
        return Loopback(self.ws, self.vhost_app, self.virtio_app, **kw)

    def check(self, cond, msg: str) -> None:
        if not cond:
            raise CaseFailure(msg)

    def note(self, msg: str) -> None:
        self.notes.append(msg)
