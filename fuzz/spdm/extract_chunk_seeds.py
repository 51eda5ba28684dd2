#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seeds for fuzz_chunk from PCI DOE captures (LINKTYPE 292).

Every run of consecutive chunk messages (CHUNK_SEND, CHUNK_SEND_ACK,
CHUNK_GET, CHUNK_RESPONSE) in a capture becomes one seed in the format
fuzz_chunk.c reads: the version byte, a zero byte, then each message as
a little-endian u16 length and its bytes.

  extract_chunk_seeds.py OUT_DIR CAPTURE.pcap...
"""
import os
import struct
import sys

CHUNK_CODES = {0x85, 0x86, 0x05, 0x06}
DOE_HDR = 8


def records(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic, = struct.unpack_from('<I', data, 0)
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        raise SystemExit(f'{path}: not a little-endian pcap')
    linktype, = struct.unpack_from('<I', data, 20)
    if linktype != 292:
        raise SystemExit(f'{path}: link type {linktype}, only PCI DOE (292)')
    off = 24
    while off + 16 <= len(data):
        incl, = struct.unpack_from('<I', data, off + 8)
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


def spdm_messages(path):
    for rec in records(path):
        # DOE data object type 1 is SPDM; discovery (0) is not.
        if len(rec) < DOE_HDR + 4 or rec[2] != 1:
            continue
        yield rec[DOE_HDR:]


def main():
    out, caps = sys.argv[1], sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    for cap in caps:
        base = os.path.splitext(os.path.basename(cap))[0]
        run, n = [], 0
        for msg in list(spdm_messages(cap)) + [b'\x00\x00']:
            if msg[1] in CHUNK_CODES:
                run.append(msg)
                continue
            if run:
                seed = bytes([run[0][0], 0]) + b''.join(
                    struct.pack('<H', len(m)) + m for m in run)
                with open(os.path.join(out, f'{base}-run{n:02d}.bin'), 'wb') as f:
                    f.write(seed)
                n += 1
                run = []
        print(f'{cap}: {n} chunk runs')


if __name__ == '__main__':
    main()
