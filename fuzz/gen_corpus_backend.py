#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Seed corpus for fuzz_backend: realistic request sequences in its record
format (see fuzz/fuzz_backend.c). Run from the repo root:
    fuzz/gen_corpus_backend.py fuzz/corpus/backend
"""
import os
import struct
import sys

# Request numbers (vhost-user spec; lib/vhost_user/vu_proto.h).
GET_FEATURES, SET_FEATURES, SET_OWNER, RESET_OWNER, SET_MEM_TABLE = 1, 2, 3, 4, 5
SET_LOG_BASE, SET_LOG_FD, SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE = 6, 7, 8, 9, 10
GET_VRING_BASE, SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR = 11, 12, 13, 14
GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES, GET_QUEUE_NUM, SET_VRING_ENABLE = 15, 16, 17, 18
SEND_RARP, NET_SET_MTU, SET_BACKEND_REQ_FD, GET_CONFIG, SET_CONFIG = 19, 20, 21, 24, 25
GET_INFLIGHT_FD, SET_INFLIGHT_FD, RESET_DEVICE = 31, 32, 34
GET_MAX_MEM_SLOTS, ADD_MEM_REG, REM_MEM_REG, SET_STATUS, GET_STATUS = 36, 37, 38, 39, 40
SET_DEVICE_STATE_FD, CHECK_DEVICE_STATE, GET_SHMEM_CONFIG = 42, 43, 44

NEED_REPLY = 1 << 3
VERSION = 1
NONE, MEMFD, EVENTFD, PIPE = 0, 1, 2, 3
VMM = 0x7F0000000000


def rec(req, payload=b"", fds=NONE, count=1, memfd_64k=1, flags=VERSION):
    spec = fds | ((count - 1) << 2) | (memfd_64k << 4 if fds == MEMFD else 0)
    return struct.pack("<IIHB", req, flags, len(payload), spec) + payload


def u64(v):
    return struct.pack("<Q", v)


def state(i, n):
    return struct.pack("<II", i, n)


def addr(i, base, num=16):
    return struct.pack("<IIQQQQ", i, 0, base, base + 16 * num, base + 0x800, 0)


def region(gpa, size, uaddr, off):
    return struct.pack("<QQQQ", gpa, size, uaddr, off)


def negotiate(pf=(1 << 21) - 1):
    return [rec(SET_OWNER), rec(GET_FEATURES),
            rec(SET_FEATURES, u64((1 << 30) | (1 << 32) | (1 << 29))),
            rec(GET_PROTOCOL_FEATURES), rec(SET_PROTOCOL_FEATURES, u64(pf))]


def activate(nq=2):
    out = [rec(SET_MEM_TABLE, struct.pack("<II", 1, 0) + region(0, 0x10000, VMM, 0), MEMFD)]
    for q in range(nq):
        base = VMM + q * 0x1000
        out += [rec(SET_VRING_NUM, state(q, 16)), rec(SET_VRING_ADDR, addr(q, base)),
                rec(SET_VRING_BASE, state(q, 0)), rec(SET_VRING_CALL, u64(q), EVENTFD),
                rec(SET_VRING_KICK, u64(q), EVENTFD), rec(SET_VRING_ENABLE, state(q, 1))]
    return out


def stop(nq=2):
    out = []
    for q in range(nq):
        out += [rec(SET_VRING_ENABLE, state(q, 0)), rec(GET_VRING_BASE, state(q, 0))]
    return out


def seeds():
    s = {}
    s["lifecycle"] = negotiate() + activate() + stop() + activate() + stop()
    s["lifecycle-no-ack"] = negotiate(pf=(1 << 21) - 1 - (1 << 3)) + activate() + stop()
    s["device-state"] = negotiate() + activate() + stop() + [
        rec(SET_DEVICE_STATE_FD, struct.pack("<II", 0, 0), PIPE),
        rec(CHECK_DEVICE_STATE),
        rec(SET_DEVICE_STATE_FD, struct.pack("<II", 1, 0), PIPE | 0x10),
        rec(CHECK_DEVICE_STATE)]
    s["mem-slots"] = negotiate() + [rec(GET_MAX_MEM_SLOTS)] + [
        rec(ADD_MEM_REG, u64(0) + region(i * 0x10000, 0x10000, VMM + i * 0x10000, 0), MEMFD)
        for i in range(4)] + [
        rec(SET_VRING_NUM, state(0, 8)), rec(SET_VRING_ADDR, addr(0, VMM + 0x10000, 8)),
        rec(SET_VRING_KICK, u64(0), EVENTFD),
        rec(REM_MEM_REG, u64(0) + region(0x10000, 0x10000, VMM + 0x10000, 0))]
    s["inflight"] = negotiate() + [
        rec(GET_INFLIGHT_FD, struct.pack("<QQHH", 0, 0, 2, 16) + b"\0" * 4),
        rec(SET_INFLIGHT_FD, struct.pack("<QQHH", 1024, 0, 2, 16) + b"\0" * 4, MEMFD)] + \
        activate() + stop()
    s["log"] = negotiate() + activate() + [
        rec(SET_FEATURES, u64((1 << 30) | (1 << 32) | (1 << 26))),
        rec(SET_LOG_BASE, struct.pack("<QQ", 4096, 0), MEMFD),
        rec(SET_LOG_FD, b"", EVENTFD)] + stop()
    s["config-status"] = negotiate() + [
        rec(GET_CONFIG, struct.pack("<III", 0, 8, 0) + b"\0" * 8),
        rec(SET_CONFIG, struct.pack("<III", 4, 4, 0) + b"abcd"),
        rec(SET_STATUS, u64(0x0F)), rec(GET_STATUS), rec(GET_QUEUE_NUM),
        rec(NET_SET_MTU, u64(1500)), rec(SEND_RARP, u64(0x112233445566)),
        rec(GET_SHMEM_CONFIG), rec(RESET_DEVICE)]
    s["backend-channel"] = negotiate() + [rec(SET_BACKEND_REQ_FD, b"", EVENTFD)] + activate(1)
    s["reset-owner"] = negotiate() + activate(1) + [rec(RESET_OWNER)] + negotiate() + activate(1)
    s["vring-err"] = negotiate() + activate(1) + [rec(SET_VRING_ERR, u64(0), EVENTFD),
                                                rec(SET_VRING_ERR, u64(0x100))]
    s["lifecycle-need-reply"] = [r[:4] + struct.pack("<I", VERSION | NEED_REPLY) + r[8:]
                                 for r in s["lifecycle"]]
    return s


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "fuzz/corpus/backend"
    os.makedirs(out, exist_ok=True)
    for name, records in seeds().items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(b"".join(records))


if __name__ == "__main__":
    main()
