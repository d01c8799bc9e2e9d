#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Seed corpus for fuzz_vring_drv: ring set-ups and op sequences in its
input format (see fuzz/fuzz_vring_drv.c). Run from the repo root:
    fuzz/gen_corpus_vring_drv.py fuzz/corpus/vring_drv
"""
import os
import struct
import sys

IN_ORDER, EVENT_IDX, WANT_CALLS, KICK = 1, 2, 4, 8
ADD, PUBLISH, RECLAIM, USED_ELEM, USED_IDX, DESC, FLAGS, DEVICE, DRAIN, AVAIL = range(10)
NEWEST_FIRST, BATCH, WITH_LEN = 1, 2, 4


def head(size_log2, mode):
    return bytes([size_log2, mode])


def add(nsegs=1, write_mask=0, length=16):
    return bytes([ADD, (nsegs - 1) | (write_mask << 2), length])


def device(how=0, length=16):
    return bytes([DEVICE, how, length])


def reclaim(n=32):
    return bytes([RECLAIM, n])


def used_elem(slot, ident, length):
    return bytes([USED_ELEM, slot]) + struct.pack("<II", ident, length)


def used_idx(v):
    return bytes([USED_IDX]) + struct.pack("<H", v)


def desc(k, addr, length, flags, nxt):
    return bytes([DESC, k]) + struct.pack("<QIHH", addr, length, flags, nxt)


def flags(used_flags, avail_event):
    return bytes([FLAGS]) + struct.pack("<HH", used_flags, avail_event)


PUB = bytes([PUBLISH])
RX = add(1, 1)               # one writable segment
TX = add(2, 0)               # header + data, both readable
MIX = add(3, 0b110)          # readable, then two writable

SEEDS = {
    "rx_round_trip": head(3, 0) + RX * 4 + PUB + device(0, 10) + reclaim(),
    "tx_round_trip": head(4, KICK) + TX * 4 + PUB + device() + reclaim(),
    "mixed_newest_first": head(4, 0) + (MIX + RX + TX) * 2 + PUB + device(NEWEST_FIRST | WITH_LEN, 8)
    + reclaim(3) + reclaim(),
    "fill_ring": head(3, 0) + RX * 9 + PUB + device() + reclaim() + RX * 8 + PUB,
    "in_order_batch": head(3, IN_ORDER) + (RX + TX) * 3 + PUB + device(BATCH | WITH_LEN, 12)
    + reclaim(2) + reclaim(),
    "in_order_wrap": head(2, IN_ORDER) + (TX + PUB + device(BATCH) + reclaim()) * 12,
    "event_idx_kicks": head(5, EVENT_IDX | KICK) + flags(0, 3) + RX * 2 + PUB + RX * 3 + PUB
    + device() + reclaim() + flags(1, 0) + RX + PUB,
    "want_calls": head(5, EVENT_IDX | WANT_CALLS) + RX * 5 + PUB + device(0, 1) + reclaim(),
    "wrap_size1": head(0, KICK) + (RX + PUB + device(WITH_LEN, 16) + reclaim(1)) * 40,
    "drain_restart": head(4, 0) + RX * 6 + PUB + device() + reclaim(2) + bytes([DRAIN])
    + RX * 3 + PUB + device() + reclaim(),
    "bad_id": head(3, 0) + RX * 2 + PUB + used_elem(0, 9, 0) + used_idx(1) + reclaim() + RX,
    "bad_len": head(3, 0) + RX * 2 + PUB + used_elem(0, 0, 17) + used_idx(1) + reclaim(),
    "idx_jump": head(3, 0) + RX * 2 + PUB + used_idx(200) + reclaim() + bytes([DRAIN]),
    "duplicate": head(3, 0) + RX * 3 + PUB + used_elem(0, 1, 0) + used_elem(1, 1, 0) + used_idx(2)
    + reclaim(),
    "desc_loop": head(3, 0) + MIX * 2 + PUB + desc(0, 0, 0, 1, 0) + desc(1, 0, 0, 1, 1)
    + desc(2, 0, 0, 1, 999) + device() + reclaim() + MIX * 2 + PUB + device() + reclaim(),
    "avail_scribble": head(3, IN_ORDER | EVENT_IDX) + RX * 3 + PUB + bytes([AVAIL, 2, 0xff])
    + device(BATCH) + reclaim(),
    "in_order_bad_batch": head(3, IN_ORDER) + TX * 3 + PUB + used_elem(0, 1, 0) + used_idx(1)
    + reclaim(),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "fuzz/corpus/vring_drv"
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
