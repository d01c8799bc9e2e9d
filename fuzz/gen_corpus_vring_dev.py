#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Seed corpus for fuzz_vring_dev: guest-memory images in its input format
(see fuzz/fuzz_vring_dev.c): valid chains, indirect tables, buffers crossing
regions, and broken layouts. Run from the repo root:
    fuzz/gen_corpus_vring_dev.py fuzz/corpus/vring_dev
"""
import os
import struct
import sys

PAGE = 4096
FILE_BYTES = 32 * PAGE
DESC_OFF, AVAIL_OFF, USED_OFF, INFLIGHT_OFF = 0x0000, 0x1000, 0x1800, 0x2400
NEXT, WRITE, INDIRECT = 1, 2, 4
F_INDIRECT, F_EVENT_IDX, F_INFLIGHT, F_LOG, F_LOG_USED = 1, 2, 4, 0x20, 0x40


class Image:
    """One input: header fields plus the file image the rings live in."""

    def __init__(self, size=16, flags=0, last_avail=0, first_gpa_pages=0,
                 regions=((0, 32, 0),), seed=0):
        self.size = size
        self.flags = flags | ((len(regions) - 1) << 3)
        self.last_avail = last_avail
        self.first_gpa = first_gpa_pages * PAGE
        self.regions = list(regions) + [(0, 0, 0)] * (3 - len(regions))
        self.seed = seed
        self.file = bytearray(FILE_BYTES)
        self.avail_idx = last_avail
        # GPA of each region's first byte, to place buffers by file offset.
        self.gpa = []
        gpa = self.first_gpa
        for page, pages, gap in regions:
            gpa += gap * PAGE
            self.gpa.append((gpa, page * PAGE, pages * PAGE))
            gpa += pages * PAGE
        struct.pack_into("<H", self.file, AVAIL_OFF + 2, last_avail)
        struct.pack_into("<H", self.file, USED_OFF + 2, last_avail)

    def gpa_of(self, file_off, region=0):
        gpa, off, _ = self.gpa[region]
        return gpa + file_off - off

    def desc(self, i, addr, length, flags=0, nxt=0, table=DESC_OFF):
        struct.pack_into("<QIHH", self.file, table + 16 * i, addr, length, flags, nxt)

    def post(self, head):
        slot = self.avail_idx % self.size
        struct.pack_into("<H", self.file, AVAIL_OFF + 4 + 2 * slot, head)
        self.avail_idx = (self.avail_idx + 1) & 0xFFFF
        struct.pack_into("<H", self.file, AVAIL_OFF + 2, self.avail_idx)

    def bytes(self):
        log2 = self.size.bit_length() - 1
        hdr = struct.pack("<BBHH", log2, self.flags, self.last_avail,
                          self.first_gpa // PAGE)
        for page, pages, gap in self.regions:
            hdr += struct.pack("<BBB", page, (pages - 1) % 256 if pages else 0, gap)
        hdr += struct.pack("<B", self.seed)
        assert len(hdr) == 16
        # Trailing zeros are what the target fills in anyway.
        return hdr + bytes(self.file).rstrip(b"\0")


BUF = 0x4000


def simple(n=4, **kw):
    im = Image(**kw)
    for i in range(n):
        im.desc(i, im.gpa_of(BUF + 0x100 * i), 64 + i, WRITE if i & 1 else 0)
        im.post(i)
    return im


def multi():
    im = Image(size=32, seed=3)
    im.desc(0, im.gpa_of(BUF), 12, NEXT, 5)
    im.desc(5, im.gpa_of(BUF + 0x100), 100, NEXT, 9)
    im.desc(9, im.gpa_of(BUF + 0x200), 1500, WRITE | NEXT, 2)
    im.desc(2, im.gpa_of(BUF + 0x1000), 0, WRITE)
    im.post(0)
    return im


def indirect(flags=F_INDIRECT):
    im = Image(size=16, flags=flags)
    t = 0x6000
    im.desc(0, im.gpa_of(BUF), 10, NEXT, 1, table=t)
    im.desc(1, im.gpa_of(BUF + 0x100), 200, WRITE | NEXT, 2, table=t)
    im.desc(2, im.gpa_of(BUF + 0x400), 300, WRITE, 0, table=t)
    im.desc(3, im.gpa_of(t), 48, INDIRECT)
    im.post(3)
    im.desc(4, im.gpa_of(BUF + 0x800), 8)
    im.post(4)
    return im


def crossing():
    # Regions: file pages 0-7 at GPA 0, then pages 8-15 right after (adjacent,
    # two mappings), then pages 16-31 after a 16-page hole.
    im = Image(size=16, regions=((0, 8, 0), (8, 8, 0), (16, 16, 16)))
    end0 = 8 * PAGE
    im.desc(0, end0 - 0x80, 0x100, WRITE)           # crosses region 0 -> 1
    im.post(0)
    im.desc(1, im.gpa_of(16 * PAGE + 0x10, 2), 0x40)  # in region 2
    im.post(1)
    im.desc(2, 16 * PAGE - 0x10, 0x20)                # region 1 end into the hole
    im.post(2)
    return im


def wrap():
    im = Image(size=8, last_avail=65532, flags=F_EVENT_IDX, seed=5)
    for i in range(8):
        im.desc(i, im.gpa_of(BUF + 0x40 * i), 32, WRITE)
        im.post(i)
    struct.pack_into("<H", im.file, AVAIL_OFF + 4 + 2 * 8, 65534)  # used_event
    return im


def inflight(restart=False):
    im = Image(size=16, flags=F_INFLIGHT, seed=1)
    for i in range(6):
        im.desc(i, im.gpa_of(BUF + 0x100 * i), 16)
        im.post(i)
    if restart:
        # an area as a crashed back-end left it: heads 2 and 4 in flight
        struct.pack_into("<QHHHH", im.file, INFLIGHT_OFF, 0, 1, 16, 3, 0)
        for head, counter in ((4, 7), (2, 9)):
            struct.pack_into("<B5xHQ", im.file, INFLIGHT_OFF + 16 + 16 * head, 1, 0,
                             counter)
    return im


def loop():
    im = simple(1)
    im.desc(1, im.gpa_of(BUF), 8, NEXT, 2)
    im.desc(2, im.gpa_of(BUF), 0, NEXT, 1)
    im.post(1)
    return im


def bad(kind):
    im = simple(1, flags=F_INDIRECT)
    t = 0x6000
    if kind == "head":
        im.post(200)
    elif kind == "next":
        im.desc(1, im.gpa_of(BUF), 8, NEXT, 16)
        im.post(1)
    elif kind == "hole":
        im.desc(1, 0x40000, 8)
        im.post(1)
    elif kind == "wrap":
        im.desc(1, 0xFFFFFFFFFFFFFF00, 0x200)
        im.post(1)
    elif kind == "len_max":
        im.desc(1, 0, 0xFFFFFFFF, WRITE)
        im.post(1)
    elif kind == "order":
        im.desc(1, im.gpa_of(BUF), 8, WRITE | NEXT, 2)
        im.desc(2, im.gpa_of(BUF), 8)
        im.post(1)
    elif kind == "nested":
        im.desc(0, im.gpa_of(t), 16, INDIRECT, 0, table=t)
        im.desc(1, im.gpa_of(t), 16, INDIRECT)
        im.post(1)
    elif kind == "indirect_len":
        im.desc(1, im.gpa_of(t), 24, INDIRECT)
        im.post(1)
    elif kind == "avail_idx":
        struct.pack_into("<H", im.file, AVAIL_OFF + 2, 40)
    return im


def segs():
    # 33 buffers that each cross from region 0 into region 1: 66 segments.
    im = Image(size=64, regions=((0, 8, 0), (8, 8, 0)))
    for i in range(33):
        im.desc(i, 8 * PAGE - 1, 2, WRITE | (NEXT if i < 32 else 0), i + 1)
    im.post(0)
    return im


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "fuzz/corpus/vring_dev"
    os.makedirs(out, exist_ok=True)
    seeds = {
        "simple": simple(),
        "simple_log": simple(flags=F_LOG | F_LOG_USED, first_gpa_pages=3),
        "burst": simple(16, size=16, seed=31),
        "size1": simple(1, size=1),
        "multi": multi(),
        "indirect": indirect(),
        "indirect_off": indirect(0),
        "crossing": crossing(),
        "wrap_event_idx": wrap(),
        "inflight": inflight(),
        "inflight_restart": inflight(True),
        "loop": loop(),
        "segs": segs(),
    }
    for kind in ("head", "next", "hole", "wrap", "len_max", "order", "nested",
                 "indirect_len", "avail_idx"):
        seeds["bad_" + kind] = bad(kind)
    for name, im in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(im.bytes())


if __name__ == "__main__":
    main()
