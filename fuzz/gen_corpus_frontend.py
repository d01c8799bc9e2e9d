#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Seeds for fuzz_frontend: backends that answer negotiation plausibly.

usage: gen_corpus_frontend.py OUTDIR
Input layout (see fuzz_frontend.c): u8 ops, u8 channel bytes / 4, u8 reply-fd
kind, reply stream, then the channel stream.
"""
import os
import struct
import sys

REPLY = 0x1 | 0x4          # version 1, reply flag
GET_FEATURES, SET_FEATURES, SET_OWNER = 1, 2, 3
GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES, GET_QUEUE_NUM = 15, 16, 17
SET_BACKEND_REQ_FD, GET_CONFIG, GET_INFLIGHT_FD, GET_MAX_MEM_SLOTS = 21, 24, 31, 36
SET_MEM_TABLE, SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE = 5, 8, 9, 10
GET_VRING_BASE, SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ENABLE = 11, 12, 13, 18
SET_STATUS, SET_DEVICE_STATE_FD, GET_SHMEM_CONFIG = 39, 42, 44
PF = {"MQ": 0, "REPLY_ACK": 3, "BACKEND_REQ": 5, "CONFIG": 9, "INFLIGHT_SHMFD": 12,
      "CONFIGURE_MEM_SLOTS": 15, "STATUS": 16, "DEVICE_STATE": 19, "SHMEM": 20}


def msg(req, payload=b"", flags=REPLY):
    return struct.pack("<III", req, flags, len(payload)) + payload


def u64(req, v):
    return msg(req, struct.pack("<Q", v))


def ack(req):
    return u64(req, 0)


def bits(*names):
    return sum(1 << PF[n] for n in names)


def seed(ops, stream, channel=b"", fdkind=0):
    assert len(channel) % 4 == 0 and len(channel) // 4 < 256
    return bytes([ops, len(channel) // 4, fdkind]) + stream + channel


def main(out):
    os.makedirs(out, exist_ok=True)
    v1 = 1 << 32
    seeds = {}
    # No protocol features: the legacy path.
    seeds["plain"] = seed(0x3f, u64(GET_FEATURES, v1))
    # Protocol features with REPLY_ACK: every request without a reply is acked.
    pf = bits("MQ", "REPLY_ACK", "CONFIG", "STATUS")
    s = u64(GET_FEATURES, v1 | (1 << 30)) + u64(GET_PROTOCOL_FEATURES, pf) + \
        u64(GET_QUEUE_NUM, 1)
    s += msg(GET_CONFIG, struct.pack("<III", 0, 16, 0) + bytes(range(16)))
    s += ack(SET_FEATURES) + ack(SET_MEM_TABLE)
    for ring in range(2):
        s += ack(SET_VRING_NUM) + ack(SET_VRING_ADDR) + ack(SET_VRING_BASE) + \
             ack(SET_VRING_CALL) + ack(SET_VRING_KICK) + ack(SET_VRING_ENABLE)
    s += ack(SET_STATUS)
    seeds["reply_ack"] = seed(0x03, s)
    # Sleep and wake after activation.
    s2 = s
    for ring in range(2):
        s2 += ack(SET_VRING_ENABLE) + msg(GET_VRING_BASE, struct.pack("<II", ring, 5))
    seeds["sleep_wake"] = seed(0x07, s2)
    # A back-end request channel fed CONFIG_CHANGE_MSG and SHMEM_MAP/UNMAP.
    pf3 = bits("REPLY_ACK", "BACKEND_REQ", "SHMEM", "DEVICE_STATE", "INFLIGHT_SHMFD",
               "CONFIGURE_MEM_SLOTS")
    s3 = u64(GET_FEATURES, v1 | (1 << 30)) + u64(GET_PROTOCOL_FEATURES, pf3) + \
        ack(SET_BACKEND_REQ_FD)
    ch = msg(2, b"", 0x1 | 0x8)                                    # CONFIG_CHANGE_MSG, need reply
    ch += msg(9, struct.pack("<BxxxxxxxQQQQ", 0, 0, 0, 4096, 3), 0x1)  # SHMEM_MAP
    ch += msg(10, struct.pack("<BxxxxxxxQQQQ", 0, 0, 0, 4096, 0), 0x1)  # SHMEM_UNMAP
    ch += b"\0" * ((4 - len(ch) % 4) % 4)
    seeds["channel"] = seed(0x10, s3 + u64(GET_SHMEM_CONFIG, 0), ch)
    # GET_INFLIGHT_FD and GET_MAX_MEM_SLOTS on activation, with an fd in the stream.
    s4 = u64(GET_FEATURES, v1 | (1 << 30)) + u64(GET_PROTOCOL_FEATURES, pf3) + \
        ack(SET_BACKEND_REQ_FD) + ack(SET_FEATURES) + \
        msg(GET_INFLIGHT_FD, struct.pack("<QQHH", 4096, 0, 2, 16)) + \
        u64(GET_MAX_MEM_SLOTS, 509) + ack(37)
    seeds["inflight_slots"] = seed(0x02, s4, fdkind=1)
    # Device state: SET_DEVICE_STATE_FD replied with "no fd", then EOF.
    s5 = u64(GET_FEATURES, v1 | (1 << 30)) + u64(GET_PROTOCOL_FEATURES, pf3) + \
        ack(SET_BACKEND_REQ_FD) + u64(SET_DEVICE_STATE_FD, 1 << 8)
    seeds["device_state"] = seed(0x08, s5)
    # Malformed: a reply to another request, a short header, a huge size.
    seeds["wrong_reply"] = seed(0x3f, u64(GET_PROTOCOL_FEATURES, 0))
    seeds["short"] = seed(0x3f, b"\x01\x00\x00")
    seeds["huge_size"] = seed(0x3f, struct.pack("<III", GET_FEATURES, REPLY, 0xffffffff))
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1])
